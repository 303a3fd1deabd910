//! Chats, their members, messages and each chat's gapless event log.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Chats {
    Table,
    Id,
    Kind,
    Name,
    DirectKey,
    CreatedAt,
    LastSeq,
    LastActivityAt,
    MessageTtlSeconds,
}

#[derive(DeriveIden)]
enum ChatMembers {
    Table,
    ChatId,
    UserId,
    Role,
    LastReadSeq,
    JoinedAt,
    JoinedSeq,
}

#[derive(DeriveIden, Clone, Copy)]
enum Messages {
    Table,
    Id,
    ChatId,
    Seq,
    AuthorId,
    Body,
    ReplyToId,
    ClientMessageId,
    CreatedAt,
    EditedAt,
    DeletedAt,
}

#[derive(DeriveIden)]
enum ChatEvents {
    Table,
    ChatId,
    Seq,
    Kind,
    Payload,
    CreatedAt,
    MessageId,
    MessageCreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_chats(manager).await?;
        create_chat_members(manager).await?;
        create_messages(manager).await?;
        create_chat_events(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ChatEvents::Table.into_iden(),
            Messages::Table.into_iden(),
            ChatMembers::Table.into_iden(),
            Chats::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}

async fn create_chats(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Chats::Table)
                .col(ColumnDef::new(Chats::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(Chats::Kind).text().not_null())
                .col(ColumnDef::new(Chats::Name).text().null())
                // "smaller_uuid:larger_uuid" for direct chats: the unique key that makes
                // concurrent creates of one pair agree on a single chat.
                .col(ColumnDef::new(Chats::DirectKey).text().null().unique_key())
                .col(
                    ColumnDef::new(Chats::CreatedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(ColumnDef::new(Chats::LastSeq).big_integer().not_null())
                .col(
                    ColumnDef::new(Chats::LastActivityAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(Chats::MessageTtlSeconds)
                        .big_integer()
                        .null(),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_chats_activity")
                .table(Chats::Table)
                .col(Chats::LastActivityAt)
                .col(Chats::Id)
                .to_owned(),
        )
        .await
}

async fn create_chat_members(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(ChatMembers::Table)
                .col(ColumnDef::new(ChatMembers::ChatId).uuid().not_null())
                .col(ColumnDef::new(ChatMembers::UserId).uuid().not_null())
                .col(ColumnDef::new(ChatMembers::Role).text().null())
                .col(
                    ColumnDef::new(ChatMembers::LastReadSeq)
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(ChatMembers::JoinedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(ChatMembers::JoinedSeq)
                        .big_integer()
                        .not_null(),
                )
                .primary_key(
                    Index::create()
                        .col(ChatMembers::ChatId)
                        .col(ChatMembers::UserId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_chat_members_chat")
                        .from(ChatMembers::Table, ChatMembers::ChatId)
                        .to(Chats::Table, Chats::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_chat_members_user")
                        .from(ChatMembers::Table, ChatMembers::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_chat_members_user")
                .table(ChatMembers::Table)
                .col(ChatMembers::UserId)
                .col(ChatMembers::ChatId)
                .to_owned(),
        )
        .await
}

async fn create_messages(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Messages::Table)
                .col(ColumnDef::new(Messages::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(Messages::ChatId).uuid().not_null())
                .col(ColumnDef::new(Messages::Seq).big_integer().not_null())
                .col(ColumnDef::new(Messages::AuthorId).uuid().not_null())
                .col(ColumnDef::new(Messages::Body).text().null())
                .col(ColumnDef::new(Messages::ReplyToId).uuid().null())
                .col(ColumnDef::new(Messages::ClientMessageId).text().null())
                .col(
                    ColumnDef::new(Messages::CreatedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(Messages::EditedAt)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .col(
                    ColumnDef::new(Messages::DeletedAt)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_messages_chat")
                        .from(Messages::Table, Messages::ChatId)
                        .to(Chats::Table, Chats::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
    // The keyset pagination path, and the seq uniqueness the log relies on.
    unique_index(
        manager,
        "uq_messages_chat_seq",
        &[Messages::ChatId, Messages::Seq],
    )
    .await?;
    // Exactly-once sends: NULL client ids never collide, on both databases.
    unique_index(
        manager,
        "uq_messages_client_id",
        &[
            Messages::ChatId,
            Messages::AuthorId,
            Messages::ClientMessageId,
        ],
    )
    .await?;
    // The reaper's path: expired messages of one chat, oldest first.
    manager
        .create_index(
            Index::create()
                .name("idx_messages_chat_created")
                .table(Messages::Table)
                .col(Messages::ChatId)
                .col(Messages::CreatedAt)
                .to_owned(),
        )
        .await
}

async fn unique_index(
    manager: &SchemaManager<'_>,
    name: &str,
    cols: &[Messages],
) -> Result<(), DbErr> {
    let mut index = Index::create();
    index.name(name).table(Messages::Table).unique();
    for col in cols {
        index.col(*col);
    }
    manager.create_index(index).await
}

async fn create_chat_events(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(ChatEvents::Table)
                .col(ColumnDef::new(ChatEvents::ChatId).uuid().not_null())
                .col(ColumnDef::new(ChatEvents::Seq).big_integer().not_null())
                .col(ColumnDef::new(ChatEvents::Kind).text().not_null())
                .col(ColumnDef::new(ChatEvents::Payload).text().not_null())
                .col(
                    ColumnDef::new(ChatEvents::CreatedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(ColumnDef::new(ChatEvents::MessageId).uuid().null())
                .col(
                    ColumnDef::new(ChatEvents::MessageCreatedAt)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .primary_key(Index::create().col(ChatEvents::ChatId).col(ChatEvents::Seq))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_chat_events_chat")
                        .from(ChatEvents::Table, ChatEvents::ChatId)
                        .to(Chats::Table, Chats::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
    // Purging and redacting find every entry about one message.
    manager
        .create_index(
            Index::create()
                .name("idx_chat_events_message")
                .table(ChatEvents::Table)
                .col(ChatEvents::MessageId)
                .to_owned(),
        )
        .await
}
