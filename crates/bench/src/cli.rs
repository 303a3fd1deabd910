//! Command-line interface: global options, one subcommand per scenario, `all`, `smoke`.

use clap::{Parser, Subcommand};

use crate::scenarios::fanout::FanoutArgs;
use crate::scenarios::files::FilesArgs;
use crate::scenarios::history::HistoryArgs;
use crate::scenarios::login::LoginArgs;
use crate::scenarios::send::SendArgs;
use crate::scenarios::sockets::SocketsArgs;
use crate::scenarios::{Scenario, smoke_plan};

/// Load generator for a running confab server (loopback only).
///
/// Start the server with CONFAB_SEND_RATE_PER_SECOND=0 and CONFAB_AUTH_RATE_PER_MINUTE=0,
/// or its rate limits answer 429 and the figures measure the limiter.
#[derive(Debug, Parser)]
#[command(name = "confab-bench", version)]
pub(crate) struct Cli {
    /// Base URL of the server; must be a loopback address.
    #[arg(
        long,
        global = true,
        env = "CONFAB_BENCH_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    pub(crate) url: String,
    /// Seed for every random choice (users paired, chats picked, pages read).
    #[arg(long, global = true, default_value_t = 20_261_121)]
    pub(crate) seed: u64,
    /// Prefix for this run's usernames (default: derived from the clock, unique per run).
    #[arg(long, global = true, value_parser = parse_run_id)]
    pub(crate) run_id: Option<String>,
    /// The server's process id (same machine): its CPU time per phase, and its memory
    /// in `sockets`.
    #[arg(long, global = true)]
    pub(crate) server_pid: Option<u32>,
    /// Print one JSON document on stdout instead of the table.
    #[arg(long, global = true)]
    pub(crate) json: bool,
    /// Also write the JSON document to this file (the table still goes to stdout).
    #[arg(long, global = true)]
    pub(crate) json_file: Option<std::path::PathBuf>,
    /// What to run.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Sends into many chats from C concurrent senders: sends/s and latency.
    Send(SendArgs),
    /// Reads the newest and deep pages of a chat with many messages.
    History(HistoryArgs),
    /// Sends into one group whose every member has a socket: send→deliver latency.
    Fanout(FanoutArgs),
    /// A login storm beside a send load: logins/s and the sends' p99 with and without.
    Login(LoginArgs),
    /// Holds K idle sockets: the server's memory per socket.
    Sockets(SocketsArgs),
    /// Uploads and downloads N files of one size: MB/s both ways, the server's peak RSS.
    Files(FilesArgs),
    /// Every scenario with its defaults, one after the other.
    All(AllArgs),
    /// Every scenario at tiny sizes (seconds); exits non-zero on any error.
    Smoke,
}

/// Options of `all`: the few that differ between machines.
#[derive(Debug, clap::Args)]
pub(crate) struct AllArgs {
    /// Seconds of each timed phase.
    #[arg(long, short = 't', default_value_t = 10)]
    pub(crate) duration: u64,
    /// Messages in the history chat.
    #[arg(long, default_value_t = 100_000)]
    pub(crate) messages: u64,
    /// Idle sockets.
    #[arg(long, default_value_t = 10_000)]
    pub(crate) sockets: usize,
    /// Scratch PostgreSQL database for the pgbench baseline.
    #[arg(long)]
    pub(crate) pg_url: Option<String>,
}

impl Command {
    /// The scenarios this command runs, in order.
    pub(crate) fn plan(self) -> Vec<Scenario> {
        match self {
            Command::Send(args) => vec![Scenario::Send(args)],
            Command::History(args) => vec![Scenario::History(args)],
            Command::Fanout(args) => vec![Scenario::Fanout(args)],
            Command::Login(args) => vec![Scenario::Login(args)],
            Command::Sockets(args) => vec![Scenario::Sockets(args)],
            Command::Files(args) => vec![Scenario::Files(args)],
            Command::All(args) => all_plan(args),
            Command::Smoke => smoke_plan(),
        }
    }
}

fn all_plan(args: AllArgs) -> Vec<Scenario> {
    let t = args.duration;
    vec![
        Scenario::Send(SendArgs {
            users: 64,
            chats: 32,
            group_size: 8,
            concurrency: 32,
            duration: t,
            pg_url: args.pg_url,
        }),
        Scenario::History(HistoryArgs {
            messages: args.messages,
            concurrency: 32,
            limit: 50,
            reads: 500,
            read_concurrency: 8,
        }),
        Scenario::Fanout(FanoutArgs {
            members: 100,
            rate: 500,
            duration: t,
            socket_urls: Vec::new(),
        }),
        Scenario::Login(LoginArgs {
            concurrency: 32,
            send_concurrency: 32,
            users: 64,
            chats: 32,
            duration: t,
        }),
        Scenario::Sockets(SocketsArgs {
            count: args.sockets,
            users: 100,
            concurrency: 64,
            hold: 3,
            settle: 10,
        }),
    ]
}

/// Run ids become part of usernames (`^[a-z0-9_]{3,32}$`), so keep them short and plain.
fn parse_run_id(value: &str) -> Result<String, String> {
    let ok = (1..=12).contains(&value.len())
        && value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if ok {
        Ok(value.to_owned())
    } else {
        Err("1..12 characters of a-z and 0-9".to_owned())
    }
}

/// Whether `url` points at this machine: `http://` to localhost, 127.0.0.0/8 or ::1.
pub(crate) fn is_loopback(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let authority = rest.split('/').next().unwrap_or_default();
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        authority.split(':').next().unwrap_or_default()
    };
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_urls_are_accepted() {
        assert!(is_loopback("http://127.0.0.1:8080"));
        assert!(is_loopback("http://localhost:1/"));
        assert!(is_loopback("http://[::1]:8080"));
        assert!(!is_loopback("http://10.0.0.1:8080"));
        assert!(!is_loopback("https://127.0.0.1"));
        assert!(!is_loopback("http://example.com"));
    }

    #[test]
    fn one_hot_chat_is_a_send_shape() {
        let cli = Cli::try_parse_from(["confab-bench", "send", "--chats", "1"]).expect("parses");
        assert!(matches!(
            cli.command,
            Command::Send(SendArgs { chats: 1, .. })
        ));
    }

    #[test]
    fn run_ids_must_fit_in_a_username() {
        assert!(parse_run_id("abc123").is_ok());
        assert!(parse_run_id("ABC").is_err());
        assert!(parse_run_id("a_b").is_err());
        assert!(parse_run_id("").is_err());
    }

    #[test]
    fn the_cli_parses_global_options_after_the_subcommand() {
        let cli =
            Cli::try_parse_from(["confab-bench", "send", "-c", "4", "--json"]).expect("parses");
        assert!(cli.json);
        assert!(matches!(
            cli.command,
            Command::Send(SendArgs { concurrency: 4, .. })
        ));
    }
}
