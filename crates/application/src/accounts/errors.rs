//! One error enum per account use case: the outcomes a caller can act on, plus `Internal`.

use thiserror::Error;

use crate::error::ValidationErrors;
use crate::error::{InternalError, internal_conversions};

/// Why [`register`](super::AccountService::register) failed.
#[derive(Debug, Error)]
pub enum RegisterError {
    /// One or more fields were refused.
    #[error(transparent)]
    Validation(#[from] ValidationErrors),
    /// Another account has this username.
    #[error("username is taken")]
    UsernameTaken,
    /// Another account has this email (case-insensitively).
    #[error("email is taken")]
    EmailTaken,
    /// Registration is by invite and no usable invite token was given (missing,
    /// unknown, used, expired or revoked: deliberately one answer).
    #[error("an invite is required")]
    InviteRequired,
    /// Registration is closed: only admins create accounts.
    #[error("registration is closed")]
    RegistrationClosed,
    /// Something on our side failed.
    #[error("registration failed")]
    Internal(#[source] InternalError),
}

/// Why [`login`](super::AccountService::login) failed.
#[derive(Debug, Error)]
pub enum LoginError {
    /// Clearly malformed input (empty `login`, bad `device_name`); never about the password.
    #[error(transparent)]
    Validation(#[from] ValidationErrors),
    /// Unknown user or wrong password: deliberately indistinguishable.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// The credentials are right but an admin disabled the account.
    #[error("account disabled")]
    AccountDisabled,
    /// Something on our side failed.
    #[error("login failed")]
    Internal(#[source] InternalError),
}

/// Why [`refresh`](super::AccountService::refresh) failed.
#[derive(Debug, Error)]
pub enum RefreshError {
    /// Unknown, spent (the session is now revoked), expired or revoked token.
    #[error("invalid refresh token")]
    InvalidRefreshToken,
    /// An admin disabled the account.
    #[error("account disabled")]
    AccountDisabled,
    /// Something on our side failed.
    #[error("refresh failed")]
    Internal(#[source] InternalError),
}

/// Why [`authenticate`](super::AccountService::authenticate) refused an access token.
#[derive(Debug, Error)]
pub enum AuthenticateError {
    /// Bad, expired or revoked token.
    #[error("unauthorized")]
    Unauthorized,
    /// Something on our side failed.
    #[error("authentication failed")]
    Internal(#[source] InternalError),
}

/// Why [`logout`](super::AccountService::logout) failed.
#[derive(Debug, Error)]
pub enum LogoutError {
    /// Something on our side failed.
    #[error("logout failed")]
    Internal(#[source] InternalError),
}

/// Why [`list_sessions`](super::AccountService::list_sessions) failed.
#[derive(Debug, Error)]
pub enum ListSessionsError {
    /// `limit` out of range.
    #[error(transparent)]
    Validation(#[from] ValidationErrors),
    /// The cursor is not one this list handed out.
    #[error("invalid cursor")]
    InvalidCursor,
    /// Something on our side failed.
    #[error("listing sessions failed")]
    Internal(#[source] InternalError),
}

/// Why [`revoke_session`](super::AccountService::revoke_session) failed.
#[derive(Debug, Error)]
pub enum RevokeSessionError {
    /// No active session of mine has this id (someone else's looks the same).
    #[error("session not found")]
    SessionNotFound,
    /// Something on our side failed.
    #[error("revoking the session failed")]
    Internal(#[source] InternalError),
}

/// Why [`change_password`](super::AccountService::change_password) failed.
#[derive(Debug, Error)]
pub enum ChangePasswordError {
    /// The new password breaks the password policy.
    #[error(transparent)]
    Validation(#[from] ValidationErrors),
    /// The current password is wrong.
    #[error("current password is wrong")]
    InvalidPassword,
    /// Something on our side failed.
    #[error("changing the password failed")]
    Internal(#[source] InternalError),
}

internal_conversions!(
    RegisterError,
    LoginError,
    RefreshError,
    AuthenticateError,
    LogoutError,
    ListSessionsError,
    RevokeSessionError,
    ChangePasswordError,
);
