//! Which upload is a user's avatar.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use confab_domain::{UploadId, User, UserId};

use crate::error::RepositoryError;

/// Avatars, kept on the account.
#[async_trait]
pub trait AvatarRepository: Send + Sync {
    /// Makes `avatar` the user's avatar (`None` removes it) and sets `updated_at =
    /// now`; the profile after it, `None` when the account is gone.
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails (the upload gone in the meantime
    /// included: its reference is a foreign key).
    async fn set_avatar(
        &self,
        user: UserId,
        avatar: Option<UploadId>,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, RepositoryError>;
}
