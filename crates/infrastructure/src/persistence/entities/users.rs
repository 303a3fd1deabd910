//! The `users` table: one row per account.

use sea_orm::entity::prelude::*;

/// An account row. `email_normalized` and `display_name_normalized` are lower-cased
/// copies kept for case-insensitive uniqueness and prefix search.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub(crate) struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub username: String,
    pub email: String,
    #[sea_orm(unique)]
    pub email_normalized: String,
    pub password_hash: String,
    pub display_name: Option<String>,
    pub display_name_normalized: Option<String>,
    pub bio: Option<String>,
    pub location: Option<String>,
    pub birth_date: Option<Date>,
    pub is_private: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub email_verified: bool,
    pub pending_email: Option<String>,
    pub is_admin: bool,
    pub disabled_at: Option<DateTimeUtc>,
    pub avatar_upload_id: Option<Uuid>,
    pub deleted_at: Option<DateTimeUtc>,
    pub erased_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub(crate) enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
