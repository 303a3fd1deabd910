//! One error enum per profile use case.

use thiserror::Error;

use crate::error::ValidationErrors;
use crate::error::{InternalError, internal_conversions};

/// Why [`me`](super::ProfileService::me) failed.
#[derive(Debug, Error)]
pub enum ProfileError {
    /// Something on our side failed.
    #[error("reading the profile failed")]
    Internal(#[source] InternalError),
}

/// Why [`update_me`](super::ProfileService::update_me) failed.
#[derive(Debug, Error)]
pub enum UpdateProfileError {
    /// One or more fields were refused.
    #[error(transparent)]
    Validation(#[from] ValidationErrors),
    /// Another account has this username.
    #[error("username is taken")]
    UsernameTaken,
    /// Another account has this email (case-insensitively).
    #[error("email is taken")]
    EmailTaken,
    /// Changing the email needs the current password, and it was missing or wrong.
    #[error("current password missing or wrong")]
    InvalidPassword,
    /// Something on our side failed.
    #[error("updating the profile failed")]
    Internal(#[source] InternalError),
}

/// Why [`set_avatar`](super::ProfileService::set_avatar) failed.
#[derive(Debug, Error)]
pub enum AvatarError {
    /// `upload_id` is not an image upload of mine.
    #[error(transparent)]
    Validation(#[from] ValidationErrors),
    /// Something on our side failed.
    #[error("setting the avatar failed")]
    Internal(#[source] InternalError),
}

/// Why [`get_user`](super::ProfileService::get_user) failed.
#[derive(Debug, Error)]
pub enum GetUserError {
    /// No account has this id (or the id is malformed).
    #[error("user not found")]
    UserNotFound,
    /// Something on our side failed.
    #[error("reading the user failed")]
    Internal(#[source] InternalError),
}

/// Why [`search`](super::ProfileService::search) failed.
#[derive(Debug, Error)]
pub enum SearchUsersError {
    /// `q` or `limit` out of range.
    #[error(transparent)]
    Validation(#[from] ValidationErrors),
    /// The cursor is not one this list handed out.
    #[error("invalid cursor")]
    InvalidCursor,
    /// Something on our side failed.
    #[error("searching users failed")]
    Internal(#[source] InternalError),
}

internal_conversions!(
    ProfileError,
    UpdateProfileError,
    AvatarError,
    GetUserError,
    SearchUsersError
);
