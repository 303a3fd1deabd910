//! Storage of what server admins do: roles, disabled accounts, invites, the audit log
//! and the counts of `GET /admin/stats`. Every write that is an admin action takes
//! the [`NewAuditEntry`] describing it and stores it in the same transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use confab_domain::{Chat, InviteId, SessionId, User, UserId};
use thiserror::Error;
use uuid::Uuid;

use super::chats::ChatListCursor;
use super::mail::OutgoingMail;
use super::tokens::TokenHash;
use super::users::{NewUser, UserWriteError};
use crate::error::RepositoryError;

/// What an admin did, as the audit log names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    /// An account was created by an admin (or `confab admin create-user`).
    UserCreated,
    /// An account was given the admin role.
    AdminGranted,
    /// An account lost the admin role.
    AdminRevoked,
    /// An account was disabled.
    UserDisabled,
    /// An account was enabled again.
    UserEnabled,
    /// An account was deleted by an admin.
    UserDeleted,
    /// An invite was made.
    InviteCreated,
    /// An invite was revoked.
    InviteRevoked,
    /// Users were added to a group by an admin.
    ChatMembersAdded,
    /// A member was removed from a group by an admin.
    ChatMemberRemoved,
    /// A message was tombstoned by an admin.
    MessageDeleted,
}

impl AuditAction {
    /// The stable name written to the log and shown by `GET /admin/audit`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::UserCreated => "user.create",
            Self::AdminGranted => "user.grant_admin",
            Self::AdminRevoked => "user.revoke_admin",
            Self::UserDisabled => "user.disable",
            Self::UserEnabled => "user.enable",
            Self::UserDeleted => "user.delete",
            Self::InviteCreated => "invite.create",
            Self::InviteRevoked => "invite.revoke",
            Self::ChatMembersAdded => "chat.add_members",
            Self::ChatMemberRemoved => "chat.remove_member",
            Self::MessageDeleted => "message.delete",
        }
    }
}

/// One admin action about to be logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEntry {
    /// The admin; `None` for the shell (`confab admin …`).
    pub admin_id: Option<UserId>,
    /// What was done.
    pub action: AuditAction,
    /// What it was done to, e.g. `user:<id>` or `invite:<id>`.
    pub target: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// One logged admin action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Time-ordered id (UUIDv7).
    pub id: Uuid,
    /// The admin; `None` for the shell.
    pub admin_id: Option<UserId>,
    /// The action's stable name ([`AuditAction::as_str`]).
    pub action: String,
    /// What it was done to.
    pub target: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// Which accounts `GET /admin/users` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserStatus {
    /// Accounts that may sign in.
    Active,
    /// Disabled accounts.
    Disabled,
    /// Admins.
    Admin,
}

/// An account as admins see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminUserView {
    /// The account.
    pub user: User,
    /// When any of its sessions was last used; `None` if it never signed in.
    pub last_seen_at: Option<DateTime<Utc>>,
    /// When it was deleted (by its owner or an admin); such an account is also
    /// disabled, and no admin write finds it.
    pub deleted_at: Option<DateTime<Utc>>,
}

/// A chat as admins see it: no message bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminChatView {
    /// The chat (its `last_activity_at` is its last activity).
    pub chat: Chat,
    /// How many members it has.
    pub member_count: u64,
}

/// An invite about to be stored.
#[derive(Debug, Clone)]
pub struct NewInvite {
    /// Its id.
    pub id: InviteId,
    /// The hash of the token handed out (the token itself is never stored).
    pub token_hash: TokenHash,
    /// Whom it is meant for, if the admin said.
    pub email: Option<String>,
    /// The admin who made it.
    pub created_by: UserId,
    /// When.
    pub created_at: DateTime<Utc>,
    /// When it stops being accepted.
    pub expires_at: DateTime<Utc>,
}

/// A stored invite (never its token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    /// Its id.
    pub id: InviteId,
    /// Whom it is meant for.
    pub email: Option<String>,
    /// The admin who made it (`None` once that account is gone).
    pub created_by: Option<UserId>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it stops being accepted.
    pub expires_at: DateTime<Utc>,
    /// When it was redeemed.
    pub used_at: Option<DateTime<Utc>>,
    /// Who redeemed it.
    pub used_by: Option<UserId>,
    /// When an admin revoked it.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The counts of `GET /admin/stats` that storage knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StoredCounts {
    /// Accounts.
    pub users: u64,
    /// Chats.
    pub chats: u64,
    /// Messages (tombstones included).
    pub messages: u64,
}

/// Why an admin write about an account was refused.
#[derive(Debug, Error)]
pub enum AdminWriteError {
    /// No such account.
    #[error("user not found")]
    UserNotFound,
    /// The change would leave the server without an active admin.
    #[error("the last admin cannot lose the role")]
    LastAdmin,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] RepositoryError),
}

/// Why registering with an invite failed.
#[derive(Debug, Error)]
pub enum InvitedInsertError {
    /// Unknown, used, expired or revoked invite.
    #[error("invite not usable")]
    InviteUnusable,
    /// The account could not be written.
    #[error(transparent)]
    User(#[from] UserWriteError),
}

/// Admin state of the server.
#[async_trait]
pub trait AdminRepository: Send + Sync {
    /// Stores a new account with the admin role as given, and the audit entry.
    ///
    /// # Errors
    /// As [`UserRepository::insert`](super::UserRepository::insert).
    async fn create_user(
        &self,
        user: NewUser,
        is_admin: bool,
        audit: NewAuditEntry,
    ) -> Result<User, UserWriteError>;

    /// Grants or takes the admin role and logs it; returns the account after.
    /// Taking it is refused when no other active admin would remain (checked under
    /// a lock of the admin rows, so two concurrent demotions cannot both pass).
    ///
    /// # Errors
    /// [`AdminWriteError::UserNotFound`], [`AdminWriteError::LastAdmin`], storage.
    async fn set_admin(
        &self,
        user: UserId,
        is_admin: bool,
        audit: NewAuditEntry,
    ) -> Result<User, AdminWriteError>;

    /// Disables the account (keeping an earlier `disabled_at`), revokes every active
    /// session of it, and logs it, in one transaction. Returns the revoked sessions.
    ///
    /// # Errors
    /// [`AdminWriteError::UserNotFound`], [`AdminWriteError::LastAdmin`] when it is
    /// the last active admin, storage.
    async fn disable_user(
        &self,
        user: UserId,
        audit: NewAuditEntry,
    ) -> Result<Vec<SessionId>, AdminWriteError>;

    /// Marks the account deleted at `now` (and disabled, keeping an earlier
    /// `disabled_at`), revokes every active session of it, and logs `audit` when
    /// an admin did it, in one transaction. Returns the revoked sessions. A deleted
    /// account is not found by any admin write afterwards, nor by a sign-in.
    ///
    /// # Errors
    /// [`AdminWriteError::UserNotFound`] (also when already deleted),
    /// [`AdminWriteError::LastAdmin`] when it is the last active admin, storage.
    async fn delete_user(
        &self,
        user: UserId,
        audit: Option<NewAuditEntry>,
        now: DateTime<Utc>,
    ) -> Result<Vec<SessionId>, AdminWriteError>;

    /// Lets a disabled account sign in again, and logs it.
    ///
    /// # Errors
    /// [`AdminWriteError::UserNotFound`], storage.
    async fn enable_user(&self, user: UserId, audit: NewAuditEntry) -> Result<(), AdminWriteError>;

    /// Accounts whose username or lower-cased email starts with `prefix` (already
    /// lower-cased; empty matches all), with `status` when given, ordered by
    /// username, strictly after `after_username`, at most `limit`.
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn list_users(
        &self,
        prefix: &str,
        status: Option<UserStatus>,
        after_username: Option<&str>,
        limit: u64,
    ) -> Result<Vec<AdminUserView>, RepositoryError>;

    /// Every chat whose lower-cased group name starts with `prefix` (already
    /// lower-cased; empty matches all, direct chats included), most recent activity
    /// first (ties by id, descending), strictly after `after`, at most `limit`.
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn list_chats(
        &self,
        prefix: &str,
        after: Option<ChatListCursor>,
        limit: u64,
    ) -> Result<Vec<AdminChatView>, RepositoryError>;

    /// The account with this username, if any.
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn find_by_username(&self, username: &str) -> Result<Option<User>, RepositoryError>;

    /// Stores an invite, logs it and queues `mails` (the invite mail, if any), all in
    /// one transaction.
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn create_invite(
        &self,
        invite: NewInvite,
        audit: NewAuditEntry,
        mails: Vec<OutgoingMail>,
    ) -> Result<Invite, RepositoryError>;

    /// Invites, newest first, strictly before `before`, at most `limit`.
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn list_invites(
        &self,
        before: Option<InviteId>,
        limit: u64,
    ) -> Result<Vec<Invite>, RepositoryError>;

    /// Revokes an invite not yet used or revoked and logs it; returns whether it did.
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn revoke_invite(
        &self,
        id: InviteId,
        audit: NewAuditEntry,
    ) -> Result<bool, RepositoryError>;

    /// In one transaction: spends the invite with this token hash (unused, unrevoked,
    /// not expired at `user.now`) and stores the account. Of two registrations with
    /// one invite only one succeeds; a refused account leaves the invite unspent.
    ///
    /// # Errors
    /// [`InvitedInsertError::InviteUnusable`]; the account's write errors.
    async fn insert_invited(
        &self,
        user: NewUser,
        token_hash: &TokenHash,
    ) -> Result<User, InvitedInsertError>;

    /// The audit log, newest first, strictly before `before`, at most `limit`.
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn list_audit(
        &self,
        before: Option<Uuid>,
        limit: u64,
    ) -> Result<Vec<AuditEntry>, RepositoryError>;

    /// How many accounts, chats and messages are stored.
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn counts(&self) -> Result<StoredCounts, RepositoryError>;
}
