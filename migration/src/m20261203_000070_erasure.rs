//! Erasing deleted accounts in the background: `users.erased_at` says the job has
//! finished with an account (its messages tombstoned, its groups left, its files and
//! profile gone), and an index finds an account's messages without a full scan.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    ErasedAt,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    AuthorId,
    DeletedAt,
    ChatId,
}

const AUTHOR_INDEX: &str = "idx_messages_author_live";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(
                        ColumnDef::new(Users::ErasedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        // The erasure job asks for an account's messages not yet tombstoned, chat by
        // chat: `deleted_at` second, so `IS NULL` is a range of the index.
        manager
            .create_index(
                Index::create()
                    .name(AUTHOR_INDEX)
                    .table(Messages::Table)
                    .col(Messages::AuthorId)
                    .col(Messages::DeletedAt)
                    .col(Messages::ChatId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(AUTHOR_INDEX)
                    .table(Messages::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::ErasedAt)
                    .to_owned(),
            )
            .await
    }
}
