//! Wire types of files: an upload as `POST /uploads` answers it and messages carry
//! it.

use confab_domain::{Attachment, Upload};
use poem_openapi::Object;
use poem_openapi::types::Example;
use uuid::Uuid;

use super::common::Timestamp;
use super::nullable::Nullable;

/// An uploaded file.
#[derive(Debug, Clone, Object)]
#[oai(rename = "Upload", example)]
pub struct UploadDto {
    /// The upload's id (UUIDv7); download it at `/api/v1/files/{id}`.
    pub id: Uuid,
    /// The display name: the client's file name without any path, control
    /// characters or leading dots, at most 255 characters.
    pub filename: String,
    /// The media type sniffed from the file's bytes (`application/octet-stream`
    /// when unknown), never the type the client claimed.
    pub content_type: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the bytes, lower-case hex (also the download's `ETag`).
    pub sha256: String,
    /// Width in pixels, for images (PNG, JPEG, GIF, WebP).
    pub width: Nullable<u32>,
    /// Height in pixels, for images.
    pub height: Nullable<u32>,
    /// When it was uploaded.
    pub created_at: Timestamp,
}

impl From<Attachment> for UploadDto {
    fn from(file: Attachment) -> Self {
        Self {
            id: file.id.as_uuid(),
            filename: file.filename.as_str().to_owned(),
            content_type: file.content_type,
            size: file.size,
            sha256: file.sha256,
            width: file.width.into(),
            height: file.height.into(),
            created_at: file.created_at.into(),
        }
    }
}

impl From<Upload> for UploadDto {
    /// What `POST /uploads` answers: the same fields a message shows.
    fn from(upload: Upload) -> Self {
        Attachment::from(upload).into()
    }
}

impl Example for UploadDto {
    fn example() -> Self {
        Self {
            id: Uuid::from_u128(0x0193_8a70_1c2d_7e3f_8a4b_5c6d_7e8f_9a0b),
            filename: "holiday.png".to_owned(),
            content_type: "image/png".to_owned(),
            size: 48_213,
            sha256: "9f2c6a1e4b8d3f7a0c5e9b2d6f1a4c8e3b7d0f5a9c2e6b1d4f8a3c7e0b5d9f2a".to_owned(),
            width: Nullable(Some(1280)),
            height: Nullable(Some(960)),
            created_at: Timestamp::example("2026-12-03T09:30:00Z"),
        }
    }
}
