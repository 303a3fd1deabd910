//! Caps request bodies (1 MiB, docs/api.md) before any handler reads them: a declared
//! `Content-Length` over the cap is refused at once, a chunked body is read up to it.
//! Uploads are the one exception: their route streams the body and counts it against
//! the upload limit itself.

use poem::error::ReadBodyError;
use poem::http::{Method, header};
use poem::{Endpoint, Middleware, Request};

use crate::error::{ApiError, ErrorCode};

/// The largest request body the API accepts.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Refuses bodies larger than the limit with `413 payload_too_large`.
pub struct BodyLimit {
    max_bytes: usize,
    except: Option<(Method, &'static str)>,
}

impl BodyLimit {
    /// A limit of `max_bytes`.
    pub const fn new(max_bytes: usize) -> Self {
        Self {
            max_bytes,
            except: None,
        }
    }

    /// Leaves the body of `method path` alone: its handler limits it.
    #[must_use]
    pub fn except(mut self, method: Method, path: &'static str) -> Self {
        self.except = Some((method, path));
        self
    }
}

impl<E: Endpoint> Middleware<E> for BodyLimit {
    type Output = BodyLimitEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        BodyLimitEndpoint {
            inner,
            max_bytes: self.max_bytes,
            except: self.except.clone(),
        }
    }
}

/// The endpoint made by [`BodyLimit`].
pub struct BodyLimitEndpoint<E> {
    inner: E,
    max_bytes: usize,
    except: Option<(Method, &'static str)>,
}

fn too_large() -> ApiError {
    ApiError::new(
        ErrorCode::PayloadTooLarge,
        "The request body exceeds 1 MiB.",
    )
}

impl<E: Endpoint> Endpoint for BodyLimitEndpoint<E> {
    type Output = E::Output;

    async fn call(&self, mut req: Request) -> poem::Result<E::Output> {
        if let Some((method, path)) = &self.except
            && req.method() == method
            && req.uri().path() == *path
        {
            return self.inner.call(req).await;
        }
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        match declared {
            Some(length) if length > self.max_bytes as u64 => return Err(too_large().into()),
            // Without a declared length (chunked), read up to the cap to find out.
            None if req.headers().contains_key(header::TRANSFER_ENCODING) => {
                let bytes = req
                    .take_body()
                    .into_bytes_limit(self.max_bytes)
                    .await
                    .map_err(|error| match error {
                        ReadBodyError::PayloadTooLarge => poem::Error::from(too_large()),
                        other => other.into(),
                    })?;
                req.set_body(bytes);
            }
            _ => {}
        }
        self.inner.call(req).await
    }
}
