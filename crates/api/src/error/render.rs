//! How an [`ApiError`] goes on the wire and into the spec: the `Error` schema, the
//! response with its headers, and the responses documented on every operation.

use std::fmt;

use poem::Response;
use poem::error::ResponseError;
use poem::http::{HeaderValue, StatusCode, header};
use poem_openapi::registry::{MetaMediaType, MetaResponse, MetaResponses, Registry};
use poem_openapi::types::{ToJSON, Type};
use poem_openapi::{ApiResponse, Object};

use super::ApiError;

/// One refused field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "FieldError")]
pub struct FieldErrorBody {
    /// The JSON field (or query parameter) name, e.g. `username`.
    pub field: String,
    /// Why it was refused.
    pub message: String,
}

/// The body of every 4xx/5xx response.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "Error")]
pub struct ErrorBody {
    /// The HTTP status, repeated for clients that only see the body.
    pub status: u16,
    /// Stable machine-readable code, e.g. `chat_not_found`.
    pub code: String,
    /// Short human summary of the code.
    pub title: String,
    /// What went wrong in this request.
    pub detail: String,
    /// The refused fields (or parameters); present only for `validation_failed` and
    /// `invalid_cursor`.
    #[oai(skip_serializing_if_is_none)]
    pub errors: Option<Vec<FieldErrorBody>>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.parts().1, self.detail)
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    /// The body as JSON text, for the connection layer, which answers some requests
    /// (a head that never finished, bytes that are not HTTP) before poem sees them.
    pub fn json(&self) -> String {
        self.body().to_json_string()
    }
}

impl ResponseError for ApiError {
    fn status(&self) -> StatusCode {
        self.status
    }

    fn as_response(&self) -> Response {
        let mut response = Response::builder()
            .status(self.status())
            .content_type("application/json")
            .body(self.json());
        let headers = response.headers_mut();
        if let Some(seconds) = self.retry_after_seconds {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if let Some(allow) = self.allow.as_deref().and_then(|a| a.parse().ok()) {
            headers.insert(header::ALLOW, allow);
        }
        response
    }
}

impl poem::IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.as_response()
    }
}

/// The statuses documented on every operation; the `default` entry covers the rest.
const DOCUMENTED: &[(Option<u16>, &str)] = &[
    (
        Some(400),
        "Malformed request: invalid JSON (`invalid_json`), a bad query or path parameter \
         (`validation_failed`), a refused operation (`invalid_cursor`, `not_a_group`, \
         `invalid_member`, `invalid_token`), or bytes that are not HTTP/1.1 (`bad_request`).",
    ),
    (
        Some(401),
        "Missing, malformed, expired or revoked access token (`unauthorized`), or bad \
         credentials (`invalid_credentials`, `invalid_refresh_token`).",
    ),
    (
        Some(422),
        "A field was refused (`validation_failed`); `errors` names each JSON field.",
    ),
    (
        Some(500),
        "Unexpected server error (`internal`); the cause is only in the server log.",
    ),
    (
        None,
        "Any other error, in the same shape: 403 (`forbidden`, `invalid_password`, `email_unverified`), 404 \
         (`not_found`, `*_not_found`), 405 (with `Allow`), 408 (`request_timeout`), 409 \
         (`*_taken`, `group_full`, `message_deleted`), 413, 414 (`uri_too_long`), 415, \
         429 (`rate_limited`, with `Retry-After`), 431 (`headers_too_large`), 503.",
    ),
];

impl ApiResponse for ApiError {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: DOCUMENTED
                .iter()
                .map(|&(status, description)| MetaResponse {
                    description,
                    status,
                    status_range: None,
                    content: vec![MetaMediaType {
                        content_type: "application/json",
                        schema: ErrorBody::schema_ref(),
                    }],
                    headers: vec![],
                })
                .collect(),
        }
    }

    fn register(registry: &mut Registry) {
        ErrorBody::register(registry);
    }
}

/// Displays an error with its `source()` chain, for logs.
pub(super) struct ErrorChain<'a>(pub(super) &'a (dyn std::error::Error + 'static));

impl fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}
