//! Storage of accounts and profiles.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use confab_domain::{
    Bio, BirthDate, DisplayName, Email, Location, SessionId, User, UserId, Username,
};
use thiserror::Error;

use super::passwords::PasswordHash;
use crate::error::RepositoryError;

/// A user about to be stored.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// The new account's id.
    pub id: UserId,
    /// Unique login name.
    pub username: Username,
    /// Address, unique case-insensitively.
    pub email: Email,
    /// The hashed password.
    pub password_hash: PasswordHash,
    /// Optional display name.
    pub display_name: Option<DisplayName>,
    /// Creation time (also `updated_at`).
    pub now: DateTime<Utc>,
}

/// A partial profile update: `None` leaves a field alone; for nullable fields
/// `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct ProfileChanges {
    /// New username.
    pub username: Option<Username>,
    /// New email.
    pub email: Option<Email>,
    /// New or cleared display name.
    pub display_name: Option<Option<DisplayName>>,
    /// New or cleared bio.
    pub bio: Option<Option<Bio>>,
    /// New or cleared location.
    pub location: Option<Option<Location>>,
    /// New or cleared birth date.
    pub birth_date: Option<Option<BirthDate>>,
    /// New privacy flag.
    pub is_private: Option<bool>,
}

impl ProfileChanges {
    /// Whether the update changes nothing at all.
    pub fn is_empty(&self) -> bool {
        self.username.is_none()
            && self.email.is_none()
            && self.display_name.is_none()
            && self.bio.is_none()
            && self.location.is_none()
            && self.birth_date.is_none()
            && self.is_private.is_none()
    }
}

/// A user with the hash to check a password against.
#[derive(Debug, Clone)]
pub struct StoredCredentials {
    /// The account.
    pub user: User,
    /// Its password hash.
    pub password_hash: PasswordHash,
}

/// Why a user could not be written.
#[derive(Debug, Error)]
pub enum UserWriteError {
    /// Another account has this username.
    #[error("username is taken")]
    UsernameTaken,
    /// Another account has this email (case-insensitively).
    #[error("email is taken")]
    EmailTaken,
    /// The account does not exist.
    #[error("user not found")]
    NotFound,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] RepositoryError),
}

/// Accounts and profiles.
#[async_trait]
pub trait UserRepository: Send + Sync {
    /// Stores a new account.
    ///
    /// # Errors
    /// [`UserWriteError::UsernameTaken`] / [`UserWriteError::EmailTaken`] when a unique
    /// key is already used (decided by the database's unique indexes, so concurrent
    /// registrations cannot both win); [`UserWriteError::Storage`] otherwise.
    async fn insert(&self, user: NewUser) -> Result<User, UserWriteError>;

    /// The account with this id, if any.
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn get(&self, id: UserId) -> Result<Option<User>, RepositoryError>;

    /// The account whose username equals `login` trimmed and lower-cased, or whose
    /// email equals it case-insensitively, with its password hash.
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn find_credentials(
        &self,
        login: &str,
    ) -> Result<Option<StoredCredentials>, RepositoryError>;

    /// The password hash of an account.
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn password_hash(&self, id: UserId) -> Result<Option<PasswordHash>, RepositoryError>;

    /// Applies `changes` and sets `updated_at = now`; returns the profile after it.
    ///
    /// # Errors
    /// [`UserWriteError::UsernameTaken`] / [`UserWriteError::EmailTaken`] on a unique
    /// key clash; [`UserWriteError::NotFound`] when the account is gone.
    async fn update_profile(
        &self,
        id: UserId,
        changes: ProfileChanges,
        now: DateTime<Utc>,
    ) -> Result<User, UserWriteError>;

    /// Replaces the password hash and, in the same transaction, revokes every session
    /// of the user except `keep`. Returns the ids of the sessions it revoked.
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails; nothing is changed then.
    async fn change_password(
        &self,
        id: UserId,
        hash: PasswordHash,
        keep: SessionId,
        now: DateTime<Utc>,
    ) -> Result<Vec<SessionId>, RepositoryError>;

    /// Users whose username or lower-cased display name starts with `prefix` (already
    /// lower-cased; `%` and `_` are literal), ordered by username, strictly after
    /// `after_username`, at most `limit` rows. Deleted accounts are left out.
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn search(
        &self,
        prefix: &str,
        after_username: Option<&str>,
        limit: u64,
    ) -> Result<Vec<User>, RepositoryError>;

    /// Which of `ids` exist.
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn existing(&self, ids: &[UserId]) -> Result<Vec<UserId>, RepositoryError>;
}
