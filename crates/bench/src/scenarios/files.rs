//! `files`: N uploads of one size (default 25 MiB, the server's default limit)
//! through `POST /uploads`, then each downloaded through `GET /files/{id}` and
//! compared byte for byte; MB/s both ways, and the server's peak resident memory
//! (`VmHWM`), which tells whether a file is ever held whole.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use futures_util::{StreamExt, stream};
use rand::RngCore;
use serde::Serialize;

use crate::client::ApiError;
use crate::cpu::{CpuSnapshot, CpuUsage};
use crate::progress;
use crate::report::Section;
use crate::scenarios::ScenarioError;
use crate::scenarios::sockets::peak_rss_kib;
use crate::setup::Run;
use crate::stats::{Latencies, LatencySummary, rate};

/// Options of the `files` scenario.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct FilesArgs {
    /// Bytes per file (random, so no type is sniffed and nothing is decoded).
    #[arg(long, default_value_t = 25 * 1024 * 1024)]
    pub(crate) size: usize,
    /// Files to upload, then download; all belong to one user, whose quota (1 GiB by
    /// default) bounds count × size.
    #[arg(long, short = 'n', default_value_t = 8)]
    pub(crate) count: usize,
    /// Transfers at a time.
    #[arg(long, short = 'c', default_value_t = 1)]
    pub(crate) concurrency: usize,
}

/// One direction's figures.
#[derive(Serialize)]
struct Transfer {
    files: u64,
    bytes: u64,
    /// Bytes per second over the phase, in millions (MB/s, not MiB/s).
    mb_per_sec: f64,
    latency: LatencySummary,
    cpu: CpuUsage,
}

#[derive(Serialize)]
struct FileFigures {
    size_bytes: usize,
    upload: Transfer,
    download: Transfer,
    downloads_differing: u64,
    peak_rss_before_kib: Option<u64>,
    peak_rss_after_uploads_kib: Option<u64>,
    peak_rss_after_downloads_kib: Option<u64>,
    errors: BTreeMap<String, u64>,
}

/// Runs the scenario.
pub(crate) async fn run(run: &Run, args: &FilesArgs) -> Result<Section, ScenarioError> {
    let owner = run.register("u", 1, 1).await?.remove(0);
    let mut payload = vec![0_u8; args.size];
    run.rng(5).fill_bytes(&mut payload);
    let payload = &payload;
    let peak = || run.server_pid.and_then(peak_rss_kib);
    let peak_before = peak();
    let mut errors = BTreeMap::new();

    let bar = progress::counter("files: upload", args.count as u64);
    let cpu = CpuSnapshot::take(run.server_pid);
    let started = Instant::now();
    let uploads: Vec<(Result<String, ApiError>, Duration)> = stream::iter(0..args.count)
        .map(|i| {
            let (api, token, bar) = (&run.api, &owner.token, bar.clone());
            async move {
                let began = Instant::now();
                let result = api.upload(token, &format!("bench-{i}.bin"), payload).await;
                bar.inc(1);
                (result, began.elapsed())
            }
        })
        .buffer_unordered(args.concurrency.max(1))
        .collect()
        .await;
    let (ids, upload) = tally(uploads, started.elapsed(), &cpu, args.size, &mut errors);
    bar.finish_and_clear();
    let peak_after_uploads = peak();

    let bar = progress::counter("files: download", ids.len() as u64);
    let cpu = CpuSnapshot::take(run.server_pid);
    let started = Instant::now();
    let downloads: Vec<(Result<bool, ApiError>, Duration)> = stream::iter(&ids)
        .map(|id| {
            let (api, token, bar) = (&run.api, &owner.token, bar.clone());
            async move {
                let began = Instant::now();
                let result = api.download_matches(token, id, payload).await;
                bar.inc(1);
                (result, began.elapsed())
            }
        })
        .buffer_unordered(args.concurrency.max(1))
        .collect()
        .await;
    let (matches, download) = tally(downloads, started.elapsed(), &cpu, args.size, &mut errors);
    bar.finish_and_clear();
    let differing = matches.iter().filter(|same| !**same).count() as u64;

    let figures = FileFigures {
        size_bytes: args.size,
        upload,
        download,
        downloads_differing: differing,
        peak_rss_before_kib: peak_before,
        peak_rss_after_uploads_kib: peak_after_uploads,
        peak_rss_after_downloads_kib: peak(),
        errors: errors.clone(),
    };
    let kib = |v: Option<u64>| {
        v.map_or("not measured (no --server-pid)".to_owned(), |k| {
            format!("{k} KiB")
        })
    };
    let failures = errors.values().sum::<u64>() + differing;
    Ok(Section::new("files", &figures, failures)
        .row(
            "files × size",
            format!("{} × {} bytes", args.count, args.size),
        )
        .row("upload MB/s", format!("{:.1}", figures.upload.mb_per_sec))
        .latency("upload", &figures.upload.latency)
        .row(
            "download MB/s",
            format!("{:.1}", figures.download.mb_per_sec),
        )
        .latency("download", &figures.download.latency)
        .row("downloads differing from the upload", differing)
        .row("server peak RSS before", kib(peak_before))
        .row("server peak RSS after uploads", kib(peak_after_uploads))
        .row(
            "server peak RSS after downloads",
            kib(figures.peak_rss_after_downloads_kib),
        )
        .errors(&errors)
        .cpu("CPU while uploading", &figures.upload.cpu)
        .cpu("CPU while downloading", &figures.download.cpu))
}

/// The successful results and one direction's figures; failures counted in `errors`.
fn tally<T>(
    results: Vec<(Result<T, ApiError>, Duration)>,
    elapsed: Duration,
    cpu: &CpuSnapshot,
    size: usize,
    errors: &mut BTreeMap<String, u64>,
) -> (Vec<T>, Transfer) {
    let (mut done, mut latencies) = (Vec::new(), Latencies::new());
    for (result, latency) in results {
        match result {
            Ok(value) => {
                latencies.record(latency);
                done.push(value);
            }
            Err(e) => *errors.entry(e.label()).or_default() += 1,
        }
    }
    let files = done.len() as u64;
    let bytes = files * size as u64;
    let transfer = Transfer {
        files,
        bytes,
        mb_per_sec: rate(bytes, elapsed) / 1e6,
        latency: latencies.summary(),
        cpu: cpu.usage(files),
    };
    (done, transfer)
}
