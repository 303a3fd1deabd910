//! The scenarios and the plans that run several of them (`all`, `smoke`).

pub(crate) mod fanout;
pub(crate) mod files;
pub(crate) mod history;
pub(crate) mod load;
pub(crate) mod login;
pub(crate) mod send;
pub(crate) mod sockets;

use crate::baseline::BaselineError;
use crate::report::Section;
use crate::setup::{Run, SetupError};
use crate::ws::WsError;

/// Why a scenario could not produce figures at all (errors during the measured
/// phase are counted in its figures instead).
#[derive(Debug, thiserror::Error)]
pub(crate) enum ScenarioError {
    /// Users or chats could not be created.
    #[error(transparent)]
    Setup(#[from] SetupError),
    /// The sockets the scenario needs could not be opened.
    #[error("setup: {0}")]
    Socket(#[from] WsError),
    /// pgbench failed.
    #[error("baseline: {0}")]
    Baseline(#[from] BaselineError),
}

/// One scenario with its options.
#[derive(Debug, Clone)]
pub(crate) enum Scenario {
    /// `send`.
    Send(send::SendArgs),
    /// `history`.
    History(history::HistoryArgs),
    /// `fanout`.
    Fanout(fanout::FanoutArgs),
    /// `login`.
    Login(login::LoginArgs),
    /// `sockets`.
    Sockets(sockets::SocketsArgs),
    /// `files`.
    Files(files::FilesArgs),
}

impl Scenario {
    fn name(&self) -> &'static str {
        match self {
            Scenario::Send(_) => "send",
            Scenario::History(_) => "history",
            Scenario::Fanout(_) => "fanout",
            Scenario::Login(_) => "login",
            Scenario::Sockets(_) => "sockets",
            Scenario::Files(_) => "files",
        }
    }

    /// Runs the scenario; a scenario that cannot run becomes a section with one failure.
    pub(crate) async fn run(&self, run: &Run) -> Section {
        let result = match self {
            Scenario::Send(args) => send::run(run, args).await,
            Scenario::History(args) => history::run(run, args).await,
            Scenario::Fanout(args) => fanout::run(run, args).await,
            Scenario::Login(args) => login::run(run, args).await,
            Scenario::Sockets(args) => sockets::run(run, args).await,
            Scenario::Files(args) => files::run(run, args).await,
        };
        result.unwrap_or_else(|e| {
            Section::new(self.name(), &serde_json::json!({"error": e.to_string()}), 1)
                .row("could not run", e)
        })
    }
}

/// Every scenario at tiny sizes: a few seconds, for CI.
pub(crate) fn smoke_plan() -> Vec<Scenario> {
    vec![
        Scenario::Send(send::SendArgs {
            users: 6,
            chats: 4,
            group_size: 3,
            concurrency: 4,
            duration: 1,
            pg_url: None,
        }),
        Scenario::History(history::HistoryArgs {
            messages: 120,
            concurrency: 4,
            limit: 50,
            reads: 10,
            read_concurrency: 2,
        }),
        Scenario::Fanout(fanout::FanoutArgs {
            members: 5,
            rate: 20,
            duration: 1,
            socket_urls: Vec::new(),
        }),
        Scenario::Login(login::LoginArgs {
            concurrency: 2,
            send_concurrency: 2,
            users: 4,
            chats: 2,
            duration: 1,
        }),
        Scenario::Sockets(sockets::SocketsArgs {
            count: 20,
            users: 2,
            concurrency: 8,
            hold: 0,
            settle: 0,
        }),
        Scenario::Files(files::FilesArgs {
            size: 64 * 1024,
            count: 3,
            concurrency: 2,
        }),
    ]
}
