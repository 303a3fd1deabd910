//! A download's answer: the bytes (200, 206), not modified (304), or a redirect to
//! the store (302). Built by hand, documented here.

use poem::http::{HeaderValue, StatusCode, header};
use poem::{IntoResponse, Response};
use poem_openapi::ApiResponse;
use poem_openapi::registry::{
    MetaMediaType, MetaResponse, MetaResponses, MetaSchema, MetaSchemaRef, Registry,
};

/// A download answer.
pub struct FileResponse(pub(super) Response);

impl FileResponse {
    /// `304 Not Modified` for a copy the client already holds.
    pub(super) fn not_modified(etag: &str) -> Self {
        let mut response = Response::builder()
            .status(StatusCode::NOT_MODIFIED)
            .header(header::CACHE_CONTROL, "private")
            .finish();
        if let Ok(value) = HeaderValue::from_str(etag) {
            response.headers_mut().insert(header::ETAG, value);
        }
        Self(response)
    }

    /// `302 Found` to a presigned URL of the store.
    pub(super) fn redirect(url: &str) -> Self {
        let mut response = Response::builder()
            .status(StatusCode::FOUND)
            .header(header::CACHE_CONTROL, "private, no-store")
            .finish();
        if let Ok(value) = HeaderValue::from_str(url) {
            response.headers_mut().insert(header::LOCATION, value);
        }
        Self(response)
    }
}

impl IntoResponse for FileResponse {
    fn into_response(self) -> Response {
        self.0
    }
}

fn binary() -> MetaSchemaRef {
    MetaSchemaRef::Inline(Box::new(MetaSchema {
        format: Some("binary"),
        ..MetaSchema::new("string")
    }))
}

fn response(status: u16, description: &'static str, content: bool) -> MetaResponse {
    MetaResponse {
        description,
        status: Some(status),
        status_range: None,
        content: if content {
            // The bytes go out with the type sniffed at upload; the spec names the
            // generic binary type, which generated clients read as bytes
            // (openapi-python-client cannot read a `*/*` response at all).
            vec![MetaMediaType {
                content_type: "application/octet-stream",
                schema: binary(),
            }]
        } else {
            vec![]
        },
        headers: vec![],
    }
}

impl ApiResponse for FileResponse {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: vec![
                response(
                    200,
                    "The file, with `Content-Type` as sniffed at upload, `Content-Disposition`, `ETag`, `Cache-Control: private` and `Content-Security-Policy: default-src 'none'; sandbox`.",
                    true,
                ),
                response(206, "The requested range, with `Content-Range`.", true),
                response(
                    302,
                    "With an S3 store: `Location` is a presigned URL valid for 5 minutes.",
                    false,
                ),
                response(304, "`If-None-Match` named the current `ETag`.", false),
            ],
        }
    }

    fn register(_registry: &mut Registry) {}
}
