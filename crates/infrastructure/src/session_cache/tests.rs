use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::TimeDelta;
use confab_application::ports::EventBus;
use tokio::sync::Semaphore;

use super::*;
use crate::events::InProcessEventBus;

/// Sessions in a map; counts reads, and can hold a read after it has looked (to
/// let a revocation overtake it) until the test lets it finish.
#[derive(Default)]
struct CountingSessions {
    sessions: Mutex<HashMap<SessionId, Session>>,
    reads: AtomicUsize,
    held_reads: Option<Arc<Semaphore>>,
}

impl CountingSessions {
    fn holding_reads(gate: Arc<Semaphore>) -> Self {
        Self {
            held_reads: Some(gate),
            ..Self::default()
        }
    }

    fn add(&self, user_id: UserId) -> Session {
        let now = Utc::now();
        let session = Session {
            id: SessionId::generate(),
            user_id,
            device_name: None,
            created_at: now,
            last_used_at: now,
            expires_at: now + TimeDelta::hours(1),
            revoked_at: None,
        };
        self.map().insert(session.id, session.clone());
        session
    }

    fn map(&self) -> MutexGuard<'_, HashMap<SessionId, Session>> {
        self.sessions.lock().expect("test map")
    }

    fn reads(&self) -> usize {
        self.reads.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl SessionRepository for CountingSessions {
    async fn create(&self, _: NewSession) -> Result<Option<Session>, RepositoryError> {
        unimplemented!("not used by these tests")
    }

    async fn get(&self, id: SessionId) -> Result<Option<Session>, RepositoryError> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        let found = self.map().get(&id).cloned();
        if let Some(gate) = &self.held_reads {
            gate.acquire().await.expect("gate open").forget();
        }
        Ok(found)
    }

    async fn rotate_refresh_token(
        &self,
        _: &TokenHash,
        _: &TokenHash,
        _: DateTime<Utc>,
        _: DateTime<Utc>,
    ) -> Result<RefreshOutcome, RepositoryError> {
        unimplemented!("not used by these tests")
    }

    async fn list_active(
        &self,
        _: UserId,
        _: Option<SessionId>,
        _: u64,
        _: DateTime<Utc>,
    ) -> Result<Vec<Session>, RepositoryError> {
        unimplemented!("not used by these tests")
    }

    async fn revoke(
        &self,
        user_id: UserId,
        session_id: SessionId,
        now: DateTime<Utc>,
    ) -> Result<bool, RepositoryError> {
        let mut map = self.map();
        match map.get_mut(&session_id) {
            Some(s) if s.user_id == user_id && s.revoked_at.is_none() => {
                s.revoked_at = Some(now);
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}

fn cached(inner: &Arc<CountingSessions>, bus: &InProcessEventBus) -> CachedSessionRepository {
    CachedSessionRepository::new(Arc::clone(inner) as Arc<dyn SessionRepository>, bus)
}

async fn is_active(cache: &CachedSessionRepository, id: SessionId) -> bool {
    cache
        .get(id)
        .await
        .expect("read")
        .is_some_and(|s| s.is_active(Utc::now()))
}

/// Lets the listener task take what the bus delivered.
async fn until_listened() {
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
}

#[tokio::test]
async fn a_second_read_of_a_session_is_served_without_the_store() {
    let (inner, bus) = (
        Arc::new(CountingSessions::default()),
        InProcessEventBus::new(16),
    );
    let cache = cached(&inner, &bus);
    let session = inner.add(UserId::generate());

    assert!(is_active(&cache, session.id).await);
    assert!(is_active(&cache, session.id).await);
    assert_eq!(inner.reads(), 1);
}

#[tokio::test]
async fn unknown_sessions_are_not_cached() {
    let (inner, bus) = (
        Arc::new(CountingSessions::default()),
        InProcessEventBus::new(16),
    );
    let cache = cached(&inner, &bus);
    let id = SessionId::generate();

    assert!(cache.get(id).await.expect("read").is_none());
    assert!(cache.get(id).await.expect("read").is_none());
    assert_eq!(inner.reads(), 2);
}

#[tokio::test]
async fn a_revocation_through_this_node_closes_the_door_at_once() {
    let (inner, bus) = (
        Arc::new(CountingSessions::default()),
        InProcessEventBus::new(16),
    );
    let cache = cached(&inner, &bus);
    let session = inner.add(UserId::generate());
    assert!(is_active(&cache, session.id).await);

    let revoked = cache.revoke(session.user_id, session.id, Utc::now()).await;

    assert!(revoked.expect("revoke"));
    assert!(!is_active(&cache, session.id).await);
}

#[tokio::test]
async fn a_revocation_published_by_another_node_drops_the_entry() {
    let (inner, bus) = (
        Arc::new(CountingSessions::default()),
        InProcessEventBus::new(16),
    );
    let cache = cached(&inner, &bus);
    let session = inner.add(UserId::generate());
    assert!(is_active(&cache, session.id).await);

    // Another node revokes in the shared database, then publishes.
    inner.map().get_mut(&session.id).expect("stored").revoked_at = Some(Utc::now());
    assert!(
        is_active(&cache, session.id).await,
        "cached until the bus says"
    );
    bus.publish(Notification::SessionsRevoked {
        user_id: session.user_id,
        session_ids: vec![session.id],
    })
    .await;
    until_listened().await;

    assert!(!is_active(&cache, session.id).await);
}

#[tokio::test]
async fn a_gap_on_the_bus_drops_every_entry() {
    let (inner, bus) = (
        Arc::new(CountingSessions::default()),
        InProcessEventBus::new(16),
    );
    let cache = cached(&inner, &bus);
    let (first, second) = (inner.add(UserId::generate()), inner.add(UserId::generate()));
    assert!(is_active(&cache, first.id).await && is_active(&cache, second.id).await);

    bus.publish(Notification::Gap).await;
    until_listened().await;
    assert!(is_active(&cache, first.id).await && is_active(&cache, second.id).await);

    assert_eq!(inner.reads(), 4);
}

#[tokio::test]
async fn a_read_overtaken_by_a_revocation_does_not_cache_what_it_read() {
    let gate = Arc::new(Semaphore::new(0));
    let inner = Arc::new(CountingSessions::holding_reads(Arc::clone(&gate)));
    let bus = InProcessEventBus::new(16);
    let cache = Arc::new(cached(&inner, &bus));
    let session = inner.add(UserId::generate());

    // The read sees the session active, then stalls before it can cache it ...
    let reader = tokio::spawn({
        let cache = Arc::clone(&cache);
        async move { cache.get(session.id).await }
    });
    while inner.reads() == 0 {
        tokio::task::yield_now().await;
    }
    // ... while the session is revoked through this node; then the read goes on.
    let revoked = cache.revoke(session.user_id, session.id, Utc::now()).await;
    assert!(revoked.expect("revoke"));
    gate.add_permits(1);
    let stale = reader.await.expect("joined").expect("read");
    assert!(
        stale.is_some_and(|s| s.revoked_at.is_none()),
        "the race happened"
    );

    gate.add_permits(1);
    assert!(!is_active(&cache, session.id).await);
}

#[tokio::test]
async fn entries_older_than_the_time_to_live_are_read_again() {
    let (inner, bus) = (
        Arc::new(CountingSessions::default()),
        InProcessEventBus::new(16),
    );
    let cache = CachedSessionRepository::with_limits(
        Arc::clone(&inner) as Arc<dyn SessionRepository>,
        &bus,
        Duration::ZERO,
        DEFAULT_CAPACITY,
    );
    let session = inner.add(UserId::generate());

    assert!(is_active(&cache, session.id).await);
    assert!(is_active(&cache, session.id).await);
    assert_eq!(inner.reads(), 2);
}
