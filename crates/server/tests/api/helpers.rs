//! `spawn_app()`: the real server on port 0 with a fresh database (a temporary
//! SQLite file, or its own PostgreSQL database), a hand-driven clock, and small
//! client helpers.

use std::collections::HashMap;
use std::sync::{Arc, Once};

use confab_application::ports::EventBus;
use confab_infrastructure::testing::{ManualClock, ScratchDatabase};
use confab_server::config::{Config, LogFormat};
use confab_server::startup::Application;
use confab_server::telemetry::init_tracing;
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};

/// The password every test user gets.
pub(crate) const PASSWORD: &str = "correct horse battery";

/// Knobs a test may turn.
#[derive(Debug, Clone)]
pub(crate) struct TestConfig {
    /// `CONFAB_AUTH_RATE_PER_MINUTE` (high by default so tests are not limited).
    pub(crate) auth_rate_per_minute: u32,
    /// `CONFAB_SEND_RATE_PER_SECOND`.
    pub(crate) send_rate_per_second: u32,
    /// `CONFAB_TRUST_PROXY`.
    pub(crate) trust_proxy: bool,
    /// `CONFAB_HTTP_HEADER_TIMEOUT_SECONDS` / `_BODY_` / `_IDLE_`, when a test needs
    /// them short; `None` keeps the defaults.
    pub(crate) http_timeouts_seconds: Option<[u64; 3]>,
    /// `CONFAB_REQUIRE_VERIFIED_EMAIL`.
    pub(crate) require_verified_email: bool,
    /// `CONFAB_SMTP_URL`; `None` writes mails to the test's mail directory.
    pub(crate) smtp_url: Option<String>,
    /// `CONFAB_REGISTRATION` (`None`: the default, open).
    pub(crate) registration: Option<&'static str>,
    /// `CONFAB_MAX_UPLOAD_BYTES` and `CONFAB_USER_QUOTA_BYTES` (`None`: the defaults).
    pub(crate) upload_limits: Option<(u64, u64)>,
    /// `CONFAB_DELETION_BATCH` (`None`: the default; `Some(0)`: the server's eraser
    /// is off, for tests that drive the erasure themselves).
    pub(crate) deletion_batch: Option<u64>,
}

impl Default for TestConfig {
    fn default() -> Self {
        Self {
            auth_rate_per_minute: 10_000,
            send_rate_per_second: 10_000,
            trust_proxy: false,
            http_timeouts_seconds: None,
            require_verified_email: false,
            smtp_url: None,
            registration: None,
            upload_limits: None,
            deletion_batch: None,
        }
    }
}

/// A running server and what a test needs to talk to it.
pub(crate) struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub(crate) address: String,
    /// The server's clock: move it to cross token lifetimes or message TTLs.
    pub(crate) clock: Arc<ManualClock>,
    /// The server's database pool.
    pub(crate) db: DatabaseConnection,
    /// A client that keeps no cookies and follows no redirects.
    pub(crate) client: reqwest::Client,
    /// The server's event bus: publish to it to play a bus that reorders events.
    pub(crate) events: Arc<dyn EventBus>,
    /// `CONFAB_MAIL_DIR`: the `.eml` files of every mail the server sent.
    pub(crate) mail_dir: std::path::PathBuf,
    /// `CONFAB_FILES_DIR`: the stored uploads, a directory of this test's own.
    pub(crate) files_dir: std::path::PathBuf,
    /// Removed when the app is dropped.
    database: ScratchDatabase,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.mail_dir);
        let _ = std::fs::remove_dir_all(&self.files_dir);
    }
}

/// A signed-in test user.
#[derive(Debug, Clone)]
pub(crate) struct TestUser {
    /// The user id.
    pub(crate) id: String,
    /// Access token.
    pub(crate) access: String,
    /// Refresh token.
    pub(crate) refresh: String,
}

fn init_test_tracing() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            init_tracing("debug", LogFormat::Text);
        }
    });
}

/// A server on SQLite with the default test configuration.
pub(crate) async fn spawn_app() -> TestApp {
    spawn_app_with(TestConfig::default()).await
}

/// A server on SQLite with `config`.
pub(crate) async fn spawn_app_with(config: TestConfig) -> TestApp {
    start(ScratchDatabase::sqlite("confab-api-"), &config).await
}

/// A server on a fresh PostgreSQL database, or `None` (with a notice on stderr) when
/// `CONFAB_TEST_POSTGRES_URL` is unset.
pub(crate) async fn spawn_postgres_app(test: &str) -> Option<TestApp> {
    spawn_postgres_app_with(test, TestConfig::default()).await
}

/// As [`spawn_postgres_app`], with `config`.
pub(crate) async fn spawn_postgres_app_with(test: &str, config: TestConfig) -> Option<TestApp> {
    let database = ScratchDatabase::postgres_from_env(test, "confab_api_").await?;
    Some(start(database, &config).await)
}

async fn start(database: ScratchDatabase, test: &TestConfig) -> TestApp {
    init_test_tracing();
    let mut vars: HashMap<&str, String> = HashMap::from([
        ("DATABASE_URL", database.url().to_owned()),
        ("CONFAB_BIND", "127.0.0.1:0".to_owned()),
        (
            "CONFAB_JWT_SECRET",
            "test-secret-test-secret-test-secret!".to_owned(),
        ),
        ("CONFAB_DB_MAX_CONNECTIONS", "5".to_owned()),
        (
            "CONFAB_AUTH_RATE_PER_MINUTE",
            test.auth_rate_per_minute.to_string(),
        ),
        (
            "CONFAB_SEND_RATE_PER_SECOND",
            test.send_rate_per_second.to_string(),
        ),
        ("CONFAB_TRUST_PROXY", test.trust_proxy.to_string()),
    ]);
    if let Some([header, body, idle]) = test.http_timeouts_seconds {
        vars.insert("CONFAB_HTTP_HEADER_TIMEOUT_SECONDS", header.to_string());
        vars.insert("CONFAB_HTTP_BODY_TIMEOUT_SECONDS", body.to_string());
        vars.insert("CONFAB_HTTP_IDLE_TIMEOUT_SECONDS", idle.to_string());
    }
    let mail_dir = std::env::temp_dir().join(format!("confab-mail-{}", uuid::Uuid::now_v7()));
    vars.insert("CONFAB_MAIL_DIR", mail_dir.display().to_string());
    let files_dir = std::env::temp_dir().join(format!("confab-files-{}", uuid::Uuid::now_v7()));
    vars.insert("CONFAB_FILES_DIR", files_dir.display().to_string());
    if let Some(url) = &test.smtp_url {
        vars.insert("CONFAB_SMTP_URL", url.clone());
    }
    if test.require_verified_email {
        vars.insert("CONFAB_REQUIRE_VERIFIED_EMAIL", "true".to_owned());
    }
    if let Some((max_upload, quota)) = test.upload_limits {
        vars.insert("CONFAB_MAX_UPLOAD_BYTES", max_upload.to_string());
        vars.insert("CONFAB_USER_QUOTA_BYTES", quota.to_string());
    }
    if let Some(batch) = test.deletion_batch {
        vars.insert("CONFAB_DELETION_BATCH", batch.to_string());
    }
    if let Some(policy) = test.registration {
        vars.insert("CONFAB_REGISTRATION", policy.to_owned());
    }
    let mut config =
        Config::from_lookup(|name| vars.get(name).cloned()).expect("valid test config");
    config.mail.poll = std::time::Duration::from_millis(20);
    let clock = Arc::new(ManualClock::starting_now());
    let app = Application::build_with_clock(config, clock.clone())
        .await
        .expect("build the app");
    let port = app.port();
    let db = app.database().clone();
    let events = app.event_bus();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        clock,
        db,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        events,
        mail_dir,
        files_dir,
        database,
    }
}

impl TestApp {
    /// The database the server uses, for a `confab` process to share it.
    pub(crate) fn database_url(&self) -> &str {
        self.database.url()
    }

    /// The absolute URL of `path` (`/api/v1/me`).
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// A request with the bearer token when given.
    pub(crate) fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let builder = self.client.request(method, self.url(path));
        match token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    /// `GET path` with `token`.
    pub(crate) async fn get(&self, path: &str, token: &str) -> reqwest::Response {
        self.request(reqwest::Method::GET, path, Some(token))
            .send()
            .await
            .expect("send")
    }

    /// A JSON request with an optional token.
    pub(crate) async fn send_json(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> reqwest::Response {
        self.request(method, path, token)
            .json(body)
            .send()
            .await
            .expect("send")
    }

    /// Registers `username` (email `username@example.com`, password [`PASSWORD`]).
    pub(crate) async fn register(&self, username: &str) -> TestUser {
        let response = self
            .send_json(
                reqwest::Method::POST,
                "/api/v1/auth/register",
                None,
                &json!({"username": username, "email": format!("{username}@example.com"), "password": PASSWORD}),
            )
            .await;
        assert_eq!(response.status(), 201, "register {username}");
        user_from(response).await
    }

    /// Logs `login` in with `password`, expecting success.
    pub(crate) async fn login(&self, login: &str, password: &str) -> TestUser {
        let response = self
            .send_json(
                reqwest::Method::POST,
                "/api/v1/auth/login",
                None,
                &json!({"login": login, "password": password}),
            )
            .await;
        assert_eq!(response.status(), 200, "login {login}");
        user_from(response).await
    }
}

/// Reads `{user, tokens}`.
pub(crate) async fn user_from(response: reqwest::Response) -> TestUser {
    let body: Value = response.json().await.expect("json body");
    TestUser {
        id: body["user"]["id"].as_str().expect("user.id").to_owned(),
        access: body["tokens"]["access_token"]
            .as_str()
            .expect("access")
            .to_owned(),
        refresh: body["tokens"]["refresh_token"]
            .as_str()
            .expect("refresh")
            .to_owned(),
    }
}

/// Asserts the error shape and returns the body.
pub(crate) async fn assert_error(response: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status().as_u16(), status, "status for {code}");
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let body: Value = response.json().await.expect("json error body");
    assert_eq!(body["status"], status, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert!(
        body["title"].as_str().is_some_and(|t| !t.is_empty()),
        "{body}"
    );
    assert!(body["detail"].as_str().is_some(), "{body}");
    body
}

/// Runs `async fn name(app: TestApp)` on SQLite and, when `CONFAB_TEST_POSTGRES_URL`
/// is set, on PostgreSQL; `api_test!(name, config)` starts both with the
/// `TestConfig` that `fn config() -> TestConfig` (beside the test) returns.
#[macro_export]
macro_rules! api_test {
    ($name:ident, $config:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::helpers::spawn_app_with(super::$config()).await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let config = super::$config();
                let app = $crate::helpers::spawn_postgres_app_with(stringify!($name), config).await;
                if let Some(app) = app {
                    super::$name(app).await;
                }
            }
        }
    };
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::helpers::spawn_app().await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = $crate::helpers::spawn_postgres_app(stringify!($name)).await {
                    super::$name(app).await;
                }
            }
        }
    };
}
