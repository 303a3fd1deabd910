//! `CONFAB_REQUIRE_VERIFIED_EMAIL`: sends and chat creation wait for a verified email.

use std::sync::Arc;

use confab_domain::UserId;

use crate::error::RepositoryError;
use crate::ports::UserRepository;

/// Lets an account act only once its email is verified. Services hold one only when
/// the requirement is on, so it costs nothing otherwise (one account read per
/// guarded action when on).
#[derive(Clone)]
pub struct VerifiedEmailGate {
    users: Arc<dyn UserRepository>,
}

impl VerifiedEmailGate {
    /// A gate reading accounts from `users`.
    pub fn new(users: Arc<dyn UserRepository>) -> Self {
        Self { users }
    }

    /// Whether `user` has a verified email (an unknown account has none).
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    pub(crate) async fn allows(&self, user: UserId) -> Result<bool, RepositoryError> {
        Ok(self
            .users
            .get(user)
            .await?
            .is_some_and(|user| user.email_verified))
    }
}
