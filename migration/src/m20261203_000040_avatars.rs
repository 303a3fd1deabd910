//! Avatars: a user's avatar is one of their image uploads, named on their row. The
//! upload's row going (its owner deleted it, or the account went) clears it.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    AvatarUploadId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The reference is written into the column itself: SQLite adds a foreign
        // key only that way (ALTER TABLE … ADD CONSTRAINT is PostgreSQL's), and
        // both accept it.
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(
                        ColumnDef::new(Users::AvatarUploadId)
                            .uuid()
                            .null()
                            .extra("REFERENCES uploads (id) ON DELETE SET NULL"),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::AvatarUploadId)
                    .to_owned(),
            )
            .await
    }
}
