//! How the email use cases' errors answer: one exhaustive `From` per error enum.

use confab_application::email::{
    ConfirmEmailError, ForgotPasswordError, RequestVerificationError, ResetPasswordError,
};

use super::{ApiError, ErrorCode};

/// `403 email_unverified` for `action` under `CONFAB_REQUIRE_VERIFIED_EMAIL`.
pub(super) fn email_unverified(action: &str) -> ApiError {
    ApiError::new(
        ErrorCode::EmailUnverified,
        format!(
            "Confirm your email address before {action}; POST /api/v1/auth/email/verify mails a new link."
        ),
    )
}

fn invalid_token() -> ApiError {
    ApiError::new(
        ErrorCode::InvalidToken,
        "The link is unknown, already used or expired; ask for a new one.",
    )
}

impl From<RequestVerificationError> for ApiError {
    fn from(error: RequestVerificationError) -> Self {
        match error {
            RequestVerificationError::TooSoon {
                retry_after_seconds,
            } => Self::rate_limited(retry_after_seconds),
            RequestVerificationError::Internal(_) => Self::internal(&error),
        }
    }
}

impl From<ConfirmEmailError> for ApiError {
    fn from(error: ConfirmEmailError) -> Self {
        match error {
            ConfirmEmailError::InvalidToken => invalid_token(),
            ConfirmEmailError::EmailTaken => Self::new(
                ErrorCode::EmailTaken,
                "Another account took this email address since the link was sent.",
            ),
            ConfirmEmailError::Internal(_) => Self::internal(&error),
        }
    }
}

impl From<ForgotPasswordError> for ApiError {
    fn from(error: ForgotPasswordError) -> Self {
        match error {
            ForgotPasswordError::Internal(_) => Self::internal(&error),
        }
    }
}

impl From<ResetPasswordError> for ApiError {
    fn from(error: ResetPasswordError) -> Self {
        match error {
            ResetPasswordError::Validation(errors) => errors.into(),
            ResetPasswordError::InvalidToken => invalid_token(),
            ResetPasswordError::Internal(_) => Self::internal(&error),
        }
    }
}
