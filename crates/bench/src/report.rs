//! What a scenario hands back, and the two ways of printing it: a table or JSON.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;
use serde_json::{Value, json};

use crate::cpu::CpuUsage;
use crate::stats::LatencySummary;

/// The outcome of one scenario.
pub(crate) struct Section {
    /// Scenario name (`send`, `history`, ...).
    pub(crate) name: &'static str,
    /// Label/value pairs for the human table, in order.
    pub(crate) rows: Vec<(String, String)>,
    /// Errors and failed checks; a smoke run fails when any section has some.
    pub(crate) failures: u64,
    /// The same figures for machines.
    pub(crate) json: Value,
}

impl Section {
    /// A section whose JSON is `figures` serialized.
    pub(crate) fn new<T: Serialize>(name: &'static str, figures: &T, failures: u64) -> Self {
        Self {
            name,
            rows: Vec::new(),
            failures,
            json: serde_json::to_value(figures).unwrap_or(Value::Null),
        }
    }

    /// Adds a table row.
    // Rows take owned numbers and strings alike; by value keeps the call sites short.
    #[allow(clippy::needless_pass_by_value)]
    pub(crate) fn row(mut self, label: &str, value: impl ToString) -> Self {
        self.rows.push((label.to_owned(), value.to_string()));
        self
    }

    /// Adds a row `count p50 / p90 / p99 / max` for a latency distribution.
    pub(crate) fn latency(self, label: &str, summary: &LatencySummary) -> Self {
        self.row(label, format_latency(summary))
    }

    /// Adds a row with the CPU time harness and server used in a phase.
    pub(crate) fn cpu(self, label: &str, usage: &CpuUsage) -> Self {
        self.row(label, usage.describe())
    }

    /// Adds one row per error label, or `errors: 0`.
    pub(crate) fn errors(self, errors: &BTreeMap<String, u64>) -> Self {
        if errors.is_empty() {
            return self.row("errors", 0);
        }
        errors.iter().fold(self, |section, (label, count)| {
            section.row(&format!("errors: {label}"), count)
        })
    }
}

/// `n=1234  p50 1.20  p90 2.00  p99 4.10  max 9.00 ms`.
pub(crate) fn format_latency(summary: &LatencySummary) -> String {
    format!(
        "n={}  p50 {:.2}  p90 {:.2}  p99 {:.2}  max {:.2} ms",
        summary.count, summary.p50_ms, summary.p90_ms, summary.p99_ms, summary.max_ms
    )
}

/// The machine the harness ran on, for the record.
#[derive(Debug, Serialize)]
pub(crate) struct Machine {
    /// Logical CPUs.
    pub(crate) cpus: usize,
    /// `model name` from /proc/cpuinfo.
    pub(crate) cpu_model: String,
    /// `MemTotal` from /proc/meminfo.
    pub(crate) memory: String,
}

impl Machine {
    /// Reads the machine description; unknown fields stay `unknown`.
    pub(crate) fn detect() -> Self {
        let cpus = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        Self {
            cpus,
            cpu_model: proc_field("/proc/cpuinfo", "model name"),
            memory: proc_field("/proc/meminfo", "MemTotal"),
        }
    }
}

fn proc_field(path: &str, key: &str) -> String {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|line| line.starts_with(key))
                .and_then(|line| line.split_once(':'))
                .map(|(_, value)| value.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Renders sections as an aligned text table.
pub(crate) fn table(header: &str, sections: &[Section]) -> String {
    let width = sections
        .iter()
        .flat_map(|s| s.rows.iter().map(|(label, _)| label.len()))
        .max()
        .unwrap_or(10);
    let mut out = format!("{header}\n");
    for section in sections {
        let _ = writeln!(out, "\n== {} ==", section.name);
        for (label, value) in &section.rows {
            let _ = writeln!(out, "  {label:<width$}  {value}");
        }
    }
    out
}

/// Renders sections as one JSON document.
pub(crate) fn to_json(run: &Value, sections: &[Section]) -> Value {
    let scenarios: serde_json::Map<String, Value> = sections
        .iter()
        .map(|s| {
            let mut value = s.json.clone();
            if let Value::Object(map) = &mut value {
                map.insert("failures".to_owned(), json!(s.failures));
            }
            (s.name.to_owned(), value)
        })
        .collect();
    json!({"run": run, "scenarios": scenarios})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_labels_and_lists_every_row() {
        let section = Section::new("send", &json!({}), 0)
            .row("sends/s", 12.5)
            .row("errors", 0);
        let text = table("run x", &[section]);
        assert!(text.contains("== send =="));
        assert!(text.contains("  sends/s  12.5"));
        assert!(text.contains("  errors   0"));
    }

    #[test]
    fn json_carries_failures_per_scenario() {
        let section = Section::new("fanout", &json!({"missing": 2}), 2);
        let doc = to_json(&json!({"seed": 1}), &[section]);
        assert_eq!(doc["scenarios"]["fanout"]["failures"], 2);
        assert_eq!(doc["scenarios"]["fanout"]["missing"], 2);
    }
}
