//! Starting the transactions repositories write in.
//!
//! On SQLite a plain `BEGIN` is deferred: the transaction reads from a snapshot and
//! asks for the write lock only at its first write. If another connection (another
//! process: `confab admin` beside a running server, or a second server on the same
//! file) committed in between, SQLite cannot upgrade the stale snapshot and answers
//! `SQLITE_BUSY` at once, without waiting out the busy timeout. `BEGIN IMMEDIATE`
//! takes the write lock up front, so a competing writer waits its turn instead.
//! PostgreSQL ignores the option.

use sea_orm::{
    DatabaseConnection, DatabaseTransaction, DbErr, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};

/// Begins a transaction that may write: `BEGIN IMMEDIATE` on SQLite.
pub(crate) async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use sea_orm::{ConnectionTrait, TransactionTrait};

    use super::begin_write;
    use crate::persistence::connect;

    async fn two_connections() -> (sea_orm::DatabaseConnection, sea_orm::DatabaseConnection) {
        let path = std::env::temp_dir().join(format!("confab-tx-{}.db", uuid::Uuid::now_v7()));
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let first = connect(&url, 1).await.expect("connect");
        first
            .execute_unprepared("CREATE TABLE t (n INTEGER)")
            .await
            .expect("table");
        let second = connect(&url, 1).await.expect("connect");
        (first, second)
    }

    // The failure begin_write exists for: a deferred transaction that read before
    // another connection committed cannot write any more.
    #[tokio::test]
    async fn a_deferred_transaction_cannot_write_after_another_connection_committed() {
        let (first, second) = two_connections().await;
        let txn = first.begin().await.expect("begin");
        txn.execute_unprepared("SELECT count(*) FROM t")
            .await
            .expect("read");
        second
            .execute_unprepared("INSERT INTO t VALUES (1)")
            .await
            .expect("the other connection writes at once");
        let refused = txn.execute_unprepared("INSERT INTO t VALUES (2)").await;
        assert!(
            refused.is_err(),
            "SQLite refuses the stale snapshot's write"
        );
    }

    #[tokio::test]
    async fn a_write_transaction_makes_the_other_connection_wait_instead() {
        let (first, second) = two_connections().await;
        let txn = begin_write(&first).await.expect("begin");
        txn.execute_unprepared("SELECT count(*) FROM t")
            .await
            .expect("read");
        let other =
            tokio::spawn(
                async move { second.execute_unprepared("INSERT INTO t VALUES (1)").await },
            );
        // Give the other writer a chance to try first; it must queue behind us.
        tokio::time::sleep(Duration::from_millis(100)).await;
        txn.execute_unprepared("INSERT INTO t VALUES (2)")
            .await
            .expect("our write goes through");
        txn.commit().await.expect("commit");
        other
            .await
            .expect("join")
            .expect("the other write waited, then went through");
        let rows = first
            .query_one_raw(sea_orm::Statement::from_string(
                first.get_database_backend(),
                "SELECT count(*) AS n FROM t",
            ))
            .await
            .expect("count")
            .expect("a row");
        assert_eq!(rows.try_get::<i64>("", "n").expect("n"), 2);
    }
}
