//! Latency histograms and the summaries printed for every scenario.

use std::time::Duration;

use hdrhistogram::Histogram;
use serde::Serialize;

/// Latencies recorded in microseconds, from 1 µs to one minute, three significant digits.
#[derive(Clone)]
pub(crate) struct Latencies {
    histogram: Histogram<u64>,
}

impl Latencies {
    /// An empty recorder.
    pub(crate) fn new() -> Self {
        // Constant bounds within hdrhistogram's limits: this cannot fail at run time.
        let histogram =
            Histogram::new_with_bounds(1, 60_000_000, 3).expect("constant histogram bounds");
        Self { histogram }
    }

    /// Records one observation; values past the upper bound are clamped to it.
    pub(crate) fn record(&mut self, elapsed: Duration) {
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        self.histogram.saturating_record(micros.max(1));
    }

    /// Adds another recorder's observations to this one.
    pub(crate) fn merge(&mut self, other: &Latencies) {
        // Both share the same bounds, so `add` only fails on impossible inputs;
        // a failure would drop samples, which the count in the summary would show.
        let _ = self.histogram.add(&other.histogram);
    }

    /// Number of observations.
    pub(crate) fn count(&self) -> u64 {
        self.histogram.len()
    }

    /// p50/p90/p99/max in milliseconds.
    pub(crate) fn summary(&self) -> LatencySummary {
        let ms = |micros: u64| micros_to_ms(micros);
        LatencySummary {
            count: self.histogram.len(),
            p50_ms: ms(self.histogram.value_at_quantile(0.50)),
            p90_ms: ms(self.histogram.value_at_quantile(0.90)),
            p99_ms: ms(self.histogram.value_at_quantile(0.99)),
            max_ms: ms(self.histogram.max()),
        }
    }
}

impl Default for Latencies {
    fn default() -> Self {
        Self::new()
    }
}

#[allow(clippy::cast_precision_loss)] // microsecond latencies are far below 2^52
fn micros_to_ms(micros: u64) -> f64 {
    (micros as f64 / 1000.0 * 100.0).round() / 100.0
}

/// Percentiles of one latency distribution, in milliseconds.
#[derive(Debug, Clone, Copy, Serialize, Default)]
pub(crate) struct LatencySummary {
    /// Number of observations.
    pub(crate) count: u64,
    /// Median.
    pub(crate) p50_ms: f64,
    /// 90th percentile.
    pub(crate) p90_ms: f64,
    /// 99th percentile.
    pub(crate) p99_ms: f64,
    /// Slowest observation.
    pub(crate) max_ms: f64,
}

/// Operations per second over a wall-clock interval, rounded to 0.1.
#[allow(clippy::cast_precision_loss)] // counts stay far below 2^52
pub(crate) fn rate(count: u64, elapsed: Duration) -> f64 {
    let secs = elapsed.as_secs_f64();
    if secs <= 0.0 {
        return 0.0;
    }
    (count as f64 / secs * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_follow_the_recorded_values() {
        let mut latencies = Latencies::new();
        for ms in 1..=100 {
            latencies.record(Duration::from_millis(ms));
        }
        let summary = latencies.summary();
        assert_eq!(summary.count, 100);
        assert!((summary.p50_ms - 50.0).abs() < 0.1, "{summary:?}");
        assert!((summary.p99_ms - 99.0).abs() < 0.1, "{summary:?}");
        assert!((summary.max_ms - 100.0).abs() < 0.1, "{summary:?}");
    }

    #[test]
    fn merge_adds_the_other_observations() {
        let mut a = Latencies::new();
        let mut b = Latencies::new();
        a.record(Duration::from_millis(1));
        b.record(Duration::from_millis(2));
        a.merge(&b);
        assert_eq!(a.count(), 2);
    }

    #[test]
    fn rate_is_count_per_second() {
        assert!((rate(500, Duration::from_secs(2)) - 250.0).abs() < f64::EPSILON);
        assert!(rate(5, Duration::ZERO).abs() < f64::EPSILON);
    }
}
