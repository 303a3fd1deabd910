//! Administration: server admins and disabled accounts on `users`, single-use
//! invites, and the audit log of admin actions.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    IsAdmin,
    DisabledAt,
}

#[derive(DeriveIden)]
enum Invites {
    Table,
    Id,
    TokenHash,
    Email,
    CreatedBy,
    CreatedAt,
    ExpiresAt,
    UsedAt,
    UsedBy,
    RevokedAt,
}

#[derive(DeriveIden)]
enum AdminAudit {
    Table,
    Id,
    AdminId,
    Action,
    Target,
    At,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one column at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(
                        ColumnDef::new(Users::IsAdmin)
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
                    .add_column(
                        ColumnDef::new(Users::DisabledAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        create_invites(manager).await?;
        create_audit(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [AdminAudit::Table.into_iden(), Invites::Table.into_iden()] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        for column in [Users::DisabledAt, Users::IsAdmin] {
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

async fn create_invites(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Invites::Table)
                .col(ColumnDef::new(Invites::Id).uuid().not_null().primary_key())
                // Only the hash of the token is stored, as for refresh tokens.
                .col(
                    ColumnDef::new(Invites::TokenHash)
                        .text()
                        .not_null()
                        .unique_key(),
                )
                .col(ColumnDef::new(Invites::Email).text().null())
                .col(ColumnDef::new(Invites::CreatedBy).uuid().null())
                .col(timestamp(Invites::CreatedAt).not_null())
                .col(timestamp(Invites::ExpiresAt).not_null())
                .col(timestamp(Invites::UsedAt).null())
                .col(ColumnDef::new(Invites::UsedBy).uuid().null())
                .col(timestamp(Invites::RevokedAt).null())
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_invites_created_by")
                        .from(Invites::Table, Invites::CreatedBy)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_invites_used_by")
                        .from(Invites::Table, Invites::UsedBy)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await
}

async fn create_audit(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(AdminAudit::Table)
                // UUIDv7: ordering by id is ordering by time, so the log pages by id.
                .col(
                    ColumnDef::new(AdminAudit::Id)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                // Null for actions taken from the shell (`confab admin …`). Kept when
                // the admin's account is deleted: the log outlives its authors.
                .col(ColumnDef::new(AdminAudit::AdminId).uuid().null())
                .col(ColumnDef::new(AdminAudit::Action).text().not_null())
                .col(ColumnDef::new(AdminAudit::Target).text().not_null())
                .col(timestamp(AdminAudit::At).not_null())
                .to_owned(),
        )
        .await
}
