//! The error-shaping layer: every `poem::Error` that escapes a handler or the router
//! (unknown route, wrong method, bad parameter, missing bearer token, wrong content
//! type) leaves as the one JSON error shape.

use std::sync::Arc;

use poem::error::ResponseError;
use poem::http::StatusCode;
use poem::{Endpoint, IntoResponse, Middleware, Request, Response};
use poem_openapi::error::{AuthorizationError, ContentTypeError, ParseParamError, ParsePathError};

use super::routes::RouteTable;
use crate::error::{ApiError, ErrorCode, FieldErrorBody, echo};

/// Turns any error into the API's error shape.
pub fn to_api_error(error: &poem::Error) -> ApiError {
    if let Some(api_error) = error.downcast_ref::<ApiError>() {
        return api_error.clone();
    }
    // The documented parameter types take any text (the services check it and say
    // what is wrong), so poem refuses a parameter only when it is absent; its own
    // reason would name internal type names, so it is not repeated.
    if let Some(param) = error.downcast_ref::<ParseParamError>() {
        return parameter_error(param.name);
    }
    if let Some(param) = error.downcast_ref::<ParsePathError>() {
        return parameter_error(param.name);
    }
    if error.is::<AuthorizationError>() {
        return ApiError::unauthorized("A valid `Authorization: Bearer` access token is required.");
    }
    if let Some(content_type) = error.downcast_ref::<ContentTypeError>() {
        let detail = match content_type {
            ContentTypeError::NotSupported { content_type } => format!(
                "The content type `{}` is not supported; send `application/json`.",
                echo(content_type)
            ),
            ContentTypeError::ExpectContentType => {
                "The request has no content type; send `application/json`.".to_owned()
            }
        };
        return ApiError::new(ErrorCode::UnsupportedMediaType, detail);
    }
    by_status(error)
}

fn parameter_error(name: &str) -> ApiError {
    ApiError::fields(
        ErrorCode::ValidationFailed,
        vec![FieldErrorBody {
            field: name.to_owned(),
            message: "is missing or not valid".to_owned(),
        }],
    )
    .with_status(StatusCode::BAD_REQUEST)
}

/// Maps the errors of poem itself by their status.
fn by_status(error: &poem::Error) -> ApiError {
    let status = error.status();
    match status {
        StatusCode::UNAUTHORIZED => ApiError::unauthorized("Authentication is required."),
        StatusCode::FORBIDDEN => ApiError::bare(ErrorCode::Forbidden),
        StatusCode::NOT_FOUND => ApiError::new(ErrorCode::NotFound, "No such route."),
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
            ErrorCode::PayloadTooLarge,
            "The request body exceeds 1 MiB.",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ApiError::new(ErrorCode::UnsupportedMediaType, "Send `application/json`.")
        }
        StatusCode::TOO_MANY_REQUESTS => ApiError::rate_limited(1),
        StatusCode::SERVICE_UNAVAILABLE => ApiError::unavailable(error),
        // Any other client error of poem's own (e.g. a malformed header): the
        // generic refusal, with poem's message, which names no internals but may
        // quote the input, so it is cut short.
        s if s.is_client_error() => {
            ApiError::new(ErrorCode::ValidationFailed, echo(&error.to_string())).with_status(s)
        }
        _ => ApiError::internal(error),
    }
}

/// Middleware turning every error into the error shape, with `Allow` on a 405.
pub struct ShapeErrors {
    routes: Arc<RouteTable>,
}

impl ShapeErrors {
    /// Uses `routes` to list the allowed methods of a 405.
    pub fn new(routes: Arc<RouteTable>) -> Self {
        Self { routes }
    }
}

impl<E: Endpoint> Middleware<E> for ShapeErrors {
    type Output = ShapeErrorsEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        ShapeErrorsEndpoint {
            inner,
            routes: Arc::clone(&self.routes),
        }
    }
}

/// The endpoint made by [`ShapeErrors`].
pub struct ShapeErrorsEndpoint<E> {
    inner: E,
    routes: Arc<RouteTable>,
}

impl<E: Endpoint> Endpoint for ShapeErrorsEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        let path = req.uri().path().to_owned();
        match self.inner.call(req).await {
            Ok(output) => Ok(output.into_response()),
            Err(error) if error.status() == StatusCode::METHOD_NOT_ALLOWED => {
                Ok(ApiError::method_not_allowed(&self.routes.allowed(&path)).as_response())
            }
            Err(error) => {
                // poem-openapi names path parameters by position (`param0`); the
                // client knows them by the spec's names (`id`, `user_id`).
                if let Some(param) = error.downcast_ref::<ParsePathError>() {
                    let template = self.routes.template(&path).unwrap_or_default();
                    let name = spec_path_parameter(template, param.name);
                    return Ok(parameter_error(name.unwrap_or(param.name)).as_response());
                }
                Ok(to_api_error(&error).as_response())
            }
        }
    }
}

/// The spec's name of poem-openapi's positional path parameter `positional`
/// (`param1`) in `template` (`/chats/{id}/members/{user_id}` → `user_id`).
fn spec_path_parameter<'a>(template: &'a str, positional: &str) -> Option<&'a str> {
    let index: usize = positional.strip_prefix("param")?.parse().ok()?;
    template
        .split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .nth(index)
}

#[cfg(test)]
mod tests {
    use super::spec_path_parameter;

    #[test]
    fn positional_path_parameters_get_their_spec_names() {
        let template = "/api/v1/chats/{id}/members/{user_id}";
        assert_eq!(spec_path_parameter(template, "param0"), Some("id"));
        assert_eq!(spec_path_parameter(template, "param1"), Some("user_id"));
        assert_eq!(spec_path_parameter(template, "param2"), None);
        assert_eq!(spec_path_parameter(template, "id"), None);
    }
}
