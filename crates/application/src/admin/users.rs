//! Accounts as admins manage them: list and search, create, disable, enable, and the
//! admin role.

use confab_domain::{Email, Password, User, UserId, Username};

use super::{AdminError, AdminService, search_and_limit, user_target};
use crate::accounts::Authenticated;
use crate::error::ValidationErrors;
use crate::pagination::Page;
use crate::ports::{AdminUserView, AuditAction, NewUser, UserStatus};
use crate::publish::publish_revoked;

/// An account an admin (or the shell) creates.
#[derive(Clone, Default)]
pub struct NewAccountInput {
    /// Wanted username (folded to lower case).
    pub username: String,
    /// Email address.
    pub email: String,
    /// Plain password; without one the account gets a set-password link.
    pub password: Option<String>,
    /// Whether the account administers the server.
    pub is_admin: bool,
}

impl std::fmt::Debug for NewAccountInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAccountInput")
            .field("username", &self.username)
            .field("is_admin", &self.is_admin)
            .finish_non_exhaustive()
    }
}

/// Reads a user-list cursor: the username of the last account of the previous page.
fn parse_cursor(cursor: Option<String>) -> Result<Option<Username>, AdminError> {
    cursor
        .map(|raw| match Username::parse(raw.as_str()) {
            Ok(name) if name.as_str() == raw => Ok(name),
            _ => Err(AdminError::InvalidCursor),
        })
        .transpose()
}

impl AdminService {
    /// Every account, by username, optionally those whose username or email starts
    /// with `q` and those in `status`.
    ///
    /// # Errors
    /// `Forbidden`; `Validation` for a bad `q` or `limit`; `InvalidCursor`; `Internal`.
    #[tracing::instrument(skip_all, fields(user_id = %auth.user_id))]
    pub async fn list_users(
        &self,
        auth: &Authenticated,
        q: Option<String>,
        status: Option<UserStatus>,
        limit: Option<i64>,
        cursor: Option<String>,
    ) -> Result<Page<AdminUserView>, AdminError> {
        self.require_admin(auth).await?;
        let (prefix, limit) = search_and_limit(q, limit)?;
        let after = parse_cursor(cursor)?;
        let rows = self
            .admin
            .list_users(
                &prefix,
                status,
                after.as_ref().map(Username::as_str),
                limit.probe(),
            )
            .await?;
        Ok(Page::from_probe(rows, limit, |row| {
            row.user.username.to_string()
        }))
    }

    /// Creates an account on behalf of the calling admin.
    ///
    /// # Errors
    /// `Forbidden`; as [`create_account`](Self::create_account).
    #[tracing::instrument(skip_all, fields(user_id = %auth.user_id))]
    pub async fn create_user(
        &self,
        auth: &Authenticated,
        input: NewAccountInput,
    ) -> Result<User, AdminError> {
        self.require_admin(auth).await?;
        self.create_account(Some(auth.user_id), input).await
    }

    /// Creates an account (logged with `admin` as actor, `None` for the shell).
    /// Without a password the account gets an unguessable one and a set-password
    /// link (see the mail seam in `delivery.rs`).
    ///
    /// # Errors
    /// `Validation` listing every bad field; `UsernameTaken` / `EmailTaken`;
    /// `Internal`.
    pub async fn create_account(
        &self,
        admin: Option<UserId>,
        input: NewAccountInput,
    ) -> Result<User, AdminError> {
        let mut errors = ValidationErrors::default();
        let username = errors.check("username", Username::parse(input.username));
        let email = errors.check("email", Email::parse(input.email));
        let given = input.password.is_some();
        let password = match input.password {
            Some(password) => errors.check("password", Password::parse(password)),
            None => Password::parse(self.tokens.new_refresh_token().0.0).ok(),
        };
        let (username, email, password) = errors.finish(|| Some((username?, email?, password?)))?;
        let password_hash = self.hasher.hash(&password).await?;
        let id = UserId::generate();
        let audit = self.audit(admin, AuditAction::UserCreated, user_target(id));
        let new = NewUser {
            id,
            username,
            email,
            password_hash,
            display_name: None,
            now: self.clock.now(),
        };
        let user = self.admin.create_user(new, input.is_admin, audit).await?;
        tracing::info!(user_id = %user.id, is_admin = user.is_admin, "account created by an admin");
        if !given {
            self.deliver_set_password(&user).await;
        }
        Ok(user)
    }

    /// Disables an account: it can no longer sign in, every session of it is
    /// revoked and its sockets close (code 4401) on every node.
    ///
    /// # Errors
    /// `Forbidden`; `SelfTarget` for the caller's own account; `UserNotFound`;
    /// `Internal`.
    #[tracing::instrument(skip_all, fields(user_id = %auth.user_id, target = %target))]
    pub async fn disable_user(
        &self,
        auth: &Authenticated,
        target: UserId,
    ) -> Result<(), AdminError> {
        self.require_admin(auth).await?;
        if target == auth.user_id {
            return Err(AdminError::SelfTarget);
        }
        let audit = self.audit(
            Some(auth.user_id),
            AuditAction::UserDisabled,
            user_target(target),
        );
        let revoked = self.admin.disable_user(target, audit).await?;
        tracing::info!(revoked = revoked.len(), "account disabled");
        publish_revoked(self.events.as_ref(), target, revoked).await;
        Ok(())
    }

    /// Lets a disabled account sign in again (its old sessions stay revoked).
    ///
    /// # Errors
    /// `Forbidden`; `UserNotFound`; `Internal`.
    #[tracing::instrument(skip_all, fields(user_id = %auth.user_id, target = %target))]
    pub async fn enable_user(
        &self,
        auth: &Authenticated,
        target: UserId,
    ) -> Result<(), AdminError> {
        self.require_admin(auth).await?;
        let audit = self.audit(
            Some(auth.user_id),
            AuditAction::UserEnabled,
            user_target(target),
        );
        self.admin.enable_user(target, audit).await?;
        Ok(())
    }

    /// Grants or takes the admin role of the account named `username` from the shell
    /// (`confab admin set-admin`).
    ///
    /// # Errors
    /// `UserNotFound`; `LastAdmin` when it would leave no active admin; `Internal`.
    pub async fn set_admin_by_username(
        &self,
        username: &str,
        is_admin: bool,
    ) -> Result<User, AdminError> {
        let key = username.trim().to_lowercase();
        let user = self
            .admin
            .find_by_username(&key)
            .await?
            .ok_or(AdminError::UserNotFound)?;
        let action = if is_admin {
            AuditAction::AdminGranted
        } else {
            AuditAction::AdminRevoked
        };
        let audit = self.audit(None, action, user_target(user.id));
        Ok(self.admin.set_admin(user.id, is_admin, audit).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_must_be_a_folded_username() {
        assert!(matches!(parse_cursor(None), Ok(None)));
        assert!(matches!(parse_cursor(Some("bob_1".into())), Ok(Some(_))));
        for bad in ["Bob", "a", "bob\u{0}"] {
            assert!(matches!(
                parse_cursor(Some(bad.into())),
                Err(AdminError::InvalidCursor)
            ));
        }
    }

    #[test]
    fn the_password_stays_out_of_debug_output() {
        let input = NewAccountInput {
            username: "carol".into(),
            password: Some("hunter2hunter2".into()),
            ..NewAccountInput::default()
        };
        assert!(!format!("{input:?}").contains("hunter2"));
    }
}
