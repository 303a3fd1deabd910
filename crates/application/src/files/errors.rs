//! The errors of the file use cases.

use thiserror::Error;

use crate::error::{InternalError, ValidationErrors, internal_conversions};
use crate::ports::StoreError;

/// Why an upload was refused.
#[derive(Debug, Error)]
pub enum UploadError {
    /// The file is larger than `CONFAB_MAX_UPLOAD_BYTES`.
    #[error("the file exceeds {max_bytes} bytes")]
    TooLarge {
        /// The limit.
        max_bytes: u64,
    },
    /// The user's uploads would take more than their quota.
    #[error("upload quota exceeded")]
    QuotaExceeded,
    /// An empty file, a missing `file` part, or an image that cannot be decoded
    /// (truncated, corrupt, or a decompression bomb).
    #[error(transparent)]
    Validation(#[from] ValidationErrors),
    /// The request body broke off or is not multipart.
    #[error("the request body could not be read")]
    BodyUnreadable,
    /// Storage failed.
    #[error("internal error")]
    Internal(#[source] InternalError),
}

/// Why a file could not be downloaded.
#[derive(Debug, Error)]
pub enum DownloadError {
    /// No such file, or the caller may not read it (which is not told apart).
    #[error("file not found")]
    FileNotFound,
    /// The requested range does not overlap the file.
    #[error("range not satisfiable")]
    RangeNotSatisfiable {
        /// The file's size, for `Content-Range: bytes */size`.
        size: u64,
    },
    /// Storage failed.
    #[error("internal error")]
    Internal(#[source] InternalError),
}

internal_conversions!(UploadError, DownloadError);

impl From<StoreError> for UploadError {
    fn from(error: StoreError) -> Self {
        Self::Internal(error.into())
    }
}

impl From<StoreError> for DownloadError {
    fn from(error: StoreError) -> Self {
        Self::Internal(error.into())
    }
}
