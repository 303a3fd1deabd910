//! Typed configuration, read once at start from the environment (and `.env`).
//! Every variable of docs/operations.md's Configuration table, validated up front:
//! an invalid value stops the start with an error naming the variable. Secrets stay
//! out of `Debug`.

use std::fmt;
use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::time::Duration;

use confab_application::accounts::RegistrationPolicy;
use confab_application::files::FileLimits;
use thiserror::Error;

/// A secret string (JWT key, URLs with passwords): usable, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable text.
    Text,
    /// One JSON object per line (`CONFAB_LOG_FORMAT=json`).
    Json,
}

/// How long the HTTP layer waits for slow or idle clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpTimeouts {
    /// `CONFAB_HTTP_HEADER_TIMEOUT_SECONDS`: a request head must arrive whole within
    /// this (from the connection's start, or from the first byte of a later request).
    pub header: Duration,
    /// `CONFAB_HTTP_BODY_TIMEOUT_SECONDS`: a request body must arrive whole within
    /// this after its head (else 408).
    pub body: Duration,
    /// `CONFAB_HTTP_IDLE_TIMEOUT_SECONDS`: a keep-alive connection waiting for its
    /// next request is closed after this.
    pub idle: Duration,
}

/// How the WebSocket gateway keeps sockets alive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SocketTimings {
    /// `CONFAB_WS_PING_SECONDS`: how often the server pings each socket.
    pub ping: Duration,
    /// `CONFAB_WS_IDLE_TIMEOUT_SECONDS`: a socket silent this long is closed.
    pub idle: Duration,
}

/// Where account mails go and where their links point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailConfig {
    /// `CONFAB_PUBLIC_URL`: the base of the links in mails (no trailing `/`).
    pub public_url: String,
    /// `CONFAB_SMTP_URL`: the SMTP server (may hold a password); `None` = the directory.
    pub smtp_url: Option<Secret>,
    /// `CONFAB_MAIL_FROM`: the sender address.
    pub from: String,
    /// `CONFAB_MAIL_DIR`: where mails are written when no SMTP server is set.
    pub dir: PathBuf,
    /// `CONFAB_REQUIRE_VERIFIED_EMAIL`: sends and chat creation need a verified email.
    pub require_verified_email: bool,
    /// How often the outbox worker looks for mails to send (tests shorten it).
    pub poll: Duration,
}

/// Where uploaded files are kept: S3 when a bucket is set, else a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilesConfig {
    /// `CONFAB_FILES_DIR`: a directory of this node (one node only).
    Directory(PathBuf),
    /// `CONFAB_S3_BUCKET`, `CONFAB_S3_ENDPOINT`, `CONFAB_S3_REGION`: a bucket every
    /// node shares (credentials from the `AWS_*` variables).
    S3 {
        /// The bucket.
        bucket: String,
        /// An S3-compatible endpoint (MinIO); `None` = AWS.
        endpoint: Option<String>,
        /// The region; `None` = `AWS_REGION`, else `us-east-1`.
        region: Option<String>,
    },
}

/// A variable that is set but unusable.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("invalid {variable}: {reason}")]
pub struct ConfigError {
    /// The environment variable.
    pub variable: &'static str,
    /// What is wrong with its value.
    pub reason: String,
}

/// The whole configuration of a confab node.
#[derive(Debug, Clone)]
pub struct Config {
    /// `DATABASE_URL`: `sqlite://…` or `postgres://…` (may hold a password).
    pub database_url: Secret,
    /// `CONFAB_DB_MAX_CONNECTIONS`: PostgreSQL pool size (SQLite always uses one).
    pub db_max_connections: u32,
    /// `CONFAB_BIND`: the listen address; port 0 picks a free one.
    pub bind: SocketAddr,
    /// `CONFAB_JWT_SECRET`: the HS256 key, at least 32 bytes; `None` = random per start.
    pub jwt_secret: Option<Secret>,
    /// `CONFAB_REDIS_URL`: shared rate-limit counters (and, later, events) across nodes.
    pub redis_url: Option<Secret>,
    /// `CONFAB_ACCESS_TTL_SECONDS`.
    pub access_ttl_seconds: i64,
    /// `CONFAB_REFRESH_TTL_SECONDS`.
    pub refresh_ttl_seconds: i64,
    /// `RUST_LOG`: the tracing filter.
    pub log_filter: String,
    /// `CONFAB_LOG_FORMAT`.
    pub log_format: LogFormat,
    /// `CONFAB_AUTH_RATE_PER_MINUTE`: register/login/refresh per client IP; 0 = off.
    pub auth_rate_per_minute: u32,
    /// `CONFAB_SEND_RATE_PER_SECOND`: message sends per user; 0 = off. Bursts of 3×.
    pub send_rate_per_second: u32,
    /// `CONFAB_TRUST_PROXY`: take the client IP from `X-Forwarded-For`.
    pub trust_proxy: bool,
    /// `CONFAB_REGISTRATION`: `open`, `invite` (register needs an admin's invite) or
    /// `closed` (only admins create accounts).
    pub registration: RegistrationPolicy,
    /// `CONFAB_PASSWORD_HASH_CONCURRENCY`: password hashes running at once; `None` =
    /// the hasher's default (half the CPUs).
    pub password_hash_concurrency: Option<NonZeroUsize>,
    /// `CONFAB_HTTP_*_TIMEOUT_SECONDS`: slow and idle connections are closed.
    pub http_timeouts: HttpTimeouts,
    /// `CONFAB_WS_PING_SECONDS` / `CONFAB_WS_IDLE_TIMEOUT_SECONDS`.
    pub socket_timings: SocketTimings,
    /// `CONFAB_PUBLIC_URL`, `CONFAB_SMTP_URL`, `CONFAB_MAIL_*`, `CONFAB_REQUIRE_VERIFIED_EMAIL`.
    pub mail: MailConfig,
    /// `CONFAB_FILES_DIR` or `CONFAB_S3_*`: where uploaded files are kept.
    pub files: FilesConfig,
    /// `CONFAB_MAX_UPLOAD_BYTES`, `CONFAB_USER_QUOTA_BYTES`.
    pub file_limits: FileLimits,
    /// `CONFAB_DELETION_BATCH`: rows one batch of the erasure job writes; 0 = the
    /// job does not run on this node.
    pub deletion_batch: u64,
}

/// Smallest accepted JWT key.
pub const MIN_JWT_SECRET_BYTES: usize = 32;

impl Config {
    /// Reads the process environment (after loading `.env`, whose values never
    /// override variables already set).
    pub fn from_env() -> Result<Self, ConfigError> {
        // A missing `.env` is normal; a malformed one is worth a warning, not a stop.
        if let Err(error) = dotenvy::dotenv()
            && !error.not_found()
        {
            eprintln!("warning: ignoring .env: {error}");
        }
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Builds the configuration from any variable source (tests pass a map).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let jwt_secret = get("CONFAB_JWT_SECRET").map(Secret::new);
        if let Some(secret) = &jwt_secret
            && secret.expose().len() < MIN_JWT_SECRET_BYTES
        {
            return Err(ConfigError {
                variable: "CONFAB_JWT_SECRET",
                reason: format!("must be at least {MIN_JWT_SECRET_BYTES} bytes"),
            });
        }
        Ok(Self {
            database_url: Secret::new(
                get("DATABASE_URL").unwrap_or_else(|| "sqlite://confab.db?mode=rwc".to_owned()),
            ),
            db_max_connections: parse(&get, "CONFAB_DB_MAX_CONNECTIONS", 10, 1..=1000)?,
            bind: parse(
                &get,
                "CONFAB_BIND",
                SocketAddr::from(([127, 0, 0, 1], 8080)),
                ..,
            )?,
            jwt_secret,
            redis_url: get("CONFAB_REDIS_URL").map(Secret::new),
            access_ttl_seconds: parse(&get, "CONFAB_ACCESS_TTL_SECONDS", 900, 1..)?,
            refresh_ttl_seconds: parse(&get, "CONFAB_REFRESH_TTL_SECONDS", 2_592_000, 1..)?,
            log_filter: get("RUST_LOG").unwrap_or_else(|| "info".to_owned()),
            log_format: log_format(get("CONFAB_LOG_FORMAT").as_deref())?,
            auth_rate_per_minute: parse(&get, "CONFAB_AUTH_RATE_PER_MINUTE", 30, ..)?,
            send_rate_per_second: parse(&get, "CONFAB_SEND_RATE_PER_SECOND", 10, ..)?,
            trust_proxy: boolean(get("CONFAB_TRUST_PROXY").as_deref(), "CONFAB_TRUST_PROXY")?,
            registration: registration(get("CONFAB_REGISTRATION").as_deref())?,
            password_hash_concurrency: parse(
                &get,
                "CONFAB_PASSWORD_HASH_CONCURRENCY",
                0_usize,
                0..=1024,
            )
            .map(NonZeroUsize::new)?,
            http_timeouts: HttpTimeouts {
                header: seconds(&get, "CONFAB_HTTP_HEADER_TIMEOUT_SECONDS", 10)?,
                body: seconds(&get, "CONFAB_HTTP_BODY_TIMEOUT_SECONDS", 30)?,
                idle: seconds(&get, "CONFAB_HTTP_IDLE_TIMEOUT_SECONDS", 60)?,
            },
            socket_timings: SocketTimings {
                ping: seconds(&get, "CONFAB_WS_PING_SECONDS", 30)?,
                idle: seconds(&get, "CONFAB_WS_IDLE_TIMEOUT_SECONDS", 75)?,
            },
            mail: mail(&get)?,
            files: files(&get)?,
            file_limits: FileLimits {
                max_upload_bytes: parse(&get, "CONFAB_MAX_UPLOAD_BYTES", 25 * 1024 * 1024, 1..)?,
                user_quota_bytes: parse(&get, "CONFAB_USER_QUOTA_BYTES", 1024 * 1024 * 1024, 1..)?,
            },
            deletion_batch: parse(&get, "CONFAB_DELETION_BATCH", 500, 0..=100_000)?,
        })
    }

    /// Message-send bursts: three times the per-second rate.
    pub const fn send_burst(&self) -> u32 {
        self.send_rate_per_second.saturating_mul(3)
    }
}

/// Parses `name` when set (else `default`) and checks it lies in `range`.
fn parse<T>(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: T,
    range: impl std::ops::RangeBounds<T> + fmt::Debug,
) -> Result<T, ConfigError>
where
    T: std::str::FromStr + PartialOrd,
    T::Err: fmt::Display,
{
    let Some(raw) = get(name) else {
        return Ok(default);
    };
    let value = raw.trim().parse::<T>().map_err(|error| ConfigError {
        variable: name,
        reason: format!("{raw:?} is not valid: {error}"),
    })?;
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(ConfigError {
            variable: name,
            reason: format!("{raw:?} is out of range {range:?}"),
        })
    }
}

/// A timeout in whole seconds, 1 s to an hour.
fn seconds(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: u64,
) -> Result<Duration, ConfigError> {
    parse(get, name, default, 1..=3600).map(Duration::from_secs)
}

fn boolean(raw: Option<&str>, name: &'static str) -> Result<bool, ConfigError> {
    match raw.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
        None | Some("false" | "0" | "no" | "off") => Ok(false),
        Some("true" | "1" | "yes" | "on") => Ok(true),
        Some(other) => Err(ConfigError {
            variable: name,
            reason: format!("{other:?} is not true or false"),
        }),
    }
}

fn mail(get: &impl Fn(&str) -> Option<String>) -> Result<MailConfig, ConfigError> {
    let public_url = get("CONFAB_PUBLIC_URL")
        .unwrap_or_else(|| "http://127.0.0.1:8080".to_owned())
        .trim()
        .trim_end_matches('/')
        .to_owned();
    if !(public_url.starts_with("http://") || public_url.starts_with("https://"))
        || public_url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(ConfigError {
            variable: "CONFAB_PUBLIC_URL",
            reason: format!("{public_url:?} is not an http:// or https:// URL"),
        });
    }
    let smtp_url = get("CONFAB_SMTP_URL").map(|url| url.trim().to_owned());
    if let Some(url) = &smtp_url
        && !(url.starts_with("smtp://") || url.starts_with("smtps://"))
    {
        return Err(ConfigError {
            variable: "CONFAB_SMTP_URL",
            reason: "must start with smtp:// or smtps://".to_owned(),
        });
    }
    let from = get("CONFAB_MAIL_FROM").unwrap_or_else(|| "confab@localhost".to_owned());
    if from.chars().any(char::is_control) || !from.contains('@') {
        return Err(ConfigError {
            variable: "CONFAB_MAIL_FROM",
            reason: format!("{from:?} is not an address like confab@example.com"),
        });
    }
    Ok(MailConfig {
        public_url,
        smtp_url: smtp_url.map(Secret::new),
        from: from.trim().to_owned(),
        dir: PathBuf::from(get("CONFAB_MAIL_DIR").unwrap_or_else(|| "./confab-mail".to_owned())),
        require_verified_email: boolean(
            get("CONFAB_REQUIRE_VERIFIED_EMAIL").as_deref(),
            "CONFAB_REQUIRE_VERIFIED_EMAIL",
        )?,
        poll: Duration::from_secs(1),
    })
}

fn files(get: &impl Fn(&str) -> Option<String>) -> Result<FilesConfig, ConfigError> {
    let dir = get("CONFAB_FILES_DIR").unwrap_or_else(|| "./confab-files".to_owned());
    let endpoint = get("CONFAB_S3_ENDPOINT").map(|url| url.trim().trim_end_matches('/').to_owned());
    // The endpoint's origin goes into the web client's CSP: nothing that could end
    // a directive or a source list.
    if let Some(url) = &endpoint
        && (!(url.starts_with("http://") || url.starts_with("https://"))
            || url.contains(|c: char| c.is_whitespace() || c.is_control() || ";,'\"".contains(c)))
    {
        return Err(ConfigError {
            variable: "CONFAB_S3_ENDPOINT",
            reason: format!("{url:?} is not an http:// or https:// URL"),
        });
    }
    let region = get("CONFAB_S3_REGION").map(|region| region.trim().to_owned());
    Ok(match get("CONFAB_S3_BUCKET") {
        Some(bucket) => FilesConfig::S3 {
            bucket: bucket.trim().to_owned(),
            endpoint,
            region,
        },
        None => FilesConfig::Directory(PathBuf::from(dir)),
    })
}

fn registration(raw: Option<&str>) -> Result<RegistrationPolicy, ConfigError> {
    let Some(raw) = raw else {
        return Ok(RegistrationPolicy::Open);
    };
    RegistrationPolicy::parse(raw.trim().to_ascii_lowercase().as_str()).ok_or_else(|| ConfigError {
        variable: "CONFAB_REGISTRATION",
        reason: format!("{raw:?} is not open, invite or closed"),
    })
}

fn log_format(raw: Option<&str>) -> Result<LogFormat, ConfigError> {
    match raw.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
        None | Some("text" | "pretty") => Ok(LogFormat::Text),
        Some("json") => Ok(LogFormat::Json),
        Some(other) => Err(ConfigError {
            variable: "CONFAB_LOG_FORMAT",
            reason: format!("{other:?} is neither text nor json"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_match_the_running_table() {
        let config = config(&[]).expect("defaults are valid");
        assert_eq!(config.database_url.expose(), "sqlite://confab.db?mode=rwc");
        assert_eq!(config.bind.to_string(), "127.0.0.1:8080");
        assert!(config.jwt_secret.is_none());
        assert_eq!(
            (config.access_ttl_seconds, config.refresh_ttl_seconds),
            (900, 2_592_000)
        );
        assert_eq!(config.auth_rate_per_minute, 30);
        assert_eq!((config.send_rate_per_second, config.send_burst()), (10, 30));
        assert_eq!(config.log_format, LogFormat::Text);
        assert!(!config.trust_proxy);
        assert_eq!(config.registration, RegistrationPolicy::Open);
        assert_eq!(config.password_hash_concurrency, None);
        assert_eq!(
            config.http_timeouts,
            HttpTimeouts {
                header: Duration::from_secs(10),
                body: Duration::from_secs(30),
                idle: Duration::from_mins(1),
            }
        );
        assert_eq!(
            config.socket_timings,
            SocketTimings {
                ping: Duration::from_secs(30),
                idle: Duration::from_secs(75),
            }
        );
    }

    #[test]
    fn invalid_values_name_their_variable() {
        for (name, value) in [
            ("CONFAB_BIND", "nowhere"),
            ("CONFAB_JWT_SECRET", "short"),
            ("CONFAB_ACCESS_TTL_SECONDS", "0"),
            ("CONFAB_AUTH_RATE_PER_MINUTE", "-1"),
            ("CONFAB_LOG_FORMAT", "xml"),
            ("CONFAB_TRUST_PROXY", "maybe"),
            ("CONFAB_REGISTRATION", "invite-only"),
            ("CONFAB_PASSWORD_HASH_CONCURRENCY", "2000"),
            ("CONFAB_HTTP_HEADER_TIMEOUT_SECONDS", "0"),
            ("CONFAB_HTTP_BODY_TIMEOUT_SECONDS", "soon"),
            ("CONFAB_HTTP_IDLE_TIMEOUT_SECONDS", "3601"),
            ("CONFAB_PUBLIC_URL", "chat.example.com"),
            ("CONFAB_SMTP_URL", "http://mail.example.com"),
            ("CONFAB_MAIL_FROM", "nobody"),
            ("CONFAB_REQUIRE_VERIFIED_EMAIL", "sometimes"),
            ("CONFAB_S3_ENDPOINT", "minio:9000"),
        ] {
            let error = config(&[(name, value)]).expect_err(name);
            assert_eq!(error.variable, name);
            assert!(error.to_string().contains(name));
        }
    }

    #[test]
    fn registration_reads_each_policy_in_any_case() {
        for (raw, policy) in [
            ("open", RegistrationPolicy::Open),
            ("Invite", RegistrationPolicy::Invite),
            (" closed ", RegistrationPolicy::Closed),
        ] {
            let config = config(&[("CONFAB_REGISTRATION", raw)]).expect(raw);
            assert_eq!(config.registration, policy);
        }
    }

    #[test]
    fn password_hash_concurrency_zero_means_the_default() {
        let set = config(&[("CONFAB_PASSWORD_HASH_CONCURRENCY", "3")]).expect("valid");
        assert_eq!(set.password_hash_concurrency, NonZeroUsize::new(3));
        let zero = config(&[("CONFAB_PASSWORD_HASH_CONCURRENCY", "0")]).expect("valid");
        assert_eq!(zero.password_hash_concurrency, None);
    }

    #[test]
    fn files_go_to_s3_when_a_bucket_is_set_else_to_the_directory() {
        let default = config(&[]).expect("valid");
        assert_eq!(
            default.files,
            FilesConfig::Directory(PathBuf::from("./confab-files"))
        );
        let s3 = config(&[
            ("CONFAB_FILES_DIR", "/var/lib/confab"),
            ("CONFAB_S3_BUCKET", "confab"),
            ("CONFAB_S3_ENDPOINT", "http://minio:9000/"),
        ])
        .expect("valid");
        assert_eq!(
            s3.files,
            FilesConfig::S3 {
                bucket: "confab".to_owned(),
                endpoint: Some("http://minio:9000".to_owned()),
                region: None,
            }
        );
        let injected = config(&[
            ("CONFAB_S3_BUCKET", "confab"),
            ("CONFAB_S3_ENDPOINT", "http://x; script-src *"),
        ]);
        assert!(injected.is_err(), "a directive cannot ride on the endpoint");
    }

    #[test]
    fn secrets_stay_out_of_debug() {
        let config = config(&[
            ("CONFAB_JWT_SECRET", "0123456789abcdef0123456789abcdef-top"),
            ("DATABASE_URL", "postgres://u:hunter2@db/confab"),
            ("CONFAB_SMTP_URL", "smtps://u:smtp-pass@mail.example.com"),
        ])
        .expect("valid");
        let shown = format!("{config:?}");
        assert!(
            !shown.contains("top") && !shown.contains("hunter2") && !shown.contains("smtp-pass"),
            "{shown}"
        );
    }

    #[test]
    fn socket_timings_are_read_with_the_rest_and_validated() {
        let custom = config(&[("CONFAB_WS_PING_SECONDS", "2")]).expect("valid");
        assert_eq!(custom.socket_timings.ping, Duration::from_secs(2));
        assert_eq!(custom.socket_timings.idle, Duration::from_secs(75));
        let error = config(&[("CONFAB_WS_IDLE_TIMEOUT_SECONDS", "0")]).expect_err("zero refused");
        assert_eq!(error.variable, "CONFAB_WS_IDLE_TIMEOUT_SECONDS");
    }
}
