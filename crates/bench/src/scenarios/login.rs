//! `login`: the `send` load alone, then the same load beside a login storm of C
//! concurrent clients; logins/s and the sends' p99 with and without the storm.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rand::Rng;
use serde::Serialize;

use crate::client::Account;
use crate::cpu::{CpuSnapshot, CpuUsage};
use crate::progress;
use crate::report::Section;
use crate::scenarios::ScenarioError;
use crate::scenarios::load::{self, Load};
use crate::setup::{self, Run};
use crate::stats::{Latencies, LatencySummary, rate};

/// Options of the `login` scenario.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct LoginArgs {
    /// Concurrent login clients in the storm.
    #[arg(long, short = 'c', default_value_t = 32)]
    pub(crate) concurrency: usize,
    /// Concurrent senders of the background load.
    #[arg(long, default_value_t = 32)]
    pub(crate) send_concurrency: usize,
    /// Users (they also log in) and chats of the background load.
    #[arg(long, default_value_t = 64)]
    pub(crate) users: usize,
    /// Chats of the background load.
    #[arg(long, default_value_t = 32)]
    pub(crate) chats: usize,
    /// Seconds of each phase (load alone, load with storm).
    #[arg(long, short = 't', default_value_t = 10)]
    pub(crate) duration: u64,
}

#[derive(Serialize)]
struct LoginFigures {
    login_concurrency: usize,
    send_concurrency: usize,
    logins: u64,
    logins_per_sec: f64,
    login_latency: LatencySummary,
    sends_alone: LatencySummary,
    sends_alone_per_sec: f64,
    sends_with_logins: LatencySummary,
    sends_with_logins_per_sec: f64,
    p99_ratio: Option<f64>,
    errors: BTreeMap<String, u64>,
    cpu_alone: CpuUsage,
    cpu_with_logins: CpuUsage,
}

/// Runs the scenario.
pub(crate) async fn run(run: &Run, args: &LoginArgs) -> Result<Section, ScenarioError> {
    let users = Arc::new(run.register("l", args.users, 8).await?);
    let memberships = setup::create_chats(run, &users, args.chats, 8).await?;
    let mut load = Load {
        users: Arc::clone(&users),
        memberships: Arc::new(memberships),
        concurrency: args.send_concurrency,
        duration: Duration::from_secs(args.duration),
        phase: "alone",
    };
    let bar = progress::Timed::start("login: sends only", load.duration);
    let cpu = CpuSnapshot::take(run.server_pid);
    let alone = load::run(run, &load, bar.ops()).await;
    let cpu_alone = cpu.usage(alone.sends);
    bar.finish();

    load.phase = "storm";
    let bar = progress::Timed::start("login: with storm", load.duration);
    let cpu = CpuSnapshot::take(run.server_pid);
    let storm = storm(run, &users, args.concurrency, load.duration);
    let (beside, (logins, login_latency, login_errors)) =
        tokio::join!(load::run(run, &load, bar.ops()), storm);
    // Sends and logins both count: the figure is the server's cost per request.
    let cpu_storm = cpu.usage(beside.sends + logins);
    bar.finish();

    let mut errors = alone.errors.clone();
    for (label, count) in beside
        .errors
        .iter()
        .map(|(l, c)| (l.clone(), *c))
        .chain(login_errors)
    {
        *errors.entry(label).or_default() += count;
    }
    let (a, b) = (alone.latencies.summary(), beside.latencies.summary());
    let figures = LoginFigures {
        login_concurrency: args.concurrency,
        send_concurrency: args.send_concurrency,
        logins,
        logins_per_sec: rate(logins, beside.elapsed),
        login_latency: login_latency.summary(),
        sends_alone: a,
        sends_alone_per_sec: rate(alone.sends, alone.elapsed),
        sends_with_logins: b,
        sends_with_logins_per_sec: rate(beside.sends, beside.elapsed),
        p99_ratio: (a.p99_ms > 0.0).then(|| (b.p99_ms / a.p99_ms * 100.0).round() / 100.0),
        errors: errors.clone(),
        cpu_alone,
        cpu_with_logins: cpu_storm,
    };
    let failures = errors.values().sum();
    Ok(Section::new("login", &figures, failures)
        .row(
            "login clients / senders",
            format!("{} / {}", args.concurrency, args.send_concurrency),
        )
        .row("logins/s", figures.logins_per_sec)
        .latency("login latency", &figures.login_latency)
        .row(
            "sends/s alone / with logins",
            format!(
                "{} / {}",
                figures.sends_alone_per_sec, figures.sends_with_logins_per_sec
            ),
        )
        .latency("send, alone", &a)
        .latency("send, with logins", &b)
        .row(
            "send p99 with ÷ without",
            figures.p99_ratio.map_or("-".to_owned(), |r| r.to_string()),
        )
        .errors(&errors)
        .cpu("CPU, sends alone", &cpu_alone)
        .cpu("CPU, with logins", &cpu_storm))
}

/// `clients` tasks logging in as random users until `duration` is up.
async fn storm(
    run: &Run,
    users: &Arc<Vec<Account>>,
    clients: usize,
    duration: Duration,
) -> (u64, Latencies, BTreeMap<String, u64>) {
    let deadline = Instant::now() + duration;
    let logins = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for client in 0..clients {
        let (api, users, logins) = (run.api.clone(), Arc::clone(users), Arc::clone(&logins));
        let mut rng = run.rng(3000 + client as u64);
        tasks.push(tokio::spawn(async move {
            let (mut latencies, mut errors) = (Latencies::new(), BTreeMap::<String, u64>::new());
            while Instant::now() < deadline {
                let user = &users[rng.random_range(0..users.len())];
                let began = Instant::now();
                match api.login(&user.username).await {
                    Ok(_) => {
                        latencies.record(began.elapsed());
                        logins.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) => *errors.entry(format!("login {}", e.label())).or_default() += 1,
                }
            }
            (latencies, errors)
        }));
    }
    let (mut latencies, mut errors) = (Latencies::new(), BTreeMap::new());
    for task in tasks {
        if let Ok((l, e)) = task.await {
            latencies.merge(&l);
            for (label, count) in e {
                *errors.entry(label).or_default() += count;
            }
        }
    }
    (logins.load(Ordering::Relaxed), latencies, errors)
}
