//! `confab`: serve (default), migrate, openapi, asyncapi, seed-demo, admin.

use std::io::Write;
use std::process::ExitCode;

use confab_server::cli::{Cli, Command};
use confab_server::config::Config;
use confab_server::startup::Application;
use confab_server::{admin_cli, seed, telemetry, wiring};

/// jemalloc, configured at build time (`.cargo/config.toml`) to give freed memory
/// back within about a second: what closed sockets freed goes back to the system,
/// where glibc's per-thread arenas kept it (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse_args();
    let command = cli.command.unwrap_or(Command::Serve);
    let document = match command {
        Command::Openapi => Some(confab_api::app::spec_json()),
        Command::Asyncapi => Some(confab_api::app::asyncapi_json()),
        _ => None,
    };
    if let Some(document) = document {
        // The documents come from the API types alone: no configuration, no database.
        let mut stdout = std::io::stdout().lock();
        return match writeln!(stdout, "{document}") {
            Ok(()) => ExitCode::SUCCESS,
            Err(_) => ExitCode::FAILURE,
        };
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    telemetry::init_tracing(&config.log_filter, config.log_format);
    let result = match command {
        Command::Serve | Command::Openapi | Command::Asyncapi => serve(config).await,
        Command::Migrate => wiring::database(&config, true)
            .await
            .map(|_| tracing::info!("migrations applied"))
            .map_err(Into::into),
        Command::SeedDemo => seed::seed_demo(&config).await.map_err(Into::into),
        Command::Admin(admin) => match admin_cli::run(&config, admin).await {
            Ok(()) => Ok(()),
            Err(error) => {
                // A refusal is for the operator to read, not a crash to log.
                eprintln!("error: {error}");
                return ExitCode::FAILURE;
            }
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = %chain(error.as_ref()), "confab failed");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> Result<(), Box<dyn std::error::Error>> {
    let app = Application::build(config).await?;
    app.run_until_stopped().await?;
    Ok(())
}

/// The error with its causes, for the last log line. A cause whose text its
/// wrapper already printed (sqlx and redis errors repeat their source) is said once.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let said = cause.to_string();
        if !text.ends_with(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
        source = cause.source();
    }
    text
}
