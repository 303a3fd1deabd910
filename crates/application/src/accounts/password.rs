//! Changing my password, which signs out every other device.

use confab_domain::Password;

use super::{AccountService, Authenticated, ChangePasswordError};
use crate::error::InternalError;
use crate::error::ValidationErrors;

impl AccountService {
    /// Replaces my password after checking the current one, and revokes all my
    /// other sessions (their sockets are told to close).
    ///
    /// # Errors
    /// [`ChangePasswordError::Validation`] when `new_password` breaks the policy;
    /// `InvalidPassword` when `current_password` is wrong; `Internal` otherwise.
    #[tracing::instrument(skip_all, fields(user_id = %auth.user_id))]
    pub async fn change_password(
        &self,
        auth: &Authenticated,
        current_password: String,
        new_password: String,
    ) -> Result<(), ChangePasswordError> {
        let new_password = Password::parse(new_password)
            .map_err(|error| ValidationErrors::single("new_password", error.to_string()))?;
        // A current password outside the policy cannot be the stored one.
        let current =
            Password::parse(current_password).map_err(|_| ChangePasswordError::InvalidPassword)?;
        let stored =
            self.users
                .password_hash(auth.user_id)
                .await?
                .ok_or(InternalError::Inconsistent(
                    "authenticated user has no account",
                ))?;
        if !self.hasher.verify(&current, Some(&stored)).await? {
            return Err(ChangePasswordError::InvalidPassword);
        }
        let hash = self.hasher.hash(&new_password).await?;
        let revoked = self
            .users
            .change_password(auth.user_id, hash, auth.session_id, self.clock.now())
            .await?;
        tracing::info!(revoked = revoked.len(), "password changed");
        self.publish_revoked(auth.user_id, revoked).await;
        Ok(())
    }
}
