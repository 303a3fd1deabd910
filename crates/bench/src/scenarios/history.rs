//! `history`: one group chat seeded with many messages through the API, then the
//! newest page and deep `before` pages read repeatedly and checked.

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
use crate::setup::{Run, SetupError};
use crate::stats::{Latencies, LatencySummary, rate};

/// Options of the `history` scenario.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct HistoryArgs {
    /// Messages to seed into the chat.
    #[arg(long, default_value_t = 100_000)]
    pub(crate) messages: u64,
    /// Concurrent senders while seeding.
    #[arg(long, short = 'c', default_value_t = 32)]
    pub(crate) concurrency: usize,
    /// Page size (`limit`).
    #[arg(long, default_value_t = 50)]
    pub(crate) limit: u32,
    /// Reads of each kind (newest, deep).
    #[arg(long, default_value_t = 500)]
    pub(crate) reads: u64,
    /// Concurrent readers.
    #[arg(long, default_value_t = 8)]
    pub(crate) read_concurrency: usize,
}

#[derive(Serialize)]
struct HistoryFigures {
    messages: u64,
    seed_sends_per_sec: f64,
    limit: u32,
    newest_page: LatencySummary,
    newest_pages_per_sec: f64,
    deep_page: LatencySummary,
    deep_pages_per_sec: f64,
    bad_pages: u64,
    errors: BTreeMap<String, u64>,
    seed_cpu: CpuUsage,
    read_cpu: CpuUsage,
}

/// Which page a read asks for.
#[derive(Clone, Copy)]
enum Page {
    Newest,
    /// A random `before` in the oldest tenth of the log.
    Deep,
}

/// Runs the scenario.
pub(crate) async fn run(run: &Run, args: &HistoryArgs) -> Result<Section, ScenarioError> {
    let users = run.register("h", 8, 8).await?;
    let ids: Vec<String> = users[1..].iter().map(|u| u.id.clone()).collect();
    let chat = run
        .api
        .group_chat(&users[0], "bench history", &ids)
        .await
        .map_err(|e| SetupError::new("create group", e))?;
    let users = Arc::new(users);
    let cpu = CpuSnapshot::take(run.server_pid);
    let (seed_rate, mut errors) = seed(run, &users, &chat, args).await;
    let seed_cpu = cpu.usage(args.messages);
    let cpu = CpuSnapshot::take(run.server_pid);
    let last_seq = i64::try_from(args.messages).unwrap_or(i64::MAX) + 1;
    let mut bad_pages = 0;
    let (newest, newest_rate, bad, e1) =
        reads(run, &users[0], &chat, last_seq, Page::Newest, args).await;
    bad_pages += bad;
    let (deep, deep_rate, bad, e2) = reads(run, &users[0], &chat, last_seq, Page::Deep, args).await;
    bad_pages += bad;
    let read_cpu = cpu.usage(newest.count() + deep.count());
    for (label, count) in e1.into_iter().chain(e2) {
        *errors.entry(label).or_default() += count;
    }
    let figures = HistoryFigures {
        messages: args.messages,
        seed_sends_per_sec: seed_rate,
        limit: args.limit,
        newest_page: newest.summary(),
        newest_pages_per_sec: newest_rate,
        deep_page: deep.summary(),
        deep_pages_per_sec: deep_rate,
        bad_pages,
        errors: errors.clone(),
        seed_cpu,
        read_cpu,
    };
    let failures = bad_pages + errors.values().sum::<u64>();
    Ok(Section::new("history", &figures, failures)
        .row("messages in chat", args.messages)
        .row("seeding sends/s", seed_rate)
        .latency("newest page", &figures.newest_page)
        .row("newest pages/s", newest_rate)
        .latency("deep before page", &figures.deep_page)
        .row("deep pages/s", deep_rate)
        .row("pages failing checks", bad_pages)
        .errors(&errors)
        .cpu("CPU while seeding", &seed_cpu)
        .cpu("CPU while reading", &read_cpu))
}

/// Sends `messages` messages with `concurrency` workers taking turns as the members.
async fn seed(
    run: &Run,
    users: &Arc<Vec<Account>>,
    chat: &str,
    args: &HistoryArgs,
) -> (f64, BTreeMap<String, u64>) {
    let bar = progress::counter("history: seed", args.messages);
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for worker in 0..args.concurrency.max(1) {
        let (api, users, next, bar) = (
            run.api.clone(),
            Arc::clone(users),
            Arc::clone(&next),
            bar.clone(),
        );
        let (chat, total, prefix) = (chat.to_owned(), args.messages, format!("{}-h", run.id));
        workers.push(tokio::spawn(async move {
            let mut errors = BTreeMap::<String, u64>::new();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= total {
                    break errors;
                }
                let user = &users[worker % users.len()];
                let body = format!("history message {n}");
                if let Err(e) = api
                    .send(&user.token, &chat, &body, &format!("{prefix}-{n}"))
                    .await
                {
                    *errors.entry(e.label()).or_default() += 1;
                }
                bar.inc(1);
            }
        }));
    }
    let mut errors = BTreeMap::new();
    for worker in workers {
        let worker_errors = worker
            .await
            .unwrap_or_else(|_| BTreeMap::from([("worker panicked".to_owned(), 1)]));
        for (label, count) in worker_errors {
            *errors.entry(label).or_default() += count;
        }
    }
    bar.finish_and_clear();
    (rate(args.messages, started.elapsed()), errors)
}

/// Reads `reads` pages of one kind; returns latencies, pages/s, pages failing checks, errors.
async fn reads(
    run: &Run,
    reader: &Account,
    chat: &str,
    last_seq: i64,
    page: Page,
    args: &HistoryArgs,
) -> (Latencies, f64, u64, BTreeMap<String, u64>) {
    let label = match page {
        Page::Newest => "history: newest",
        Page::Deep => "history: deep",
    };
    let bar = progress::counter(label, args.reads);
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for worker in 0..args.read_concurrency.max(1) {
        let (api, next, bar) = (run.api.clone(), Arc::clone(&next), bar.clone());
        let (token, chat, total, limit) = (
            reader.token.clone(),
            chat.to_owned(),
            args.reads,
            args.limit,
        );
        let mut rng = run.rng(2000 + worker as u64);
        workers.push(tokio::spawn(async move {
            let mut out = (Latencies::new(), 0u64, BTreeMap::<String, u64>::new());
            while next.fetch_add(1, Ordering::Relaxed) < total {
                let before = match page {
                    Page::Newest => None,
                    Page::Deep => Some(rng.random_range(2..=(last_seq / 10).max(2))),
                };
                let sent = Instant::now();
                match api.history(&token, &chat, before, limit).await {
                    Ok(found) => {
                        out.0.record(sent.elapsed());
                        let seqs: Vec<i64> = found.items.iter().map(|m| m.seq).collect();
                        if !page_is_right(&seqs, before, limit, last_seq) {
                            out.1 += 1;
                        }
                    }
                    Err(e) => *out.2.entry(e.label()).or_default() += 1,
                }
                bar.inc(1);
            }
            out
        }));
    }
    let mut total = (Latencies::new(), 0, BTreeMap::new());
    for worker in workers {
        if let Ok((latencies, bad, errors)) = worker.await {
            total.0.merge(&latencies);
            total.1 += bad;
            for (label, count) in errors {
                *total.2.entry(label).or_default() += count;
            }
        }
    }
    let elapsed: Duration = started.elapsed();
    bar.finish_and_clear();
    (total.0, rate(args.reads, elapsed), total.1, total.2)
}

/// A page is right when it is gapless and ascending, below `before`, and full where the log has
/// enough messages (seq 1 is `chat.created`, so messages are seqs 2..=last_seq).
fn page_is_right(seqs: &[i64], before: Option<i64>, limit: u32, last_seq: i64) -> bool {
    let top = before.map_or(last_seq, |b| b - 1);
    let available = usize::try_from((top - 1).max(0)).unwrap_or(0);
    let expected = available.min(limit as usize);
    seqs.len() == expected
        && seqs.windows(2).all(|w| w[1] == w[0] + 1)
        && seqs.last().is_none_or(|&last| last == top)
}

#[cfg(test)]
mod tests {
    use super::page_is_right;

    #[test]
    fn a_full_ascending_page_ending_below_before_is_right() {
        assert!(page_is_right(&[7, 8, 9], Some(10), 3, 100));
        assert!(page_is_right(&[98, 99, 100], None, 3, 100));
    }

    #[test]
    fn short_gapped_or_misplaced_pages_are_wrong() {
        assert!(!page_is_right(&[8, 9], Some(10), 3, 100));
        assert!(!page_is_right(&[9, 8, 7], Some(10), 3, 100));
        assert!(!page_is_right(&[6, 7, 8], Some(10), 3, 100));
    }

    #[test]
    fn a_page_near_the_start_holds_only_the_messages() {
        assert!(page_is_right(&[2, 3], Some(4), 50, 100));
    }
}
