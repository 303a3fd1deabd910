//! Storage of device sessions and their rotating refresh tokens.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use confab_domain::{DeviceName, Session, SessionId, UserId};

use super::tokens::TokenHash;
use crate::error::RepositoryError;

/// A session about to be stored, with the hash of its first refresh token.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The new session's id.
    pub id: SessionId,
    /// Its user.
    pub user_id: UserId,
    /// Optional device label.
    pub device_name: Option<DeviceName>,
    /// Hash of the first refresh token.
    pub refresh_token_hash: TokenHash,
    /// Creation time (also `last_used_at`).
    pub now: DateTime<Utc>,
    /// When the refresh token stops being accepted.
    pub expires_at: DateTime<Utc>,
}

/// What redeeming a refresh token did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshOutcome {
    /// The token was the session's current one: it is now spent, the replacement is
    /// current, `last_used_at` and `expires_at` moved on.
    Rotated(Session),
    /// The token was already spent: someone replayed it, so the whole session was
    /// revoked (theft detection).
    Reused {
        /// The session that was revoked.
        session_id: SessionId,
        /// Its user.
        user_id: UserId,
    },
    /// The token belongs to a session that is revoked or expired.
    Inactive,
    /// No session ever issued this token.
    Unknown,
}

/// Device sessions.
#[async_trait]
pub trait SessionRepository: Send + Sync {
    /// Stores a new session and its first refresh token, unless the account is
    /// disabled: `None` then, and nothing is stored. The check is made in the
    /// transaction that stores the session, under the account row's lock (which
    /// disabling takes too), so a login whose password check passed while the account
    /// was being disabled cannot leave a live session behind.
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn create(&self, session: NewSession) -> Result<Option<Session>, RepositoryError>;

    /// The session with this id, revoked or not.
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn get(&self, id: SessionId) -> Result<Option<Session>, RepositoryError>;

    /// Redeems `presented` at `now`: if it is the session's current token it is
    /// marked spent and `replacement` becomes current, valid until `expires_at`. All
    /// in one transaction, so two concurrent redemptions of one token cannot both
    /// rotate: the loser sees [`RefreshOutcome::Reused`].
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails; nothing is changed then.
    async fn rotate_refresh_token(
        &self,
        presented: &TokenHash,
        replacement: &TokenHash,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<RefreshOutcome, RepositoryError>;

    /// The user's active sessions (not revoked, not expired at `now`), newest first,
    /// strictly older than `before` when given, at most `limit`.
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn list_active(
        &self,
        user_id: UserId,
        before: Option<SessionId>,
        limit: u64,
        now: DateTime<Utc>,
    ) -> Result<Vec<Session>, RepositoryError>;

    /// Revokes the session if it belongs to `user_id` and is still active. Returns
    /// whether it did.
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn revoke(
        &self,
        user_id: UserId,
        session_id: SessionId,
        now: DateTime<Utc>,
    ) -> Result<bool, RepositoryError>;
}
