//! `fanout`: one group, every member connected by WebSocket, S sends/s over HTTP;
//! send→deliver latency across all receivers, and every receiver must get every
//! message exactly once in seq order.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use futures_util::{StreamExt, stream};
use serde::Serialize;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;

use crate::cpu::{CpuSnapshot, CpuUsage};
use crate::progress;
use crate::report::Section;
use crate::scenarios::ScenarioError;
use crate::setup::{Run, SetupError};
use crate::stats::{Latencies, LatencySummary, rate};
use crate::ws::{self, Frame, Socket};

/// Options of the `fanout` scenario.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct FanoutArgs {
    /// Members of the group, each with one socket.
    #[arg(long, default_value_t = 100)]
    pub(crate) members: usize,
    /// Sends per second into the group (open loop: sends do not wait for each other).
    #[arg(long, short = 's', default_value_t = 500)]
    pub(crate) rate: u64,
    /// Seconds to send for.
    #[arg(long, short = 't', default_value_t = 10)]
    pub(crate) duration: u64,
    /// Base URL of a node the members' sockets connect to; repeat it to spread the
    /// sockets round-robin over several nodes. Sends always go to `--url`, so
    /// `--socket-url` of a second node measures delivery across nodes (through Redis).
    /// Default: `--url`.
    #[arg(long = "socket-url", value_parser = parse_socket_url)]
    pub(crate) socket_urls: Vec<String>,
}

/// Socket nodes must be loopback too: the harness never loads a remote machine.
fn parse_socket_url(value: &str) -> Result<String, String> {
    if crate::cli::is_loopback(value) {
        Ok(value.trim_end_matches('/').to_owned())
    } else {
        Err("must be an http:// URL on this machine (localhost, 127.0.0.0/8 or ::1)".to_owned())
    }
}

#[derive(Serialize)]
struct FanoutFigures {
    members: usize,
    send_node: String,
    socket_nodes: Vec<String>,
    target_sends_per_sec: u64,
    sends: u64,
    sends_per_sec: f64,
    send_latency: LatencySummary,
    deliver_latency: LatencySummary,
    deliveries: u64,
    expected_deliveries: u64,
    receivers_incomplete: u64,
    receivers_out_of_order: u64,
    errors: BTreeMap<String, u64>,
    cpu: CpuUsage,
}

/// One received `message.created`: (seq, send index, when).
type Delivery = (i64, usize, Instant);

/// Runs the scenario.
pub(crate) async fn run(run: &Run, args: &FanoutArgs) -> Result<Section, ScenarioError> {
    let users = run.register("f", args.members.max(2), 8).await?;
    let ids: Vec<String> = users[1..].iter().map(|u| u.id.clone()).collect();
    let chat = run
        .api
        .group_chat(&users[0], "bench fanout", &ids)
        .await
        .map_err(|e| SetupError::new("create group", e))?;
    let socket_urls: Vec<String> = if args.socket_urls.is_empty() {
        vec![run.ws_url.clone()]
    } else {
        args.socket_urls.iter().map(|u| ws::socket_url(u)).collect()
    };
    let sockets = connect_members(&users, &socket_urls).await?;

    let total = usize::try_from(args.rate * args.duration).unwrap_or(usize::MAX);
    let starts: Arc<Vec<OnceLock<Instant>>> =
        Arc::new((0..total).map(|_| OnceLock::new()).collect());
    let prefix = format!("{}-f-", run.id);
    let delivered = Arc::new(AtomicU64::new(0));
    let (stop, stopped) = watch::channel(false);
    let readers: Vec<_> = sockets
        .into_iter()
        .map(|socket| {
            tokio::spawn(read(
                socket,
                chat.clone(),
                prefix.clone(),
                Arc::clone(&delivered),
                stopped.clone(),
            ))
        })
        .collect();

    let cpu = CpuSnapshot::take(run.server_pid);
    let bar = progress::Timed::start("fanout: send", Duration::from_secs(args.duration));
    let (sent, send_latency, errors, elapsed) =
        send(run, &users, &chat, &prefix, args, &starts, &bar.ops()).await;
    bar.finish();
    let expected = sent.len() as u64 * users.len() as u64;
    let grace = Instant::now() + Duration::from_secs(10);
    while delivered.load(Ordering::Relaxed) < expected && Instant::now() < grace {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = stop.send(true);
    let cpu = cpu.usage(sent.len() as u64);

    let mut figures = FanoutFigures {
        members: users.len(),
        send_node: run.api.server().to_owned(),
        socket_nodes: socket_urls,
        target_sends_per_sec: args.rate,
        sends: sent.len() as u64,
        sends_per_sec: rate(sent.len() as u64, elapsed),
        send_latency: send_latency.summary(),
        deliver_latency: LatencySummary::default(),
        deliveries: 0,
        expected_deliveries: expected,
        receivers_incomplete: 0,
        receivers_out_of_order: 0,
        errors,
        cpu,
    };
    let mut deliver = Latencies::new();
    for reader in readers {
        let got = reader.await.unwrap_or_default();
        check(&got, &sent, &starts, &mut deliver, &mut figures);
    }
    figures.deliver_latency = deliver.summary();
    let failures = figures.receivers_incomplete
        + figures.receivers_out_of_order
        + figures.errors.values().sum::<u64>();
    Ok(Section::new("fanout", &figures, failures)
        .row("members (sockets)", figures.members)
        .row("sends to", &figures.send_node)
        .row("sockets on", figures.socket_nodes.join(", "))
        .row(
            "sends/s target / achieved",
            format!("{} / {}", args.rate, figures.sends_per_sec),
        )
        .latency("send (HTTP) latency", &figures.send_latency)
        .latency("send→deliver", &figures.deliver_latency)
        .row(
            "deliveries / expected",
            format!("{} / {}", figures.deliveries, expected),
        )
        .row("receivers incomplete", figures.receivers_incomplete)
        .row("receivers out of order", figures.receivers_out_of_order)
        .errors(&figures.errors)
        .cpu("CPU while sending", &cpu))
}

/// Opens one socket per member, spread round-robin over `urls`, 16 at a time.
async fn connect_members(
    users: &[crate::client::Account],
    urls: &[String],
) -> Result<Vec<Socket>, ws::WsError> {
    let bar = progress::counter("fanout: sockets", users.len() as u64);
    let sockets: Vec<Result<Socket, ws::WsError>> = stream::iter(users.iter().enumerate())
        .map(|(i, user)| {
            let bar = bar.clone();
            let url = &urls[i % urls.len()];
            async move {
                let socket = ws::connect(url, &user.token).await;
                bar.inc(1);
                socket
            }
        })
        .buffered(16)
        .collect()
        .await;
    bar.finish_and_clear();
    sockets.into_iter().collect()
}

/// Sends `rate × duration` messages on a fixed schedule, round-robin over the members.
/// Returns the send indexes that succeeded, the HTTP latencies, errors and elapsed time.
async fn send(
    run: &Run,
    users: &[crate::client::Account],
    chat: &str,
    prefix: &str,
    args: &FanoutArgs,
    starts: &Arc<Vec<OnceLock<Instant>>>,
    ops: &Arc<AtomicU64>,
) -> (HashSet<usize>, Latencies, BTreeMap<String, u64>, Duration) {
    let mut interval = tokio::time::interval(
        Duration::from_secs(1) / u32::try_from(args.rate.max(1)).unwrap_or(u32::MAX),
    );
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(starts.len());
    for i in 0..starts.len() {
        interval.tick().await;
        let (api, starts, ops) = (run.api.clone(), Arc::clone(starts), Arc::clone(ops));
        let (token, chat, cmid) = (
            users[i % users.len()].token.clone(),
            chat.to_owned(),
            format!("{prefix}{i}"),
        );
        tasks.push(tokio::spawn(async move {
            let began = *starts[i].get_or_init(Instant::now);
            let result = api.send(&token, &chat, "fanout message", &cmid).await;
            ops.fetch_add(1, Ordering::Relaxed);
            (i, result.map(|_| began.elapsed()))
        }));
    }
    let (mut sent, mut latencies, mut errors) = (HashSet::new(), Latencies::new(), BTreeMap::new());
    for task in tasks {
        match task.await {
            Ok((i, Ok(latency))) => {
                sent.insert(i);
                latencies.record(latency);
            }
            Ok((_, Err(e))) => *errors.entry(e.label()).or_default() += 1,
            Err(_) => *errors.entry("task panicked".to_owned()).or_default() += 1,
        }
    }
    (sent, latencies, errors, started.elapsed())
}

/// Collects this socket's `message.created` frames for `chat` until told to stop.
async fn read(
    mut socket: Socket,
    chat: String,
    prefix: String,
    delivered: Arc<AtomicU64>,
    mut stop: watch::Receiver<bool>,
) -> Vec<Delivery> {
    let mut got = Vec::new();
    loop {
        let message = tokio::select! {
            message = socket.next() => message,
            _ = stop.changed() => break,
        };
        let Some(Ok(Message::Text(text))) = message else {
            if matches!(message, None | Some(Err(_))) {
                break;
            }
            continue;
        };
        let at = Instant::now();
        let Ok(frame) = serde_json::from_str::<Frame>(text.as_str()) else {
            continue;
        };
        if frame.kind != "message.created" || frame.chat_id.as_deref() != Some(chat.as_str()) {
            continue;
        }
        let index = frame
            .data
            .and_then(|d| d.client_message_id)
            .and_then(|id| id.strip_prefix(&prefix).and_then(|i| i.parse().ok()));
        if let (Some(seq), Some(index)) = (frame.seq, index) {
            got.push((seq, index, at));
            delivered.fetch_add(1, Ordering::Relaxed);
        }
    }
    let _ = socket.close(None).await;
    got
}

/// Checks one receiver: every successful send exactly once, seqs ascending.
fn check(
    got: &[Delivery],
    sent: &HashSet<usize>,
    starts: &[OnceLock<Instant>],
    deliver: &mut Latencies,
    figures: &mut FanoutFigures,
) {
    figures.deliveries += got.len() as u64;
    let indexes: HashSet<usize> = got.iter().map(|&(_, i, _)| i).collect();
    if indexes.len() != got.len() || &indexes != sent {
        figures.receivers_incomplete += 1;
    }
    if !got.windows(2).all(|w| w[0].0 < w[1].0) {
        figures.receivers_out_of_order += 1;
    }
    for &(_, index, at) in got {
        if let Some(start) = starts.get(index).and_then(OnceLock::get) {
            deliver.record(at.saturating_duration_since(*start));
        }
    }
}
