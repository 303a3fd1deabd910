//! The clean-up of files nobody can reach any more: uploads never attached within
//! a day, and blobs whose row is gone (a message purged for good took its uploads'
//! rows along, or a node died between writing a blob and its row).

use chrono::{DateTime, TimeDelta, Utc};
use confab_domain::{Upload, UploadId};
use futures_util::StreamExt;
use thiserror::Error;
use uuid::Uuid;

use super::FileService;
use crate::error::RepositoryError;
use crate::ports::StoreError;

/// How long an upload may stay unattached before it is deleted.
pub const UNATTACHED_LIFETIME: TimeDelta = TimeDelta::hours(24);

/// How old a blob without a row must be before it is swept: an upload in flight
/// writes its blob before its row, and must never lose the blob meanwhile.
pub const ORPHAN_GRACE: TimeDelta = TimeDelta::hours(1);

/// How many rows one statement removes or looks up, so no run holds a long one.
const BATCH: u64 = 500;

/// The prefixes of the blobs the sweeper looks at; each key ends in an upload id.
const SWEPT_PREFIXES: [&str; 2] = ["uploads/", "thumbnails/"];

/// What one clean-up removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CleanUp {
    /// Unattached uploads deleted (row and blobs).
    pub stale_uploads: usize,
    /// Blobs deleted because no row names them.
    pub orphan_blobs: usize,
}

/// Why a clean-up stopped early; the next run picks up where it left off.
#[derive(Debug, Error)]
pub enum CleanUpError {
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] RepositoryError),
    /// The object store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl FileService {
    /// One clean-up at the clock's now: deletes the uploads unattached for
    /// [`UNATTACHED_LIFETIME`] (sparing avatars), then every blob older than
    /// [`ORPHAN_GRACE`] that no row names.
    ///
    /// # Errors
    /// [`CleanUpError`] when the database or the store fails.
    pub async fn clean_up(&self) -> Result<CleanUp, CleanUpError> {
        let now = self.clock.now();
        let stale_uploads = self.remove_stale_uploads(now - UNATTACHED_LIFETIME).await?;
        let orphan_blobs = self.sweep_orphan_blobs(now - ORPHAN_GRACE).await?;
        Ok(CleanUp {
            stale_uploads,
            orphan_blobs,
        })
    }

    /// Rows first, blobs after: should a blob's delete fail, it is only a blob
    /// without a row, which the sweeper removes on a later run.
    async fn remove_stale_uploads(&self, before: DateTime<Utc>) -> Result<usize, CleanUpError> {
        let mut removed = 0;
        loop {
            let batch = self.uploads.remove_stale_unattached(before, BATCH).await?;
            for upload in &batch {
                self.store.delete(&upload.blob_key()).await?;
                self.store
                    .delete(&Upload::thumbnail_key_of(upload.id))
                    .await?;
            }
            removed += batch.len();
            if u64::try_from(batch.len()).unwrap_or(u64::MAX) < BATCH {
                return Ok(removed);
            }
        }
    }

    /// Reads each swept prefix as the store pages through it, checking the old
    /// keys against the rows [`BATCH`] at a time, so a bucket of any size is
    /// swept in bounded memory.
    async fn sweep_orphan_blobs(
        &self,
        written_before: DateTime<Utc>,
    ) -> Result<usize, CleanUpError> {
        let batch = usize::try_from(BATCH).unwrap_or(usize::MAX);
        let mut swept = 0;
        for prefix in SWEPT_PREFIXES {
            let mut keys = self.store.list(prefix);
            let mut old: Vec<(String, UploadId)> = Vec::with_capacity(batch);
            while let Some(key) = keys.next().await {
                let key = key?;
                let Some(id) = upload_id_in(&key, prefix) else {
                    continue;
                };
                if written_at(id).is_some_and(|at| at < written_before) {
                    old.push((key, id));
                }
                if old.len() == batch {
                    swept += self.delete_unnamed(&old).await?;
                    old.clear();
                }
            }
            swept += self.delete_unnamed(&old).await?;
        }
        Ok(swept)
    }

    /// Deletes the blobs among `blobs` whose upload has no row; how many.
    async fn delete_unnamed(&self, blobs: &[(String, UploadId)]) -> Result<usize, CleanUpError> {
        if blobs.is_empty() {
            return Ok(0);
        }
        let ids: Vec<UploadId> = blobs.iter().map(|(_, id)| *id).collect();
        let named = self.uploads.existing(&ids).await?;
        let mut deleted = 0;
        for (key, id) in blobs {
            if !named.contains(id) {
                self.store.delete(key).await?;
                deleted += 1;
            }
        }
        Ok(deleted)
    }
}

/// The upload id a key confab chose ends in; `None` for any other key, which the
/// sweeper leaves alone.
fn upload_id_in(key: &str, prefix: &str) -> Option<UploadId> {
    let id = key.strip_prefix(prefix)?;
    Uuid::parse_str(id).ok().map(UploadId::from)
}

/// When the blob of upload `id` was written, at the latest: ids are UUIDv7, made
/// when the upload began. An id without a timestamp is never swept.
fn written_at(id: UploadId) -> Option<DateTime<Utc>> {
    let (seconds, nanos) = id.as_uuid().get_timestamp()?.to_unix();
    DateTime::from_timestamp(i64::try_from(seconds).ok()?, nanos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_keys_ending_in_an_upload_id_are_swept() {
        let id = UploadId::generate();
        assert_eq!(upload_id_in(&format!("uploads/{id}"), "uploads/"), Some(id));
        assert_eq!(upload_id_in("uploads/notes.txt", "uploads/"), None);
        assert_eq!(upload_id_in(&format!("other/{id}"), "uploads/"), None);
    }

    #[test]
    fn an_upload_id_tells_when_its_blob_was_written() {
        let before = Utc::now() - TimeDelta::seconds(1);
        let written = written_at(UploadId::generate()).expect("a UUIDv7");
        assert!(written >= before && written <= Utc::now() + TimeDelta::seconds(1));
        assert_eq!(written_at(UploadId::from(Uuid::nil())), None);
    }
}
