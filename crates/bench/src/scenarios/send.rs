//! `send`: N users in M chats, C concurrent senders for T seconds; optionally the
//! database's own single-insert rate (pgbench) at the same concurrency as a baseline.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use crate::baseline::{self, Baseline};
use crate::cpu::{CpuSnapshot, CpuUsage};
use crate::progress;
use crate::report::Section;
use crate::scenarios::ScenarioError;
use crate::scenarios::load::{self, Load};
use crate::setup::{self, Run};
use crate::stats::{LatencySummary, rate};

/// Options of the `send` scenario.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct SendArgs {
    /// Users to register.
    #[arg(long, default_value_t = 64)]
    pub(crate) users: usize,
    /// Chats to create: half direct, half groups (`--chats 1`: one hot group chat of
    /// `--group-size` members that every sender writes into).
    #[arg(long, default_value_t = 32)]
    pub(crate) chats: usize,
    /// Members per group chat.
    #[arg(long, default_value_t = 8)]
    pub(crate) group_size: usize,
    /// Concurrent senders (each waits for its answer before sending again).
    #[arg(long, short = 'c', default_value_t = 32)]
    pub(crate) concurrency: usize,
    /// Seconds to send for.
    #[arg(long, short = 't', default_value_t = 10)]
    pub(crate) duration: u64,
    /// PostgreSQL URL of a scratch database for the pgbench baseline (not confab's own).
    #[arg(long)]
    pub(crate) pg_url: Option<String>,
}

#[derive(Serialize)]
struct SendFigures {
    users: usize,
    chats: usize,
    concurrency: usize,
    duration_secs: f64,
    sends: u64,
    sends_per_sec: f64,
    latency: LatencySummary,
    errors: std::collections::BTreeMap<String, u64>,
    baseline: Option<Baseline>,
    ratio_to_baseline: Option<f64>,
    cpu: CpuUsage,
}

/// Runs the scenario.
pub(crate) async fn run(run: &Run, args: &SendArgs) -> Result<Section, ScenarioError> {
    let users = run.register("s", args.users, 8).await?;
    let memberships = setup::create_chats(run, &users, args.chats, args.group_size).await?;
    let load = Load {
        users: Arc::new(users),
        memberships: Arc::new(memberships),
        concurrency: args.concurrency,
        duration: Duration::from_secs(args.duration),
        phase: "send",
    };
    let bar = progress::Timed::start("send", load.duration);
    let cpu = CpuSnapshot::take(run.server_pid);
    let result = load::run(run, &load, bar.ops()).await;
    let cpu = cpu.usage(result.sends);
    bar.finish();
    let sends_per_sec = rate(result.sends, result.elapsed);
    let baseline = match &args.pg_url {
        Some(url) => {
            let bar = progress::Timed::start("pgbench", load.duration);
            let measured = baseline::pgbench(url, args.concurrency, args.duration, &run.id).await;
            bar.finish();
            Some(measured?)
        }
        None => None,
    };
    let ratio = baseline
        .as_ref()
        .filter(|b| b.tps > 0.0)
        .map(|b| (sends_per_sec / b.tps * 100.0).round() / 100.0);
    let figures = SendFigures {
        users: args.users,
        chats: args.chats,
        concurrency: args.concurrency,
        duration_secs: result.elapsed.as_secs_f64(),
        sends: result.sends,
        sends_per_sec,
        latency: result.latencies.summary(),
        errors: result.errors.clone(),
        baseline: baseline.clone(),
        ratio_to_baseline: ratio,
        cpu,
    };
    let mut section = Section::new("send", &figures, result.error_count())
        .row(
            "users / chats / c",
            format!("{} / {} / {}", args.users, args.chats, args.concurrency),
        )
        .row("sends", result.sends)
        .row("sends/s", sends_per_sec)
        .latency("send latency", &figures.latency)
        .errors(&result.errors)
        .cpu("CPU during sends", &cpu);
    if let Some(b) = &baseline {
        section = section
            .row("pgbench insert tps", b.tps)
            .row("pgbench latency avg", format!("{:.2} ms", b.latency_avg_ms))
            .row(
                "confab ÷ pgbench",
                ratio.map_or("-".to_owned(), |r| r.to_string()),
            );
    } else {
        section = section.row("pgbench baseline", "not run (no --pg-url)");
    }
    Ok(section)
}
