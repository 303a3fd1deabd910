//! Fresh databases for contract tests: a temporary SQLite file, or a new PostgreSQL
//! database per test (dropped afterwards) when `CONFAB_TEST_POSTGRES_URL` is set.

use std::io::Write;

use confab_infrastructure::persistence::{connect, migrate};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};

/// A migrated database that cleans up after itself.
pub(crate) struct TestDb {
    pub(crate) db: DatabaseConnection,
    cleanup: Cleanup,
}

enum Cleanup {
    SqliteFile(std::path::PathBuf),
    PostgresDatabase { admin_url: String, name: String },
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::SqliteFile(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::PostgresDatabase { admin_url, name } => {
                // Drop cannot await, and the test's runtime may be shutting down: use
                // a short-lived runtime on its own thread.
                let (admin_url, name) = (admin_url.clone(), name.clone());
                let _ = std::thread::spawn(move || {
                    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    else {
                        return;
                    };
                    runtime.block_on(async move {
                        if let Ok(admin) = Database::connect(&admin_url).await {
                            let _ = admin
                                .execute_unprepared(&format!(
                                    "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                                ))
                                .await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

/// A migrated SQLite database in a temporary file.
pub(crate) async fn sqlite() -> TestDb {
    let path = std::env::temp_dir().join(format!("confab-test-{}.db", uuid::Uuid::now_v7()));
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let db = connect(&url, 1).await.expect("open sqlite");
    migrate(&db).await.expect("migrate sqlite");
    TestDb {
        db,
        cleanup: Cleanup::SqliteFile(path),
    }
}

/// A migrated, empty PostgreSQL database of its own, or `None` (with a printed
/// notice) when `CONFAB_TEST_POSTGRES_URL` is not set.
pub(crate) async fn postgres(test: &str) -> Option<TestDb> {
    let Ok(admin_url) = std::env::var("CONFAB_TEST_POSTGRES_URL") else {
        // Written straight to stderr, which the test harness does not capture, so a
        // skipped PostgreSQL run is visible in every test log.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED {test} on PostgreSQL: CONFAB_TEST_POSTGRES_URL is not set"
        );
        return None;
    };
    let name = format!("confab_test_{}", uuid::Uuid::now_v7().simple());
    let admin = Database::connect(&admin_url)
        .await
        .expect("connect to CONFAB_TEST_POSTGRES_URL");
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .expect("create test database");
    drop(admin);
    let url = with_database(&admin_url, &name);
    let db = connect(&url, 8).await.expect("connect to test database");
    migrate(&db).await.expect("migrate postgres");
    Some(TestDb {
        db,
        cleanup: Cleanup::PostgresDatabase { admin_url, name },
    })
}

/// Replaces the database name in a `postgres://user@host:port/db?params` URL.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let authority_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[authority_end..]
        .find('/')
        .map_or(base.len(), |i| authority_end + i);
    let mut out = format!("{}/{name}", &base[..path_start]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
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

#[cfg(test)]
mod tests {
    #[test]
    fn database_name_is_replaced_in_urls() {
        assert_eq!(
            super::with_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            super::with_database("postgres://h/test?sslmode=disable", "x"),
            "postgres://h/x?sslmode=disable"
        );
        assert_eq!(super::with_database("postgres://h", "x"), "postgres://h/x");
    }
}
