//! Access tokens (signed, short-lived) and refresh tokens (random, stored hashed).

use chrono::{DateTime, Utc};
use confab_domain::{SessionId, UserId};
use thiserror::Error;

/// What a valid access token says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessClaims {
    /// `sub`: the user.
    pub user_id: UserId,
    /// `sid`: the session the token belongs to.
    pub session_id: SessionId,
    /// `exp`.
    pub expires_at: DateTime<Utc>,
}

/// A freshly signed access token.
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedAccessToken {
    /// The compact JWT.
    pub token: String,
    /// Seconds until it expires.
    pub expires_in: i64,
}

impl std::fmt::Debug for IssuedAccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedAccessToken")
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

/// A refresh token as handed to the client. Only its [`TokenHash`] is stored.
#[derive(Clone, PartialEq, Eq)]
pub struct RefreshToken(pub String);

impl std::fmt::Debug for RefreshToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RefreshToken(<redacted>)")
    }
}

/// The stored form of a refresh token: a one-way hash, hex encoded.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TokenHash(pub String);

/// Why a token was refused.
#[derive(Debug, Error)]
pub enum TokenError {
    /// Bad signature, wrong algorithm, issuer or audience, malformed, or expired.
    #[error("invalid or expired token")]
    Invalid,
    /// Signing failed (a key problem on our side).
    #[error("token signing failed")]
    Signing(#[source] Box<dyn std::error::Error + Send + Sync + 'static>),
}

/// Issues and checks tokens. Pure computation: no I/O, so not async.
pub trait TokenService: Send + Sync {
    /// Signs an access token for `session_id` of `user_id`, valid from `now`.
    ///
    /// # Errors
    /// [`TokenError::Signing`] only if the key cannot sign.
    fn issue_access(
        &self,
        user_id: UserId,
        session_id: SessionId,
        now: DateTime<Utc>,
    ) -> Result<IssuedAccessToken, TokenError>;

    /// Checks signature, algorithm, issuer, audience and expiry at `now`.
    ///
    /// # Errors
    /// [`TokenError::Invalid`] for any token that must not be accepted.
    fn verify_access(&self, token: &str, now: DateTime<Utc>) -> Result<AccessClaims, TokenError>;

    /// A new random refresh token (256 bits) and the hash to store for it.
    fn new_refresh_token(&self) -> (RefreshToken, TokenHash);

    /// The hash a presented refresh token is looked up by.
    fn hash_refresh_token(&self, token: &str) -> TokenHash;

    /// How long refresh tokens live, in seconds.
    fn refresh_ttl_seconds(&self) -> i64;
}
