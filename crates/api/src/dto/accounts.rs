//! Wire types of accounts and sessions. Request types holding passwords have no
//! `Debug`, so they cannot end up in a log line.

use confab_application::Page;
use confab_application::accounts::{
    LoginInput, RegisterInput, SessionSummary, SignedIn, TokenPair,
};
use poem_openapi::Object;
use poem_openapi::types::Example;
use uuid::Uuid;

use super::common::Timestamp;
use super::nullable::Nullable;
use super::profiles::MeDto;
use super::schema_ref::RefField;
use super::text::{
    EmailText, InviteTokenText, LoginText, NameText, PasswordCheck, PasswordText, UsernameText,
};

/// The examples of the sign-up flow, shown by Swagger UI as "Try it out" bodies: sent
/// in order on a fresh server (register, log in, change the password) each succeeds.
const EXAMPLE_EMAIL: &str = "alice@example.com";
const EXAMPLE_PASSWORD: &str = "correct horse battery";
/// Where the `Refresh` example's token goes (the only example with a placeholder).
pub const EXAMPLE_REFRESH_TOKEN: &str = "the refresh_token of the last register, login or refresh";

/// `POST /auth/register`.
#[derive(Object)]
#[oai(rename = "Register", example)]
pub struct RegisterRequest {
    /// `^[a-z0-9_]{3,32}$` after lower-casing.
    pub username: UsernameText,
    /// Unique case-insensitively.
    pub email: EmailText,
    /// 8..128 characters.
    pub password: PasswordText,
    /// 1..64 characters; absent or `null` for none.
    #[oai(nullable)]
    pub display_name: Option<NameText>,
    /// Label of this device's session, 1..64 characters.
    #[oai(nullable)]
    pub device_name: Option<NameText>,
    /// The token of an admin's invite; needed when the server registers by invite
    /// only (`CONFAB_REGISTRATION=invite`), ignored otherwise.
    #[oai(nullable)]
    pub invite_token: Option<InviteTokenText>,
}

impl Example for RegisterRequest {
    fn example() -> Self {
        Self {
            username: UsernameText("alice".to_owned()),
            email: EmailText(EXAMPLE_EMAIL.to_owned()),
            password: PasswordText(EXAMPLE_PASSWORD.to_owned()),
            display_name: Some(NameText("Alice".to_owned())),
            device_name: Some(NameText("Laptop".to_owned())),
            invite_token: None,
        }
    }
}

impl RegisterRequest {
    /// The account fields and the invite token apart.
    pub fn into_parts(self) -> (RegisterInput, Option<String>) {
        let token = self.invite_token.as_ref().map(|token| token.0.clone());
        (self.into(), token)
    }
}

impl From<RegisterRequest> for RegisterInput {
    fn from(body: RegisterRequest) -> Self {
        Self {
            username: body.username.into(),
            email: body.email.into(),
            password: body.password.into(),
            display_name: body.display_name.map(Into::into),
            device_name: body.device_name.map(Into::into),
        }
    }
}

/// `POST /auth/login`.
#[derive(Object)]
#[oai(rename = "Login", example)]
pub struct LoginRequest {
    /// My username or email.
    pub login: LoginText,
    /// My password.
    pub password: PasswordCheck,
    /// Label of this device's session, 1..64 characters.
    #[oai(nullable)]
    pub device_name: Option<NameText>,
}

impl Example for LoginRequest {
    fn example() -> Self {
        Self {
            login: LoginText(EXAMPLE_EMAIL.to_owned()),
            password: PasswordCheck(EXAMPLE_PASSWORD.to_owned()),
            device_name: Some(NameText("Phone".to_owned())),
        }
    }
}

impl From<LoginRequest> for LoginInput {
    fn from(body: LoginRequest) -> Self {
        Self {
            login: body.login.into(),
            password: body.password.into(),
            device_name: body.device_name.map(Into::into),
        }
    }
}

/// `POST /auth/refresh`.
#[derive(Object)]
#[oai(rename = "Refresh", example)]
pub struct RefreshRequest {
    /// The refresh token from the last register, login or refresh (single use).
    pub refresh_token: String,
}

impl Example for RefreshRequest {
    /// A placeholder: the token is the `refresh_token` of the last sign-in, which
    /// no example can know.
    fn example() -> Self {
        Self {
            refresh_token: EXAMPLE_REFRESH_TOKEN.to_owned(),
        }
    }
}

/// `PUT /me/password`.
#[derive(Object)]
#[oai(rename = "ChangePassword", example)]
pub struct ChangePasswordRequest {
    /// My current password.
    pub current_password: PasswordCheck,
    /// The new password, 8..128 characters.
    pub new_password: PasswordText,
}

/// `DELETE /me`.
#[derive(Object)]
#[oai(rename = "DeleteAccount", example)]
pub struct DeleteAccountRequest {
    /// My current password.
    pub current_password: PasswordCheck,
}

impl Example for DeleteAccountRequest {
    fn example() -> Self {
        Self {
            current_password: PasswordCheck(EXAMPLE_PASSWORD.to_owned()),
        }
    }
}

impl Example for ChangePasswordRequest {
    fn example() -> Self {
        Self {
            current_password: PasswordCheck(EXAMPLE_PASSWORD.to_owned()),
            new_password: PasswordText("staple battery horse correct".to_owned()),
        }
    }
}

/// A fresh token pair.
#[derive(Object)]
#[oai(rename = "Tokens")]
pub struct TokensDto {
    /// JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Single-use token for `POST /auth/refresh`.
    pub refresh_token: String,
}

impl From<TokenPair> for TokensDto {
    fn from(tokens: TokenPair) -> Self {
        Self {
            access_token: tokens.access_token,
            token_type: "Bearer".to_owned(),
            expires_in: tokens.expires_in,
            refresh_token: tokens.refresh_token,
        }
    }
}

/// My profile and fresh tokens.
#[derive(Object)]
#[oai(rename = "SignedIn")]
pub struct SignedInDto {
    /// My full profile, as `GET /me`.
    pub user: RefField<MeDto>,
    /// The new tokens.
    pub tokens: RefField<TokensDto>,
}

impl From<SignedIn> for SignedInDto {
    fn from(signed_in: SignedIn) -> Self {
        Self {
            user: RefField(signed_in.user.into()),
            tokens: RefField(signed_in.tokens.into()),
        }
    }
}

/// One of my device sessions.
#[derive(Debug, Clone, Object)]
#[oai(rename = "Session")]
pub struct SessionDto {
    /// The session id (the `sid` of its access tokens).
    pub id: Uuid,
    /// The device label given at login, or `null`.
    pub device_name: Nullable<String>,
    /// When I logged in.
    pub created_at: Timestamp,
    /// When a refresh token of this session was last redeemed.
    pub last_used_at: Timestamp,
    /// Whether this is the session making the request.
    pub current: bool,
}

impl From<SessionSummary> for SessionDto {
    fn from(summary: SessionSummary) -> Self {
        let session = summary.session;
        Self {
            id: session.id.as_uuid(),
            device_name: Nullable(session.device_name.map(Into::into)),
            created_at: session.created_at.into(),
            last_used_at: session.last_used_at.into(),
            current: summary.current,
        }
    }
}

/// A page of my sessions, newest first.
#[derive(Debug, Clone, Object)]
#[oai(rename = "SessionPage")]
pub struct SessionPage {
    /// The sessions.
    pub items: Vec<SessionDto>,
    /// Pass as `cursor` for the next page; `null` when nothing more exists.
    pub next_cursor: Nullable<String>,
}

impl From<Page<SessionSummary>> for SessionPage {
    fn from(page: Page<SessionSummary>) -> Self {
        Self {
            items: page.items.into_iter().map(Into::into).collect(),
            next_cursor: Nullable(page.next_cursor),
        }
    }
}
