//! Email: users gain `email_verified` and `pending_email`; single-use mail tokens
//! (stored only as hashes); and the mail outbox a background worker sends from.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    EmailVerified,
    PendingEmail,
}

#[derive(DeriveIden)]
enum EmailTokens {
    Table,
    TokenHash,
    UserId,
    Purpose,
    Email,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum MailOutbox {
    Table,
    Id,
    Recipient,
    Subject,
    TextBody,
    HtmlBody,
    CreatedAt,
    NextAttemptAt,
    Attempts,
    LastError,
    SentAt,
    FailedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite takes one column per ALTER TABLE.
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(
                        ColumnDef::new(Users::EmailVerified)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(ColumnDef::new(Users::PendingEmail).text().null())
                    .to_owned(),
            )
            .await?;
        create_email_tokens(manager).await?;
        create_mail_outbox(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            MailOutbox::Table.into_iden(),
            EmailTokens::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        for column in [Users::PendingEmail, Users::EmailVerified] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

fn timestamp(column: impl IntoIden) -> ColumnDef {
    let mut def = ColumnDef::new(column);
    def.timestamp_with_time_zone();
    def
}

async fn create_email_tokens(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(EmailTokens::Table)
                .col(
                    ColumnDef::new(EmailTokens::TokenHash)
                        .text()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(EmailTokens::UserId).uuid().not_null())
                // `verify` (confirms `email`, the current or the pending address) or
                // `reset` (sets a new password).
                .col(ColumnDef::new(EmailTokens::Purpose).text().not_null())
                .col(ColumnDef::new(EmailTokens::Email).text().not_null())
                .col(timestamp(EmailTokens::CreatedAt).not_null())
                .col(timestamp(EmailTokens::ExpiresAt).not_null())
                .col(timestamp(EmailTokens::UsedAt).null())
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_email_tokens_user")
                        .from(EmailTokens::Table, EmailTokens::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
    // The per-user rate check and cascading deletes find a user's tokens by this.
    manager
        .create_index(
            Index::create()
                .name("idx_email_tokens_user")
                .table(EmailTokens::Table)
                .col(EmailTokens::UserId)
                .col(EmailTokens::CreatedAt)
                .to_owned(),
        )
        .await
}

async fn create_mail_outbox(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(MailOutbox::Table)
                .col(
                    ColumnDef::new(MailOutbox::Id)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(MailOutbox::Recipient).text().not_null())
                .col(ColumnDef::new(MailOutbox::Subject).text().not_null())
                // Emptied once sent: the bodies hold links with live tokens.
                .col(ColumnDef::new(MailOutbox::TextBody).text().not_null())
                .col(ColumnDef::new(MailOutbox::HtmlBody).text().not_null())
                .col(timestamp(MailOutbox::CreatedAt).not_null())
                // Due time; a claim moves it forward by the claim lease.
                .col(timestamp(MailOutbox::NextAttemptAt).not_null())
                .col(ColumnDef::new(MailOutbox::Attempts).integer().not_null())
                .col(ColumnDef::new(MailOutbox::LastError).text().null())
                .col(timestamp(MailOutbox::SentAt).null())
                .col(timestamp(MailOutbox::FailedAt).null())
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_mail_outbox_due")
                .table(MailOutbox::Table)
                .col(MailOutbox::SentAt)
                .col(MailOutbox::FailedAt)
                .col(MailOutbox::NextAttemptAt)
                .to_owned(),
        )
        .await
}
