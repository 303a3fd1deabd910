//! `PUT /me/avatar` and `DELETE /me/avatar`: one of my image uploads becomes my
//! avatar, shown on every view of my profile.

use confab_domain::{UploadId, User};

use super::{AvatarError, ProfileError, ProfileService};
use crate::ValidationErrors;
use crate::accounts::Authenticated;
use crate::error::InternalError;

impl ProfileService {
    /// Makes `upload`, an image I uploaded, my avatar.
    ///
    /// # Errors
    /// [`AvatarError::Validation`] when `upload` is unknown, someone else's, or not
    /// an image (not told apart); `Internal` when storage fails.
    #[tracing::instrument(skip_all, fields(user_id = %auth.user_id, %upload))]
    pub async fn set_avatar(
        &self,
        auth: &Authenticated,
        upload: UploadId,
    ) -> Result<User, AvatarError> {
        let me = auth.user_id;
        let now = self.clock.now();
        let usable = self
            .uploads
            .readable(upload, me, now)
            .await?
            .is_some_and(|found| {
                found.owner_id == me && found.is_image() && found.thumbnail_key.is_some()
            });
        if !usable {
            return Err(
                ValidationErrors::single("upload_id", "is not an image you uploaded").into(),
            );
        }
        Ok(self.save_avatar(auth, Some(upload)).await?)
    }

    /// Removes my avatar (the upload itself stays mine); removing none is fine.
    ///
    /// # Errors
    /// [`ProfileError::Internal`] when storage fails.
    #[tracing::instrument(skip_all, fields(user_id = %auth.user_id))]
    pub async fn remove_avatar(&self, auth: &Authenticated) -> Result<User, ProfileError> {
        Ok(self.save_avatar(auth, None).await?)
    }

    async fn save_avatar(
        &self,
        auth: &Authenticated,
        avatar: Option<UploadId>,
    ) -> Result<User, InternalError> {
        self.avatars
            .set_avatar(auth.user_id, avatar, self.clock.now())
            .await?
            .ok_or(InternalError::Inconsistent(
                "authenticated user has no account",
            ))
    }
}
