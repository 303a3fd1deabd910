//! HS256 access tokens and random refresh tokens stored as SHA-256 hashes.

use chrono::{DateTime, Utc};
use confab_application::ports::{
    AccessClaims, IssuedAccessToken, RefreshToken, TokenError, TokenHash, TokenService,
};
use confab_domain::{SessionId, UserId};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use thiserror::Error;
use uuid::Uuid;

const ISSUER: &str = "confab";
const AUDIENCE: &str = "confab-api";
/// HS256 needs a key at least as long as its 256-bit output to keep its strength.
const MIN_SECRET_BYTES: usize = 32;

/// Why a [`JwtTokenService`] could not be built.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum JwtConfigError {
    /// The signing secret is shorter than 32 bytes.
    #[error("the JWT secret must be at least {MIN_SECRET_BYTES} bytes, got {0}")]
    SecretTooShort(usize),
    /// A token lifetime is zero or negative.
    #[error("token lifetimes must be positive")]
    NonPositiveTtl,
}

/// The claims confab signs. `iss` and `aud` are checked by the validator.
#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: Uuid,
    sid: Uuid,
    iat: i64,
    exp: i64,
    iss: String,
    aud: String,
}

/// Issues and checks HS256 access tokens; makes and hashes refresh tokens.
pub struct JwtTokenService {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    access_ttl_seconds: i64,
    refresh_ttl_seconds: i64,
}

impl std::fmt::Debug for JwtTokenService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtTokenService")
            .field("access_ttl_seconds", &self.access_ttl_seconds)
            .field("refresh_ttl_seconds", &self.refresh_ttl_seconds)
            .finish_non_exhaustive()
    }
}

impl JwtTokenService {
    /// A service signing with `secret` (at least 32 bytes), issuing access tokens
    /// valid `access_ttl_seconds` and refresh tokens valid `refresh_ttl_seconds`.
    pub fn new(
        secret: &[u8],
        access_ttl_seconds: i64,
        refresh_ttl_seconds: i64,
    ) -> Result<Self, JwtConfigError> {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(JwtConfigError::SecretTooShort(secret.len()));
        }
        if access_ttl_seconds <= 0 || refresh_ttl_seconds <= 0 {
            return Err(JwtConfigError::NonPositiveTtl);
        }
        // Only HS256 is accepted: a token naming `none` or any other algorithm is
        // refused before its signature is even looked at.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 0;
        // Expiry is checked against the injected clock in `verify_access`, not the
        // system time, so tests can move time.
        validation.validate_exp = false;
        Ok(Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            access_ttl_seconds,
            refresh_ttl_seconds,
        })
    }
}

impl TokenService for JwtTokenService {
    fn issue_access(
        &self,
        user_id: UserId,
        session_id: SessionId,
        now: DateTime<Utc>,
    ) -> Result<IssuedAccessToken, TokenError> {
        let iat = now.timestamp();
        let claims = Claims {
            sub: user_id.as_uuid(),
            sid: session_id.as_uuid(),
            iat,
            exp: iat.saturating_add(self.access_ttl_seconds),
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| TokenError::Signing(Box::new(e)))?;
        Ok(IssuedAccessToken {
            token,
            expires_in: self.access_ttl_seconds,
        })
    }

    fn verify_access(&self, token: &str, now: DateTime<Utc>) -> Result<AccessClaims, TokenError> {
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|_| TokenError::Invalid)?
            .claims;
        if now.timestamp() >= claims.exp {
            return Err(TokenError::Invalid);
        }
        let expires_at = DateTime::from_timestamp(claims.exp, 0).ok_or(TokenError::Invalid)?;
        Ok(AccessClaims {
            user_id: UserId::from_uuid(claims.sub),
            session_id: SessionId::from_uuid(claims.sid),
            expires_at,
        })
    }

    fn new_refresh_token(&self) -> (RefreshToken, TokenHash) {
        let mut bytes = [0_u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let token = hex::encode(bytes);
        let hash = self.hash_refresh_token(&token);
        (RefreshToken(token), hash)
    }

    fn hash_refresh_token(&self, token: &str) -> TokenHash {
        TokenHash(hex::encode(Sha256::digest(token.as_bytes())))
    }

    fn refresh_ttl_seconds(&self) -> i64 {
        self.refresh_ttl_seconds
    }
}

#[cfg(test)]
#[path = "jwt_tests.rs"]
mod tests;
