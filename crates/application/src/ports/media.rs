//! Reading what a file is: its media type from its first bytes, and for images
//! their size and a thumbnail, decoded within fixed limits.

use async_trait::async_trait;
use bytes::Bytes;
use thiserror::Error;

/// A thumbnail made from an image, with what the decoder learnt about the image.
#[derive(Debug, Clone)]
pub struct Thumbnail {
    /// The encoded thumbnail.
    pub bytes: Bytes,
    /// Its media type: `image/jpeg` or `image/png`.
    pub content_type: &'static str,
    /// The original image's width in pixels.
    pub width: u32,
    /// The original image's height in pixels.
    pub height: u32,
}

/// Why an image could not be read.
#[derive(Debug, Error)]
pub enum MediaError {
    /// Truncated, corrupt, or over the decoding limits (a decompression bomb).
    #[error("unreadable image: {0}")]
    Unreadable(String),
}

/// Media sniffing and thumbnails.
#[async_trait]
pub trait MediaInspector: Send + Sync {
    /// How many first bytes [`sniff`](Self::sniff) wants to see.
    fn sniff_len(&self) -> usize;

    /// The media type of a file starting with `prefix`, from its magic bytes;
    /// `application/octet-stream` when unknown.
    fn sniff(&self, prefix: &[u8]) -> String;

    /// Decodes a whole image (with bounded dimensions and allocations) and makes a
    /// thumbnail at most `max_side` pixels on its long side.
    ///
    /// # Errors
    /// [`MediaError::Unreadable`].
    async fn thumbnail(&self, image: Bytes, max_side: u32) -> Result<Thumbnail, MediaError>;
}
