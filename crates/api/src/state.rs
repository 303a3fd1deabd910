//! What the edge needs from the composition root: the application services, the
//! rate-limit policies and the operations hooks. Built by `confab` (crates/server);
//! the api crate never sees an adapter.

use std::sync::Arc;

use confab_application::accounts::AccountService;
use confab_application::admin::AdminService;
use confab_application::chats::ChatService;
use confab_application::email::EmailService;
use confab_application::files::FileService;
use confab_application::messages::MessageService;
use confab_application::profiles::ProfileService;
use futures_util::future::BoxFuture;

use crate::middleware::rate_limit::RateLimit;
use crate::ws::Gateway;

/// Answers whether the service can take traffic (the database answers), for `/ready`.
pub type ReadinessProbe = Arc<dyn Fn() -> BoxFuture<'static, bool> + Send + Sync>;

/// Renders the Prometheus text exposition, for `/metrics`.
pub type MetricsRenderer = Arc<dyn Fn() -> String + Send + Sync>;

/// Rate-limit policies and how to find the client address.
#[derive(Clone, Default)]
pub struct RateLimits {
    /// login/register/refresh, per client IP.
    pub auth_per_ip: RateLimit,
    /// Message sends, per user (applied by the messages endpoints).
    pub send_per_user: RateLimit,
    /// Take the client IP from `X-Forwarded-For` (`CONFAB_TRUST_PROXY`).
    pub trust_proxy: bool,
}

/// Hooks of the operations routes.
#[derive(Clone)]
pub struct Operations {
    /// `/ready`.
    pub readiness: ReadinessProbe,
    /// `/metrics`.
    pub metrics: MetricsRenderer,
}

/// Everything the endpoints call. Cheap to clone (services hold `Arc`s).
#[derive(Clone)]
pub struct ApiState {
    /// Accounts and sessions.
    pub accounts: AccountService,
    /// Profiles and user search.
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
    /// The realtime gateway behind `/api/v1/ws`.
    pub realtime: Gateway,
    /// Rate-limit policies.
    pub rate_limits: RateLimits,
    /// `/ready` and `/metrics`.
    pub operations: Operations,
    // Chats, messages and realtime: add their services here (and their APIs in
    // `app.rs`), each in its own field.
}
