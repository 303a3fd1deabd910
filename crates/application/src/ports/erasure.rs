//! Storage side of erasing deleted accounts, a batch at a time. The job's progress
//! is never stored apart from the data: what is left to do is read from the rows
//! themselves (live messages by the account, groups it is in, its uploads, its
//! profile, `erased_at`), so every method is idempotent and a run that crashed
//! resumes where the data says, repeating nothing.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use confab_domain::{ChatId, DisplayName, LoggedEvent, UserId};

use crate::error::RepositoryError;

/// What an erased account's username (and email) becomes once released: `deleted-`
/// and the account id's 32 hex digits. Registration can never produce it (`-` is
/// not in `[a-z0-9_]`, and an email needs an `@`), and ids are unique, so it frees
/// the old name without ever clashing.
pub const RELEASED_NAME_PREFIX: &str = "deleted-";

/// The released username (and email) of account `id` (see [`RELEASED_NAME_PREFIX`]).
pub fn released_name(id: UserId) -> String {
    format!("{RELEASED_NAME_PREFIX}{}", id.as_uuid().simple())
}

/// The erasure job's reads and writes. Each write is one transaction.
#[async_trait]
pub trait ErasureRepository: Send + Sync {
    /// The deleted account erased first (the oldest `deleted_at` whose `erased_at`
    /// is unset), if any.
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn next_to_erase(&self) -> Result<Option<UserId>, RepositoryError>;

    /// Blanks the profile of `user` (display name `display_name`; bio, location,
    /// birth date, pending email and avatar cleared; private) and deletes its mail
    /// tokens. Returns whether anything was left to blank.
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn blank_profile(
        &self,
        user: UserId,
        display_name: &DisplayName,
        now: DateTime<Utc>,
    ) -> Result<bool, RepositoryError>;

    /// Tombstones up to `limit` live messages by `user`, in one transaction, the way
    /// a member's delete does (the chat's next seq, a `message.deleted` entry; the
    /// earlier entries replay the tombstone, since they store no copy of the text).
    /// The messages are taken chat by chat, each chat locked once; a message is
    /// checked again under its chat's lock, so two runs never tombstone one message
    /// twice. Expired messages are left to the reaper.
    /// Returns the entries written, in log order per chat: fewer than `limit` means
    /// none is left.
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn tombstone_messages(
        &self,
        user: UserId,
        now: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<LoggedEvent>, RepositoryError>;

    /// Up to `limit` group chats `user` is still a member of.
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn groups_of(&self, user: UserId, limit: u64) -> Result<Vec<ChatId>, RepositoryError>;

    /// Deletes up to `limit` upload rows of `user` (and clears its avatar, which
    /// names one) in one transaction; the file clean-up then sweeps their blobs.
    /// Returns how many rows went: fewer than `limit` means none is left.
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn delete_uploads(&self, user: UserId, limit: u64) -> Result<u64, RepositoryError>;

    /// Marks `user` erased (`erased_at = now`) unless it already is.
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn mark_erased(&self, user: UserId, now: DateTime<Utc>) -> Result<(), RepositoryError>;

    /// Renames up to `limit` erased accounts deleted before `deleted_before` whose
    /// username is not yet released to [`released_name`] (username and email), so
    /// both can be registered again. Returns how many were renamed.
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn release_names(
        &self,
        deleted_before: DateTime<Utc>,
        limit: u64,
    ) -> Result<u64, RepositoryError>;
}
