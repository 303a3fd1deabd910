//! The `uploads` table: uploaded files, naming their blobs and, once sent, their
//! message.

use sea_orm::entity::prelude::*;

/// An upload row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "uploads")]
pub(crate) struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub owner_id: Uuid,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub created_at: DateTimeUtc,
    pub message_id: Option<Uuid>,
    pub thumbnail_key: Option<String>,
    /// Its place among its message's attachments, from 0.
    pub position: Option<i16>,
}

/// No navigated relations: repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub(crate) enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
