//! THE seam where mail plugs in: handing an invite to the address it was made for,
//! and a set-password link to an account an admin created without a password. The
//! set-password link goes through the mail outbox when the service has mail
//! ([`AdminService::with_mail`]); invites are not mailed yet: the admin hands the
//! invite token over themselves (it is in the `POST /admin/invites` answer).

use confab_domain::User;

use super::AdminService;
use crate::ports::Invite;

impl AdminService {
    /// Mails `token` to the invite's address, when it has one.
    #[allow(clippy::unused_async)] // async because delivering mail will be
    pub(super) async fn deliver_invite(&self, invite: &Invite, token: &str) {
        let _ = token;
        if invite.email.is_some() {
            tracing::info!(invite_id = %invite.id, "invites are not mailed: invite not sent");
        }
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
