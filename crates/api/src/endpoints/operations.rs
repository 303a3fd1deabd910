//! Operations at the root, without a token: liveness, readiness and metrics.
//! (`/docs` and `/openapi.json` are mounted by `app.rs`.)

use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{ApiResponse, Object, OpenApi, Tags as DeriveTags};

use crate::error::{ApiError, ErrorCode};
use crate::state::Operations;

#[derive(DeriveTags)]
enum ApiTags {
    /// Health, readiness and metrics for operators.
    Operations,
}

/// A short status report.
#[derive(Debug, Object)]
pub struct Status {
    /// `ok`.
    pub status: String,
}

impl Status {
    fn ok() -> Json<Self> {
        Json(Self {
            status: "ok".to_owned(),
        })
    }
}

/// `/ready`: 200, or 503 in the error shape.
#[derive(ApiResponse)]
pub enum Readiness {
    /// The database answers.
    #[oai(status = 200)]
    Ready(Json<Status>),
    /// The database does not answer (`service_unavailable`).
    #[oai(status = 503)]
    Unavailable(Json<crate::error::ErrorBody>),
}

/// `/health`: always 200 while the process runs.
#[derive(ApiResponse)]
pub enum Health {
    /// The process runs.
    #[oai(status = 200)]
    Alive(Json<Status>),
}

/// `/metrics`.
#[derive(ApiResponse)]
pub enum Metrics {
    /// Prometheus text exposition format.
    #[oai(status = 200)]
    Text(PlainText<String>),
}

/// The operations endpoints.
pub struct OperationsApi {
    operations: Operations,
}

impl OperationsApi {
    /// Serves the readiness probe and metrics renderer in `operations`.
    pub fn new(operations: Operations) -> Self {
        Self { operations }
    }
}

// poem-openapi handlers must be `async` even when they do not await.
#[allow(clippy::unused_async)]
#[OpenApi(tag = "ApiTags::Operations")]
impl OperationsApi {
    /// Liveness
    ///
    /// 200 while the process runs.
    #[oai(path = "/health", method = "get", operation_id = "getHealth")]
    async fn health(&self) -> Health {
        Health::Alive(Status::ok())
    }

    /// Readiness
    ///
    /// 200 when the database answers, else 503.
    #[oai(path = "/ready", method = "get", operation_id = "getReadiness")]
    async fn ready(&self) -> Readiness {
        if (self.operations.readiness)().await {
            Readiness::Ready(Status::ok())
        } else {
            tracing::warn!("readiness check failed: the database does not answer");
            let error = ApiError::new(
                ErrorCode::ServiceUnavailable,
                "The database does not answer.",
            );
            Readiness::Unavailable(Json(error.body()))
        }
    }

    /// Prometheus metrics
    ///
    /// Text exposition: `http_requests_total{method,route,status}`,
    /// `http_request_duration_seconds`, `ws_open_sockets`, `events_published_total`.
    #[oai(path = "/metrics", method = "get", operation_id = "getMetrics")]
    async fn metrics(&self) -> Metrics {
        Metrics::Text(PlainText((self.operations.metrics)()))
    }
}
