//! A per-node cache in front of the session store, so that authenticating a request
//! does not cost a database round trip.
//!
//! Correctness rests on invalidation, not on the time-to-live:
//! - a revocation made through this node (logout, theft detection, any `revoke`)
//!   drops the entry before the call returns, so the revoking node closes the door
//!   at once;
//! - every node listens to the event bus, where each revocation is published as
//!   `SessionsRevoked`, and drops those entries when it arrives (the bus latency);
//! - when the bus reports a gap (lost notifications, a reconnect) every entry goes,
//!   since a lost `SessionsRevoked` cannot be told apart from none.
//!
//! The time-to-live only bounds how long an entry survives a bus that lost a
//! message without reporting the loss. A read that races an invalidation never
//! caches what it read: each invalidation bumps a generation, and a read stores its
//! result only if the generation it started under is still current.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use confab_application::error::RepositoryError;
use confab_application::ports::{
    EventBus, EventStream, NewSession, Notification, RefreshOutcome, SessionRepository, TokenHash,
};
use confab_domain::{Session, SessionId, UserId};
use futures_util::StreamExt;

#[cfg(test)]
#[path = "tests.rs"]
mod tests;

/// How long an entry is trusted without news from the bus.
pub const DEFAULT_TIME_TO_LIVE: Duration = Duration::from_secs(30);

/// Entries kept at most; past it the cache starts over (sessions are cheap to
/// reload, and an attacker minting tokens cannot grow it: only signed tokens of
/// stored sessions reach it).
pub const DEFAULT_CAPACITY: usize = 50_000;

/// [`SessionRepository`] decorator caching `get`; see the module docs.
pub struct CachedSessionRepository {
    inner: Arc<dyn SessionRepository>,
    cache: Arc<Mutex<Entries>>,
    time_to_live: Duration,
    capacity: usize,
}

#[derive(Default)]
struct Entries {
    by_id: HashMap<SessionId, (Session, Instant)>,
    generation: u64,
}

impl Entries {
    fn forget(&mut self, ids: &[SessionId]) {
        self.generation += 1;
        for id in ids {
            self.by_id.remove(id);
        }
    }

    fn forget_all(&mut self) {
        self.generation += 1;
        self.by_id.clear();
    }
}

impl CachedSessionRepository {
    /// Caches `inner` and starts listening to `events` for revocations made on other
    /// nodes (the listener ends when the bus closes or the cache is dropped).
    pub fn new(inner: Arc<dyn SessionRepository>, events: &dyn EventBus) -> Self {
        Self::with_limits(inner, events, DEFAULT_TIME_TO_LIVE, DEFAULT_CAPACITY)
    }

    /// As [`Self::new`] with an explicit time-to-live and capacity.
    pub fn with_limits(
        inner: Arc<dyn SessionRepository>,
        events: &dyn EventBus,
        time_to_live: Duration,
        capacity: usize,
    ) -> Self {
        let cache = Arc::new(Mutex::new(Entries::default()));
        tokio::spawn(listen(events.subscribe(), Arc::downgrade(&cache)));
        Self {
            inner,
            cache,
            time_to_live,
            capacity,
        }
    }

    fn entries(&self) -> MutexGuard<'_, Entries> {
        lock(&self.cache)
    }

    fn forget(&self, ids: &[SessionId]) {
        self.entries().forget(ids);
    }
}

/// The lock is never held across an await or a call that can panic, but a poisoned
/// lock would only mean a panic elsewhere mid-update: the map stays usable.
fn lock(cache: &Mutex<Entries>) -> MutexGuard<'_, Entries> {
    cache
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Drops what other nodes revoked, and everything after a gap.
async fn listen(mut notifications: EventStream, cache: Weak<Mutex<Entries>>) {
    while let Some(notification) = notifications.next().await {
        let Some(cache) = cache.upgrade() else { return };
        match notification {
            Notification::SessionsRevoked { session_ids, .. } => {
                lock(&cache).forget(&session_ids);
            }
            Notification::Gap => lock(&cache).forget_all(),
            Notification::Chat(_) => {}
        }
    }
}

#[async_trait]
impl SessionRepository for CachedSessionRepository {
    async fn create(&self, session: NewSession) -> Result<Option<Session>, RepositoryError> {
        self.inner.create(session).await
    }

    async fn get(&self, id: SessionId) -> Result<Option<Session>, RepositoryError> {
        let generation = {
            let entries = self.entries();
            if let Some((session, cached_at)) = entries.by_id.get(&id)
                && cached_at.elapsed() < self.time_to_live
            {
                return Ok(Some(session.clone()));
            }
            entries.generation
        };
        let session = self.inner.get(id).await?;
        if let Some(session) = &session {
            let mut entries = self.entries();
            if entries.generation == generation {
                if entries.by_id.len() >= self.capacity {
                    entries.by_id.clear();
                }
                entries.by_id.insert(id, (session.clone(), Instant::now()));
            }
        }
        Ok(session)
    }

    async fn rotate_refresh_token(
        &self,
        presented: &TokenHash,
        replacement: &TokenHash,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<RefreshOutcome, RepositoryError> {
        let outcome = self
            .inner
            .rotate_refresh_token(presented, replacement, now, expires_at)
            .await?;
        // A rotation moves `expires_at`; a replayed token revokes the session.
        match &outcome {
            RefreshOutcome::Rotated(session) => self.forget(&[session.id]),
            RefreshOutcome::Reused { session_id, .. } => self.forget(&[*session_id]),
            RefreshOutcome::Inactive | RefreshOutcome::Unknown => {}
        }
        Ok(outcome)
    }

    async fn list_active(
        &self,
        user_id: UserId,
        before: Option<SessionId>,
        limit: u64,
        now: DateTime<Utc>,
    ) -> Result<Vec<Session>, RepositoryError> {
        self.inner.list_active(user_id, before, limit, now).await
    }

    async fn revoke(
        &self,
        user_id: UserId,
        session_id: SessionId,
        now: DateTime<Utc>,
    ) -> Result<bool, RepositoryError> {
        let revoked = self.inner.revoke(user_id, session_id, now).await;
        // Even when the call failed: the write may have committed before the error.
        self.forget(&[session_id]);
        revoked
    }
}
