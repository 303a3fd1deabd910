//! Fresh databases for contract tests: a temporary SQLite file, or a new PostgreSQL
//! database per test (dropped afterwards) when `CONFAB_TEST_POSTGRES_URL` is set.
//! Both come from `confab_infrastructure::testing`; here they are migrated.

use confab_application::ports::{Guard, Refusal};
use confab_domain::UserId;
use confab_infrastructure::persistence::{connect, migrate};
use confab_infrastructure::testing::ScratchDatabase;
use sea_orm::DatabaseConnection;

/// A migrated database that cleans up after itself.
pub(crate) struct TestDb {
    pub(crate) db: DatabaseConnection,
    _scratch: ScratchDatabase,
}

/// A migrated SQLite database in a temporary file.
pub(crate) async fn sqlite() -> TestDb {
    let scratch = ScratchDatabase::sqlite("confab-test-");
    let db = connect(scratch.url(), 1).await.expect("open sqlite");
    migrate(&db).await.expect("migrate sqlite");
    TestDb {
        db,
        _scratch: scratch,
    }
}

/// A migrated, empty PostgreSQL database of its own, or `None` (with a printed
/// notice) when `CONFAB_TEST_POSTGRES_URL` is not set.
pub(crate) async fn postgres(test: &str) -> Option<TestDb> {
    let scratch = ScratchDatabase::postgres_from_env(test, "confab_test_").await?;
    let db = connect(scratch.url(), 8)
        .await
        .expect("connect to test database");
    migrate(&db).await.expect("migrate postgres");
    Some(TestDb {
        db,
        _scratch: scratch,
    })
}

/// Runs one async contract test against SQLite and against PostgreSQL.
///
/// `contract_test!(name)` expects `async fn name(db: DatabaseConnection)` in scope.
#[macro_export]
macro_rules! contract_test {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let test_db = $crate::support::sqlite().await;
                super::$name(test_db.db.clone()).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(test_db) = $crate::support::postgres(stringify!($name)).await {
                    super::$name(test_db.db.clone()).await;
                }
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
        rule: &allow::<S>,
    }
}
