//! How the file use cases' errors answer.

use confab_application::files::{DownloadError, UploadError};

use super::{ApiError, ErrorCode};

impl From<UploadError> for ApiError {
    fn from(error: UploadError) -> Self {
        match error {
            UploadError::TooLarge { max_bytes } => Self::new(
                ErrorCode::PayloadTooLarge,
                format!("The file exceeds the upload limit of {max_bytes} bytes."),
            ),
            UploadError::QuotaExceeded => Self::new(
                ErrorCode::QuotaExceeded,
                "Your uploads would exceed your storage quota.",
            ),
            UploadError::Validation(errors) => errors.into(),
            UploadError::BodyUnreadable => Self::new(
                ErrorCode::BadRequest,
                "The multipart body could not be read (malformed, or it broke off).",
            ),
            UploadError::Internal(_) => Self::internal(&error),
        }
    }
}

impl From<DownloadError> for ApiError {
    fn from(error: DownloadError) -> Self {
        match error {
            DownloadError::FileNotFound => Self::new(
                ErrorCode::FileNotFound,
                "No file has this id, or you may not read it.",
            ),
            DownloadError::RangeNotSatisfiable { size } => Self::range_not_satisfiable(size),
            DownloadError::Internal(_) => Self::internal(&error),
        }
    }
}
