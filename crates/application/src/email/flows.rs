//! The four email routes and the email change `PATCH /me` starts.

use confab_domain::{Email, Password, User};

use super::{
    ConfirmEmailError, EmailService, ForgotPasswordError, RequestVerificationError,
    ResetPasswordError, well_formed,
};
use crate::accounts::Authenticated;
use crate::error::{InternalError, ValidationErrors};
use crate::ports::{MailContent, TokenPurpose, UserWriteError};
use crate::publish::publish_revoked;

impl EmailService {
    /// Mails a verification link to my unverified address (or, when that is verified
    /// and a change waits, to the pending one). Nothing to verify: nothing is sent.
    ///
    /// # Errors
    /// [`RequestVerificationError::TooSoon`] within a minute of the last link;
    /// `Internal` otherwise.
    #[tracing::instrument(skip_all, fields(user_id = %auth.user_id))]
    pub async fn request_verification(
        &self,
        auth: &Authenticated,
    ) -> Result<(), RequestVerificationError> {
        let user = self
            .users
            .get(auth.user_id)
            .await?
            .ok_or(InternalError::Inconsistent(
                "authenticated user has no account",
            ))?;
        let (to, content): (Email, fn(String, String) -> MailContent) = if !user.email_verified {
            (user.email.clone(), |username, token| {
                MailContent::VerifyAddress { username, token }
            })
        } else if let Some(pending) = &user.pending_email {
            (pending.clone(), |username, token| {
                MailContent::ConfirmNewAddress { username, token }
            })
        } else {
            return Ok(());
        };
        if let Some(retry_after_seconds) = self.too_soon(&user, TokenPurpose::Verify).await? {
            return Err(RequestVerificationError::TooSoon {
                retry_after_seconds,
            });
        }
        let issued = self.new_token(&user, TokenPurpose::Verify, &to)?;
        let mail = self
            .composer
            .compose(&to, &content(user.username.to_string(), issued.raw));
        self.mail_tokens.issue(issued.row, vec![mail]).await?;
        tracing::info!("verification mail queued");
        Ok(())
    }

    /// Redeems a verification link: my address becomes verified, or my pending
    /// address becomes my address.
    ///
    /// # Errors
    /// [`ConfirmEmailError::InvalidToken`] for an unknown, used, expired or malformed
    /// token; `EmailTaken` when the pending address was taken meanwhile; `Internal`
    /// otherwise.
    #[tracing::instrument(skip_all)]
    pub async fn confirm(&self, token: &str) -> Result<User, ConfirmEmailError> {
        if !well_formed(token) {
            return Err(ConfirmEmailError::InvalidToken);
        }
        let hash = self.tokens.hash_refresh_token(token);
        let user = self
            .mail_tokens
            .confirm_email(&hash, self.clock.now())
            .await
            .map_err(|error| match error {
                UserWriteError::EmailTaken => ConfirmEmailError::EmailTaken,
                UserWriteError::UsernameTaken | UserWriteError::NotFound => {
                    ConfirmEmailError::InvalidToken
                }
                UserWriteError::Storage(error) => error.into(),
            })?
            .ok_or(ConfirmEmailError::InvalidToken)?;
        tracing::info!(user_id = %user.id, "email confirmed");
        Ok(user)
    }

    /// Checks the address of `POST /auth/password/forgot` (the only thing that may be
    /// refused: the answer must not depend on whether an account has it).
    ///
    /// # Errors
    /// [`ValidationErrors`] naming `email`.
    pub fn parse_forgot(email: String) -> Result<Email, ValidationErrors> {
        Email::parse(email).map_err(|error| ValidationErrors::single("email", error.to_string()))
    }

    /// Queues a reset link when an account that is not disabled has `email`, at most
    /// one per minute per account; otherwise does nothing. Callers answer the same either way.
    ///
    /// # Errors
    /// [`ForgotPasswordError::Internal`] when storage fails.
    #[tracing::instrument(skip_all)]
    pub async fn forgot(&self, email: &Email) -> Result<(), ForgotPasswordError> {
        let Some(stored) = self.users.find_credentials(email.as_str()).await? else {
            return Ok(());
        };
        let user = stored.user;
        if user.disabled_at.is_some() {
            // Its reset would change nothing; nor does a mail go to it.
            tracing::info!(user_id = %user.id, "reset mail skipped: the account is disabled");
            return Ok(());
        }
        if self.too_soon(&user, TokenPurpose::Reset).await?.is_some() {
            tracing::info!(user_id = %user.id, "reset mail skipped: one went out moments ago");
            return Ok(());
        }
        self.mail_reset(&user).await?;
        tracing::info!(user_id = %user.id, "reset mail queued");
        Ok(())
    }

    /// Redeems a reset link: sets `new_password`, spends the token and revokes every
    /// session of the account (their sockets are told to close).
    ///
    /// # Errors
    /// [`ResetPasswordError::Validation`] when `new_password` breaks the policy;
    /// `InvalidToken` for an unknown, used, expired or malformed token; `Internal`
    /// otherwise.
    #[tracing::instrument(skip_all)]
    pub async fn reset(&self, token: &str, new_password: String) -> Result<(), ResetPasswordError> {
        let password = Password::parse(new_password)
            .map_err(|error| ValidationErrors::single("new_password", error.to_string()))?;
        if !well_formed(token) {
            return Err(ResetPasswordError::InvalidToken);
        }
        let hash = self.tokens.hash_refresh_token(token);
        let password_hash = self.hasher.hash(&password).await?;
        let (user_id, revoked) = self
            .mail_tokens
            .reset_password(&hash, password_hash, self.clock.now())
            .await?
            .ok_or(ResetPasswordError::InvalidToken)?;
        tracing::info!(%user_id, revoked = revoked.len(), "password reset");
        publish_revoked(self.events.as_ref(), user_id, revoked).await;
        Ok(())
    }

    /// Starts changing `user`'s address to `new_email`: sets it pending, mails it a
    /// confirmation link and the current address a notice.
    ///
    /// # Errors
    /// [`UserWriteError::EmailTaken`] when another account has `new_email`; others as
    /// the repository says.
    pub(crate) async fn request_change(
        &self,
        user: &User,
        new_email: Email,
    ) -> Result<User, UserWriteError> {
        let issued = self
            .new_token(user, TokenPurpose::Verify, &new_email)
            .map_err(|error| UserWriteError::Storage(crate::RepositoryError::new(error)))?;
        let username = user.username.to_string();
        let confirm = self.composer.compose(
            &new_email,
            &MailContent::ConfirmNewAddress {
                username: username.clone(),
                token: issued.raw,
            },
        );
        let notice = self.composer.compose(
            &user.email,
            &MailContent::EmailChangeNotice {
                username,
                new_email: new_email.to_string(),
            },
        );
        let updated = self
            .mail_tokens
            .request_email_change(issued.row, vec![confirm, notice])
            .await?;
        tracing::info!(user_id = %user.id, "email change requested");
        Ok(updated)
    }
}
