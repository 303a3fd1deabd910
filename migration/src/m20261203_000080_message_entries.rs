//! A log entry about a message stores no copy of it: readers build the event from
//! the message's row (`message_id` names it, `kind` says which event). This empties
//! the payloads such entries stored until now, so their text (the original of an
//! edited message included) is kept once, in `messages`.
//!
//! The column stays NOT NULL and the marker is an empty string: SQLite cannot drop
//! a NOT NULL without rebuilding the table, and nothing reads the payload of these
//! entries.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden)]
enum ChatEvents {
    Table,
    Payload,
    MessageId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .exec_stmt(
                Query::update()
                    .table(ChatEvents::Table)
                    .value(ChatEvents::Payload, "")
                    .and_where(Expr::col(ChatEvents::MessageId).is_not_null())
                    .to_owned(),
            )
            .await
    }

    /// The copies are gone, and the code before this migration cannot read entries
    /// without them: going back needs a backup.
    async fn down(&self, _: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "m20261203_000080_message_entries cannot be undone: the entries' copies of their messages were deleted".to_owned(),
        ))
    }
}
