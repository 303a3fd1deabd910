//! The backends every contract test runs on: a temporary SQLite file, a new
//! PostgreSQL database per test (dropped afterwards) when `CONFAB_TEST_POSTGRES_URL`
//! is set, and the in-memory reference store. A test sees only [`Stores`], the four
//! repository ports as the services hold them, so it cannot depend on a backend.

use std::sync::Arc;

use confab_application::ports::{
    AdminRepository, AvatarRepository, ChatRepository, ErasureRepository, Guard,
    MailTokenRepository, MessageRepository, Refusal, SessionRepository, UploadRepository,
    UserRepository,
};
use confab_domain::UserId;
use confab_infrastructure::persistence::{
    SeaOrmAdminRepository, SeaOrmChatRepository, SeaOrmMailTokenRepository,
    SeaOrmMessageRepository, SeaOrmSessionRepository, SeaOrmUploadRepository, SeaOrmUserRepository,
    connect, migrate,
};
use confab_infrastructure::reference::ReferenceStore;
use confab_infrastructure::testing::ScratchDatabase;
use sea_orm::DatabaseConnection;

/// The repository ports of one backend, sharing its storage.
#[derive(Clone)]
pub(crate) struct Stores {
    pub(crate) users: Arc<dyn UserRepository>,
    pub(crate) sessions: Arc<dyn SessionRepository>,
    pub(crate) chats: Arc<dyn ChatRepository>,
    pub(crate) messages: Arc<dyn MessageRepository>,
    pub(crate) mail_tokens: Arc<dyn MailTokenRepository>,
    pub(crate) admin: Arc<dyn AdminRepository>,
    pub(crate) uploads: Arc<dyn UploadRepository>,
    pub(crate) avatars: Arc<dyn AvatarRepository>,
    pub(crate) erasure: Arc<dyn ErasureRepository>,
    /// The database behind the sea-orm adapters (`None` for the reference store),
    /// for the few tests that check how something is stored, not only what reads
    /// return.
    pub(crate) raw: Option<DatabaseConnection>,
}

impl Stores {
    fn sea_orm(db: &DatabaseConnection) -> Self {
        Self {
            users: Arc::new(SeaOrmUserRepository::new(db.clone())),
            sessions: Arc::new(SeaOrmSessionRepository::new(db.clone())),
            chats: Arc::new(SeaOrmChatRepository::new(db.clone())),
            messages: Arc::new(SeaOrmMessageRepository::new(db.clone())),
            mail_tokens: Arc::new(SeaOrmMailTokenRepository::new(db.clone())),
            admin: Arc::new(SeaOrmAdminRepository::new(db.clone())),
            uploads: Arc::new(SeaOrmUploadRepository::new(db.clone())),
            avatars: Arc::new(SeaOrmUserRepository::new(db.clone())),
            erasure: Arc::new(SeaOrmAdminRepository::new(db.clone())),
            raw: Some(db.clone()),
        }
    }
}

/// A backend's ports, with the scratch database (if any) that is removed on drop.
pub(crate) struct Backend {
    pub(crate) stores: Stores,
    _scratch: Option<ScratchDatabase>,
}

/// The sea-orm adapters on a migrated SQLite database in a temporary file.
pub(crate) async fn sqlite() -> Backend {
    let scratch = ScratchDatabase::sqlite("confab-test-");
    let db = connect(scratch.url(), 1).await.expect("open sqlite");
    migrate(&db).await.expect("migrate sqlite");
    Backend {
        stores: Stores::sea_orm(&db),
        _scratch: Some(scratch),
    }
}

/// The sea-orm adapters on a migrated, empty PostgreSQL database of their own, or
/// `None` (with a printed notice) when `CONFAB_TEST_POSTGRES_URL` is not set.
pub(crate) async fn postgres(test: &str) -> Option<Backend> {
    let scratch = ScratchDatabase::postgres_from_env(test, "confab_test_").await?;
    let db = connect(scratch.url(), 8)
        .await
        .expect("connect to test database");
    migrate(&db).await.expect("migrate postgres");
    Some(Backend {
        stores: Stores::sea_orm(&db),
        _scratch: Some(scratch),
    })
}

/// One empty reference store behind every port.
pub(crate) fn memory() -> Backend {
    let store = Arc::new(ReferenceStore::new());
    Backend {
        stores: Stores {
            users: store.clone(),
            sessions: store.clone(),
            chats: store.clone(),
            messages: store.clone(),
            mail_tokens: store.clone(),
            admin: store.clone(),
            uploads: store.clone(),
            avatars: store.clone(),
            erasure: store,
            raw: None,
        },
        _scratch: None,
    }
}

/// Runs one async contract test against SQLite, PostgreSQL and the reference store.
///
/// `contract_test!(name)` expects `async fn name(stores: Stores)` in scope.
#[macro_export]
macro_rules! contract_test {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let backend = $crate::support::sqlite().await;
                super::$name(backend.stores.clone()).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(backend) = $crate::support::postgres(stringify!($name)).await {
                    super::$name(backend.stores.clone()).await;
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn memory() {
                super::$name($crate::support::memory().stores).await;
            }
        }
    };
}

// The signature is the guard's rule type, which a permissive rule must still match.
#[allow(clippy::unnecessary_wraps)]
fn allow<S>(_: &S) -> Result<(), Refusal> {
    Ok(())
}

/// A write's guard that lets `actor` do anything a member can reach: the contract
/// tests check storage, and the permission rules are the services' (tested there).
/// The adapter still refuses an `actor` who is not a member.
pub(crate) fn by<S>(actor: UserId) -> Guard<'static, S> {
    Guard {
        actor,
        server_admin: None,
        rule: &allow::<S>,
    }
}
