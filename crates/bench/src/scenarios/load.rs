//! The closed-loop send load shared by `send` and `login`: C workers, each sending
//! one message at a time into a random chat it belongs to, until the time is up.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rand::Rng;

use crate::client::Account;
use crate::setup::{Membership, Run};
use crate::stats::Latencies;

/// What a send load measured.
#[derive(Default)]
pub(crate) struct LoadResult {
    /// Successful sends.
    pub(crate) sends: u64,
    /// Latency of the successful sends.
    pub(crate) latencies: Latencies,
    /// Failed sends by error label.
    pub(crate) errors: BTreeMap<String, u64>,
    /// Wall-clock time from the first send to the last worker's end.
    pub(crate) elapsed: Duration,
}

impl LoadResult {
    fn merge(&mut self, other: LoadResult) {
        self.sends += other.sends;
        self.latencies.merge(&other.latencies);
        for (label, count) in other.errors {
            *self.errors.entry(label).or_default() += count;
        }
    }

    /// Total failed sends.
    pub(crate) fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }
}

/// The fixed inputs of one load.
pub(crate) struct Load {
    /// The users; memberships index into it.
    pub(crate) users: Arc<Vec<Account>>,
    /// Who may send where.
    pub(crate) memberships: Arc<Vec<Membership>>,
    /// Concurrent senders.
    pub(crate) concurrency: usize,
    /// How long to send.
    pub(crate) duration: Duration,
    /// Separates this load's client_message_ids and random choices from others.
    pub(crate) phase: &'static str,
}

/// Runs the load; `ops` counts completed sends for the progress bar.
pub(crate) async fn run(run: &Run, load: &Load, ops: Arc<AtomicU64>) -> LoadResult {
    let started = Instant::now();
    let deadline = started + load.duration;
    let mut workers = Vec::with_capacity(load.concurrency);
    for worker in 0..load.concurrency {
        let api = run.api.clone();
        let (users, memberships) = (Arc::clone(&load.users), Arc::clone(&load.memberships));
        let mut rng = run.rng(1000 + worker as u64);
        let prefix = format!("{}-{}-{worker}", run.id, load.phase);
        let ops = Arc::clone(&ops);
        workers.push(tokio::spawn(async move {
            let mut result = LoadResult::default();
            let mut n = 0u64;
            while Instant::now() < deadline {
                let (user, chat) = &memberships[rng.random_range(0..memberships.len())];
                let body = format!("bench message {n} from worker {worker}");
                let client_message_id = format!("{prefix}-{n}");
                n += 1;
                let sent = Instant::now();
                match api
                    .send(&users[*user].token, chat, &body, &client_message_id)
                    .await
                {
                    Ok(_) => {
                        result.latencies.record(sent.elapsed());
                        result.sends += 1;
                        ops.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) => *result.errors.entry(e.label()).or_default() += 1,
                }
            }
            result
        }));
    }
    let mut total = LoadResult::default();
    for worker in workers {
        match worker.await {
            Ok(result) => total.merge(result),
            Err(_) => {
                *total
                    .errors
                    .entry("worker panicked".to_owned())
                    .or_default() += 1;
            }
        }
    }
    total.elapsed = started.elapsed();
    total
}
