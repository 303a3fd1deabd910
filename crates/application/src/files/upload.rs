//! `POST /uploads`: the file is streamed into the store chunk by chunk, counted,
//! hashed and sniffed on the way; the row is written only once the blob is whole.

use bytes::{Bytes, BytesMut};
use confab_domain::{FileName, Upload, UploadId, UserId};
use futures_util::{Stream, StreamExt};
use sha2::{Digest, Sha256};

use super::{FileService, THUMBNAIL_MAX_SIDE, UploadError, content_disposition};
use crate::ValidationErrors;
use crate::ports::{DownloadHeaders, ObjectWriter, UploadInsertError};

/// What was learnt while streaming.
struct Streamed {
    size: u64,
    sha256: String,
}

impl FileService {
    /// Stores the file `body` brings for `owner` under its display name `filename`
    /// (sanitized). `declared` is the request's `Content-Length`, when it has one:
    /// a body declared far over the limit is refused before a byte is read.
    ///
    /// # Errors
    /// [`UploadError::TooLarge`], [`UploadError::QuotaExceeded`],
    /// [`UploadError::Validation`] (empty file, unreadable image),
    /// [`UploadError::BodyUnreadable`].
    pub async fn upload<S>(
        &self,
        owner: UserId,
        filename: Option<&str>,
        declared: Option<u64>,
        mut body: S,
    ) -> Result<Upload, UploadError>
    where
        S: Stream<Item = std::io::Result<Bytes>> + Send + Unpin,
    {
        let max = self.limits.max_upload_bytes;
        // The multipart framing adds a few hundred bytes around the file.
        if declared.is_some_and(|length| length > max.saturating_add(MULTIPART_SLACK)) {
            return Err(UploadError::TooLarge { max_bytes: max });
        }
        if self.uploads.usage(owner).await? >= self.limits.user_quota_bytes {
            return Err(UploadError::QuotaExceeded);
        }
        let prefix = read_prefix(&mut body, self.media.sniff_len()).await?;
        if prefix.is_empty() {
            return Err(ValidationErrors::single("file", "must not be empty").into());
        }
        let mut upload = Upload {
            id: UploadId::generate(),
            owner_id: owner,
            filename: FileName::sanitize(filename.unwrap_or_default()),
            content_type: self.media.sniff(&prefix),
            size: 0,
            sha256: String::new(),
            width: None,
            height: None,
            created_at: confab_domain::to_millis(self.clock.now()),
            message_id: None,
            thumbnail_key: None,
        };
        let headers = DownloadHeaders {
            content_type: upload.content_type.clone(),
            content_disposition: content_disposition(&upload),
        };
        let mut writer = self.store.writer(&upload.blob_key(), &headers).await?;
        let streamed = match stream_into(writer.as_mut(), prefix, &mut body, max).await {
            Ok(streamed) => streamed,
            Err(error) => {
                // Best effort: an unfinished object is never visible anyway.
                let _ = writer.abort().await;
                return Err(error);
            }
        };
        writer.finish().await?;
        upload.size = streamed.size;
        upload.sha256 = streamed.sha256;
        match self.complete(&mut upload).await {
            Ok(()) => Ok(upload),
            Err(error) => {
                self.remove_blobs(&upload).await;
                Err(error)
            }
        }
    }

    /// Measures and thumbnails an image, then writes the row.
    async fn complete(&self, upload: &mut Upload) -> Result<(), UploadError> {
        if upload.is_image() {
            self.make_thumbnail(upload).await?;
        }
        match self
            .uploads
            .insert(upload, self.limits.user_quota_bytes)
            .await
        {
            Ok(()) => Ok(()),
            Err(UploadInsertError::QuotaExceeded) => Err(UploadError::QuotaExceeded),
            Err(UploadInsertError::Storage(error)) => Err(error.into()),
        }
    }

    /// Decodes the stored image (bounded by the media adapter's limits), records
    /// its size, and stores its thumbnail.
    async fn make_thumbnail(&self, upload: &mut Upload) -> Result<(), UploadError> {
        let stored = self.store.get(&upload.blob_key(), None).await?;
        let capacity = usize::try_from(stored.size).unwrap_or(0);
        let mut bytes = BytesMut::with_capacity(capacity);
        let mut chunks = stored.body;
        while let Some(chunk) = chunks.next().await {
            bytes.extend_from_slice(&chunk?);
        }
        let thumbnail = self
            .media
            .thumbnail(bytes.freeze(), THUMBNAIL_MAX_SIDE)
            .await
            .map_err(|error| {
                tracing::debug!(%error, "refused an image upload");
                ValidationErrors::single(
                    "file",
                    "is not a readable image (truncated, corrupt, or too large to decode)",
                )
            })?;
        upload.width = Some(thumbnail.width);
        upload.height = Some(thumbnail.height);
        let key = Upload::thumbnail_key_of(upload.id);
        let headers = DownloadHeaders {
            content_type: thumbnail.content_type.to_owned(),
            content_disposition: "inline".to_owned(),
        };
        let mut writer = self.store.writer(&key, &headers).await?;
        writer.write(thumbnail.bytes).await?;
        writer.finish().await?;
        upload.thumbnail_key = Some(key);
        Ok(())
    }

    /// Removes an upload's blob and thumbnail after a failed upload, logging (not
    /// returning) what fails: the sweeper removes whatever is left.
    async fn remove_blobs(&self, upload: &Upload) {
        for key in [upload.blob_key(), Upload::thumbnail_key_of(upload.id)] {
            if let Err(error) = self.store.delete(&key).await {
                tracing::warn!(%error, key, "could not remove the blob of a failed upload");
            }
        }
    }
}

/// Room for the multipart boundaries and part headers around the file itself.
const MULTIPART_SLACK: u64 = 16 * 1024;

/// Reads until `want` bytes are in (or the body ends): enough to sniff the type.
async fn read_prefix<S>(body: &mut S, want: usize) -> Result<BytesMut, UploadError>
where
    S: Stream<Item = std::io::Result<Bytes>> + Send + Unpin,
{
    let mut prefix = BytesMut::new();
    while prefix.len() < want {
        match body.next().await {
            Some(chunk) => prefix.extend_from_slice(&chunk.map_err(|error| unreadable(&error))?),
            None => break,
        }
    }
    Ok(prefix)
}

/// Writes `prefix` and the rest of `body`, refusing it once it passes `max`.
async fn stream_into<S>(
    writer: &mut dyn ObjectWriter,
    prefix: BytesMut,
    body: &mut S,
    max: u64,
) -> Result<Streamed, UploadError>
where
    S: Stream<Item = std::io::Result<Bytes>> + Send + Unpin,
{
    let mut hasher = Sha256::new();
    let mut size = 0_u64;
    let mut next = Some(prefix.freeze());
    while let Some(chunk) = next {
        size = size.saturating_add(chunk.len() as u64);
        if size > max {
            return Err(UploadError::TooLarge { max_bytes: max });
        }
        hasher.update(&chunk);
        writer.write(chunk).await?;
        next = body
            .next()
            .await
            .transpose()
            .map_err(|error| unreadable(&error))?;
    }
    Ok(Streamed {
        size,
        sha256: format!("{:x}", hasher.finalize()),
    })
}

fn unreadable(error: &std::io::Error) -> UploadError {
    tracing::debug!(%error, "an upload's body broke off");
    UploadError::BodyUnreadable
}
