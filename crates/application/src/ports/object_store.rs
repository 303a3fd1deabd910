//! Where file bytes live: a local directory, S3 (or an S3-compatible store), or
//! memory in tests. Uploads are streamed in and out chunk by chunk, so no file is
//! ever held whole in memory.
//!
//! Keys are chosen by the application (`uploads/<id>`, `thumbnails/<id>`); the
//! store never sees a client's file name, so a name like `../../etc/passwd` can
//! only ever be a display name.

use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::stream::BoxStream;
use thiserror::Error;

/// The store failed. Classified once: a missing object is the caller's 404,
/// everything else is the store being unavailable (a 500 with a log line).
#[derive(Debug, Error)]
pub enum StoreError {
    /// No object under that key.
    #[error("no object under that key")]
    NotFound,
    /// A requested byte range does not overlap the object.
    #[error("the requested range does not overlap the object")]
    RangeNotSatisfiable,
    /// The store could not be reached or refused the operation.
    #[error("object store: {0}")]
    Unavailable(String),
}

/// A byte range of an object, as HTTP `Range` asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteRange {
    /// `bytes=start-end`: both ends included.
    Closed {
        /// The first byte.
        start: u64,
        /// The last byte (clamped to the object's end).
        end: u64,
    },
    /// `bytes=start-`: from `start` to the end.
    From(u64),
    /// `bytes=-n`: the last `n` bytes.
    Suffix(u64),
}

/// An object being read: its whole size, which bytes the stream carries, and the
/// stream itself.
pub struct StoredObject {
    /// The size of the whole object.
    pub size: u64,
    /// The bytes the stream carries, first and last included; the whole object
    /// when no range was asked for (`0..=size-1`; `None` for an empty object).
    pub range: Option<(u64, u64)>,
    /// The bytes, chunk by chunk.
    pub body: BoxStream<'static, Result<Bytes, StoreError>>,
}

impl std::fmt::Debug for StoredObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredObject")
            .field("size", &self.size)
            .field("range", &self.range)
            .finish_non_exhaustive()
    }
}

/// Writes one new object chunk by chunk. Nothing is visible under the key until
/// `finish` succeeds; `abort` (or dropping the writer unfinished) leaves no
/// object behind, at worst parts a store cleans up itself.
#[async_trait]
pub trait ObjectWriter: Send {
    /// Appends a chunk.
    async fn write(&mut self, chunk: Bytes) -> Result<(), StoreError>;
    /// Makes the object visible under its key.
    async fn finish(self: Box<Self>) -> Result<(), StoreError>;
    /// Gives the object up.
    async fn abort(self: Box<Self>) -> Result<(), StoreError>;
}

/// How a client should fetch an object: from confab itself, or from the store
/// directly through a short-lived signed URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// confab streams the bytes (the local directory, memory).
    Stream,
    /// A presigned URL the client is redirected to (S3).
    Redirect(String),
}

/// What a download should tell the browser about the file, kept with the object
/// by stores that serve it themselves through a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadHeaders {
    /// The `Content-Type` to answer with (sniffed at upload).
    pub content_type: String,
    /// The whole `Content-Disposition` value.
    pub content_disposition: String,
}

/// The blob store.
#[async_trait]
pub trait ObjectStore: Send + Sync {
    /// Starts writing a new object under `key` (replacing any object there once
    /// finished). Stores that hand out URLs keep `headers` with the object, so a
    /// presigned download answers with them.
    async fn writer(
        &self,
        key: &str,
        headers: &DownloadHeaders,
    ) -> Result<Box<dyn ObjectWriter>, StoreError>;

    /// Reads an object, or the part of it `range` names.
    async fn get(&self, key: &str, range: Option<ByteRange>) -> Result<StoredObject, StoreError>;

    /// Removes an object; removing a missing one is not an error.
    async fn delete(&self, key: &str) -> Result<(), StoreError>;

    /// Every key that starts with `prefix`, in no set order, as the store pages
    /// through them: the sweeper that removes blobs no row names reads a bucket
    /// of any size in bounded memory.
    fn list(&self, prefix: &str) -> BoxStream<'static, Result<String, StoreError>>;

    /// How a client should download `key`: [`Delivery::Stream`] for stores confab
    /// serves itself, or a URL valid for `valid_for` (answering with the headers
    /// kept at upload).
    async fn delivery(&self, key: &str, valid_for: Duration) -> Result<Delivery, StoreError>;
}
