//! Reading and editing profiles.

use confab_domain::{Password, ProfileView, User, UserId};

use super::patch::parse_patch;
use super::{GetUserError, ProfileError, ProfilePatch, ProfileService, UpdateProfileError};
use crate::accounts::Authenticated;
use crate::error::InternalError;
use crate::ports::UserWriteError;

impl ProfileService {
    /// My full profile.
    ///
    /// # Errors
    /// [`ProfileError::Internal`] when storage fails.
    #[tracing::instrument(skip_all, fields(user_id = %auth.user_id))]
    pub async fn me(&self, auth: &Authenticated) -> Result<User, ProfileError> {
        Ok(self.load(auth.user_id).await?)
    }

    /// Applies a partial update to my profile and returns the result.
    ///
    /// Changing the email to a different address (compared case-insensitively)
    /// requires my current password. An empty patch changes nothing.
    ///
    /// # Errors
    /// [`UpdateProfileError::Validation`] listing every bad field; `UsernameTaken` /
    /// `EmailTaken` on a clash; `InvalidPassword` when an email change lacks the
    /// right current password; `Internal` otherwise.
    #[tracing::instrument(skip_all, fields(user_id = %auth.user_id, ?patch))]
    pub async fn update_me(
        &self,
        auth: &Authenticated,
        mut patch: ProfilePatch,
    ) -> Result<User, UpdateProfileError> {
        let current_password = patch.current_password.take();
        let now = self.clock.now();
        let mut changes = parse_patch(patch, now.date_naive())?;
        if changes.is_empty() {
            return Ok(self.load(auth.user_id).await?);
        }
        let mut new_email = None;
        if let Some(email) = &changes.email {
            let current = self.load(auth.user_id).await?;
            if email.normalized() != current.email.normalized() {
                self.check_password(auth.user_id, current_password).await?;
                if self.email_changes.is_some() {
                    new_email = changes.email.take();
                }
            }
        }
        let mut user = if changes.is_empty() {
            self.load(auth.user_id).await?
        } else {
            self.users
                .update_profile(auth.user_id, changes, now)
                .await
                .map_err(write_error)?
        };
        if let (Some(email), Some(flows)) = (new_email, &self.email_changes) {
            user = flows
                .request_change(&user, email)
                .await
                .map_err(write_error)?;
        }
        Ok(user)
    }

    /// Someone's profile as I may see it (see [`User::view_for`]).
    ///
    /// # Errors
    /// [`GetUserError::UserNotFound`] when `id` is malformed or unknown; `Internal`
    /// when storage fails.
    #[tracing::instrument(skip_all, fields(user_id = %auth.user_id, target = %id))]
    pub async fn get_user(
        &self,
        auth: &Authenticated,
        id: UserId,
    ) -> Result<ProfileView, GetUserError> {
        let user = self
            .users
            .get(id)
            .await?
            .ok_or(GetUserError::UserNotFound)?;
        Ok(user.view_for(auth.user_id))
    }

    /// The profile of a signed-in user, who must exist.
    async fn load(&self, id: UserId) -> Result<User, InternalError> {
        self.users.get(id).await?.ok_or(InternalError::Inconsistent(
            "authenticated user has no account",
        ))
    }

    /// Requires `given` to be the user's current password.
    async fn check_password(
        &self,
        id: UserId,
        given: Option<String>,
    ) -> Result<(), UpdateProfileError> {
        // Missing, or outside the policy: neither can be the stored password.
        let Some(given) = given.and_then(|raw| Password::parse(raw).ok()) else {
            return Err(UpdateProfileError::InvalidPassword);
        };
        let stored = self
            .users
            .password_hash(id)
            .await?
            .ok_or(InternalError::Inconsistent(
                "authenticated user has no account",
            ))?;
        if self.hasher.verify(&given, Some(&stored)).await? {
            Ok(())
        } else {
            Err(UpdateProfileError::InvalidPassword)
        }
    }
}

/// A failed profile write as the use case reports it.
fn write_error(error: UserWriteError) -> UpdateProfileError {
    match error {
        UserWriteError::UsernameTaken => UpdateProfileError::UsernameTaken,
        UserWriteError::EmailTaken => UpdateProfileError::EmailTaken,
        UserWriteError::NotFound => {
            InternalError::Inconsistent("authenticated user has no account").into()
        }
        UserWriteError::Storage(error) => error.into(),
    }
}
