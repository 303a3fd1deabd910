//! The one bearer `SecurityScheme`: checks the JWT *and* that its session is still
//! active (through `AccountService::authenticate`), so a revoked session's tokens stop
//! working at once. Failures answer `401 unauthorized` in the error shape.

use confab_application::accounts::{AccountService, Authenticated};
use poem::Request;
use poem_openapi::SecurityScheme;
use poem_openapi::auth::Bearer;

use crate::error::ApiError;

/// `Authorization: Bearer <access_token>`; the handler receives who is calling.
#[derive(SecurityScheme)]
#[oai(
    ty = "bearer",
    bearer_format = "JWT",
    checker = "authenticate",
    rename = "bearer"
)]
pub struct BearerAuth(pub Authenticated);

impl BearerAuth {
    /// The authenticated caller.
    pub const fn caller(&self) -> &Authenticated {
        &self.0
    }
}

async fn authenticate(req: &Request, bearer: Bearer) -> poem::Result<Authenticated> {
    authenticate_token(req, &bearer.token).await
}

/// Checks an access token however it arrived (bearer header or the WebSocket's
/// query parameter): the JWT, and that its session is still active.
pub(crate) async fn authenticate_token(req: &Request, token: &str) -> poem::Result<Authenticated> {
    let Some(accounts) = req.data::<AccountService>() else {
        // A wiring bug, not a client error: say 500 and log it.
        return Err(ApiError::internal(&MissingService).into());
    };
    accounts
        .authenticate(token)
        .await
        .map_err(|error| ApiError::from(error).into())
}

/// The router was built without the account service in its data.
#[derive(Debug, thiserror::Error)]
#[error("AccountService missing from request data")]
struct MissingService;
