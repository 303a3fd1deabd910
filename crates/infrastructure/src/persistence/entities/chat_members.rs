//! The `chat_members` table: who is in which chat, with role and read position.

use sea_orm::entity::prelude::*;

/// A membership row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "chat_members")]
pub(crate) struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub chat_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    pub role: Option<String>,
    pub last_read_seq: i64,
    pub joined_at: DateTimeUtc,
    /// The seq of the entry that added the member; orders members oldest first.
    pub joined_seq: i64,
}

/// No navigated relations: repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub(crate) enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
