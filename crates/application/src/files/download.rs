//! `GET /files/{id}` and its thumbnail: only for who may read the file, streamed
//! (ranges included) or handed to the store through a short-lived URL.

use std::time::Duration;

use confab_domain::{Upload, UploadId, UserId};

use super::{DownloadError, FileService};
use crate::ports::{ByteRange, Delivery, StoreError, StoredObject};

/// How long a presigned download URL stays valid.
const URL_VALIDITY: Duration = Duration::from_mins(5);

/// The file itself or its thumbnail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// The uploaded bytes.
    Original,
    /// The thumbnail of an image.
    Thumbnail,
}

/// What a download answers with.
#[derive(Debug)]
pub enum FileBody {
    /// The bytes (or the range asked for), streamed.
    Stream(StoredObject),
    /// A presigned URL of the store to redirect to.
    Redirect(String),
}

impl FileService {
    /// The upload, if `reader` may read it (and, for a thumbnail, it has one).
    ///
    /// # Errors
    /// [`DownloadError::FileNotFound`].
    pub async fn file(
        &self,
        reader: UserId,
        id: UploadId,
        variant: Variant,
    ) -> Result<Upload, DownloadError> {
        let upload = self
            .uploads
            .readable(id, reader, self.clock.now())
            .await?
            .ok_or(DownloadError::FileNotFound)?;
        if variant == Variant::Thumbnail && upload.thumbnail_key.is_none() {
            return Err(DownloadError::FileNotFound);
        }
        Ok(upload)
    }

    /// Opens `upload` (as returned by [`file`](Self::file)) for download.
    ///
    /// # Errors
    /// [`DownloadError::FileNotFound`] when the blob is gone,
    /// [`DownloadError::RangeNotSatisfiable`].
    pub async fn open(
        &self,
        upload: &Upload,
        variant: Variant,
        range: Option<ByteRange>,
    ) -> Result<FileBody, DownloadError> {
        let key = match variant {
            Variant::Original => upload.blob_key(),
            Variant::Thumbnail => upload
                .thumbnail_key
                .clone()
                .ok_or(DownloadError::FileNotFound)?,
        };
        if let Delivery::Redirect(url) = self.store.delivery(&key, URL_VALIDITY).await? {
            return Ok(FileBody::Redirect(url));
        }
        match self.store.get(&key, range).await {
            Ok(object) => Ok(FileBody::Stream(object)),
            Err(StoreError::NotFound) => Err(DownloadError::FileNotFound),
            Err(StoreError::RangeNotSatisfiable) => Err(DownloadError::RangeNotSatisfiable {
                size: match variant {
                    Variant::Original => upload.size,
                    Variant::Thumbnail => 0,
                },
            }),
            Err(error) => Err(error.into()),
        }
    }
}
