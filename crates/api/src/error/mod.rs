//! THE error of the HTTP edge: one JSON shape (`status, code, title, detail, errors?`)
//! for every 4xx/5xx, documented on every operation, and the one place where each
//! application error enum is mapped to it — exhaustively, so a new variant forces a
//! decision here.

mod admin;
mod avatars;
mod chats;
mod code;
mod echo;
mod email;
mod files;
mod messages;
mod outcomes;
mod render;

use confab_application::accounts::{
    AuthenticateError, ChangePasswordError, ListSessionsError, LoginError, LogoutError,
    RefreshError, RegisterError, RevokeSessionError,
};
use confab_application::profiles::{
    GetUserError, ProfileError, SearchUsersError, UpdateProfileError,
};
use confab_application::{RepositoryError, ValidationErrors};
use poem::http::StatusCode;

pub use code::ErrorCode;
pub use echo::{MAX_ECHOED_CHARS, echo, fits_echo};
pub use outcomes::{Outcomes, Refused, describe};
use render::ErrorChain;
pub use render::{ErrorBody, FieldErrorBody};

/// How long a client is asked to wait after a `503`: the pool retries a connection
/// within this time, so a database that is back is used by then.
const UNAVAILABLE_RETRY_AFTER_SECONDS: u64 = 5;

/// An error answer: code, detail, field errors and the headers some codes need.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    code: ErrorCode,
    detail: String,
    errors: Option<Vec<FieldErrorBody>>,
    retry_after_seconds: Option<u64>,
    allow: Option<String>,
    /// For `416`: the size of the file (`Content-Range: bytes */size`).
    unsatisfied_range_of: Option<u64>,
}

impl ApiError {
    /// An error with this code and detail.
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            status: code.parts().0,
            code,
            detail: detail.into(),
            errors: None,
            retry_after_seconds: None,
            allow: None,
            unsatisfied_range_of: None,
        }
    }

    /// An error whose detail is the code's title (for codes that need no more words).
    pub fn bare(code: ErrorCode) -> Self {
        Self::new(code, code.parts().2)
    }

    /// `401 unauthorized`.
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthorized, detail)
    }

    /// `422 validation_failed` (or another code, e.g. 400 for query parameters)
    /// listing every refused field.
    pub fn fields(code: ErrorCode, errors: Vec<FieldErrorBody>) -> Self {
        let detail = match errors.as_slice() {
            [one] => format!("`{}` {}", one.field, one.message),
            _ => format!("{} fields were refused.", errors.len()),
        };
        Self {
            errors: Some(errors),
            ..Self::new(code, detail)
        }
    }

    /// `500 internal`: logs `cause` with its source chain, hides it from the client.
    /// When the chain says the database could not be reached, the answer is
    /// `503 service_unavailable` instead: the client may retry.
    pub fn internal(cause: &(dyn std::error::Error + 'static)) -> Self {
        if RepositoryError::in_chain_is_unavailable(cause) {
            return Self::unavailable(cause);
        }
        tracing::error!(error = %ErrorChain(cause), "request failed with an internal error");
        Self::new(
            ErrorCode::Internal,
            "The server could not complete the request.",
        )
    }

    /// `503 service_unavailable` with `Retry-After`: logs `cause`, says only that a
    /// dependency is down.
    pub fn unavailable(cause: &(dyn std::error::Error + 'static)) -> Self {
        tracing::error!(error = %ErrorChain(cause), "a dependency is unavailable");
        Self {
            retry_after_seconds: Some(UNAVAILABLE_RETRY_AFTER_SECONDS),
            ..Self::new(
                ErrorCode::ServiceUnavailable,
                "The service is temporarily unavailable; retry shortly.",
            )
        }
    }

    /// `429 rate_limited` with `Retry-After` (at least one second).
    pub fn rate_limited(retry_after_seconds: u64) -> Self {
        let seconds = retry_after_seconds.max(1);
        Self {
            retry_after_seconds: Some(seconds),
            ..Self::new(
                ErrorCode::RateLimited,
                format!("Too many requests; retry in {seconds} s."),
            )
        }
    }

    /// `405 method_not_allowed` with the `Allow` header listing `allowed`.
    pub fn method_not_allowed(allowed: &[String]) -> Self {
        let allow = allowed.join(", ");
        Self {
            allow: Some(allow.clone()),
            ..Self::new(
                ErrorCode::MethodNotAllowed,
                format!("This route allows only: {allow}."),
            )
        }
    }

    /// `416 range_not_satisfiable` with `Content-Range: bytes */size`.
    pub fn range_not_satisfiable(size: u64) -> Self {
        Self {
            unsatisfied_range_of: Some(size),
            ..Self::new(
                ErrorCode::RangeNotSatisfiable,
                format!("The requested range does not overlap the file's {size} bytes."),
            )
        }
    }

    /// The same error answered with another status: query and path parameters are
    /// refused with `400 validation_failed`, bodies with 422.
    #[must_use]
    pub fn with_status(self, status: StatusCode) -> Self {
        Self { status, ..self }
    }

    /// `400 invalid_cursor`, naming the `cursor` parameter like any refused parameter.
    pub fn invalid_cursor() -> Self {
        Self::fields(
            ErrorCode::InvalidCursor,
            vec![FieldErrorBody {
                field: "cursor".to_owned(),
                message: "is not a cursor this list handed out".to_owned(),
            }],
        )
    }

    /// A query-parameter refusal: `400 validation_failed` naming the parameters.
    pub fn bad_query(errors: ValidationErrors) -> Self {
        Self::from(errors).with_status(StatusCode::BAD_REQUEST)
    }

    /// The code of this error.
    pub const fn code(&self) -> ErrorCode {
        self.code
    }

    /// The human sentence of this error.
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// The body as sent.
    pub fn body(&self) -> ErrorBody {
        let (_, code, title) = self.code.parts();
        ErrorBody {
            status: self.status.as_u16(),
            code: code.to_owned(),
            title: title.to_owned(),
            detail: self.detail.clone(),
            errors: self.errors.clone(),
        }
    }
}

impl From<ValidationErrors> for ApiError {
    fn from(errors: ValidationErrors) -> Self {
        let fields = errors
            .0
            .into_iter()
            .map(|e| FieldErrorBody {
                field: e.field.to_owned(),
                message: e.message,
            })
            .collect();
        Self::fields(ErrorCode::ValidationFailed, fields)
    }
}

// ---- accounts -------------------------------------------------------------------

fn account_disabled() -> ApiError {
    ApiError::new(
        ErrorCode::AccountDisabled,
        "An admin disabled this account.",
    )
}

impl From<RegisterError> for ApiError {
    fn from(error: RegisterError) -> Self {
        match error {
            RegisterError::Validation(errors) => errors.into(),
            RegisterError::UsernameTaken => Self::new(
                ErrorCode::UsernameTaken,
                "Another account already uses this username.",
            ),
            RegisterError::EmailTaken => Self::new(
                ErrorCode::EmailTaken,
                "Another account already uses this email address.",
            ),
            RegisterError::InviteRequired => Self::new(
                ErrorCode::InviteRequired,
                "This server registers by invitation only: `invite_token` must be an unused, \
                 unexpired invite from an admin.",
            ),
            RegisterError::RegistrationClosed => Self::new(
                ErrorCode::RegistrationClosed,
                "Registration is closed on this server; ask an admin for an account.",
            ),
            RegisterError::Internal(_) => Self::internal(&error),
        }
    }
}

impl From<LoginError> for ApiError {
    fn from(error: LoginError) -> Self {
        match error {
            LoginError::Validation(errors) => errors.into(),
            LoginError::InvalidCredentials => Self::new(
                ErrorCode::InvalidCredentials,
                "The login or the password is wrong.",
            ),
            LoginError::AccountDisabled => account_disabled(),
            LoginError::Internal(_) => Self::internal(&error),
        }
    }
}

impl From<RefreshError> for ApiError {
    fn from(error: RefreshError) -> Self {
        match error {
            RefreshError::InvalidRefreshToken => Self::new(
                ErrorCode::InvalidRefreshToken,
                "The refresh token is unknown, already used, expired or revoked.",
            ),
            RefreshError::AccountDisabled => account_disabled(),
            RefreshError::Internal(_) => Self::internal(&error),
        }
    }
}

impl From<AuthenticateError> for ApiError {
    fn from(error: AuthenticateError) -> Self {
        match error {
            AuthenticateError::Unauthorized => {
                Self::unauthorized("The access token is invalid, expired or revoked.")
            }
            AuthenticateError::Internal(_) => Self::internal(&error),
        }
    }
}

impl From<LogoutError> for ApiError {
    fn from(error: LogoutError) -> Self {
        match error {
            LogoutError::Internal(_) => Self::internal(&error),
        }
    }
}

impl From<ListSessionsError> for ApiError {
    fn from(error: ListSessionsError) -> Self {
        match error {
            ListSessionsError::Validation(errors) => Self::bad_query(errors),
            ListSessionsError::InvalidCursor => Self::invalid_cursor(),
            ListSessionsError::Internal(_) => Self::internal(&error),
        }
    }
}

impl From<RevokeSessionError> for ApiError {
    fn from(error: RevokeSessionError) -> Self {
        match error {
            RevokeSessionError::SessionNotFound => Self::new(
                ErrorCode::SessionNotFound,
                "No active session of yours has this id.",
            ),
            RevokeSessionError::Internal(_) => Self::internal(&error),
        }
    }
}

impl From<ChangePasswordError> for ApiError {
    fn from(error: ChangePasswordError) -> Self {
        match error {
            ChangePasswordError::Validation(errors) => errors.into(),
            ChangePasswordError::InvalidPassword => {
                Self::new(ErrorCode::InvalidPassword, "The current password is wrong.")
            }
            ChangePasswordError::Internal(_) => Self::internal(&error),
        }
    }
}

// ---- profiles -------------------------------------------------------------------

impl From<ProfileError> for ApiError {
    fn from(error: ProfileError) -> Self {
        match error {
            ProfileError::Internal(_) => Self::internal(&error),
        }
    }
}

impl From<UpdateProfileError> for ApiError {
    fn from(error: UpdateProfileError) -> Self {
        match error {
            UpdateProfileError::Validation(errors) => errors.into(),
            UpdateProfileError::UsernameTaken => Self::new(
                ErrorCode::UsernameTaken,
                "Another account already uses this username.",
            ),
            UpdateProfileError::EmailTaken => Self::new(
                ErrorCode::EmailTaken,
                "Another account already uses this email address.",
            ),
            UpdateProfileError::InvalidPassword => Self::new(
                ErrorCode::InvalidPassword,
                "Changing the email needs the correct `current_password`.",
            ),
            UpdateProfileError::Internal(_) => Self::internal(&error),
        }
    }
}

impl From<GetUserError> for ApiError {
    fn from(error: GetUserError) -> Self {
        match error {
            GetUserError::UserNotFound => {
                Self::new(ErrorCode::UserNotFound, "No user has this id.")
            }
            GetUserError::Internal(_) => Self::internal(&error),
        }
    }
}

impl From<SearchUsersError> for ApiError {
    fn from(error: SearchUsersError) -> Self {
        match error {
            SearchUsersError::Validation(errors) => Self::bad_query(errors),
            SearchUsersError::InvalidCursor => Self::invalid_cursor(),
            SearchUsersError::Internal(_) => Self::internal(&error),
        }
    }
}

#[cfg(test)]
mod tests;
