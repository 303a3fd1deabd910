//! Why an admin use case failed: the outcomes a caller can act on, plus `Internal`.

use thiserror::Error;

use crate::error::{InternalError, ValidationErrors, internal_conversions};
use crate::ports::{AdminWriteError, UserWriteError};

/// Why an [`AdminService`](super::AdminService) use case failed.
#[derive(Debug, Error)]
pub enum AdminError {
    /// The caller is not an (enabled) admin. Decided before anything is looked up.
    #[error("admins only")]
    Forbidden,
    /// One or more fields or parameters were refused.
    #[error(transparent)]
    Validation(#[from] ValidationErrors),
    /// The cursor is not one this list handed out.
    #[error("invalid cursor")]
    InvalidCursor,
    /// No such account.
    #[error("user not found")]
    UserNotFound,
    /// No such invite, or it was already used or revoked.
    #[error("invite not found")]
    InviteNotFound,
    /// Another account has this username.
    #[error("username is taken")]
    UsernameTaken,
    /// Another account has this email.
    #[error("email is taken")]
    EmailTaken,
    /// An admin tried to disable or delete their own account.
    #[error("an admin cannot do this to their own account")]
    SelfTarget,
    /// The change would leave the server without an active admin.
    #[error("the last admin cannot lose the role")]
    LastAdmin,
    /// Something on our side failed.
    #[error("the admin action failed")]
    Internal(#[source] InternalError),
}

internal_conversions!(AdminError);

impl From<AdminWriteError> for AdminError {
    fn from(error: AdminWriteError) -> Self {
        match error {
            AdminWriteError::UserNotFound => Self::UserNotFound,
            AdminWriteError::LastAdmin => Self::LastAdmin,
            AdminWriteError::Storage(error) => error.into(),
        }
    }
}

impl From<UserWriteError> for AdminError {
    fn from(error: UserWriteError) -> Self {
        match error {
            UserWriteError::UsernameTaken => Self::UsernameTaken,
            UserWriteError::EmailTaken => Self::EmailTaken,
            UserWriteError::NotFound => Self::UserNotFound,
            UserWriteError::Storage(error) => error.into(),
        }
    }
}
