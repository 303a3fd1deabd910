//! Every environment variable confab reads, with its default and meaning: what
//! `confab serve --help` prints. A test builds a `Config` from these defaults and
//! checks it equals the one built from nothing, so the table cannot drift from
//! `Config::from_lookup`, and that `.env.example` names every variable.

/// One variable: its name, its default as text (`None`: unset by default), what it does.
pub struct Variable {
    /// The environment variable.
    pub name: &'static str,
    /// The value used when it is unset, as it would be written.
    pub default: Option<&'static str>,
    /// What it sets.
    pub meaning: &'static str,
}

const fn var(name: &'static str, default: &'static str, meaning: &'static str) -> Variable {
    Variable {
        name,
        default: Some(default),
        meaning,
    }
}

const fn unset(name: &'static str, meaning: &'static str) -> Variable {
    Variable {
        name,
        default: None,
        meaning,
    }
}

/// The variables, in the order `.env.example` explains them.
pub const VARIABLES: &[Variable] = &[
    var(
        "DATABASE_URL",
        "sqlite://confab.db?mode=rwc",
        "sqlite://… or postgres://… database",
    ),
    var(
        "CONFAB_BIND",
        "127.0.0.1:8080",
        "listen address (port 0: any free port)",
    ),
    unset(
        "CONFAB_JWT_SECRET",
        "HS256 key, ≥ 32 bytes (unset: random per start)",
    ),
    var(
        "CONFAB_DB_MAX_CONNECTIONS",
        "10",
        "PostgreSQL pool size per node, 1..1000",
    ),
    unset(
        "CONFAB_REDIS_URL",
        "Redis, to run several nodes (events, rate limits)",
    ),
    var("CONFAB_ACCESS_TTL_SECONDS", "900", "access token lifetime"),
    var(
        "CONFAB_REFRESH_TTL_SECONDS",
        "2592000",
        "refresh token lifetime",
    ),
    var("RUST_LOG", "info", "log filter"),
    var("CONFAB_LOG_FORMAT", "text", "text or json"),
    var(
        "CONFAB_AUTH_RATE_PER_MINUTE",
        "30",
        "register/login/refresh per client IP; 0 = off",
    ),
    var(
        "CONFAB_SEND_RATE_PER_SECOND",
        "10",
        "message sends per user (bursts of 3×); 0 = off",
    ),
    var(
        "CONFAB_TRUST_PROXY",
        "false",
        "take the client IP from X-Forwarded-For",
    ),
    var(
        "CONFAB_REGISTRATION",
        "open",
        "who may register: open, invite or closed",
    ),
    var(
        "CONFAB_PASSWORD_HASH_CONCURRENCY",
        "0",
        "password hashes at once; 0 = half the CPUs",
    ),
    var(
        "CONFAB_PUBLIC_URL",
        "http://127.0.0.1:8080",
        "where users reach confab; links in mails",
    ),
    unset(
        "CONFAB_SMTP_URL",
        "smtps://user:pass@host:465 or smtp://host:587?tls=starttls (unset: mail directory)",
    ),
    var(
        "CONFAB_MAIL_FROM",
        "confab@localhost",
        "sender of account mails",
    ),
    var(
        "CONFAB_MAIL_DIR",
        "./confab-mail",
        "without SMTP: one .eml per mail here, links logged",
    ),
    var(
        "CONFAB_FILES_DIR",
        "./confab-files",
        "uploaded files, without S3 (one node only)",
    ),
    unset(
        "CONFAB_S3_BUCKET",
        "keep files in this S3 bucket (AWS_* credentials); needed for several nodes",
    ),
    unset(
        "CONFAB_S3_ENDPOINT",
        "an S3-compatible endpoint, e.g. http://minio:9000 (unset: AWS)",
    ),
    unset(
        "CONFAB_S3_REGION",
        "the bucket's region (unset: AWS_REGION, else us-east-1)",
    ),
    var(
        "CONFAB_MAX_UPLOAD_BYTES",
        "26214400",
        "the largest file an upload may bring (25 MiB)",
    ),
    var(
        "CONFAB_USER_QUOTA_BYTES",
        "1073741824",
        "the most bytes one user's uploads may take together (1 GiB)",
    ),
    var(
        "CONFAB_DELETION_BATCH",
        "500",
        "rows per transaction when erasing deleted accounts; 0: not on this node",
    ),
    var(
        "CONFAB_REQUIRE_VERIFIED_EMAIL",
        "false",
        "sends and chat creation wait for a verified email",
    ),
    var("CONFAB_WS_PING_SECONDS", "30", "WebSocket ping interval"),
    var(
        "CONFAB_WS_IDLE_TIMEOUT_SECONDS",
        "75",
        "a silent WebSocket is closed after this",
    ),
    var(
        "CONFAB_HTTP_HEADER_TIMEOUT_SECONDS",
        "10",
        "a request head must arrive within this",
    ),
    var(
        "CONFAB_HTTP_BODY_TIMEOUT_SECONDS",
        "30",
        "a request body must arrive within this (408)",
    ),
    var(
        "CONFAB_HTTP_IDLE_TIMEOUT_SECONDS",
        "60",
        "an idle keep-alive connection is closed after this",
    ),
];

/// The table as `--help` shows it.
pub fn help_text() -> String {
    use std::fmt::Write as _;
    let width = VARIABLES.iter().map(|v| v.name.len()).max().unwrap_or(0);
    let mut text = String::from(
        "Environment (read once at start; a .env file in the working directory is read too):\n",
    );
    for variable in VARIABLES {
        let default = variable
            .default
            .map_or_else(|| "unset".to_owned(), |value| format!("default {value}"));
        // Writing to a String cannot fail.
        let _ = writeln!(
            text,
            "  {:width$}  {} [{default}]",
            variable.name, variable.meaning
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    /// Every variable `Config::from_lookup` asks for.
    fn read_names() -> Vec<String> {
        let read = std::cell::RefCell::new(Vec::new());
        let _ = Config::from_lookup(|name| {
            read.borrow_mut().push(name.to_owned());
            None
        });
        read.into_inner()
    }

    #[test]
    fn the_defaults_shown_are_the_defaults_used() {
        let from_table = Config::from_lookup(|name| {
            VARIABLES
                .iter()
                .find(|v| v.name == name)
                .and_then(|v| v.default)
                .map(str::to_owned)
        })
        .expect("the table's defaults are valid");
        let from_nothing = Config::from_lookup(|_| None).expect("defaults are valid");
        assert_eq!(format!("{from_table:?}"), format!("{from_nothing:?}"));
        assert_eq!(
            from_table.database_url.expose(),
            from_nothing.database_url.expose()
        );
    }

    #[test]
    fn every_variable_the_config_reads_is_in_the_table_and_in_env_example() {
        let example = include_str!("../../../.env.example");
        for name in read_names() {
            assert!(
                VARIABLES.iter().any(|v| v.name == name),
                "{name} is missing from the help table"
            );
            assert!(
                example.contains(&name),
                "{name} is missing from .env.example"
            );
        }
        let read = read_names();
        for variable in VARIABLES {
            assert!(
                read.iter().any(|name| name == variable.name),
                "{} is in the help table but the config never reads it",
                variable.name
            );
        }
    }
}
