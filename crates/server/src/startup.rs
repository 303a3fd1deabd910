//! `Application`: a built server bound to its port, ready to run until SIGTERM/SIGINT.
//! Integration tests build it on port 0 and read [`Application::port`].

use std::sync::Arc;
use std::time::Duration;

use confab_application::admin::ErasureService;
use confab_application::ports::{Clock, EventBus};
use confab_infrastructure::clock::SystemClock;
use confab_infrastructure::jobs::{spawn_eraser, spawn_file_cleaner, spawn_reaper};
use confab_infrastructure::mail::OutboxWorker;
use confab_infrastructure::rate_limit::RedisLimiterError;
use confab_infrastructure::security::JwtConfigError;
use poem::{EndpointExt, Response};
use thiserror::Error;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::{Config, HttpTimeouts};
use crate::wiring::{self, Adapters};
use crate::{http, realtime_wiring};

/// Why the server could not start.
#[derive(Debug, Error)]
pub enum StartupError {
    /// The database could not be reached.
    #[error("cannot connect to the database (DATABASE_URL)")]
    Database(#[source] sea_orm::DbErr),
    /// A migration failed.
    #[error("cannot apply migrations to the database (DATABASE_URL)")]
    Migration(#[source] sea_orm::DbErr),
    /// The JWT settings are unusable.
    #[error("invalid token settings (CONFAB_JWT_SECRET)")]
    Tokens(#[source] JwtConfigError),
    /// Redis could not be reached.
    #[error("cannot connect to Redis (CONFAB_REDIS_URL)")]
    Redis(#[source] RedisLimiterError),
    /// The event bus (Redis pub/sub) could not start.
    #[error("cannot start the event bus on Redis (CONFAB_REDIS_URL)")]
    EventBus(#[source] confab_infrastructure::events::RedisBusError),
    /// The mail settings are unusable.
    #[error("invalid mail settings (CONFAB_SMTP_URL, CONFAB_MAIL_FROM)")]
    Mail(#[source] confab_infrastructure::mail::MailSetupError),
    /// The file store is unusable.
    #[error("cannot open the file store (CONFAB_FILES_DIR, CONFAB_S3_*)")]
    Files(#[source] confab_application::ports::StoreError),
    /// The listen address could not be bound.
    #[error("cannot listen on {0} (CONFAB_BIND)")]
    Bind(String, #[source] std::io::Error),
}

/// How often the reaper looks for expired messages, and how many it deletes per batch.
const REAPER_EVERY: Duration = Duration::from_secs(30);
const REAPER_BATCH: u64 = 500;

/// How often files nobody can reach are looked for: unattached uploads live a day
/// and orphan blobs get an hour's grace, so an hourly run is precise enough, and a
/// listing of the whole store (S3 bills per request) stays rare.
const FILE_CLEANER_EVERY: Duration = Duration::from_hours(1);

/// How often the eraser looks for deleted accounts to finish when nothing woke it:
/// a deletion on this node wakes it at once, so this only matters for deletions
/// made on a node that does not run the job, and for runs a failure cut short.
const ERASER_EVERY: Duration = Duration::from_mins(1);

/// A server bound to its port.
pub struct Application {
    db: sea_orm::DatabaseConnection,
    events: Arc<dyn EventBus>,
    listener: TcpListener,
    port: u16,
    endpoint: poem::endpoint::BoxEndpoint<'static, Response>,
    http_timeouts: HttpTimeouts,
    shutdown: watch::Sender<bool>,
    jobs: Vec<JoinHandle<()>>,
}

impl Application {
    /// Connects, migrates, wires everything and binds `config.bind`.
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        Self::build_with_clock(config, Arc::new(SystemClock)).await
    }

    /// As [`build`](Self::build), reading time from `clock` (tests move it by hand).
    pub async fn build_with_clock(
        config: Config,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, StartupError> {
        let db = wiring::database(&config, true).await?;
        let events = realtime_wiring::event_bus(&config)
            .await
            .map_err(StartupError::EventBus)?;
        let adapters = wiring::adapters(&config, db, clock, events)?;
        let services = wiring::services(&adapters, config.mail.require_verified_email);
        let rate_limits = wiring::rate_limits(&config).await?;
        let operations = wiring::operations(&adapters.db);
        let (shutdown, shutdown_rx) = watch::channel(false);
        let (gateway, pump) = realtime_wiring::gateway(
            &adapters,
            services.messages.clone(),
            rate_limits.send_per_user.clone(),
            config.socket_timings,
            shutdown_rx.clone(),
        );
        let state = wiring::api_state(&services, gateway, rate_limits, operations);
        let mut jobs = spawn_background_jobs(&adapters, config.mail.poll, shutdown_rx.clone());
        if config.deletion_batch > 0 {
            jobs.push(spawn_eraser(
                ErasureService::new(
                    Arc::clone(&adapters.erasure),
                    Arc::clone(&adapters.chats),
                    Arc::clone(&adapters.clock),
                    Arc::clone(&adapters.events),
                    config.deletion_batch,
                ),
                ERASER_EVERY,
                Arc::clone(&adapters.account_deleted),
                shutdown_rx.clone(),
            ));
        }
        jobs.push(spawn_file_cleaner(
            services.files.clone(),
            FILE_CLEANER_EVERY,
            shutdown_rx,
        ));
        jobs.push(pump);

        let bind_error = |error| StartupError::Bind(config.bind.to_string(), error);
        let listener = TcpListener::bind(config.bind).await.map_err(bind_error)?;
        let port = listener.local_addr().map_err(bind_error)?.port();
        Ok(Self {
            db: adapters.db.clone(),
            events: Arc::clone(&adapters.events),
            listener,
            port,
            endpoint: confab_api::app::endpoint(
                state,
                config.http_timeouts.body,
                Some(web_client(
                    wiring::download_origin(&config.files).as_deref(),
                )),
            )
            .boxed(),
            http_timeouts: config.http_timeouts,
            shutdown,
            jobs,
        })
    }

    /// The port actually bound (useful with port 0).
    pub const fn port(&self) -> u16 {
        self.port
    }

    /// The database pool the server uses (tests close it to check `/ready`).
    pub const fn database(&self) -> &sea_orm::DatabaseConnection {
        &self.db
    }

    /// The node's event bus (tests publish to it straight, to play a bus that
    /// reorders or loses notifications).
    pub fn event_bus(&self) -> Arc<dyn EventBus> {
        Arc::clone(&self.events)
    }

    /// Serves until SIGTERM or SIGINT, then lets in-flight requests finish (up to
    /// 10 s) and stops the background jobs.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let signal = shutdown_signal();
        let address = self.listener.local_addr().map_or_else(
            |_| format!("port {}", self.port),
            |at| format!("http://{at}"),
        );
        tracing::info!(
            port = self.port,
            "confab is listening on {address} (web client: {address}/, API docs: {address}/docs)"
        );
        http::serve(self.listener, self.endpoint, self.http_timeouts, signal).await;
        let _ = self.shutdown.send(true);
        for job in self.jobs {
            let _ = job.await;
        }
        tracing::info!("confab stopped");
        Ok(())
    }
}

/// Background work tied to the server's life.
/// The web client, mounted at `/` beside the API: its pages and embedded files.
/// `files_origin`: where file downloads are redirected (S3), which the client's
/// policy must let it fetch from.
fn web_client(files_origin: Option<&str>) -> confab_api::app::Pages {
    let client = confab_web::WebClient::new(files_origin);
    confab_api::app::Pages {
        answer: Arc::new(move |req| {
            let if_none_match = req
                .headers()
                .get(poem::http::header::IF_NONE_MATCH)
                .and_then(|value| value.to_str().ok());
            client.answer(req.method(), req.uri().path(), if_none_match)
        }),
        routes: &confab_web::ROUTE_TEMPLATES,
    }
}

fn spawn_background_jobs(
    adapters: &Adapters,
    mail_poll: Duration,
    shutdown: watch::Receiver<bool>,
) -> Vec<JoinHandle<()>> {
    let outbox = OutboxWorker::new(
        Arc::clone(&adapters.outbox),
        Arc::clone(&adapters.mailer),
        Arc::clone(&adapters.clock),
    );
    vec![
        spawn_reaper(
            Arc::clone(&adapters.messages),
            Arc::clone(&adapters.clock),
            REAPER_EVERY,
            REAPER_BATCH,
            shutdown.clone(),
        ),
        outbox.spawn(mail_poll, Arc::clone(&adapters.mail_queued), shutdown),
    ]
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM. The handlers are registered before this
/// returns, so a signal that arrives before the future is first polled still counts
/// (otherwise an early SIGTERM would kill the process without a graceful stop).
fn shutdown_signal() -> impl Future<Output = ()> + Send {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let interrupt = signal(SignalKind::interrupt());
        let terminate = signal(SignalKind::terminate());
        async move {
            if let (Ok(mut interrupt), Ok(mut terminate)) = (interrupt, terminate) {
                tokio::select! {
                    _ = interrupt.recv() => {}
                    _ = terminate.recv() => {}
                }
            } else {
                tracing::warn!("cannot listen for signals; stop confab by killing it");
                std::future::pending::<()>().await;
            }
            tracing::info!("shutdown signal received");
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutdown signal received");
    }
}
