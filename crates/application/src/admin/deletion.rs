//! Deleting an account, by its owner (`DELETE /me`) or by an admin: in one
//! transaction the account is marked deleted (and disabled), every session of it is
//! revoked and its sockets close (4401) on every node, so its username, email and
//! tokens stop working at once.

use confab_domain::{Password, SessionId, UserId};

use super::{AdminError, AdminService, DeleteAccountError, user_target};
use crate::accounts::Authenticated;
use crate::error::InternalError;
use crate::ports::{AdminWriteError, AuditAction};
use crate::publish::publish_revoked;

impl AdminService {
    /// Deletes another account on behalf of the calling admin (logged in the audit
    /// log in the same transaction).
    ///
    /// # Errors
    /// `Forbidden`; `SelfTarget` for the caller's own account (`DELETE /me` is the
    /// way); `UserNotFound`, also for an account already deleted; `LastAdmin`;
    /// `Internal`.
    #[tracing::instrument(skip_all, fields(user_id = %auth.user_id, target = %target))]
    pub async fn delete_user(
        &self,
        auth: &Authenticated,
        target: UserId,
    ) -> Result<(), AdminError> {
        self.require_admin(auth).await?;
        if target == auth.user_id {
            return Err(AdminError::SelfTarget);
        }
        let now = self.clock.now();
        let audit = self.audit(
            Some(auth.user_id),
            AuditAction::UserDeleted,
            user_target(target),
        );
        let revoked = self.admin.delete_user(target, Some(audit), now).await?;
        self.deleted(target, revoked).await;
        Ok(())
    }

    /// Deletes my own account after checking my password.
    ///
    /// # Errors
    /// `InvalidPassword` when `current_password` is wrong; `LastAdmin` when I am the
    /// last active admin; `Internal`.
    #[tracing::instrument(skip_all, fields(user_id = %auth.user_id))]
    pub async fn delete_own_account(
        &self,
        auth: &Authenticated,
        current_password: String,
    ) -> Result<(), DeleteAccountError> {
        // A password outside the policy cannot be the stored one.
        let current =
            Password::parse(current_password).map_err(|_| DeleteAccountError::InvalidPassword)?;
        let stored =
            self.users
                .password_hash(auth.user_id)
                .await?
                .ok_or(InternalError::Inconsistent(
                    "authenticated user has no account",
                ))?;
        if !self.hasher.verify(&current, Some(&stored)).await? {
            return Err(DeleteAccountError::InvalidPassword);
        }
        let now = self.clock.now();
        let revoked = match self.admin.delete_user(auth.user_id, None, now).await {
            Ok(revoked) => revoked,
            Err(AdminWriteError::LastAdmin) => return Err(DeleteAccountError::LastAdmin),
            // Deleted by an admin since this request authenticated.
            Err(AdminWriteError::UserNotFound) => Vec::new(),
            Err(AdminWriteError::Storage(error)) => return Err(error.into()),
        };
        self.deleted(auth.user_id, revoked).await;
        Ok(())
    }

    /// Tells every node to close the sockets of the revoked sessions.
    async fn deleted(&self, user: UserId, revoked: Vec<SessionId>) {
        tracing::info!(revoked = revoked.len(), "account deleted");
        publish_revoked(self.events.as_ref(), user, revoked).await;
    }
}
