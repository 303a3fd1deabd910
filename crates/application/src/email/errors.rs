//! One error enum per email use case.

use thiserror::Error;

use crate::error::ValidationErrors;
use crate::error::{InternalError, internal_conversions};

/// Why [`request_verification`](super::EmailService::request_verification) failed.
#[derive(Debug, Error)]
pub enum RequestVerificationError {
    /// A link went out less than a minute ago.
    #[error("a verification mail was sent moments ago")]
    TooSoon {
        /// Seconds until another may be requested.
        retry_after_seconds: u64,
    },
    /// Something on our side failed.
    #[error("requesting a verification mail failed")]
    Internal(#[source] InternalError),
}

/// Why [`confirm`](super::EmailService::confirm) failed.
#[derive(Debug, Error)]
pub enum ConfirmEmailError {
    /// Unknown, used, expired or malformed token.
    #[error("invalid token")]
    InvalidToken,
    /// The pending address was taken by another account since the link was sent.
    #[error("email is taken")]
    EmailTaken,
    /// Something on our side failed.
    #[error("confirming the email failed")]
    Internal(#[source] InternalError),
}

/// Why [`forgot`](super::EmailService::forgot) failed.
#[derive(Debug, Error)]
pub enum ForgotPasswordError {
    /// Something on our side failed.
    #[error("queuing a reset mail failed")]
    Internal(#[source] InternalError),
}

/// Why [`reset`](super::EmailService::reset) failed.
#[derive(Debug, Error)]
pub enum ResetPasswordError {
    /// The new password breaks the password policy.
    #[error(transparent)]
    Validation(#[from] ValidationErrors),
    /// Unknown, used, expired or malformed token.
    #[error("invalid token")]
    InvalidToken,
    /// Something on our side failed.
    #[error("resetting the password failed")]
    Internal(#[source] InternalError),
}

internal_conversions!(
    RequestVerificationError,
    ConfirmEmailError,
    ForgotPasswordError,
    ResetPasswordError,
);
