//! Uploads: files a user sent to the server, kept in the blob store under keys the
//! server chooses, with the client's file name kept only as a display name.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{MessageId, UploadId, UserId};
use crate::text::{BIDI_OVERRIDE, CONTROL};

/// The name a file is shown and downloaded under. Made from whatever a client
/// sent: never used as a path, so it only has to be harmless to show.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FileName(String);

impl FileName {
    /// Most characters a display name keeps.
    pub const MAX_LEN: usize = 255;
    /// The name of a file sent without one (or with nothing showable left).
    pub const FALLBACK: &'static str = "file";

    /// Keeps the last path segment (after any `/` or `\`), drops control and bidi
    /// override characters, trims white space and leading dots (so no hidden file
    /// name or `..`), and keeps at most [`MAX_LEN`](Self::MAX_LEN) characters,
    /// cutting before the extension so `…long.pdf` still ends in `.pdf`.
    pub fn sanitize(raw: &str) -> Self {
        let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
        let cleaned: String = last
            .chars()
            .filter(|c| {
                !CONTROL.iter().any(|r| r.contains(c))
                    && !BIDI_OVERRIDE.iter().any(|r| r.contains(c))
            })
            .collect();
        let trimmed = cleaned.trim().trim_start_matches('.').trim();
        if trimmed.is_empty() {
            return Self(Self::FALLBACK.to_owned());
        }
        Self(shorten(trimmed, Self::MAX_LEN))
    }

    /// Wraps a name read back from storage, sanitized when it came in.
    pub fn from_stored(name: String) -> Self {
        Self(name)
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Cuts `name` to `max` characters, keeping a short extension.
fn shorten(name: &str, max: usize) -> String {
    if name.chars().count() <= max {
        return name.to_owned();
    }
    let extension = name
        .rfind('.')
        .map(|dot| &name[dot..])
        .filter(|ext| ext.chars().count() <= 16)
        .unwrap_or("");
    let stem_len = max - extension.chars().count();
    let stem: String = name.chars().take(stem_len).collect();
    format!("{stem}{extension}")
}

/// An uploaded file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Upload {
    /// Its identity; also names its blob (`uploads/<id>`).
    pub id: UploadId,
    /// Who uploaded it.
    pub owner_id: UserId,
    /// The display name.
    pub filename: FileName,
    /// The media type sniffed from its first bytes, never the client's claim.
    pub content_type: String,
    /// Its size in bytes.
    pub size: u64,
    /// The SHA-256 of its bytes, lower-case hex.
    pub sha256: String,
    /// Width in pixels, for images.
    pub width: Option<u32>,
    /// Height in pixels, for images.
    pub height: Option<u32>,
    /// When it was uploaded.
    pub created_at: DateTime<Utc>,
    /// The message it is attached to; `None` while unattached.
    pub message_id: Option<MessageId>,
    /// The blob key of its thumbnail, once made.
    pub thumbnail_key: Option<String>,
}

impl Upload {
    /// The media types that count as images: shown inline, measured, thumbnailed.
    pub const IMAGE_TYPES: [&'static str; 4] =
        ["image/png", "image/jpeg", "image/gif", "image/webp"];

    /// The blob key of upload `id`.
    pub fn blob_key_of(id: UploadId) -> String {
        format!("uploads/{id}")
    }

    /// The blob key of its bytes.
    pub fn blob_key(&self) -> String {
        Self::blob_key_of(self.id)
    }

    /// The blob key its thumbnail is stored under.
    pub fn thumbnail_key_of(id: UploadId) -> String {
        format!("thumbnails/{id}")
    }

    /// Whether it is one of the [`IMAGE_TYPES`](Self::IMAGE_TYPES).
    pub fn is_image(&self) -> bool {
        Self::IMAGE_TYPES.contains(&self.content_type.as_str())
    }
}

/// What a message shows of a file sent with it: the upload without its owner and
/// storage keys (the message names its author; the keys are the server's business).
/// It is copied into the message's log entries, so a replayed entry shows the file
/// as it was sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// The upload's id; its bytes are served at `/files/{id}`.
    pub id: UploadId,
    /// The display name.
    pub filename: FileName,
    /// The sniffed media type.
    pub content_type: String,
    /// Its size in bytes.
    pub size: u64,
    /// The SHA-256 of its bytes, lower-case hex.
    pub sha256: String,
    /// Width in pixels, for images.
    pub width: Option<u32>,
    /// Height in pixels, for images.
    pub height: Option<u32>,
    /// When it was uploaded.
    pub created_at: DateTime<Utc>,
}

impl Attachment {
    /// Most files one message may carry.
    pub const MAX_PER_MESSAGE: usize = 10;
}

impl From<Upload> for Attachment {
    fn from(upload: Upload) -> Self {
        Self {
            id: upload.id,
            filename: upload.filename,
            content_type: upload.content_type,
            size: upload.size,
            sha256: upload.sha256,
            width: upload.width,
            height: upload.height,
            created_at: upload.created_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_keeps_only_its_last_segment() {
        assert_eq!(FileName::sanitize("../../etc/passwd").as_str(), "passwd");
        assert_eq!(FileName::sanitize(r"C:\Users\a\b.txt").as_str(), "b.txt");
    }

    #[test]
    fn dots_controls_and_overrides_go() {
        assert_eq!(FileName::sanitize("..").as_str(), FileName::FALLBACK);
        assert_eq!(FileName::sanitize(".hidden").as_str(), "hidden");
        assert_eq!(FileName::sanitize("a\u{0}b\nc.txt").as_str(), "abc.txt");
        assert_eq!(FileName::sanitize("x\u{202e}gpj.exe").as_str(), "xgpj.exe");
        assert_eq!(FileName::sanitize("  ").as_str(), FileName::FALLBACK);
        assert_eq!(FileName::sanitize("").as_str(), FileName::FALLBACK);
    }

    #[test]
    fn a_long_name_is_cut_before_its_extension() {
        let name = FileName::sanitize(&format!("{}.pdf", "é".repeat(400)));
        assert_eq!(name.as_str().chars().count(), FileName::MAX_LEN);
        assert!(name.as_str().ends_with("é.pdf"));
    }
}
