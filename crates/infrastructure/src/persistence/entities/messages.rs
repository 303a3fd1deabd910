//! The `messages` table: messages and tombstones, keyed by `(chat_id, seq)` for paging.

use sea_orm::entity::prelude::*;

/// A message row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "messages")]
pub(crate) struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub chat_id: Uuid,
    pub seq: i64,
    pub author_id: Uuid,
    pub body: Option<String>,
    pub reply_to_id: Option<Uuid>,
    pub client_message_id: Option<String>,
    pub created_at: DateTimeUtc,
    pub edited_at: Option<DateTimeUtc>,
    pub deleted_at: Option<DateTimeUtc>,
    /// How many uploads are attached (0 on a tombstone): a reader asks for files
    /// only for messages that have some.
    pub file_count: i16,
}

/// No navigated relations: repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub(crate) enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
