//! Storage of uploads: the rows that describe blobs in the object store.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use confab_domain::{Upload, UploadId, UserId};
use thiserror::Error;

use crate::error::RepositoryError;

/// Why an upload's row could not be stored.
#[derive(Debug, Error)]
pub enum UploadInsertError {
    /// The owner's uploads would then take more than the quota.
    #[error("upload quota exceeded")]
    QuotaExceeded,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] RepositoryError),
}

/// Upload rows.
#[async_trait]
pub trait UploadRepository: Send + Sync {
    /// Stores a new, unattached upload, unless the owner's uploads (this one
    /// included) would then take more than `quota` bytes; the sum and the insert
    /// are one transaction.
    ///
    /// # Errors
    /// [`UploadInsertError::QuotaExceeded`].
    async fn insert(&self, upload: &Upload, quota: u64) -> Result<(), UploadInsertError>;

    /// The bytes the user's uploads take, attached or not.
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn usage(&self, owner: UserId) -> Result<u64, RepositoryError>;

    /// The upload, if `reader` may read it at `now`: an unattached upload to its
    /// owner only; an attached one to its owner and the chat's members while its
    /// message is neither deleted nor expired; an upload that is some user's
    /// avatar to anyone (whoever sees the profile may fetch the picture).
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn readable(
        &self,
        id: UploadId,
        reader: UserId,
        now: DateTime<Utc>,
    ) -> Result<Option<Upload>, RepositoryError>;

    /// Records the blob key of the upload's thumbnail.
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn set_thumbnail(&self, id: UploadId, key: &str) -> Result<(), RepositoryError>;

    /// Removes the row (its blobs are the caller's to remove); a missing row is no
    /// error.
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn delete(&self, id: UploadId) -> Result<(), RepositoryError>;
}
