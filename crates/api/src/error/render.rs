//! How an [`ApiError`] goes on the wire and into the spec: the `Error` schema, the
//! response with its headers (what each operation documents: `outcomes.rs`).

use std::fmt;

use poem::Response;
use poem::error::ResponseError;
use poem::http::{HeaderValue, StatusCode, header};

use poem_openapi::Object;
use poem_openapi::types::ToJSON;

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
        if let Some(size) = self.unsatisfied_range_of {
            headers.insert(
                header::CONTENT_RANGE,
                HeaderValue::from_str(&format!("bytes */{size}"))
                    .unwrap_or(HeaderValue::from_static("bytes */0")),
            );
        }
        response
    }
}

impl poem::IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.as_response()
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
