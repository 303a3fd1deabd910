//! Caps the request URI at 8 KiB with `414 uri_too_long`. Nothing the API takes
//! comes close (search terms are 64 characters, cursors and tokens a few hundred
//! bytes); the connection layer refuses whole heads over 64 KiB itself.

use poem::{Endpoint, Middleware, Request};

use crate::error::{ApiError, ErrorCode};

/// The longest request URI (path and query) accepted, in bytes.
pub const MAX_URI_BYTES: usize = 8 * 1024;

/// Refuses requests whose URI is longer than [`MAX_URI_BYTES`].
#[derive(Debug, Default, Clone, Copy)]
pub struct UriLimit;

impl<E: Endpoint> Middleware<E> for UriLimit {
    type Output = UriLimitEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        UriLimitEndpoint { inner }
    }
}

/// The endpoint made by [`UriLimit`].
pub struct UriLimitEndpoint<E> {
    inner: E,
}

impl<E: Endpoint> Endpoint for UriLimitEndpoint<E> {
    type Output = E::Output;

    async fn call(&self, req: Request) -> poem::Result<E::Output> {
        let length = req
            .uri()
            .path_and_query()
            .map_or(0, |path| path.as_str().len());
        if length > MAX_URI_BYTES {
            return Err(ApiError::new(
                ErrorCode::UriTooLong,
                format!(
                    "The request URI has {length} bytes; at most {MAX_URI_BYTES} are accepted."
                ),
            )
            .into());
        }
        self.inner.call(req).await
    }
}
