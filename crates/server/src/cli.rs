//! The command line: `confab [serve|migrate|openapi|asyncapi|seed-demo|admin …]`.

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::variables::help_text;

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
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum Command {
    /// Apply pending migrations and serve HTTP and WebSocket (the default).
    Serve,
    /// Apply pending migrations, then exit.
    Migrate,
    /// Print the OpenAPI document to stdout (needs no database).
    Openapi,
    /// Print the AsyncAPI document of the WebSocket to stdout (needs no database).
    Asyncapi,
    /// Create the demo users alice, bob, charlie and david (password `password123`)
    /// and their chats; safe to run again.
    SeedDemo,
    /// Manage server admins and accounts from the shell (applies pending migrations).
    #[command(subcommand)]
    Admin(AdminCommand),
}

/// `confab admin …`.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum AdminCommand {
    /// Create an account. The password is read from standard input when it is not a
    /// terminal (one line), else prompted for twice; never from an argument.
    CreateUser(CreateUserArgs),
    /// Grant (`true`) or take (`false`) the admin role; the last admin keeps it.
    SetAdmin {
        /// The account's username.
        username: String,
        /// `true` or `false`.
        #[arg(action = clap::ArgAction::Set)]
        is_admin: bool,
    },
}

/// `confab admin create-user USERNAME --email … [--admin]`.
#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct CreateUserArgs {
    /// The username (3..32 of a-z, 0-9, `_`).
    pub username: String,
    /// The email address.
    #[arg(long)]
    pub email: String,
    /// Make the account a server admin.
    #[arg(long)]
    pub admin: bool,
}

impl Cli {
    /// Parses the process arguments; `--help` of the root and of `serve` lists every
    /// environment variable with its default.
    pub fn parse_args() -> Self {
        let help = help_text();
        let command = Self::command()
            .after_help(help.clone())
            .mut_subcommand("serve", |serve| serve.after_help(help));
        let matches = command.get_matches();
        Self::from_arg_matches(&matches).unwrap_or_else(|error| error.exit())
    }
}
