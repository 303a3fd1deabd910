//! THE seam where mail plugs in: the invite mail to the address an invite was made
//! for, and a set-password link to an account an admin created without a password.
//! Both go through the mail outbox when the service has mail
//! ([`AdminService::with_mail`]); the invite mail is queued in the transaction that
//! stores the invite, so an invite is never mailed without existing, nor the reverse.

use chrono::TimeDelta;
use confab_domain::{Email, User};

use super::{AdminError, AdminService};
use crate::accounts::Authenticated;
use crate::ports::OutgoingMail;

impl AdminService {
    /// The mail for an invite to `email` (none without an address or without mail),
    /// signed with the calling admin's username.
    ///
    /// # Errors
    /// `Internal` when the admin's account cannot be read.
    pub(super) async fn invite_mail(
        &self,
        auth: &Authenticated,
        email: Option<&str>,
        token: &str,
        lasts: TimeDelta,
    ) -> Result<Vec<OutgoingMail>, AdminError> {
        let (Some(mail), Some(address)) = (&self.mail, email) else {
            if email.is_some() {
                tracing::info!("no mail configured: invite not mailed");
            }
            return Ok(Vec::new());
        };
        // The address was checked when the invite input was read.
        let Ok(to) = Email::parse(address) else {
            return Ok(Vec::new());
        };
        let inviter = self
            .users
            .get(auth.user_id)
            .await?
            .map(|admin| admin.username.to_string())
            .unwrap_or_default();
        Ok(vec![mail.compose_invite(&to, &inviter, token, lasts)])
    }

    /// Mails a set-password (reset) link to an account created without a password.
    /// The account exists either way: a failure is logged, and the user can still ask
    /// for a reset link with `POST /auth/password/forgot`.
    pub(super) async fn deliver_set_password(&self, user: &User) {
        let Some(mail) = &self.mail else {
            tracing::info!(user_id = %user.id, "no mail configured: set-password link not sent");
            return;
        };
        match mail.mail_reset(user).await {
            Ok(()) => tracing::info!(user_id = %user.id, "set-password mail queued"),
            Err(error) => tracing::error!(
                user_id = %user.id,
                error = &error as &dyn std::error::Error,
                "queuing the set-password mail failed"
            ),
        }
    }
}
