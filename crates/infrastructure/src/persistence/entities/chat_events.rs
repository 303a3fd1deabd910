//! The `chat_events` table: each chat's log, one row per seq.

use sea_orm::entity::prelude::*;

/// A log entry row; `payload` is the JSON of `confab_domain::EventPayload`, except
/// for an entry about a message, which stores no copy of it (`chat_log::NO_PAYLOAD`)
/// and is read with the message's row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "chat_events")]
pub(crate) struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub chat_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
    pub kind: String,
    pub payload: String,
    pub created_at: DateTimeUtc,
    /// The message the entry is about: its event is built from that row, and expiry
    /// hides and purges the entry with it.
    pub message_id: Option<Uuid>,
    /// That message's creation time, for filtering expired entries without a join.
    pub message_created_at: Option<DateTimeUtc>,
}

/// No navigated relations: repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub(crate) enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
