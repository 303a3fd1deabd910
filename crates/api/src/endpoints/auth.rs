//! `/auth`: register, login, refresh (rate-limited per client IP) and logout.
//!
//! This file is the pattern for every resource: one `#[OpenApi]` struct holding the
//! service it calls, a `Tags` enum, thin handlers whose first doc line is the
//! operation summary, DTOs converted with `From`, and `ApiError` for every failure.

use confab_application::accounts::AccountService;
use confab_application::accounts::{LoginError, LogoutError, RefreshError, RegisterError};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi, Tags as DeriveTags};

use crate::dto::accounts::{LoginRequest, RefreshRequest, RegisterRequest, SignedInDto};
use crate::dto::common::NoContent;
use crate::error::Refused;
use crate::json::ApiJson;
use crate::middleware::rate_limit::per_client_ip;
use crate::security::BearerAuth;

#[derive(DeriveTags)]
enum ApiTags {
    /// Accounts: sign up, sign in, rotate tokens, sign out.
    Auth,
}

/// `Cache-Control` of every answer carrying tokens: no cache may keep them.
const NO_STORE: &str = "no-store";

/// `201` with my profile and tokens.
#[derive(ApiResponse)]
pub enum Registered {
    /// The account was created and signed in.
    #[oai(status = 201)]
    Created(
        Json<SignedInDto>,
        /// `no-store`: the body holds tokens.
        #[oai(header = "Cache-Control")]
        String,
    ),
}

/// `200` with my profile and fresh tokens.
#[derive(ApiResponse)]
pub enum SignedIn {
    /// Signed in: my full profile and a new token pair.
    #[oai(status = 200)]
    Ok(
        Json<SignedInDto>,
        /// `no-store`: the body holds tokens.
        #[oai(header = "Cache-Control")]
        String,
    ),
}

impl SignedIn {
    fn with_tokens(signed_in: SignedInDto) -> Self {
        Self::Ok(Json(signed_in), NO_STORE.to_owned())
    }
}

/// The auth endpoints.
pub struct AuthApi {
    accounts: AccountService,
}

impl AuthApi {
    /// Serves `accounts`.
    pub fn new(accounts: AccountService) -> Self {
        Self { accounts }
    }
}

#[OpenApi(prefix_path = "/api/v1/auth", tag = "ApiTags::Auth")]
impl AuthApi {
    /// Create an account
    ///
    /// Registers a user and signs in a first device session. Rate-limited per client IP.
    #[oai(
        path = "/register",
        method = "post",
        operation_id = "register",
        transform = "per_client_ip",
        response_header(
            name = "X-RateLimit-Limit",
            ty = "Option<u32>",
            description = "Requests allowed per client IP (absent when limits are off)."
        ),
        response_header(
            name = "X-RateLimit-Remaining",
            ty = "Option<u32>",
            description = "Requests left before `429 rate_limited` (absent when limits are off)."
        )
    )]
    async fn register(
        &self,
        body: ApiJson<RegisterRequest>,
    ) -> Result<Registered, Refused<RegisterError>> {
        let (input, invite_token) = body.0.into_parts();
        let signed_in = self.accounts.register_invited(input, invite_token).await?;
        Ok(Registered::Created(
            Json(signed_in.into()),
            NO_STORE.to_owned(),
        ))
    }

    /// Sign in
    ///
    /// `login` is the username or the email. Unknown user and wrong password answer
    /// the same `401 invalid_credentials`. Rate-limited per client IP.
    #[oai(
        path = "/login",
        method = "post",
        operation_id = "login",
        transform = "per_client_ip",
        response_header(
            name = "X-RateLimit-Limit",
            ty = "Option<u32>",
            description = "Requests allowed per client IP (absent when limits are off)."
        ),
        response_header(
            name = "X-RateLimit-Remaining",
            ty = "Option<u32>",
            description = "Requests left before `429 rate_limited` (absent when limits are off)."
        )
    )]
    async fn login(&self, body: ApiJson<LoginRequest>) -> Result<SignedIn, Refused<LoginError>> {
        let signed_in = self.accounts.login(body.0.into()).await?;
        Ok(SignedIn::with_tokens(signed_in.into()))
    }

    /// Rotate tokens
    ///
    /// Redeems a refresh token (single use) for a new pair. Presenting a used one
    /// revokes the whole session. Rate-limited per client IP.
    #[oai(
        path = "/refresh",
        method = "post",
        operation_id = "refresh",
        transform = "per_client_ip",
        response_header(
            name = "X-RateLimit-Limit",
            ty = "Option<u32>",
            description = "Requests allowed per client IP (absent when limits are off)."
        ),
        response_header(
            name = "X-RateLimit-Remaining",
            ty = "Option<u32>",
            description = "Requests left before `429 rate_limited` (absent when limits are off)."
        )
    )]
    async fn refresh(
        &self,
        body: ApiJson<RefreshRequest>,
    ) -> Result<SignedIn, Refused<RefreshError>> {
        let signed_in = self.accounts.refresh(&body.0.refresh_token).await?;
        Ok(SignedIn::with_tokens(signed_in.into()))
    }

    /// Sign out
    ///
    /// Revokes the current session; its access and refresh tokens stop working.
    #[oai(path = "/logout", method = "post", operation_id = "logout")]
    async fn logout(&self, auth: BearerAuth) -> Result<NoContent, Refused<LogoutError>> {
        self.accounts.logout(auth.caller()).await?;
        Ok(NoContent::Done)
    }
}
