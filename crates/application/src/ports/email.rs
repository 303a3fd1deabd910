//! Storage of mail tokens and the mail outbox: every write that mails something
//! queues the mail in the same transaction, so no token exists without its mail and
//! no mail is lost when the sender is down.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use confab_domain::{Email, SessionId, User, UserId};
use uuid::Uuid;

use super::mail::OutgoingMail;
use super::passwords::PasswordHash;
use super::tokens::TokenHash;
use super::users::UserWriteError;
use crate::error::RepositoryError;

/// What a mail token may be used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    /// Confirms the address it was mailed to (the current or the pending one).
    Verify,
    /// Sets a new password.
    Reset,
}

impl TokenPurpose {
    /// The stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Verify => "verify",
            Self::Reset => "reset",
        }
    }
}

/// A token about to be stored (only its hash).
#[derive(Debug, Clone)]
pub struct NewMailToken {
    /// The hash of the token in the link.
    pub hash: TokenHash,
    /// Whose account it acts on.
    pub user_id: UserId,
    /// What it is for.
    pub purpose: TokenPurpose,
    /// The address it was mailed to.
    pub email: Email,
    /// Creation time.
    pub now: DateTime<Utc>,
    /// When it stops being accepted.
    pub expires_at: DateTime<Utc>,
}

/// A queued mail as the outbox worker claims it.
#[derive(Debug, Clone)]
pub struct QueuedMail {
    /// The outbox row.
    pub id: Uuid,
    /// The mail.
    pub mail: OutgoingMail,
    /// Attempts made before this one.
    pub attempts: u32,
}

/// Mail tokens and the account changes they make.
#[async_trait]
pub trait MailTokenRepository: Send + Sync {
    /// Stores `token` and queues `mails`, in one transaction.
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails; nothing is stored then.
    async fn issue(
        &self,
        token: NewMailToken,
        mails: Vec<OutgoingMail>,
    ) -> Result<(), RepositoryError>;

    /// Sets the account's `pending_email` to `token.email`, stores `token` and
    /// queues `mails`, in one transaction; returns the account after it.
    ///
    /// # Errors
    /// [`UserWriteError::EmailTaken`] when another account has the address;
    /// `NotFound` when the account is gone; `Storage` otherwise.
    async fn request_email_change(
        &self,
        token: NewMailToken,
        mails: Vec<OutgoingMail>,
    ) -> Result<User, UserWriteError>;

    /// When the newest token of `purpose` for the account was issued, if any.
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn latest_issued(
        &self,
        user_id: UserId,
        purpose: TokenPurpose,
    ) -> Result<Option<DateTime<Utc>>, RepositoryError>;

    /// Redeems an unused, unexpired verify token: marks it used and, when its address
    /// is the account's email, marks that verified; when it is the pending email,
    /// makes it the email (verified) and clears the pending one. `Ok(None)` for an
    /// unknown, used or expired token or one whose address is neither (nothing
    /// changes then).
    ///
    /// # Errors
    /// [`UserWriteError::EmailTaken`] when another account took the pending address
    /// meanwhile (nothing changes); `Storage` otherwise.
    async fn confirm_email(
        &self,
        hash: &TokenHash,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, UserWriteError>;

    /// Redeems an unused, unexpired reset token: sets the password hash, marks every
    /// unused reset token of the account used, and revokes all its sessions, in one
    /// transaction. Returns the account and the sessions revoked; `Ok(None)` for an
    /// unknown, used or expired token (nothing changes then).
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails; nothing is changed then.
    async fn reset_password(
        &self,
        hash: &TokenHash,
        password_hash: PasswordHash,
        now: DateTime<Utc>,
    ) -> Result<Option<(UserId, Vec<SessionId>)>, RepositoryError>;
}

/// The outbox the background worker sends from.
#[async_trait]
pub trait MailOutbox: Send + Sync {
    /// Claims up to `limit` unsent mails due at `now` by moving their due time to
    /// `lease_until`, so no other worker takes them while this one sends (rows
    /// another worker is claiming are skipped, not waited for).
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn claim(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<QueuedMail>, RepositoryError>;

    /// Records a successful send and empties the bodies (they hold live tokens).
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn mark_sent(&self, id: Uuid, now: DateTime<Utc>) -> Result<(), RepositoryError>;

    /// Records a failed attempt: `retry_at` is the next due time, or `None` to give up.
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn mark_failed(
        &self,
        id: Uuid,
        error: &str,
        now: DateTime<Utc>,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), RepositoryError>;

    /// How many mails wait to be sent (not sent, not given up).
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn pending(&self) -> Result<u64, RepositoryError>;
}
