//! Email flows: verifying an address, resetting a forgotten password, confirming an
//! email change. Every mail is queued in the same transaction as its token (see
//! [`MailTokenRepository`]); a background worker sends it.

mod errors;
mod flows;
mod gate;

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use confab_domain::{Email, User};

pub use errors::{
    ConfirmEmailError, ForgotPasswordError, RequestVerificationError, ResetPasswordError,
};
pub use gate::VerifiedEmailGate;

use crate::error::InternalError;
use crate::ports::{
    Clock, EventBus, MailComposer, MailContent, MailTokenRepository, NewMailToken, OutgoingMail,
    PasswordHasher, TokenPurpose, TokenService, UserRepository,
};

/// How long a verification (or email-change) link works.
pub const VERIFY_TTL: TimeDelta = TimeDelta::hours(24);
/// How long a password-reset link works.
pub const RESET_TTL: TimeDelta = TimeDelta::hours(1);
/// At most one verification mail per account per this interval, and one reset mail
/// per address.
pub const RESEND_INTERVAL: TimeDelta = TimeDelta::minutes(1);

/// The email use cases. Cheap to clone: it only holds shared ports.
#[derive(Clone)]
pub struct EmailService {
    users: Arc<dyn UserRepository>,
    mail_tokens: Arc<dyn MailTokenRepository>,
    composer: Arc<dyn MailComposer>,
    hasher: Arc<dyn PasswordHasher>,
    tokens: Arc<dyn TokenService>,
    clock: Arc<dyn Clock>,
    events: Arc<dyn EventBus>,
}

/// A fresh link token: the raw text for the mail and the row to store.
struct IssuedToken {
    raw: String,
    row: NewMailToken,
}

impl EmailService {
    /// Wires the service to its ports; `tokens` makes the random tokens (256 bits,
    /// stored as SHA-256 hashes), `hasher` hashes reset passwords.
    pub fn new(
        users: Arc<dyn UserRepository>,
        mail_tokens: Arc<dyn MailTokenRepository>,
        composer: Arc<dyn MailComposer>,
        hasher: Arc<dyn PasswordHasher>,
        tokens: Arc<dyn TokenService>,
        clock: Arc<dyn Clock>,
        events: Arc<dyn EventBus>,
    ) -> Self {
        Self {
            users,
            mail_tokens,
            composer,
            hasher,
            tokens,
            clock,
            events,
        }
    }

    /// A new token of `purpose` for `user`, mailed to `email`.
    fn new_token(
        &self,
        user: &User,
        purpose: TokenPurpose,
        email: &Email,
    ) -> Result<IssuedToken, InternalError> {
        let now = self.clock.now();
        let ttl = match purpose {
            TokenPurpose::Verify => VERIFY_TTL,
            TokenPurpose::Reset => RESET_TTL,
        };
        let expires_at = now
            .checked_add_signed(ttl)
            .ok_or(InternalError::Inconsistent("token expiry out of range"))?;
        let (raw, hash) = self.tokens.new_refresh_token();
        Ok(IssuedToken {
            raw: raw.0,
            row: NewMailToken {
                hash,
                user_id: user.id,
                purpose,
                email: email.clone(),
                now,
                expires_at,
            },
        })
    }

    /// Whether a token of `purpose` went to `user` less than [`RESEND_INTERVAL`] ago;
    /// `Some(seconds)` to wait when it did.
    async fn too_soon(
        &self,
        user: &User,
        purpose: TokenPurpose,
    ) -> Result<Option<u64>, InternalError> {
        let now: DateTime<Utc> = self.clock.now();
        let latest = self.mail_tokens.latest_issued(user.id, purpose).await?;
        Ok(latest.and_then(|at| {
            let wait = at + RESEND_INTERVAL - now;
            (wait > TimeDelta::zero()).then(|| u64::try_from(wait.num_seconds()).unwrap_or(0) + 1)
        }))
    }

    /// Queues a verification link for `user`'s current address (after registration).
    ///
    /// # Errors
    /// [`InternalError`] when storage fails.
    pub(crate) async fn mail_verification(&self, user: &User) -> Result<(), InternalError> {
        let issued = self.new_token(user, TokenPurpose::Verify, &user.email)?;
        let mail = self.composer.compose(
            &user.email,
            &MailContent::VerifyAddress {
                username: user.username.to_string(),
                token: issued.raw,
            },
        );
        self.mail_tokens.issue(issued.row, vec![mail]).await?;
        Ok(())
    }

    /// Queues a reset link to `user`: for a forgotten password, and as the
    /// set-password link of an account an admin created without one.
    ///
    /// # Errors
    /// [`InternalError`] when storage fails.
    pub(crate) async fn mail_reset(&self, user: &User) -> Result<(), InternalError> {
        let issued = self.new_token(user, TokenPurpose::Reset, &user.email)?;
        let mail = self.composer.compose(
            &user.email,
            &MailContent::ResetPassword {
                username: user.username.to_string(),
                token: issued.raw,
            },
        );
        self.mail_tokens.issue(issued.row, vec![mail]).await?;
        Ok(())
    }
}

impl EmailService {
    /// The invite mail to `to` with `token`, from `inviter`, valid for `lasts`; the
    /// caller queues it with the invite, in one transaction.
    pub(crate) fn compose_invite(
        &self,
        to: &Email,
        inviter: &str,
        token: &str,
        lasts: TimeDelta,
    ) -> OutgoingMail {
        self.composer.compose(
            to,
            &MailContent::Invite {
                inviter: inviter.to_owned(),
                token: token.to_owned(),
                lasts,
            },
        )
    }
}

/// Whether `token` has the shape of a token confab hands out (64 lower-case hex
/// digits); anything else is refused before it is hashed.
fn well_formed(token: &str) -> bool {
    token.len() == 64
        && token
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::well_formed;

    #[test]
    fn only_the_shape_of_issued_tokens_is_hashed() {
        assert!(well_formed(&"ab12".repeat(16)));
        for bad in [
            String::new(),
            "AB12".repeat(16),
            "ab12".repeat(15),
            "ab12".repeat(17),
            format!("{}\n", "a".repeat(63)),
        ] {
            assert!(!well_formed(&bad), "{bad:?}");
        }
    }
}
