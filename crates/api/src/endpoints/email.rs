//! `/auth/email` and `/auth/password`: verifying my address, confirming an email
//! change, and resetting a forgotten password.

use confab_application::email::{
    ConfirmEmailError, EmailService, ForgotPasswordError, RequestVerificationError,
    ResetPasswordError,
};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi, Tags as DeriveTags};

use crate::dto::common::NoContent;
use crate::dto::email::{
    AcceptedDto, ConfirmEmailRequest, ForgotPasswordRequest, ResetPasswordRequest,
};
use crate::dto::profiles::MeDto;
use crate::error::{ApiError, Refused};
use crate::json::ApiJson;
use crate::middleware::rate_limit::per_client_ip;
use crate::security::BearerAuth;

#[derive(DeriveTags)]
enum ApiTags {
    /// Email: verify my address, confirm an email change, reset a forgotten password.
    Email,
}

/// The one answer of `forgot`, whether or not an account has the address.
const FORGOT_ANSWER: &str =
    "If an account uses this address, a link to reset its password is on its way.";

/// `202` with what happens next.
#[derive(ApiResponse)]
pub enum Accepted {
    /// Accepted; a mail is queued when there is something to send.
    #[oai(status = 202)]
    Accepted(Json<AcceptedDto>),
}

impl Accepted {
    fn saying(message: &str) -> Self {
        Self::Accepted(Json(AcceptedDto {
            message: message.to_owned(),
        }))
    }
}

/// `200` with my profile.
#[derive(ApiResponse)]
pub enum Confirmed {
    /// The address is confirmed: my profile as it is now.
    #[oai(status = 200)]
    Ok(Json<MeDto>),
}

/// The email endpoints.
pub struct EmailApi {
    email: EmailService,
}

impl EmailApi {
    /// Serves `email`.
    pub fn new(email: EmailService) -> Self {
        Self { email }
    }
}

#[OpenApi(prefix_path = "/api/v1/auth", tag = "ApiTags::Email")]
impl EmailApi {
    /// Mail me a verification link
    ///
    /// Mails a link to my unverified address (or to my pending new address). At most
    /// one per minute (`429 rate_limited`). Nothing is sent when there is nothing to
    /// verify.
    #[oai(
        path = "/email/verify",
        method = "post",
        operation_id = "requestEmailVerification"
    )]
    async fn request_verification(
        &self,
        auth: BearerAuth,
    ) -> Result<Accepted, Refused<RequestVerificationError>> {
        self.email.request_verification(auth.caller()).await?;
        Ok(Accepted::saying(
            "If your address needs confirming, a link is on its way.",
        ))
    }

    /// Confirm an email address
    ///
    /// Redeems the token of a verification link: my address becomes verified, or my
    /// pending new address becomes my address. Each link works once, for 24 hours.
    #[oai(
        path = "/email/confirm",
        method = "post",
        operation_id = "confirmEmail",
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
    async fn confirm(
        &self,
        body: ApiJson<ConfirmEmailRequest>,
    ) -> Result<Confirmed, Refused<ConfirmEmailError>> {
        let user = self.email.confirm(&body.0.token).await?;
        Ok(Confirmed::Ok(Json(user.into())))
    }

    /// Ask for a password-reset link
    ///
    /// Always `202` with the same body and timing, whether or not an account has the
    /// address; when one does, a link valid for one hour is mailed (at most one per
    /// minute). Rate-limited per client IP.
    #[oai(
        path = "/password/forgot",
        method = "post",
        operation_id = "forgotPassword",
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
    // poem-openapi operations are async; this one hands its work to a task.
    #[allow(clippy::unused_async)]
    async fn forgot(
        &self,
        body: ApiJson<ForgotPasswordRequest>,
    ) -> Result<Accepted, Refused<ForgotPasswordError>> {
        let email = EmailService::parse_forgot(body.0.email.into())
            .map_err(|errors| Refused::other(ApiError::from(errors)))?;
        // The lookup and the write happen after the answer, so neither its content
        // nor its timing says whether the address has an account.
        let service = self.email.clone();
        tokio::spawn(async move {
            if let Err(error) = service.forgot(&email).await {
                tracing::error!(
                    error = &error as &dyn std::error::Error,
                    "queuing a password-reset mail failed"
                );
            }
        });
        Ok(Accepted::saying(FORGOT_ANSWER))
    }

    /// Reset my password with a mailed link
    ///
    /// Sets the new password, spends the token and signs the account out everywhere
    /// (open sockets close with 4401). Rate-limited per client IP.
    #[oai(
        path = "/password/reset",
        method = "post",
        operation_id = "resetPassword",
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
    async fn reset(
        &self,
        body: ApiJson<ResetPasswordRequest>,
    ) -> Result<NoContent, Refused<ResetPasswordError>> {
        let body = body.0;
        self.email
            .reset(&body.token, body.new_password.into())
            .await?;
        Ok(NoContent::Done)
    }
}
