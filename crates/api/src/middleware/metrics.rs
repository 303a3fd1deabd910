//! Prometheus metrics of the HTTP edge: `http_requests_total{method,route,status}`
//! and the `http_request_duration_seconds` histogram. Every label comes from a
//! closed set, so no client can mint new series: the route is the template (never
//! the raw path), the method one of the nine standard ones or `other`, the status
//! one the server itself chose.

use std::sync::Arc;
use std::time::Instant;

use poem::{Endpoint, IntoResponse, Middleware, Request, Response};

use super::routes::RouteTable;

/// Counter of answered requests.
pub const HTTP_REQUESTS_TOTAL: &str = "http_requests_total";
/// Histogram of request latency in seconds.
pub const HTTP_REQUEST_DURATION_SECONDS: &str = "http_request_duration_seconds";
/// Gauge of open WebSocket connections (maintained by the gateway).
pub const WS_OPEN_SOCKETS: &str = "ws_open_sockets";
/// Counter of reads of a chat's log by sockets filling a hole in what the bus
/// delivered (maintained by the gateway). Steady growth means the bus loses or
/// reorders events faster than sockets can wait for them.
pub const WS_LOG_READS_TOTAL: &str = "ws_log_reads_total";

/// The route label for paths that match no route.
const UNMATCHED: &str = "unmatched";

/// The method label: the standard methods by name, any other token `other` (each
/// made-up method used to become a series of its own).
fn method_label(method: &poem::http::Method) -> &'static str {
    match method.as_str() {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        "TRACE" => "TRACE",
        "CONNECT" => "CONNECT",
        _ => "other",
    }
}

/// Records request count and latency per route template.
pub struct HttpMetrics {
    routes: Arc<RouteTable>,
}

impl HttpMetrics {
    /// Labels requests with the templates of `routes`.
    pub fn new(routes: Arc<RouteTable>) -> Self {
        Self { routes }
    }
}

impl<E: Endpoint> Middleware<E> for HttpMetrics {
    type Output = HttpMetricsEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        HttpMetricsEndpoint {
            inner,
            routes: Arc::clone(&self.routes),
        }
    }
}

/// The endpoint made by [`HttpMetrics`].
pub struct HttpMetricsEndpoint<E> {
    inner: E,
    routes: Arc<RouteTable>,
}

impl<E: Endpoint> Endpoint for HttpMetricsEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        let method = method_label(req.method());
        let route = self
            .routes
            .template(req.uri().path())
            .unwrap_or(UNMATCHED)
            .to_owned();
        let started = Instant::now();
        let response = match self.inner.call(req).await {
            Ok(output) => output.into_response(),
            Err(error) => error.into_response(),
        };
        let status = response.status().as_u16().to_string();
        metrics::histogram!(
            HTTP_REQUEST_DURATION_SECONDS,
            "method" => method,
            "route" => route.clone(),
        )
        .record(started.elapsed().as_secs_f64());
        metrics::counter!(
            HTTP_REQUESTS_TOTAL,
            "method" => method,
            "route" => route,
            "status" => status,
        )
        .increment(1);
        Ok(response)
    }
}

#[cfg(test)]
mod tests {
    use poem::http::Method;

    use super::method_label;

    #[test]
    fn standard_methods_keep_their_names_and_the_rest_is_other() {
        assert_eq!(method_label(&Method::PATCH), "PATCH");
        assert_eq!(method_label(&Method::CONNECT), "CONNECT");
        for made_up in ["BREW", "get", "PROPFIND"] {
            let method = Method::from_bytes(made_up.as_bytes()).expect("a token");
            assert_eq!(method_label(&method), "other", "{made_up}");
        }
    }
}
