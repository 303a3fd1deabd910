//! Authenticating a request: an access token is accepted only while its session is.

use super::{AccountService, AuthenticateError, Authenticated};
use crate::ports::TokenError;

impl AccountService {
    /// Accepts an access token only if its signature and claims are valid *and* its
    /// session is still active, so a revocation takes effect at once.
    ///
    /// # Errors
    /// [`AuthenticateError::Unauthorized`] for a bad, expired or revoked token;
    /// `Internal` when storage fails.
    #[tracing::instrument(skip_all)]
    pub async fn authenticate(
        &self,
        access_token: &str,
    ) -> Result<Authenticated, AuthenticateError> {
        let now = self.clock.now();
        let claims = self
            .tokens
            .verify_access(access_token, now)
            .map_err(|error| match error {
                TokenError::Invalid => AuthenticateError::Unauthorized,
                TokenError::Signing(_) => error.into(),
            })?;
        let session = self.sessions.get(claims.session_id).await?;
        match session {
            Some(session) if session.user_id == claims.user_id && session.is_active(now) => {
                Ok(Authenticated {
                    user_id: claims.user_id,
                    session_id: claims.session_id,
                })
            }
            _ => Err(AuthenticateError::Unauthorized),
        }
    }
}
