//! THE seam where mail plugs in: handing an invite to the address it was made for,
//! and a set-password link to an account an admin created without a password. This
//! branch has no mailer, so both say in the log that nothing was sent; the admin
//! hands the invite token over themselves (it is in the `POST /admin/invites`
//! answer), and a password-less account can sign in once its password is set.

use confab_domain::User;

use super::AdminService;
use crate::ports::Invite;

impl AdminService {
    /// Mails `token` to the invite's address, when it has one.
    #[allow(clippy::unused_async)] // async because delivering mail will be
    pub(super) async fn deliver_invite(&self, invite: &Invite, token: &str) {
        let _ = token;
        if invite.email.is_some() {
            tracing::info!(invite_id = %invite.id, "no mailer configured: invite not mailed");
        }
    }

    /// Mails a set-password (reset) link to an account created without a password.
    #[allow(clippy::unused_async)] // async because delivering mail will be
    pub(super) async fn deliver_set_password(&self, user: &User) {
        tracing::info!(user_id = %user.id, "no mailer configured: set-password link not sent");
    }
}
