//! CPU time of the harness and the server over a measured phase, from /proc: on a
//! small machine both share the cores, and that bounds most figures.

use std::time::Instant;

use serde::Serialize;

/// Linux reports process times in clock ticks of 1/100 s (`USER_HZ`, fixed by the ABI).
const TICKS_PER_SEC: f64 = 100.0;

/// CPU counters at the start of a phase.
pub(crate) struct CpuSnapshot {
    at: Instant,
    harness: Option<u64>,
    server: Option<(u32, u64)>,
}

/// CPU seconds used during a phase, beside its wall-clock length and the operations
/// the phase completed, so that the server's cost per operation can be compared
/// across builds whatever the throughput was.
#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct CpuUsage {
    /// Wall-clock seconds.
    pub(crate) wall_secs: f64,
    /// CPU seconds of confab-bench itself.
    pub(crate) harness_cpu_secs: Option<f64>,
    /// CPU seconds of the server process (`--server-pid`).
    pub(crate) server_cpu_secs: Option<f64>,
    /// Operations (sends, pages, logins, connects) completed in the phase.
    pub(crate) ops: u64,
    /// Server CPU milliseconds per operation (the clock ticks are 10 ms, so a
    /// phase needs a few hundred operations for this to mean something).
    pub(crate) server_cpu_ms_per_op: Option<f64>,
}

impl CpuSnapshot {
    /// Reads the counters now.
    pub(crate) fn take(server_pid: Option<u32>) -> Self {
        Self {
            at: Instant::now(),
            harness: ticks(std::process::id()),
            server: server_pid.and_then(|pid| ticks(pid).map(|t| (pid, t))),
        }
    }

    /// CPU used since the snapshot, by a phase that completed `ops` operations.
    pub(crate) fn usage(&self, ops: u64) -> CpuUsage {
        let secs = |before: u64, after: Option<u64>| {
            after.map(|a| {
                round(
                    f64::from(u32::try_from(a.saturating_sub(before)).unwrap_or(u32::MAX))
                        / TICKS_PER_SEC,
                )
            })
        };
        let server_cpu_secs = self.server.and_then(|(pid, b)| secs(b, ticks(pid)));
        CpuUsage {
            wall_secs: round(self.at.elapsed().as_secs_f64()),
            harness_cpu_secs: self
                .harness
                .and_then(|b| secs(b, ticks(std::process::id()))),
            server_cpu_secs,
            ops,
            server_cpu_ms_per_op: server_cpu_secs.and_then(|s| per_op_ms(s, ops)),
        }
    }
}

/// Milliseconds per operation, to three decimals; `None` for a phase without operations.
fn per_op_ms(cpu_secs: f64, ops: u64) -> Option<f64> {
    (ops > 0).then(|| {
        // Counts stay far below 2^52, so the conversion is exact.
        #[allow(clippy::cast_precision_loss)]
        let ops = ops as f64;
        (cpu_secs * 1000.0 / ops * 1000.0).round() / 1000.0
    })
}

impl CpuUsage {
    /// `harness 1.2 s, server 8.4 s (0.840 ms/op) in 10.0 s wall` for the table.
    pub(crate) fn describe(&self) -> String {
        let show = |v: Option<f64>| v.map_or("?".to_owned(), |s| format!("{s:.1} s"));
        let per_op = self
            .server_cpu_ms_per_op
            .map_or(String::new(), |ms| format!(" ({ms:.3} ms/op)"));
        format!(
            "harness {}, server {}{per_op} in {:.1} s wall",
            show(self.harness_cpu_secs),
            show(self.server_cpu_secs),
            self.wall_secs
        )
    }
}

fn round(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// utime + stime of a process, in ticks, from /proc/<pid>/stat.
fn ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_ticks(&stat)
}

fn parse_ticks(stat: &str) -> Option<u64> {
    // The command name (field 2) may hold spaces; the fields after its `)` are fixed.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After the `)`: state is field 3 of the whole line, so utime (14) and stime (15)
    // are at indexes 11 and 12 here.
    let user: u64 = fields.get(11)?.parse().ok()?;
    let system: u64 = fields.get(12)?.parse().ok()?;
    Some(user + system)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_utime_and_stime_even_with_spaces_in_the_name() {
        let stat = "4242 (tokio rt) S 1 2 3 4 5 6 7 8 9 10 150 25 0 0 20 0 4 0";
        assert_eq!(parse_ticks(stat), Some(175));
    }

    #[test]
    fn this_process_burns_measurable_cpu() {
        let snapshot = CpuSnapshot::take(Some(std::process::id()));
        let mut x = 0u64;
        for i in 0..30_000_000u64 {
            x = x.wrapping_mul(31).wrapping_add(i);
        }
        assert_ne!(x, 1);
        let usage = snapshot.usage(4);
        assert!(usage.harness_cpu_secs.is_some());
        assert!(usage.server_cpu_secs.is_some());
        assert!(usage.server_cpu_ms_per_op.is_some());
        assert!(usage.wall_secs > 0.0);
    }

    #[test]
    fn cost_per_operation_is_server_time_over_operations() {
        assert_eq!(per_op_ms(8.4, 10_000), Some(0.84));
        assert_eq!(per_op_ms(1.0, 3), Some(333.333));
        assert_eq!(per_op_ms(1.0, 0), None);
    }
}
