//! Uploads: one row per file a user sent, naming its blob in the object store and,
//! once sent with a message, that message.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Uploads {
    Table,
    Id,
    OwnerId,
    Filename,
    ContentType,
    Size,
    Sha256,
    Width,
    Height,
    CreatedAt,
    MessageId,
    ThumbnailKey,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Uploads::Table)
                    // UUIDv7; the blob's key is derived from it (`uploads/<id>`).
                    .col(ColumnDef::new(Uploads::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Uploads::OwnerId).uuid().not_null())
                    // A display name only, sanitized; never a path.
                    .col(ColumnDef::new(Uploads::Filename).text().not_null())
                    // Sniffed from the bytes, never the client's claim.
                    .col(ColumnDef::new(Uploads::ContentType).text().not_null())
                    .col(ColumnDef::new(Uploads::Size).big_integer().not_null())
                    .col(ColumnDef::new(Uploads::Sha256).text().not_null())
                    .col(ColumnDef::new(Uploads::Width).integer().null())
                    .col(ColumnDef::new(Uploads::Height).integer().null())
                    .col(
                        ColumnDef::new(Uploads::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    // Null while unattached. A message deleted for good (expired, its
                    // chat deleted) takes its uploads' rows along; the sweeper then
                    // removes the blobs no row names.
                    .col(ColumnDef::new(Uploads::MessageId).uuid().null())
                    .col(ColumnDef::new(Uploads::ThumbnailKey).text().null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_uploads_owner")
                            .from(Uploads::Table, Uploads::OwnerId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_uploads_message")
                            .from(Uploads::Table, Uploads::MessageId)
                            .to(Messages::Table, Messages::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The quota sums a user's sizes.
        manager
            .create_index(
                Index::create()
                    .name("idx_uploads_owner")
                    .table(Uploads::Table)
                    .col(Uploads::OwnerId)
                    .to_owned(),
            )
            .await?;
        // A message's attachments; and unattached uploads by age, for the job that
        // deletes the stale ones.
        manager
            .create_index(
                Index::create()
                    .name("idx_uploads_message_created")
                    .table(Uploads::Table)
                    .col(Uploads::MessageId)
                    .col(Uploads::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Uploads::Table).if_exists().to_owned())
            .await
    }
}
