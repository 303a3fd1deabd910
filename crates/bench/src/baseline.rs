//! The database's own durable-insert rate: pgbench with one single-row INSERT per
//! transaction against a scratch table, at the concurrency and duration of `send`.

use std::process::Command;

use serde::Serialize;

/// Why the baseline could not be measured.
#[derive(Debug, thiserror::Error)]
pub(crate) enum BaselineError {
    /// `psql` or `pgbench` could not be started (not installed?).
    #[error("could not run {tool}: {source} (install postgresql-client / postgresql-contrib)")]
    Spawn {
        /// The program.
        tool: &'static str,
        /// Why it failed to start.
        #[source]
        source: std::io::Error,
    },
    /// The tool ran but failed.
    #[error("{tool} failed: {stderr}")]
    Failed {
        /// The program.
        tool: &'static str,
        /// Its error output.
        stderr: String,
    },
    /// pgbench's output had no `tps = ` line.
    #[error("pgbench printed no tps figure")]
    NoFigure,
    /// The blocking task running the tools died.
    #[error("baseline task failed: {0}")]
    Join(#[from] tokio::task::JoinError),
    /// The script file could not be written.
    #[error("could not write the pgbench script: {0}")]
    Script(#[source] std::io::Error),
}

/// The pgbench figures.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Baseline {
    /// Committed single-row inserts per second (without connection time).
    pub(crate) tps: f64,
    /// pgbench's average transaction latency.
    pub(crate) latency_avg_ms: f64,
    /// Clients (= confab's concurrency).
    pub(crate) clients: usize,
    /// Seconds.
    pub(crate) duration_secs: u64,
}

const TABLE: &str = "confab_bench_insert";

/// Runs pgbench against `pg_url` (a scratch database: the table is dropped after).
pub(crate) async fn pgbench(
    pg_url: &str,
    clients: usize,
    duration_secs: u64,
    run_id: &str,
) -> Result<Baseline, BaselineError> {
    let (pg_url, run_id) = (pg_url.to_owned(), run_id.to_owned());
    tokio::task::spawn_blocking(move || run_blocking(&pg_url, clients, duration_secs, &run_id))
        .await?
}

fn run_blocking(
    pg_url: &str,
    clients: usize,
    duration_secs: u64,
    run_id: &str,
) -> Result<Baseline, BaselineError> {
    // A row shaped like a message: a chat key, a body and a timestamp, with a primary key.
    psql(
        pg_url,
        &format!(
            "DROP TABLE IF EXISTS {TABLE}; CREATE TABLE {TABLE} (id bigserial PRIMARY KEY, \
             chat_id integer NOT NULL, body text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())"
        ),
    )?;
    let script = std::env::temp_dir().join(format!("confab-bench-{run_id}.sql"));
    std::fs::write(
        &script,
        format!(
            "\\set chat random(1, 32)\nINSERT INTO {TABLE} (chat_id, body) VALUES (:chat, 'bench message body');\n"
        ),
    )
    .map_err(BaselineError::Script)?;
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let output = Command::new("pgbench")
        .args(["-n", "-M", "prepared"])
        .args([
            "-c",
            &clients.to_string(),
            "-j",
            &clients.min(threads).to_string(),
        ])
        .args(["-T", &duration_secs.to_string(), "-f"])
        .arg(&script)
        .arg(pg_url)
        .output()
        .map_err(|source| BaselineError::Spawn {
            tool: "pgbench",
            source,
        });
    let _ = std::fs::remove_file(&script);
    let _ = psql(pg_url, &format!("DROP TABLE IF EXISTS {TABLE}"));
    let output = output?;
    if !output.status.success() {
        return Err(BaselineError::Failed {
            tool: "pgbench",
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        });
    }
    let (tps, latency_avg_ms) = parse(&String::from_utf8_lossy(&output.stdout))?;
    Ok(Baseline {
        tps,
        latency_avg_ms,
        clients,
        duration_secs,
    })
}

fn psql(pg_url: &str, sql: &str) -> Result<(), BaselineError> {
    let output = Command::new("psql")
        .args([pg_url, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql])
        .output()
        .map_err(|source| BaselineError::Spawn {
            tool: "psql",
            source,
        })?;
    if output.status.success() {
        Ok(())
    } else {
        Err(BaselineError::Failed {
            tool: "psql",
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        })
    }
}

/// Reads `tps = …` and `latency average = … ms` from pgbench's report.
fn parse(stdout: &str) -> Result<(f64, f64), BaselineError> {
    let number_after = |prefix: &str| {
        stdout
            .lines()
            .find_map(|line| line.trim().strip_prefix(prefix))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse::<f64>().ok())
    };
    let tps = number_after("tps = ").ok_or(BaselineError::NoFigure)?;
    Ok((
        (tps * 10.0).round() / 10.0,
        number_after("latency average = ").unwrap_or(0.0),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pgbench_16_output() {
        let out = "number of transactions actually processed: 5000\n\
                   latency average = 6.123 ms\n\
                   initial connection time = 12.3 ms\n\
                   tps = 5221.456789 (without initial connection time)\n";
        let (tps, latency) = parse(out).expect("figures");
        assert!((tps - 5221.5).abs() < 1e-9);
        assert!((latency - 6.123).abs() < 1e-9);
    }

    #[test]
    fn output_without_tps_is_an_error() {
        assert!(matches!(parse("oops"), Err(BaselineError::NoFigure)));
    }

    #[tokio::test]
    async fn pgbench_measures_single_inserts_when_postgres_is_configured() {
        let Ok(url) = std::env::var("CONFAB_TEST_POSTGRES_URL") else {
            eprintln!("skipped: set CONFAB_TEST_POSTGRES_URL to run the pgbench baseline");
            return;
        };
        let baseline = pgbench(&url, 2, 1, "benchtest")
            .await
            .expect("pgbench runs");
        assert!(baseline.tps > 0.0, "{baseline:?}");
        assert!(baseline.latency_avg_ms > 0.0, "{baseline:?}");
        assert_eq!(baseline.clients, 2);
    }
}
