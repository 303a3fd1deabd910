//! Files: uploads streamed into the object store, downloads checked against who
//! may read them, and the thumbnails of images.

mod disposition;
mod download;
mod errors;
mod upload;

use std::sync::Arc;

pub use disposition::content_disposition;
pub use download::{FileBody, Variant};
pub use errors::{DownloadError, UploadError};

use crate::ports::{Clock, MediaInspector, ObjectStore, UploadRepository};

/// The limits of uploads (`CONFAB_MAX_UPLOAD_BYTES`, `CONFAB_USER_QUOTA_BYTES`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileLimits {
    /// The largest file accepted.
    pub max_upload_bytes: u64,
    /// The most bytes one user's uploads may take together.
    pub user_quota_bytes: u64,
}

impl Default for FileLimits {
    fn default() -> Self {
        Self {
            max_upload_bytes: 25 * 1024 * 1024,
            user_quota_bytes: 1024 * 1024 * 1024,
        }
    }
}

/// The longest side of a thumbnail, in pixels.
pub const THUMBNAIL_MAX_SIDE: u32 = 320;

/// The file use cases. Cheap to clone: it only holds shared ports.
#[derive(Clone)]
pub struct FileService {
    uploads: Arc<dyn UploadRepository>,
    store: Arc<dyn ObjectStore>,
    media: Arc<dyn MediaInspector>,
    clock: Arc<dyn Clock>,
    limits: FileLimits,
}

impl FileService {
    /// Wires the service to its ports.
    pub fn new(
        uploads: Arc<dyn UploadRepository>,
        store: Arc<dyn ObjectStore>,
        media: Arc<dyn MediaInspector>,
        clock: Arc<dyn Clock>,
        limits: FileLimits,
    ) -> Self {
        Self {
            uploads,
            store,
            media,
            clock,
            limits,
        }
    }

    /// The limits in force.
    pub const fn limits(&self) -> FileLimits {
        self.limits
    }
}
