//! Wire types of the email routes. Request types holding tokens or passwords have
//! no `Debug`, so they cannot end up in a log line.

use poem_openapi::Object;
use poem_openapi::types::Example;

use super::text::{EmailText, PasswordText};

/// `POST /auth/email/confirm`.
#[derive(Object)]
#[oai(rename = "ConfirmEmail", example)]
pub struct ConfirmEmailRequest {
    /// The `token` of the link mailed to the address (64 hex digits).
    pub token: String,
}

impl Example for ConfirmEmailRequest {
    fn example() -> Self {
        Self {
            token: "the token from the mailed link".to_owned(),
        }
    }
}

/// `POST /auth/password/forgot`.
#[derive(Object)]
#[oai(rename = "ForgotPassword", example)]
pub struct ForgotPasswordRequest {
    /// The address of the account.
    pub email: EmailText,
}

impl Example for ForgotPasswordRequest {
    fn example() -> Self {
        Self {
            email: EmailText("alice@example.com".to_owned()),
        }
    }
}

/// `POST /auth/password/reset`.
#[derive(Object)]
#[oai(rename = "ResetPassword", example)]
pub struct ResetPasswordRequest {
    /// The `token` of the link mailed to the address (64 hex digits).
    pub token: String,
    /// The new password, 8..128 characters.
    pub new_password: PasswordText,
}

impl Example for ResetPasswordRequest {
    fn example() -> Self {
        Self {
            token: "the token from the mailed link".to_owned(),
            new_password: PasswordText("a brand new passphrase".to_owned()),
        }
    }
}

/// The answer of a request that mails something (or, for an unknown address, does
/// nothing): always the same body.
#[derive(Debug, Clone, Object)]
#[oai(rename = "Accepted")]
pub struct AcceptedDto {
    /// What happens next, in words.
    pub message: String,
}
