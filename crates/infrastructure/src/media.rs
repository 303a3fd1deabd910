//! [`MediaInspector`] with `infer` (magic bytes) and `image` (decoding within
//! limits, thumbnails).

use std::io::Cursor;

use async_trait::async_trait;
use bytes::Bytes;
use confab_application::ports::{MediaError, MediaInspector, Thumbnail};
use image::{DynamicImage, ImageFormat, ImageReader, Limits};

/// The widest or tallest image decoded; larger ones are refused from the header.
const MAX_SIDE: u32 = 16_384;
/// The most memory one decode may allocate. A 6000×4000 photo needs under 100 MiB;
/// a decompression bomb asks for gigabytes and is refused before it gets any.
const MAX_ALLOC: u64 = 256 * 1024 * 1024;
/// `infer` recognises every signature it knows within this many bytes.
const SNIFF_LEN: usize = 8 * 1024;

/// Sniffs with `infer`, decodes with `image`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImageMedia;

#[async_trait]
impl MediaInspector for ImageMedia {
    fn sniff_len(&self) -> usize {
        SNIFF_LEN
    }

    fn sniff(&self, prefix: &[u8]) -> String {
        infer::get(prefix).map_or_else(
            || "application/octet-stream".to_owned(),
            |kind| kind.mime_type().to_owned(),
        )
    }

    async fn thumbnail(&self, image: Bytes, max_side: u32) -> Result<Thumbnail, MediaError> {
        // Decoding is CPU work: off the async workers.
        tokio::task::spawn_blocking(move || make_thumbnail(&image, max_side))
            .await
            .map_err(|error| MediaError::Unreadable(error.to_string()))?
    }
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    limits
}

fn make_thumbnail(bytes: &[u8], max_side: u32) -> Result<Thumbnail, MediaError> {
    let unreadable = |error: image::ImageError| MediaError::Unreadable(error.to_string());
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|error| MediaError::Unreadable(error.to_string()))?;
    reader.limits(limits());
    let format = reader.format();
    let image = reader.decode().map_err(unreadable)?;
    let (width, height) = (image.width(), image.height());
    let small = if width <= max_side && height <= max_side {
        image
    } else {
        image.thumbnail(max_side, max_side)
    };
    // Photographs stay JPEG; everything else (which may be transparent) is PNG.
    let (encoded, content_type, target) = if format == Some(ImageFormat::Jpeg) {
        (
            DynamicImage::ImageRgb8(small.to_rgb8()),
            "image/jpeg",
            ImageFormat::Jpeg,
        )
    } else {
        (small, "image/png", ImageFormat::Png)
    };
    let mut out = Cursor::new(Vec::new());
    encoded.write_to(&mut out, target).map_err(unreadable)?;
    Ok(Thumbnail {
        bytes: Bytes::from(out.into_inner()),
        content_type,
        width,
        height,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        DynamicImage::new_rgba8(width, height)
            .write_to(&mut out, ImageFormat::Png)
            .expect("encode");
        out.into_inner()
    }

    #[test]
    fn sniffing_reads_the_bytes_not_the_name() {
        assert_eq!(ImageMedia.sniff(&png(1, 1)), "image/png");
        // Served as an attachment under a sandboxing CSP: see the download headers.
        assert_eq!(ImageMedia.sniff(b"<html><body>"), "text/html");
        assert_eq!(ImageMedia.sniff(b"plain words"), "application/octet-stream");
    }

    #[test]
    fn thumbnails_fit_the_long_side_and_keep_the_size() {
        let thumb = make_thumbnail(&png(1000, 500), 320).expect("thumbnail");
        assert_eq!((thumb.width, thumb.height), (1000, 500));
        let small = image::load_from_memory(&thumb.bytes).expect("decode");
        assert_eq!((small.width(), small.height()), (320, 160));
    }

    #[test]
    fn a_truncated_image_or_a_bomb_is_refused() {
        let whole = png(50, 50);
        assert!(make_thumbnail(&whole[..whole.len() / 2], 320).is_err());
        // A header claiming 100000×100000 pixels.
        let mut bomb = png(1, 1);
        bomb[16..20].copy_from_slice(&100_000_u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&100_000_u32.to_be_bytes());
        assert!(make_thumbnail(&bomb, 320).is_err());
    }
}
