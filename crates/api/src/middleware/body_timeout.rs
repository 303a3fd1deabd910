//! The body timeout: a request body must arrive whole within a limit (30 s by
//! default) from the moment its head was read, however it trickles. A handler still
//! reading then gets a read error, and the client `408 request_timeout` with
//! `Connection: close` (the rest of that body must not be read as a next request).

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::Stream;
use poem::http::{HeaderValue, header};
use poem::web::headers::HeaderMapExt;
use poem::{Body, Endpoint, IntoResponse, Middleware, Request, Response};
use tokio::time::Sleep;

use crate::error::{ApiError, ErrorCode};

/// Answers `408 request_timeout` to a request whose body is not in within `limit`.
pub struct BodyTimeout {
    limit: Duration,
}

impl BodyTimeout {
    /// A body must arrive within `limit` of its head.
    pub const fn new(limit: Duration) -> Self {
        Self { limit }
    }
}

impl<E: Endpoint> Middleware<E> for BodyTimeout {
    type Output = BodyTimeoutEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        BodyTimeoutEndpoint {
            inner,
            limit: self.limit,
        }
    }
}

/// The endpoint made by [`BodyTimeout`].
pub struct BodyTimeoutEndpoint<E> {
    inner: E,
    limit: Duration,
}

/// Whether the request announces a body (most requests, GETs and the WebSocket
/// upgrade among them, do not, and need no timer).
fn has_body(req: &Request) -> bool {
    let declared = req
        .headers()
        .typed_get::<poem::web::headers::ContentLength>()
        .is_some_and(|length| length.0 > 0);
    declared || req.headers().contains_key(header::TRANSFER_ENCODING)
}

impl<E: Endpoint> Endpoint for BodyTimeoutEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> poem::Result<Response> {
        if !has_body(&req) {
            return self.inner.call(req).await.map(IntoResponse::into_response);
        }
        let expired = Arc::new(AtomicBool::new(false));
        let body = req.take_body().into_bytes_stream();
        req.set_body(Body::from_bytes_stream(WithDeadline {
            inner: Box::pin(body),
            deadline: Box::pin(tokio::time::sleep(self.limit)),
            expired: Arc::clone(&expired),
        }));
        let result = self.inner.call(req).await;
        if expired.load(Ordering::Acquire) {
            let seconds = self.limit.as_secs();
            let mut response = ApiError::new(
                ErrorCode::RequestTimeout,
                format!("The request body did not arrive within {seconds} s."),
            )
            .into_response();
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            return Ok(response);
        }
        result.map(IntoResponse::into_response)
    }
}

/// A body stream that fails once its deadline passes, and records that it did.
struct WithDeadline<S> {
    inner: Pin<Box<S>>,
    deadline: Pin<Box<Sleep>>,
    expired: Arc<AtomicBool>,
}

impl<S: Stream<Item = std::io::Result<T>>, T> Stream for WithDeadline<S> {
    type Item = std::io::Result<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.expired.load(Ordering::Acquire) {
            return Poll::Ready(None);
        }
        // The deadline first: a body that trickles in byte by byte never leaves the
        // inner stream pending, and must still be cut off.
        if self.deadline.as_mut().poll(cx).is_ready() {
            self.expired.store(true, Ordering::Release);
            return Poll::Ready(Some(Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the request body did not arrive in time",
            ))));
        }
        self.inner.as_mut().poll_next(cx)
    }
}
