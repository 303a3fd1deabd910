//! Accounts and device sessions: register, login, refresh with rotation, logout,
//! session management, password change, and access-token authentication.

mod authenticate;
mod errors;
mod input;
mod password;
mod refresh;
mod registration;
mod sessions;
mod signin;
mod types;

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use confab_domain::{DeviceName, Password, SessionId, User, UserId};

pub use errors::{
    AuthenticateError, ChangePasswordError, ListSessionsError, LoginError, LogoutError,
    RefreshError, RegisterError, RevokeSessionError,
};
pub use registration::RegistrationPolicy;
pub use types::{Authenticated, LoginInput, RegisterInput, SessionSummary, SignedIn, TokenPair};

use crate::email::EmailService;
use crate::error::InternalError;
use crate::ports::{
    AdminRepository, Clock, EventBus, NewSession, PasswordHasher, SessionRepository, TokenService,
    UserRepository,
};
use crate::publish::publish_revoked;

/// The account use cases. Cheap to clone: it only holds shared ports.
#[derive(Clone)]
pub struct AccountService {
    users: Arc<dyn UserRepository>,
    sessions: Arc<dyn SessionRepository>,
    hasher: Arc<dyn PasswordHasher>,
    tokens: Arc<dyn TokenService>,
    clock: Arc<dyn Clock>,
    events: Arc<dyn EventBus>,
    /// When set, registration mails a verification link.
    verification: Option<EmailService>,
    registration: RegistrationPolicy,
    /// Redeems invites; set with the policy by [`AccountService::with_registration`].
    invites: Option<Arc<dyn AdminRepository>>,
}

impl AccountService {
    /// Wires the service to its ports.
    pub fn new(
        users: Arc<dyn UserRepository>,
        sessions: Arc<dyn SessionRepository>,
        hasher: Arc<dyn PasswordHasher>,
        tokens: Arc<dyn TokenService>,
        clock: Arc<dyn Clock>,
        events: Arc<dyn EventBus>,
    ) -> Self {
        Self {
            users,
            sessions,
            hasher,
            tokens,
            clock,
            events,
            verification: None,
            registration: RegistrationPolicy::Open,
            invites: None,
        }
    }

    /// Makes registration mail a verification link to the new address.
    #[must_use]
    pub fn with_verification_mail(mut self, email: EmailService) -> Self {
        self.verification = Some(email);
        self
    }

    /// When a refresh token issued at `now` stops being accepted.
    fn refresh_expiry(&self, now: DateTime<Utc>) -> Result<DateTime<Utc>, InternalError> {
        TimeDelta::try_seconds(self.tokens.refresh_ttl_seconds())
            .and_then(|ttl| now.checked_add_signed(ttl))
            .ok_or(InternalError::Inconsistent(
                "refresh token lifetime out of range",
            ))
    }

    /// Signs an access token for an existing session and pairs it with `refresh_token`.
    fn signed_in(
        &self,
        user: User,
        session_id: SessionId,
        refresh_token: String,
        now: DateTime<Utc>,
    ) -> Result<SignedIn, InternalError> {
        let access = self.tokens.issue_access(user.id, session_id, now)?;
        Ok(SignedIn {
            user,
            tokens: TokenPair {
                access_token: access.token,
                expires_in: access.expires_in,
                refresh_token,
            },
        })
    }

    /// Opens a new device session for `user` and issues its first tokens; `None` when
    /// the account was disabled in the meantime (judged where the session is stored).
    async fn start_session(
        &self,
        user: User,
        device_name: Option<DeviceName>,
    ) -> Result<Option<SignedIn>, InternalError> {
        let now = self.clock.now();
        let (refresh_token, refresh_token_hash) = self.tokens.new_refresh_token();
        let session = self
            .sessions
            .create(NewSession {
                id: SessionId::generate(),
                user_id: user.id,
                device_name,
                refresh_token_hash,
                now,
                expires_at: self.refresh_expiry(now)?,
            })
            .await?;
        let Some(session) = session else {
            return Ok(None);
        };
        self.signed_in(user, session.id, refresh_token.0, now)
            .map(Some)
    }

    /// Tells every node to close the sockets of sessions that were just revoked.
    async fn publish_revoked(&self, user_id: UserId, session_ids: Vec<SessionId>) {
        publish_revoked(self.events.as_ref(), user_id, session_ids).await;
    }

    /// A password that fails no policy, verified against the hasher's dummy hash so
    /// that a refused attempt costs the same time as a real one.
    async fn burn_verification(&self) -> Result<(), InternalError> {
        const DUMMY: &str = "confab-timing-equaliser";
        let dummy = Password::parse(DUMMY)
            .map_err(|_| InternalError::Inconsistent("dummy password breaks the policy"))?;
        self.hasher.verify(&dummy, None).await?;
        Ok(())
    }
}
