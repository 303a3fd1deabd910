//! Password hashing as a port: slow by design, so adapters keep it off the async runtime.

use async_trait::async_trait;
use confab_domain::Password;
use thiserror::Error;

/// A password hash in PHC string form (`$argon2id$v=19$...`).
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// Wraps a PHC string produced by a hasher or read from storage.
    pub fn new(phc: impl Into<String>) -> Self {
        Self(phc.into())
    }

    /// The PHC string, for storage.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

/// The hasher could not run (worker pool gone, malformed stored hash).
#[derive(Debug, Error)]
#[error("password hashing failed")]
pub struct HashError(#[source] pub Box<dyn std::error::Error + Send + Sync + 'static>);

/// Hashes and verifies passwords.
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// Hashes `password` with a fresh salt.
    ///
    /// # Errors
    /// [`HashError`] when the hashing worker fails; never for any password value.
    async fn hash(&self, password: &Password) -> Result<PasswordHash, HashError>;

    /// Whether `password` matches `hash`. With `hash = None` (unknown user) it still
    /// spends the time of a real verification against a dummy hash and returns
    /// `false`, so timing does not reveal which accounts exist.
    ///
    /// # Errors
    /// [`HashError`] when the worker fails or the stored hash is not a valid PHC string.
    async fn verify(
        &self,
        password: &Password,
        hash: Option<&PasswordHash>,
    ) -> Result<bool, HashError>;
}
