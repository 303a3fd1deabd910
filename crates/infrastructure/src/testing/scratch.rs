//! Scratch databases for tests: an empty database of a test's own, removed when
//! the test is done. Either a temporary SQLite file, or a new PostgreSQL database
//! created through an admin URL (usually `CONFAB_TEST_POSTGRES_URL`) and dropped
//! `WITH (FORCE)` afterwards.

use std::io::Write as _;
use std::path::PathBuf;

use sea_orm::{ConnectionTrait, Database, DbErr};

/// The variable that holds the admin URL of the test PostgreSQL server.
pub const POSTGRES_URL_VAR: &str = "CONFAB_TEST_POSTGRES_URL";

/// An empty database of its own for one test, removed when dropped. Nothing is
/// migrated: the caller connects to [`url`](Self::url) and migrates, or hands the
/// URL to a server that does.
pub struct ScratchDatabase {
    url: String,
    location: Location,
}

/// What to remove on drop.
enum Location {
    SqliteFile(PathBuf),
    Postgres { admin_url: String, name: String },
}

impl ScratchDatabase {
    /// A new SQLite file in the temporary directory, named `{prefix}{uuid}.db`. It
    /// is created on first connect (the URL says `mode=rwc`); the file and its
    /// `-wal` and `-shm` companions are removed on drop.
    pub fn sqlite(prefix: &str) -> Self {
        let path = std::env::temp_dir().join(format!("{prefix}{}.db", uuid::Uuid::now_v7()));
        Self {
            url: format!("sqlite://{}?mode=rwc", path.display()),
            location: Location::SqliteFile(path),
        }
    }

    /// A new, empty PostgreSQL database named `{prefix}{uuid}`, created through
    /// `admin_url` (which names any database the user may connect to, and a user
    /// who may create databases), dropped `WITH (FORCE)` on drop.
    pub async fn postgres(admin_url: &str, prefix: &str) -> Result<Self, DbErr> {
        let name = format!("{prefix}{}", uuid::Uuid::now_v7().simple());
        let admin = Database::connect(admin_url).await?;
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await?;
        drop(admin);
        Ok(Self {
            url: with_database(admin_url, &name),
            location: Location::Postgres {
                admin_url: admin_url.to_owned(),
                name,
            },
        })
    }

    /// [`postgres`](Self::postgres) on the server `CONFAB_TEST_POSTGRES_URL` names,
    /// or `None` when it is not set, after writing `SKIPPED {test} on PostgreSQL: …`
    /// straight to stderr. The test harness does not capture that, so a skipped
    /// PostgreSQL run shows in every test log instead of passing silently.
    pub async fn postgres_from_env(test: &str, prefix: &str) -> Option<Self> {
        let Ok(admin_url) = std::env::var(POSTGRES_URL_VAR) else {
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED {test} on PostgreSQL: {POSTGRES_URL_VAR} is not set"
            );
            return None;
        };
        let database = Self::postgres(&admin_url, prefix)
            .await
            .expect("create a scratch database through CONFAB_TEST_POSTGRES_URL");
        Some(database)
    }

    /// The database's URL, for `persistence::connect` or `DATABASE_URL`.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        match &self.location {
            Location::SqliteFile(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Location::Postgres { admin_url, name } => {
                // Drop cannot await, and the test's runtime may be shutting down:
                // use a short-lived runtime on its own thread.
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

/// Replaces the database name in a `postgres://user@host:port/db?params` URL.
pub fn with_database(url: &str, name: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::{ScratchDatabase, with_database};

    #[test]
    fn database_name_is_replaced_in_urls() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://h/test?sslmode=disable", "x"),
            "postgres://h/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
    }

    #[test]
    fn sqlite_files_are_removed_on_drop() {
        let database = ScratchDatabase::sqlite("confab-scratch-");
        let path = database
            .url()
            .strip_prefix("sqlite://")
            .and_then(|rest| rest.strip_suffix("?mode=rwc"))
            .expect("a sqlite file URL")
            .to_owned();
        assert!(path.contains("confab-scratch-"), "{path}");
        std::fs::write(&path, b"").expect("create the file");
        drop(database);
        assert!(!std::path::Path::new(&path).exists(), "{path} is left over");
    }
}
