//! Conversions between `users` rows, domain users and port errors.

use confab_application::ports::{ProfileChanges, UserWriteError};
use confab_domain::{
    Bio, BirthDate, DisplayName, Email, Location, UploadId, User, UserId, Username,
};
use sea_orm::ActiveValue::{self, Set};
use sea_orm::DbErr;

use crate::persistence::entities::users;
use crate::persistence::{is_unique_violation, storage};

/// Writes the requested changes into `row`, keeping the normalized copies in step.
pub(super) fn apply_changes(row: &mut users::ActiveModel, changes: ProfileChanges) {
    if let Some(username) = changes.username {
        row.username = Set(username.into());
    }
    if let Some(email) = changes.email {
        // A different address (not only different case) is not verified yet.
        if let ActiveValue::Unchanged(old) | Set(old) = &row.email_normalized
            && *old != email.normalized()
        {
            row.email_verified = Set(false);
        }
        row.email_normalized = Set(email.normalized());
        row.email = Set(email.into());
    }
    if let Some(display_name) = changes.display_name {
        row.display_name_normalized = Set(display_name.as_ref().map(normalize));
        row.display_name = Set(display_name.map(String::from));
    }
    if let Some(bio) = changes.bio {
        row.bio = Set(bio.map(String::from));
    }
    if let Some(location) = changes.location {
        row.location = Set(location.map(String::from));
    }
    if let Some(birth_date) = changes.birth_date {
        row.birth_date = Set(birth_date.map(|d| d.date()));
    }
    if let Some(is_private) = changes.is_private {
        row.is_private = Set(is_private);
    }
}

pub(super) fn normalize(display_name: &DisplayName) -> String {
    display_name.as_str().to_lowercase()
}

/// A unique violation becomes the clash it is about: the violated index (PostgreSQL)
/// or column (SQLite) is named in the database's message. Anything else is a
/// storage failure.
pub(in crate::persistence) fn write_error(error: DbErr) -> UserWriteError {
    if is_unique_violation(&error) {
        let message = error.to_string();
        if message.contains("email") {
            return UserWriteError::EmailTaken;
        }
        if message.contains("username") {
            return UserWriteError::UsernameTaken;
        }
    }
    UserWriteError::Storage(storage(error))
}

/// The row as a domain user. Its text was checked when it was written (under the
/// rules of the time), so it is taken as stored.
pub(in crate::persistence) fn to_user(row: users::Model) -> User {
    User {
        id: UserId::from_uuid(row.id),
        username: Username::from_stored(row.username),
        email: Email::from_stored(row.email),
        email_verified: row.email_verified,
        pending_email: row.pending_email.map(Email::from_stored),
        display_name: row.display_name.map(DisplayName::from_stored),
        bio: row.bio.map(Bio::from_stored),
        location: row.location.map(Location::from_stored),
        birth_date: row.birth_date.map(BirthDate::from_stored),
        is_private: row.is_private,
        created_at: row.created_at,
        updated_at: row.updated_at,
        is_admin: row.is_admin,
        disabled_at: row.disabled_at,
        avatar: row.avatar_upload_id.map(UploadId::from_uuid),
    }
}
