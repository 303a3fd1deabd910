//! In-memory stand-ins for the ports, for service-level unit tests only.

mod store;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use confab_domain::{Password, SessionId, UserId};
use futures_util::StreamExt;

pub(crate) use store::Store;

use super::AccountService;
use crate::ports::{
    AccessClaims, Clock, EventBus, EventStream, HashError, IssuedAccessToken, Notification,
    PasswordHash, PasswordHasher, RefreshToken, TokenError, TokenHash, TokenService,
};
use crate::profiles::ProfileService;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A transparent "hash" that records how verifications were asked for.
#[derive(Default)]
pub(crate) struct Hasher {
    /// `true` for each verification against a real hash, `false` for a dummy one.
    pub(crate) verifications: Mutex<Vec<bool>>,
}

#[async_trait]
impl PasswordHasher for Hasher {
    async fn hash(&self, password: &Password) -> Result<PasswordHash, HashError> {
        Ok(PasswordHash::new(format!("plain:{}", password.expose())))
    }

    async fn verify(
        &self,
        password: &Password,
        hash: Option<&PasswordHash>,
    ) -> Result<bool, HashError> {
        lock(&self.verifications).push(hash.is_some());
        Ok(hash.is_some_and(|h| h.as_str() == format!("plain:{}", password.expose())))
    }
}

/// Tokens that are readable strings: `access:<user>:<session>` and `refresh-<n>`.
#[derive(Default)]
pub(crate) struct Tokens(Mutex<u32>);

impl TokenService for Tokens {
    fn issue_access(
        &self,
        user_id: UserId,
        session_id: SessionId,
        _now: DateTime<Utc>,
    ) -> Result<IssuedAccessToken, TokenError> {
        Ok(IssuedAccessToken {
            token: format!("access:{user_id}:{session_id}"),
            expires_in: 900,
        })
    }

    fn verify_access(&self, token: &str, now: DateTime<Utc>) -> Result<AccessClaims, TokenError> {
        let mut parts = token.split(':');
        let (Some("access"), Some(user), Some(session), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Invalid);
        };
        Ok(AccessClaims {
            user_id: user.parse().map_err(|_| TokenError::Invalid)?,
            session_id: session.parse().map_err(|_| TokenError::Invalid)?,
            expires_at: now,
        })
    }

    fn new_refresh_token(&self) -> (RefreshToken, TokenHash) {
        let mut counter = lock(&self.0);
        *counter += 1;
        let token = format!("refresh-{counter}");
        let hash = self.hash_refresh_token(&token);
        (RefreshToken(token), hash)
    }

    fn hash_refresh_token(&self, token: &str) -> TokenHash {
        TokenHash(format!("h({token})"))
    }

    fn refresh_ttl_seconds(&self) -> i64 {
        3600
    }
}

/// A clock stopped at a fixed instant.
pub(crate) struct FixedClock;

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0)
            .single()
            .unwrap_or_default()
    }
}

/// A bus that remembers what was published.
#[derive(Default)]
pub(crate) struct Bus(pub(crate) Mutex<Vec<Notification>>);

#[async_trait]
impl EventBus for Bus {
    async fn publish(&self, notification: Notification) {
        lock(&self.0).push(notification);
    }

    fn subscribe(&self) -> EventStream {
        futures_util::stream::empty().boxed()
    }
}

/// Every fake, shared with the services built on them.
#[derive(Default)]
pub(crate) struct Fakes {
    pub(crate) store: Arc<Store>,
    pub(crate) hasher: Arc<Hasher>,
    pub(crate) tokens: Arc<Tokens>,
    pub(crate) bus: Arc<Bus>,
}

impl Fakes {
    /// An account service over these fakes.
    pub(crate) fn accounts(&self) -> AccountService {
        AccountService::new(
            self.store.clone(),
            self.store.clone(),
            self.hasher.clone(),
            self.tokens.clone(),
            Arc::new(FixedClock),
            self.bus.clone(),
        )
    }

    /// A profile service over these fakes.
    pub(crate) fn profiles(&self) -> ProfileService {
        ProfileService::new(
            self.store.clone(),
            self.hasher.clone(),
            Arc::new(FixedClock),
        )
    }

    /// What the bus has seen.
    pub(crate) fn published(&self) -> Vec<Notification> {
        lock(&self.bus.0).clone()
    }

    /// How verifications were asked for (`true` = against a real hash).
    pub(crate) fn verifications(&self) -> Vec<bool> {
        lock(&self.hasher.verifications).clone()
    }
}
