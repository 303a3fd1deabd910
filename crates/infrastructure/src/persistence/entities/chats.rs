//! The `chats` table: one row per chat, holding the head of its log (`last_seq`).

use sea_orm::entity::prelude::*;

/// A chat row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "chats")]
pub(crate) struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: String,
    pub name: Option<String>,
    /// `"smaller:larger"` user ids for direct chats, unique.
    pub direct_key: Option<String>,
    pub created_at: DateTimeUtc,
    pub last_seq: i64,
    pub last_activity_at: DateTimeUtc,
    pub message_ttl_seconds: Option<i64>,
}

/// No navigated relations: repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub(crate) enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
