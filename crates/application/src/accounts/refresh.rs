//! Keeping a session alive: refresh-token rotation.

use super::{AccountService, RefreshError, SignedIn};
use crate::error::InternalError;
use crate::ports::RefreshOutcome;

impl AccountService {
    /// Redeems a refresh token for a new token pair, rotating it.
    ///
    /// A token that was already spent signals theft: the repository revokes the whole
    /// session and its sockets are told to close.
    ///
    /// # Errors
    /// [`RefreshError::InvalidRefreshToken`] for unknown, spent, expired or revoked
    /// tokens; `Internal` otherwise.
    #[tracing::instrument(skip_all)]
    pub async fn refresh(&self, refresh_token: &str) -> Result<SignedIn, RefreshError> {
        let presented = self.tokens.hash_refresh_token(refresh_token);
        let (replacement, replacement_hash) = self.tokens.new_refresh_token();
        let now = self.clock.now();
        let expires_at = self.refresh_expiry(now)?;
        let outcome = self
            .sessions
            .rotate_refresh_token(&presented, &replacement_hash, now, expires_at)
            .await?;
        let session = match outcome {
            RefreshOutcome::Rotated(session) => session,
            RefreshOutcome::Reused {
                session_id,
                user_id,
            } => {
                tracing::warn!(%user_id, %session_id, "refresh token reused; session revoked");
                self.publish_revoked(user_id, vec![session_id]).await;
                return Err(RefreshError::InvalidRefreshToken);
            }
            RefreshOutcome::Inactive | RefreshOutcome::Unknown => {
                return Err(RefreshError::InvalidRefreshToken);
            }
        };
        let user = self
            .users
            .get(session.user_id)
            .await?
            .ok_or(InternalError::Inconsistent("session of a missing user"))?;
        // Disabling revokes every session, so this only catches a refresh racing it.
        if user.disabled_at.is_some() {
            return Err(RefreshError::AccountDisabled);
        }
        Ok(self.signed_in(user, session.id, replacement.0, now)?)
    }
}
