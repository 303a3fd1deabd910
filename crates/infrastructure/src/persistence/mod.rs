//! sea-orm persistence: one code path for PostgreSQL and SQLite.
//!
//! Entities stay private to this crate; repositories translate them to domain types
//! and `DbErr` to port errors, so nothing above infrastructure sees sea-orm.

use std::time::Duration;

use confab_application::RepositoryError;
use confab_migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr, RuntimeErr, SqlErr};

mod admin_repository;
mod attachments;
mod chat_guard;
mod chat_log;
mod chat_queries;
mod chat_repository;
pub(crate) mod entities;
mod mail_outbox;
mod mail_tokens;
mod message_repository;
mod session_repository;
mod statement_shapes;
mod transactions;
mod upload_repository;
mod user_repository;

pub use admin_repository::SeaOrmAdminRepository;
pub use chat_repository::SeaOrmChatRepository;
pub use mail_outbox::SeaOrmMailOutbox;
pub use mail_tokens::SeaOrmMailTokenRepository;
pub use message_repository::SeaOrmMessageRepository;
pub use session_repository::SeaOrmSessionRepository;
pub use upload_repository::SeaOrmUploadRepository;
pub use user_repository::SeaOrmUserRepository;

pub(crate) use transactions::begin_write;

/// Connects to `url` (`sqlite://…` or `postgres://…`).
///
/// SQLite gets one pooled connection in WAL mode with a busy timeout: SQLite has one
/// writer anyway, and a single connection rules out lock-upgrade failures between
/// concurrent transactions. Repository code must therefore never use the pool while
/// it holds a transaction (that would wait on itself).
pub async fn connect(url: &str, max_connections: u32) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    if is_sqlite(url) {
        options
            .max_connections(1)
            .min_connections(1)
            .map_sqlx_sqlite_opts(|sqlite| {
                sqlite
                    .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(5))
                    .foreign_keys(true)
                    .statement_cache_capacity(statement_shapes::STATEMENT_CACHE_CAPACITY)
            });
    } else {
        options.max_connections(max_connections);
        options.map_sqlx_postgres_opts(|pg| {
            pg.statement_cache_capacity(statement_shapes::STATEMENT_CACHE_CAPACITY)
        });
    }
    Database::connect(options).await
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Whether the database answers a trivial query (for `/ready`).
pub async fn ping(db: &DatabaseConnection) -> bool {
    db.ping().await.is_ok()
}

fn is_sqlite(url: &str) -> bool {
    url.starts_with("sqlite:")
}

/// Wraps any sea-orm error as the opaque port error.
pub(crate) fn storage(error: DbErr) -> RepositoryError {
    if is_unreachable(&error) {
        RepositoryError::unavailable(error)
    } else {
        RepositoryError::new(error)
    }
}

/// Whether `error` says the database cannot be reached right now (no connection,
/// a lost one, a server shutting down or not accepting connections yet) rather than
/// that a statement failed.
fn is_unreachable(error: &DbErr) -> bool {
    use sea_orm::sqlx::Error as Sqlx;
    let runtime = match error {
        DbErr::ConnectionAcquire(_) => return true,
        DbErr::Conn(runtime) | DbErr::Exec(runtime) | DbErr::Query(runtime) => runtime,
        _ => return false,
    };
    let RuntimeErr::SqlxError(sqlx) = runtime else {
        return false;
    };
    match sqlx.as_ref() {
        Sqlx::Io(_)
        | Sqlx::Tls(_)
        | Sqlx::PoolTimedOut
        | Sqlx::PoolClosed
        | Sqlx::WorkerCrashed
        | Sqlx::Protocol(_) => true,
        // SQLSTATE class 08 (connection exception), 57P0x (the server is shutting
        // down or starting up), 53300 (too many connections).
        Sqlx::Database(database) => database.code().is_some_and(|code| {
            code.starts_with("08") || code.starts_with("57P") || code == "53300"
        }),
        _ => false,
    }
}

/// Whether `error` is a unique-key violation (works on PostgreSQL and SQLite).
pub(crate) fn is_unique_violation(error: &DbErr) -> bool {
    matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}
