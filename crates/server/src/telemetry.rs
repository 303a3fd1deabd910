//! Logs and metrics: one tracing subscriber per process (text or JSON lines, filtered
//! by `RUST_LOG`), and one Prometheus recorder per process.

use std::io::IsTerminal;
use std::sync::OnceLock;
use std::time::Duration;

use confab_api::middleware::metrics::{
    HTTP_REQUEST_DURATION_SECONDS, HTTP_REQUESTS_TOTAL, WS_LOG_READS_TOTAL, WS_OPEN_SOCKETS,
};
use confab_application::publish::EVENTS_PUBLISHED_TOTAL;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the global subscriber. A second call (tests start many apps) is a no-op.
pub fn init_tracing(filter: &str, format: LogFormat) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|error| {
        eprintln!("warning: invalid RUST_LOG ({error}); using `info`");
        EnvFilter::new("info")
    });
    // Colours only for a person at a terminal, never into files or log collectors.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    // `try_init` fails only when a subscriber is already set, which is fine.
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// Latency buckets in seconds: 1 ms to 10 s.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

static METRICS: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process-wide Prometheus handle, installing the recorder on first use.
/// `None` if another recorder was installed first (metrics are then not exported).
pub fn metrics_handle() -> Option<PrometheusHandle> {
    METRICS.get_or_init(install_metrics).clone()
}

fn install_metrics() -> Option<PrometheusHandle> {
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full(HTTP_REQUEST_DURATION_SECONDS.to_owned()),
            LATENCY_BUCKETS,
        )
        .and_then(PrometheusBuilder::install_recorder);
    let handle = match handle {
        Ok(handle) => handle,
        Err(error) => {
            tracing::warn!(%error, "metrics recorder not installed; /metrics stays empty");
            return None;
        }
    };
    metrics::describe_counter!(HTTP_REQUESTS_TOTAL, "HTTP requests answered");
    metrics::describe_histogram!(
        HTTP_REQUEST_DURATION_SECONDS,
        metrics::Unit::Seconds,
        "HTTP request latency"
    );
    metrics::describe_gauge!(WS_OPEN_SOCKETS, "Open WebSocket connections");
    metrics::describe_counter!(EVENTS_PUBLISHED_TOTAL, "Events published to the bus");
    metrics::describe_counter!(
        WS_LOG_READS_TOTAL,
        "Chat log pages read by sockets to fill holes in what the bus delivered"
    );
    // Registered at zero so the series exist before the first socket or event.
    metrics::gauge!(WS_OPEN_SOCKETS).set(0.0);
    metrics::counter!(EVENTS_PUBLISHED_TOTAL).absolute(0);
    metrics::counter!(WS_LOG_READS_TOTAL).absolute(0);
    // The recorder drains histogram samples only on upkeep: keep memory flat between
    // scrapes with a small background thread for the life of the process.
    let upkeep = handle.clone();
    let spawned = std::thread::Builder::new()
        .name("metrics-upkeep".to_owned())
        .spawn(move || {
            loop {
                std::thread::sleep(Duration::from_secs(5));
                upkeep.run_upkeep();
            }
        });
    if let Err(error) = spawned {
        tracing::warn!(%error, "metrics upkeep thread not started");
    }
    Some(handle)
}
