//! `confab admin create-user` and `confab admin set-admin`: managing accounts and
//! admins from the shell, as `createsuperuser` does in Django. Passwords come from
//! standard input or a prompt, never from an argument (nor the shell history).

use std::io::{BufRead, IsTerminal};
use std::sync::Arc;

use confab_application::admin::{AdminError, NewAccountInput};
use confab_infrastructure::clock::SystemClock;
use confab_infrastructure::events::InProcessEventBus;
use thiserror::Error;

use crate::cli::{AdminCommand, CreateUserArgs};
use crate::config::Config;
use crate::startup::StartupError;
use crate::wiring;

/// Why an admin command failed; printed as one line.
#[derive(Debug, Error)]
pub enum AdminCliError {
    /// The database or the adapters could not be set up.
    #[error(transparent)]
    Startup(#[from] StartupError),
    /// The password could not be read, or the two entries differ.
    #[error("{0}")]
    Password(String),
    /// The service refused (bad field, taken username, last admin, …).
    #[error("{}", describe(.0))]
    Refused(#[from] AdminError),
}

fn describe(error: &AdminError) -> String {
    match error {
        AdminError::Validation(errors) => errors
            .0
            .iter()
            .map(|e| format!("{} {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; "),
        AdminError::UserNotFound => "no account has this username".to_owned(),
        AdminError::LastAdmin => {
            "this is the last active admin; make another account admin first".to_owned()
        }
        other => other.to_string(),
    }
}

/// Runs one `confab admin` command against the configured database.
pub async fn run(config: &Config, command: AdminCommand) -> Result<(), AdminCliError> {
    let db = wiring::database(config, true).await?;
    // Nothing listens to this process's events; revocations need none here.
    let events = Arc::new(InProcessEventBus::default());
    let adapters = wiring::adapters(config, db, Arc::new(SystemClock), events)?;
    let admin = wiring::services(&adapters, config.mail.require_verified_email).admin;
    match command {
        AdminCommand::CreateUser(args) => {
            let password = read_password()?;
            let CreateUserArgs {
                username,
                email,
                admin: is_admin,
            } = args;
            let user = admin
                .create_account(
                    None,
                    NewAccountInput {
                        username,
                        email,
                        password: Some(password),
                        is_admin,
                    },
                )
                .await?;
            println!(
                "created {}{} ({})",
                user.username,
                if user.is_admin { ", admin" } else { "" },
                user.id
            );
        }
        AdminCommand::SetAdmin { username, is_admin } => {
            let user = admin.set_admin_by_username(&username, is_admin).await?;
            println!(
                "{} is {}",
                user.username,
                if user.is_admin {
                    "an admin"
                } else {
                    "not an admin"
                }
            );
        }
    }
    Ok(())
}

/// One line of standard input when it is not a terminal; else a prompt, twice.
fn read_password() -> Result<String, AdminCliError> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        let mut line = String::new();
        stdin
            .lock()
            .read_line(&mut line)
            .map_err(|error| AdminCliError::Password(format!("cannot read stdin: {error}")))?;
        return Ok(line.trim_end_matches(['\n', '\r']).to_owned());
    }
    let prompt = |text: &str| {
        rpassword::prompt_password(text)
            .map_err(|error| AdminCliError::Password(format!("cannot read the password: {error}")))
    };
    let first = prompt("Password: ")?;
    let second = prompt("Password (again): ")?;
    if first != second {
        return Err(AdminCliError::Password("the passwords differ".to_owned()));
    }
    Ok(first)
}
