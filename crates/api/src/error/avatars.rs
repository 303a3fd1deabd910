//! How the avatar use case's errors answer.

use confab_application::profiles::AvatarError;

use super::ApiError;

impl From<AvatarError> for ApiError {
    fn from(error: AvatarError) -> Self {
        match error {
            AvatarError::Validation(errors) => errors.into(),
            AvatarError::Internal(_) => Self::internal(&error),
        }
    }
}
