//! Fresh databases for API tests: a temporary SQLite file, or a PostgreSQL database
//! of its own (dropped afterwards) when `CONFAB_TEST_POSTGRES_URL` is set.

use std::io::Write;

use sea_orm::{ConnectionTrait, Database};

/// Removes the test database when the app is dropped.
pub(crate) enum Cleanup {
    SqliteFile(std::path::PathBuf),
    Postgres { admin_url: String, name: String },
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        match self {
            Self::SqliteFile(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Self::Postgres { admin_url, name } => {
                // Drop cannot await and the test runtime may be going away: use a
                // short-lived runtime on its own thread.
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

/// A URL for a new SQLite file, and what removes it.
pub(crate) fn sqlite() -> (String, Cleanup) {
    let path = std::env::temp_dir().join(format!("confab-api-{}.db", uuid::Uuid::now_v7()));
    let url = format!("sqlite://{}?mode=rwc", path.display());
    (url, Cleanup::SqliteFile(path))
}

/// A URL for a new, empty PostgreSQL database, or `None` (with a notice on stderr)
/// when `CONFAB_TEST_POSTGRES_URL` is unset.
pub(crate) async fn postgres(test: &str) -> Option<(String, Cleanup)> {
    let Ok(admin_url) = std::env::var("CONFAB_TEST_POSTGRES_URL") else {
        // Straight to stderr, which the harness does not capture, so every test log
        // shows that the PostgreSQL variant did not run.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED {test} on PostgreSQL: CONFAB_TEST_POSTGRES_URL is not set"
        );
        return None;
    };
    let name = format!("confab_api_{}", uuid::Uuid::now_v7().simple());
    let admin = Database::connect(&admin_url)
        .await
        .expect("connect to CONFAB_TEST_POSTGRES_URL");
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .expect("create test database");
    drop(admin);
    let url = with_database(&admin_url, &name);
    Some((url, Cleanup::Postgres { admin_url, name }))
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
