//! Request ids and the access log: every request runs in a span carrying its id
//! (`X-Request-Id` from the client when sane, else a fresh UUIDv7), echoed on the
//! response. Only the path is logged, never the query (it may hold `access_token`).

use std::time::Instant;

use poem::http::HeaderValue;
use poem::{Endpoint, IntoResponse, Middleware, Request, Response};
use tracing::Instrument;

/// The header carrying the request id.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The id of the request being served, for handlers that want to log or echo it.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Assigns request ids and logs one line per request.
#[derive(Debug, Default, Clone, Copy)]
pub struct RequestIds;

impl<E: Endpoint> Middleware<E> for RequestIds {
    type Output = RequestIdsEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        RequestIdsEndpoint { inner }
    }
}

/// The endpoint made by [`RequestIds`].
pub struct RequestIdsEndpoint<E> {
    inner: E,
}

/// A client-supplied id is kept only when it is short, printable ASCII.
fn sane(id: &str) -> bool {
    (1..=128).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_graphic())
}

impl<E: Endpoint> Endpoint for RequestIdsEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> poem::Result<Response> {
        let id = req
            .headers()
            .get(REQUEST_ID_HEADER)
            .and_then(|v| v.to_str().ok())
            .filter(|id| sane(id))
            .map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_owned);
        req.set_data(RequestId(id.clone()));
        let span = tracing::info_span!(
            "request",
            request_id = %id,
            method = %req.method(),
            path = %req.uri().path(),
        );
        let started = Instant::now();
        let result = self.inner.call(req).instrument(span.clone()).await;
        let mut response = match result {
            Ok(output) => output.into_response(),
            Err(error) => error.into_response(),
        };
        span.in_scope(|| {
            tracing::info!(
                status = response.status().as_u16(),
                latency_ms = started.elapsed().as_secs_f64() * 1000.0,
                "request completed"
            );
        });
        if let Ok(value) = HeaderValue::from_str(&id) {
            response.headers_mut().insert(REQUEST_ID_HEADER, value);
        }
        Ok(response)
    }
}
