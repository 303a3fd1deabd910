//! The composition root: adapters built once from the configuration, every service
//! wired from them in [`services`], and the API state.

use std::sync::Arc;
use std::time::Duration;

use confab_api::middleware::rate_limit::RateLimit;
use confab_api::state::{ApiState, Operations, RateLimits};
use confab_api::ws::Gateway;
use confab_application::accounts::{AccountService, RegistrationPolicy};
use confab_application::admin::AdminService;
use confab_application::chats::ChatService;
use confab_application::email::{EmailService, VerifiedEmailGate};
use confab_application::files::{FileLimits, FileService};
use confab_application::messages::MessageService;
use confab_application::ports::{
    AdminRepository, AvatarRepository, ChatRepository, Clock, ErasureRepository, EventBus,
    MailComposer, MailOutbox, MailTokenRepository, Mailer, MediaInspector, MessageRepository,
    ObjectStore, PasswordHasher, RateLimiter, SessionRepository, TokenService, UploadRepository,
    UserRepository,
};
use confab_application::profiles::ProfileService;
use confab_infrastructure::files::{self, S3Settings};
use confab_infrastructure::mail::{DirectoryMailer, SmtpMailer, TemplateComposer};
use confab_infrastructure::media::ImageMedia;
use confab_infrastructure::persistence::{
    SeaOrmAdminRepository, SeaOrmChatRepository, SeaOrmMailOutbox, SeaOrmMailTokenRepository,
    SeaOrmMessageRepository, SeaOrmSessionRepository, SeaOrmUploadRepository, SeaOrmUserRepository,
    connect, migrate, ping,
};
use confab_infrastructure::rate_limit::{InMemoryRateLimiter, RatePolicy, RedisRateLimiter};
use confab_infrastructure::security::{Argon2PasswordHasher, JwtTokenService};
use confab_infrastructure::session_cache::CachedSessionRepository;
use metrics_exporter_prometheus::PrometheusHandle;
use rand::RngCore;
use sea_orm::DatabaseConnection;

use crate::config::{Config, FilesConfig};
use crate::startup::StartupError;
use crate::telemetry::metrics_handle;

/// Every adapter, built once per process (or per test app).
#[derive(Clone)]
pub struct Adapters {
    /// The database pool.
    pub db: DatabaseConnection,
    /// Accounts and profiles.
    pub users: Arc<dyn UserRepository>,
    /// Which upload is whose avatar (kept on the account).
    pub avatars: Arc<dyn AvatarRepository>,
    /// Device sessions, behind this node's cache (no round trip to authenticate a
    /// request; revocations invalidate it, here at once and through the bus elsewhere).
    pub sessions: Arc<dyn SessionRepository>,
    /// Device sessions read from the database itself, for the check after the bus
    /// lost notifications: then the cache may hold what a lost revocation changed.
    pub session_store: Arc<dyn SessionRepository>,
    /// Chats and members.
    pub chats: Arc<dyn ChatRepository>,
    /// Messages and the chat logs.
    pub messages: Arc<dyn MessageRepository>,
    /// Admin roles, disabled accounts, invites, the audit log.
    pub admin: Arc<dyn AdminRepository>,
    /// The erasure of deleted accounts (the same repository as `admin`).
    pub erasure: Arc<dyn ErasureRepository>,
    /// Woken when this node deletes an account, so the eraser starts at once.
    pub account_deleted: Arc<tokio::sync::Notify>,
    /// Who may register (`CONFAB_REGISTRATION`), for the account service.
    pub registration: RegistrationPolicy,
    /// argon2id.
    pub hasher: Arc<dyn PasswordHasher>,
    /// JWT access tokens and refresh tokens.
    pub tokens: Arc<dyn TokenService>,
    /// Now.
    pub clock: Arc<dyn Clock>,
    /// The event bus.
    pub events: Arc<dyn EventBus>,
    /// Mail tokens and the changes they make.
    pub mail_tokens: Arc<dyn MailTokenRepository>,
    /// The mail outbox.
    pub outbox: Arc<dyn MailOutbox>,
    /// Woken when this node queues a mail, so the outbox worker sends at once.
    pub mail_queued: Arc<tokio::sync::Notify>,
    /// SMTP, or the mail directory.
    pub mailer: Arc<dyn Mailer>,
    /// The mail templates.
    pub composer: Arc<dyn MailComposer>,
    /// Uploaded files: S3, or the files directory.
    pub files: Arc<dyn ObjectStore>,
    /// The rows of uploaded files.
    pub uploads: Arc<dyn UploadRepository>,
    /// Media sniffing and thumbnails.
    pub media: Arc<dyn MediaInspector>,
    /// `CONFAB_MAX_UPLOAD_BYTES`, `CONFAB_USER_QUOTA_BYTES`.
    pub file_limits: FileLimits,
}

/// The application services the API calls.
#[derive(Clone)]
pub struct Services {
    /// Accounts and sessions.
    pub accounts: AccountService,
    /// Profiles and search.
    pub profiles: ProfileService,
    /// Chats, members and roles.
    pub chats: ChatService,
    /// Messages, read positions and chat logs.
    pub messages: MessageService,
    /// Email verification, password reset, email change.
    pub email: EmailService,
    /// Server administration.
    pub admin: AdminService,
    /// Uploads and downloads.
    pub files: FileService,
}

/// Connects to the database and, when asked, applies pending migrations.
pub async fn database(
    config: &Config,
    run_migrations: bool,
) -> Result<DatabaseConnection, StartupError> {
    let db = connect(config.database_url.expose(), config.db_max_connections)
        .await
        .map_err(StartupError::Database)?;
    if run_migrations {
        migrate(&db).await.map_err(StartupError::Migration)?;
    }
    Ok(db)
}

/// Builds every adapter on `db`, reading time from `clock` and publishing on `events`.
pub fn adapters(
    config: &Config,
    db: DatabaseConnection,
    clock: Arc<dyn Clock>,
    events: Arc<dyn EventBus>,
) -> Result<Adapters, StartupError> {
    let secret = jwt_secret(config);
    let tokens = JwtTokenService::new(
        &secret,
        config.access_ttl_seconds,
        config.refresh_ttl_seconds,
    )
    .map_err(StartupError::Tokens)?;
    let session_store: Arc<dyn SessionRepository> =
        Arc::new(SeaOrmSessionRepository::new(db.clone()));
    let mail_queued = Arc::new(tokio::sync::Notify::new());
    let users = Arc::new(SeaOrmUserRepository::new(db.clone()));
    let account_deleted = Arc::new(tokio::sync::Notify::new());
    let admin = Arc::new(
        SeaOrmAdminRepository::new(db.clone())
            .waking(Arc::clone(&mail_queued))
            .waking_eraser(Arc::clone(&account_deleted)),
    );
    Ok(Adapters {
        users: Arc::clone(&users) as _,
        avatars: users,
        sessions: Arc::new(CachedSessionRepository::new(
            Arc::clone(&session_store),
            events.as_ref(),
        )),
        session_store,
        chats: Arc::new(SeaOrmChatRepository::new(db.clone())),
        messages: Arc::new(SeaOrmMessageRepository::new(db.clone())),
        admin: Arc::clone(&admin) as _,
        erasure: admin,
        account_deleted,
        registration: config.registration,
        hasher: Arc::new(config.password_hash_concurrency.map_or_else(
            Argon2PasswordHasher::new,
            Argon2PasswordHasher::with_concurrency,
        )),
        tokens: Arc::new(tokens),
        clock,
        events,
        mail_tokens: Arc::new(
            SeaOrmMailTokenRepository::new(db.clone()).waking(Arc::clone(&mail_queued)),
        ),
        mail_queued,
        outbox: Arc::new(SeaOrmMailOutbox::new(db.clone())),
        mailer: mailer(config)?,
        files: file_store(&config.files)?,
        uploads: Arc::new(SeaOrmUploadRepository::new(db.clone())),
        media: Arc::new(ImageMedia),
        file_limits: config.file_limits,
        composer: Arc::new(TemplateComposer::new(&config.mail.public_url)),
        db,
    })
}

/// SMTP when `CONFAB_SMTP_URL` is set, else the mail directory.
fn mailer(config: &Config) -> Result<Arc<dyn Mailer>, StartupError> {
    let mail = &config.mail;
    if let Some(url) = &mail.smtp_url {
        let smtp = SmtpMailer::new(url.expose(), &mail.from).map_err(StartupError::Mail)?;
        return Ok(Arc::new(smtp));
    }
    tracing::info!(
        dir = %mail.dir.display(),
        "CONFAB_SMTP_URL is not set: mails are written to the mail directory"
    );
    let directory = DirectoryMailer::new(&mail.dir, &mail.from).map_err(StartupError::Mail)?;
    Ok(Arc::new(directory))
}

/// The S3 bucket when `CONFAB_S3_BUCKET` is set, else the files directory.
fn file_store(files: &FilesConfig) -> Result<Arc<dyn ObjectStore>, StartupError> {
    match files {
        FilesConfig::S3 {
            bucket,
            endpoint,
            region,
        } => files::s3(s3_settings(bucket, endpoint.as_ref(), region.as_ref()))
            .map_err(StartupError::Files),
        FilesConfig::Directory(dir) => {
            tracing::info!(
                dir = %dir.display(),
                "CONFAB_S3_BUCKET is not set: files are kept in the files directory (one node only)"
            );
            files::local(dir).map_err(StartupError::Files)
        }
    }
}

fn s3_settings(bucket: &str, endpoint: Option<&String>, region: Option<&String>) -> S3Settings {
    S3Settings {
        bucket: bucket.to_owned(),
        endpoint: endpoint.cloned(),
        region: region.cloned(),
    }
}

/// Where browsers download files from when it is not confab's own origin (S3's
/// presigned URLs), for the web client's policy.
pub(crate) fn download_origin(files: &FilesConfig) -> Option<String> {
    match files {
        FilesConfig::S3 {
            bucket,
            endpoint,
            region,
        } => Some(s3_settings(bucket, endpoint.as_ref(), region.as_ref()).download_origin()),
        FilesConfig::Directory(_) => None,
    }
}

/// The configured key, or a random one with a warning (every restart signs users out).
fn jwt_secret(config: &Config) -> Vec<u8> {
    if let Some(secret) = &config.jwt_secret {
        return secret.expose().as_bytes().to_vec();
    }
    tracing::warn!(
        "CONFAB_JWT_SECRET is not set: using a random key; tokens will not survive a restart \
         and other nodes will not accept them"
    );
    let mut key = vec![0_u8; 48];
    rand::rng().fill_bytes(&mut key);
    key
}

/// Wires every service on `adapters`; with `require_verified_email`, sends and chat
/// creation wait for a verified email.
pub fn services(adapters: &Adapters, require_verified_email: bool) -> Services {
    let a = adapters;
    let gate = require_verified_email.then(|| VerifiedEmailGate::new(Arc::clone(&a.users)));
    let email = EmailService::new(
        Arc::clone(&a.users),
        Arc::clone(&a.mail_tokens),
        Arc::clone(&a.composer),
        Arc::clone(&a.hasher),
        Arc::clone(&a.tokens),
        Arc::clone(&a.clock),
        Arc::clone(&a.events),
    );
    let chats = gated_chats(
        ChatService::new(
            Arc::clone(&a.chats),
            Arc::clone(&a.users),
            Arc::clone(&a.clock),
            Arc::clone(&a.events),
        ),
        gate.clone(),
    );
    let messages = gated_messages(
        MessageService::new(
            Arc::clone(&a.messages),
            Arc::clone(&a.chats),
            Arc::clone(&a.clock),
            Arc::clone(&a.events),
        ),
        gate,
    );
    Services {
        accounts: AccountService::new(
            Arc::clone(&a.users),
            Arc::clone(&a.sessions),
            Arc::clone(&a.hasher),
            Arc::clone(&a.tokens),
            Arc::clone(&a.clock),
            Arc::clone(&a.events),
        )
        .with_verification_mail(email.clone())
        .with_registration(a.registration, Arc::clone(&a.admin)),
        profiles: ProfileService::new(
            Arc::clone(&a.users),
            Arc::clone(&a.hasher),
            Arc::clone(&a.clock),
            Arc::clone(&a.uploads),
            Arc::clone(&a.avatars),
        )
        .with_email_changes(email.clone()),
        admin: AdminService::new(
            Arc::clone(&a.users),
            Arc::clone(&a.admin),
            Arc::clone(&a.hasher),
            Arc::clone(&a.tokens),
            Arc::clone(&a.clock),
            Arc::clone(&a.events),
            chats.clone(),
            messages.clone(),
        )
        .with_mail(email.clone()),
        chats,
        messages,
        files: FileService::new(
            Arc::clone(&a.uploads),
            Arc::clone(&a.files),
            Arc::clone(&a.media),
            Arc::clone(&a.clock),
            a.file_limits,
        ),
        email,
    }
}

fn gated_chats(chats: ChatService, gate: Option<VerifiedEmailGate>) -> ChatService {
    if let Some(gate) = gate {
        chats.requiring_verified_email(gate)
    } else {
        chats
    }
}

fn gated_messages(messages: MessageService, gate: Option<VerifiedEmailGate>) -> MessageService {
    if let Some(gate) = gate {
        messages.requiring_verified_email(gate)
    } else {
        messages
    }
}

/// The rate limiters: in memory, or in Redis when `CONFAB_REDIS_URL` is set.
pub async fn rate_limits(config: &Config) -> Result<RateLimits, StartupError> {
    let auth = RatePolicy::per_minute(config.auth_rate_per_minute);
    let send = RatePolicy::per_second(config.send_rate_per_second, config.send_burst());
    Ok(RateLimits {
        auth_per_ip: limiter(config, auth, "confab:rl:auth:").await?,
        send_per_user: limiter(config, send, "confab:rl:send:").await?,
        trust_proxy: config.trust_proxy,
    })
}

async fn limiter(
    config: &Config,
    policy: Option<RatePolicy>,
    redis_prefix: &str,
) -> Result<RateLimit, StartupError> {
    let Some(policy) = policy else {
        return Ok(RateLimit::off());
    };
    let limiter: Arc<dyn RateLimiter> = match &config.redis_url {
        Some(url) => Arc::new(
            RedisRateLimiter::connect(url.expose(), redis_prefix, policy)
                .await
                .map_err(StartupError::Redis)?,
        ),
        None => Arc::new(InMemoryRateLimiter::new(policy)),
    };
    Ok(RateLimit::new(limiter))
}

/// `/ready` pings the database; `/metrics` renders the process recorder.
pub fn operations(db: &DatabaseConnection) -> Operations {
    let db = db.clone();
    let handle = metrics_handle();
    Operations {
        readiness: Arc::new(move || {
            let db = db.clone();
            Box::pin(async move {
                tokio::time::timeout(Duration::from_secs(2), ping(&db))
                    .await
                    .unwrap_or(false)
            })
        }),
        metrics: Arc::new(move || {
            handle
                .as_ref()
                .map(PrometheusHandle::render)
                .unwrap_or_default()
        }),
    }
}

/// Everything the HTTP edge needs.
pub fn api_state(
    services: &Services,
    realtime: Gateway,
    rate_limits: RateLimits,
    operations: Operations,
) -> ApiState {
    ApiState {
        accounts: services.accounts.clone(),
        profiles: services.profiles.clone(),
        chats: services.chats.clone(),
        messages: services.messages.clone(),
        email: services.email.clone(),
        admin: services.admin.clone(),
        files: services.files.clone(),
        realtime,
        rate_limits,
        operations,
    }
}
