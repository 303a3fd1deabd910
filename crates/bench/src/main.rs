//! confab-bench: drives a running confab over HTTP and WebSocket on loopback and
//! reports throughput and latency per scenario (see docs/benchmarks.md).

mod baseline;
mod cli;
mod client;
mod cpu;
mod progress;
mod report;
mod scenarios;
mod setup;
mod stats;
mod ws;

use std::process::ExitCode;

use clap::Parser;
use serde_json::json;

use crate::cli::Cli;
use crate::report::Machine;
use crate::setup::Run;

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
enum BenchError {
    /// The target is not on this machine.
    #[error(
        "refusing to load {0}: confab-bench only drives a server on loopback (http://127.0.0.1:PORT)"
    )]
    NotLoopback(String),
    /// `--json-file` could not be written.
    #[error("could not write {}: {source}", path.display())]
    JsonFile {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The HTTP client could not be built or the server did not answer `/health`.
    #[error("server at {url} is not reachable: {source}")]
    Unreachable {
        /// The base URL.
        url: String,
        /// Why.
        #[source]
        source: client::ApiError,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match bench(cli).await {
        Ok(0) => ExitCode::SUCCESS,
        Ok(failures) => {
            eprintln!("confab-bench: {failures} errors or failed checks");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("confab-bench: {e}");
            ExitCode::from(2)
        }
    }
}

/// Runs the chosen scenarios, prints the report, returns the number of failures.
async fn bench(cli: Cli) -> Result<u64, BenchError> {
    if !cli::is_loopback(&cli.url) {
        return Err(BenchError::NotLoopback(cli.url));
    }
    let unreachable = |source| BenchError::Unreachable {
        url: cli.url.clone(),
        source,
    };
    let run =
        Run::new(&cli.url, cli.seed, cli.run_id.clone(), cli.server_pid).map_err(unreachable)?;
    run.api.health().await.map_err(unreachable)?;
    let mut sections = Vec::new();
    for scenario in cli.command.plan() {
        sections.push(scenario.run(&run).await);
    }
    let machine = Machine::detect();
    let header = json!({"url": cli.url, "run_id": run.id, "seed": run.seed, "machine": machine});
    let document = report::to_json(&header, &sections);
    if let Some(path) = &cli.json_file {
        std::fs::write(path, format!("{document:#}\n")).map_err(|source| BenchError::JsonFile {
            path: path.clone(),
            source,
        })?;
    }
    if cli.json {
        println!("{document:#}");
    } else {
        let header = format!(
            "confab-bench run {} against {} (seed {}) on {} CPUs, {}, {}",
            run.id, cli.url, run.seed, machine.cpus, machine.cpu_model, machine.memory
        );
        print!("{}", report::table(&header, &sections));
    }
    Ok(sections.iter().map(|s| s.failures).sum())
}
