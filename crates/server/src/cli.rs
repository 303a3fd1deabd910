//! The command line: `confab [serve|migrate|openapi|seed-demo]`.

use clap::{Parser, Subcommand};

/// confab, a messenger server. Configuration comes from the environment (and `.env`);
/// see `.env.example`.
#[derive(Debug, Parser)]
#[command(name = "confab", version, about)]
pub struct Cli {
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Subcommand)]
pub enum Command {
    /// Apply pending migrations and serve HTTP and WebSocket (the default).
    Serve,
    /// Apply pending migrations, then exit.
    Migrate,
    /// Print the OpenAPI document to stdout (needs no database).
    Openapi,
    /// Create the demo users alice, bob, charlie and david (password `password123`)
    /// and their chats; safe to run again.
    SeedDemo,
}
