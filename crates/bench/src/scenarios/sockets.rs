//! `sockets`: K idle authenticated WebSockets; the server's resident memory before,
//! while they are open and some seconds after they close (from /proc/<pid>/status),
//! and so its cost per socket and how much of it the server gives back.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use futures_util::{StreamExt, stream};
use serde::Serialize;

use crate::cpu::{CpuSnapshot, CpuUsage};
use crate::progress;
use crate::report::Section;
use crate::scenarios::ScenarioError;
use crate::setup::Run;
use crate::stats::{Latencies, LatencySummary, rate};
use crate::ws::{self, Socket};

/// Options of the `sockets` scenario.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct SocketsArgs {
    /// Sockets to open and hold.
    #[arg(long, short = 'k', default_value_t = 10_000)]
    pub(crate) count: usize,
    /// Users the sockets are spread over (each user holds count ÷ users sockets).
    #[arg(long, default_value_t = 100)]
    pub(crate) users: usize,
    /// Concurrent connects.
    #[arg(long, default_value_t = 64)]
    pub(crate) concurrency: usize,
    /// Seconds to hold the sockets idle before measuring.
    #[arg(long, default_value_t = 3)]
    pub(crate) hold: u64,
    /// Seconds to wait after closing the sockets before measuring what memory came back.
    #[arg(long, default_value_t = 10)]
    pub(crate) settle: u64,
}

#[derive(Serialize)]
struct SocketFigures {
    sockets_requested: usize,
    sockets_open: u64,
    connects_per_sec: f64,
    connect_latency: LatencySummary,
    rss_before_kib: Option<u64>,
    rss_after_kib: Option<u64>,
    rss_after_close_kib: Option<u64>,
    bytes_per_socket: Option<u64>,
    open_files_limit: u64,
    server_open_files_limit: Option<u64>,
    errors: BTreeMap<String, u64>,
    cpu: CpuUsage,
}

/// Runs the scenario.
pub(crate) async fn run(run: &Run, args: &SocketsArgs) -> Result<Section, ScenarioError> {
    // Each socket is a file descriptor here too; the soft limit is often 1024.
    let limit = rlimit::increase_nofile_limit(args.count as u64 + 256).unwrap_or(0);
    let users = run
        .register("k", args.users.clamp(1, args.count.max(1)), 8)
        .await?;
    let rss_before = run.server_pid.and_then(rss_kib);
    let bar = progress::counter("sockets: open", args.count as u64);
    let started = Instant::now();
    let cpu = CpuSnapshot::take(run.server_pid);
    let opened: Vec<(Result<Socket, ws::WsError>, Duration)> = stream::iter(0..args.count)
        .map(|i| {
            let (url, token, bar) = (
                run.ws_url.clone(),
                users[i % users.len()].token.clone(),
                bar.clone(),
            );
            async move {
                let began = Instant::now();
                let socket = ws::connect(&url, &token).await;
                bar.inc(1);
                (socket, began.elapsed())
            }
        })
        .buffer_unordered(args.concurrency.max(1))
        .collect()
        .await;
    let elapsed = started.elapsed();
    let cpu = cpu.usage(opened.len() as u64);
    bar.finish_and_clear();
    let (mut sockets, mut latencies, mut errors) = (Vec::new(), Latencies::new(), BTreeMap::new());
    for (result, latency) in opened {
        match result {
            Ok(socket) => {
                latencies.record(latency);
                sockets.push(socket);
            }
            Err(e) => *errors.entry(error_label(&e)).or_default() += 1,
        }
    }
    tokio::time::sleep(Duration::from_secs(args.hold)).await;
    let rss_after = run.server_pid.and_then(rss_kib);
    let open = sockets.len() as u64;
    let per_socket = match (rss_before, rss_after) {
        (Some(before), Some(after)) if open > 0 => Some(after.saturating_sub(before) * 1024 / open),
        _ => None,
    };
    drop(sockets);
    // The server sees the closes as they arrive; the settle time lets it drop each
    // socket's task and lets the allocator hand freed pages back to the kernel.
    tokio::time::sleep(Duration::from_secs(args.settle)).await;
    let rss_after_close = run.server_pid.and_then(rss_kib);
    let figures = SocketFigures {
        sockets_requested: args.count,
        sockets_open: open,
        connects_per_sec: rate(open, elapsed),
        connect_latency: latencies.summary(),
        rss_before_kib: rss_before,
        rss_after_kib: rss_after,
        rss_after_close_kib: rss_after_close,
        bytes_per_socket: per_socket,
        open_files_limit: limit,
        server_open_files_limit: run.server_pid.and_then(open_files_limit),
        errors: errors.clone(),
        cpu,
    };
    let kib = |v: Option<u64>| {
        v.map_or("not measured (no --server-pid)".to_owned(), |k| {
            format!("{k} KiB")
        })
    };
    Ok(Section::new("sockets", &figures, errors.values().sum())
        .row(
            "sockets open / requested",
            format!("{open} / {}", args.count),
        )
        .row("connects/s", figures.connects_per_sec)
        .latency("connect + ready", &figures.connect_latency)
        .row("server RSS before", kib(rss_before))
        .row("server RSS after", kib(rss_after))
        .row(
            &format!("server RSS {} s after closing", args.settle),
            kib(rss_after_close),
        )
        .row(
            "open files: harness / server",
            format!(
                "{limit} / {}",
                figures
                    .server_open_files_limit
                    .map_or("?".to_owned(), |l| l.to_string())
            ),
        )
        .row(
            "bytes per socket",
            per_socket.map_or("not measured".to_owned(), |b| b.to_string()),
        )
        .errors(&errors)
        .cpu("CPU while connecting", &cpu))
}

/// Groups socket errors coarsely: the full text holds addresses and ports.
fn error_label(error: &ws::WsError) -> String {
    match error {
        ws::WsError::Protocol(e) => {
            format!("ws: {}", e.to_string().chars().take(60).collect::<String>())
        }
        other => other.to_string(),
    }
}

/// `VmRSS` of a process in KiB, from /proc/<pid>/status.
pub(crate) fn rss_kib(pid: u32) -> Option<u64> {
    status_kib(pid, "VmRSS:")
}

/// `VmHWM` of a process in KiB: the most resident memory it has had since it started.
pub(crate) fn peak_rss_kib(pid: u32) -> Option<u64> {
    status_kib(pid, "VmHWM:")
}

fn status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    parse_kib(&status, field)
}

/// The soft `Max open files` of a process, from /proc/<pid>/limits: the server needs
/// one descriptor per socket too, and a low limit shows up as refused connects.
fn open_files_limit(pid: u32) -> Option<u64> {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).ok()?;
    limits
        .lines()
        .find_map(|line| line.strip_prefix("Max open files"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|soft| soft.parse().ok())
}

fn parse_kib(status: &str, field: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_vmrss_in_kib() {
        let status = "Name:\tconfab\nVmPeak:\t  900 kB\nVmHWM:\t   20000 kB\nVmRSS:\t   12345 kB\n";
        assert_eq!(parse_kib(status, "VmRSS:"), Some(12345));
        assert_eq!(parse_kib(status, "VmHWM:"), Some(20000));
        assert_eq!(parse_kib("Name:\tx\n", "VmRSS:"), None);
    }

    #[test]
    fn this_process_has_an_rss_and_a_files_limit() {
        assert!(rss_kib(std::process::id()).is_some_and(|kib| kib > 0));
        assert!(peak_rss_kib(std::process::id()).is_some_and(|kib| kib > 0));
        assert!(open_files_limit(std::process::id()).is_some_and(|n| n > 0));
    }
}
