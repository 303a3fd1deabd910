//! Wire types of the `/admin` routes: accounts as admins see them, invites, the
//! audit log and the stats. Request types holding passwords have no `Debug`.

use confab_application::Page;
use confab_application::admin::{CreatedInvite, InviteInput, NewAccountInput, Stats};
use confab_application::ports::{AdminChatView, AdminUserView, AuditEntry, Invite, UserStatus};
use confab_domain::User;
use poem_openapi::types::Example;
use poem_openapi::{Enum, Object};
use uuid::Uuid;

use super::chats::ChatTypeDto;
use super::common::Timestamp;
use super::nullable::Nullable;
use super::schema_ref::RefField;
use super::text::{EmailText, PasswordText, UsernameText};

/// Which accounts `GET /admin/users` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "UserStatus", rename_all = "snake_case")]
pub enum UserStatusParam {
    /// Accounts that may sign in.
    Active,
    /// Disabled accounts.
    Disabled,
    /// Admins.
    Admin,
}

impl From<UserStatusParam> for UserStatus {
    fn from(status: UserStatusParam) -> Self {
        match status {
            UserStatusParam::Active => Self::Active,
            UserStatusParam::Disabled => Self::Disabled,
            UserStatusParam::Admin => Self::Admin,
        }
    }
}

/// An account as admins see it.
#[derive(Debug, Clone, Object)]
#[oai(rename = "AdminUser")]
pub struct AdminUserDto {
    /// The user id.
    pub id: Uuid,
    /// Login name.
    pub username: String,
    /// Email address, as given.
    pub email: String,
    /// Whether the address was confirmed through a mailed link.
    pub email_verified: bool,
    /// Name shown instead of the username.
    pub display_name: Nullable<String>,
    /// Whether the account administers the server.
    pub is_admin: bool,
    /// When an admin disabled it; `null` while it may sign in.
    pub disabled_at: Nullable<Timestamp>,
    /// When it was created.
    pub created_at: Timestamp,
    /// When any of its sessions was last used; `null` if it never signed in.
    pub last_seen_at: Nullable<Timestamp>,
    /// When the account was deleted (it is disabled too, and no admin action
    /// applies to it any more); `null` otherwise.
    pub deleted_at: Nullable<Timestamp>,
}

impl From<AdminUserView> for AdminUserDto {
    fn from(view: AdminUserView) -> Self {
        let mut dto = Self::from(view.user);
        dto.last_seen_at = Nullable(view.last_seen_at.map(Into::into));
        dto.deleted_at = Nullable(view.deleted_at.map(Into::into));
        dto
    }
}

impl From<User> for AdminUserDto {
    fn from(user: User) -> Self {
        Self {
            id: user.id.as_uuid(),
            username: user.username.into(),
            email: user.email.into(),
            email_verified: user.email_verified,
            display_name: Nullable(user.display_name.map(Into::into)),
            is_admin: user.is_admin,
            disabled_at: Nullable(user.disabled_at.map(Into::into)),
            created_at: user.created_at.into(),
            last_seen_at: Nullable(None),
            deleted_at: Nullable(None),
        }
    }
}

/// A page of accounts, by username.
#[derive(Debug, Clone, Object)]
#[oai(rename = "AdminUserPage")]
pub struct AdminUserPage {
    /// The accounts.
    pub items: Vec<AdminUserDto>,
    /// Pass as `cursor` for the next page; `null` when nothing more exists.
    pub next_cursor: Nullable<String>,
}

impl From<Page<AdminUserView>> for AdminUserPage {
    fn from(page: Page<AdminUserView>) -> Self {
        Self {
            items: page.items.into_iter().map(Into::into).collect(),
            next_cursor: Nullable(page.next_cursor),
        }
    }
}

/// `POST /admin/users`.
#[derive(Object)]
#[oai(rename = "CreateUser", example)]
pub struct CreateUserRequest {
    /// `^[a-z0-9_]{3,32}$` after lower-casing.
    pub username: UsernameText,
    /// Unique case-insensitively.
    pub email: EmailText,
    /// 8..128 characters; absent: the account gets a set-password link by mail.
    #[oai(nullable)]
    pub password: Option<PasswordText>,
    /// Whether the account administers the server (default `false`).
    #[oai(nullable)]
    pub is_admin: Option<bool>,
}

impl Example for CreateUserRequest {
    fn example() -> Self {
        Self {
            username: UsernameText("carol".to_owned()),
            email: EmailText("carol@example.com".to_owned()),
            password: Some(PasswordText("correct horse battery".to_owned())),
            is_admin: Some(false),
        }
    }
}

impl From<CreateUserRequest> for NewAccountInput {
    fn from(body: CreateUserRequest) -> Self {
        Self {
            username: body.username.into(),
            email: body.email.into(),
            password: body.password.map(Into::into),
            is_admin: body.is_admin.unwrap_or(false),
        }
    }
}

/// `POST /admin/invites`.
#[derive(Debug, Clone, Object)]
#[oai(rename = "CreateInvite", example)]
pub struct CreateInviteRequest {
    /// Whom the invite is for; it is mailed there when mail is configured.
    #[oai(nullable)]
    pub email: Option<EmailText>,
    /// How long it is accepted, 60..7776000 seconds (default 604800, 7 days).
    #[oai(nullable)]
    pub expires_in_seconds: Option<i64>,
}

impl Example for CreateInviteRequest {
    fn example() -> Self {
        Self {
            email: Some(EmailText("dave@example.com".to_owned())),
            expires_in_seconds: Some(604_800),
        }
    }
}

impl From<CreateInviteRequest> for InviteInput {
    fn from(body: CreateInviteRequest) -> Self {
        Self {
            email: body.email.map(Into::into),
            expires_in_seconds: body.expires_in_seconds,
        }
    }
}

/// An invite (never its token, which only the creating answer shows).
#[derive(Debug, Clone, Object)]
#[oai(rename = "Invite")]
pub struct InviteDto {
    /// The invite id.
    pub id: Uuid,
    /// Whom it is for.
    pub email: Nullable<String>,
    /// The admin who made it (`null` once that account is gone).
    pub created_by: Nullable<Uuid>,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it stops being accepted.
    pub expires_at: Timestamp,
    /// When it was redeemed.
    pub used_at: Nullable<Timestamp>,
    /// The account that redeemed it.
    pub used_by: Nullable<Uuid>,
    /// When an admin revoked it.
    pub revoked_at: Nullable<Timestamp>,
}

impl From<Invite> for InviteDto {
    fn from(invite: Invite) -> Self {
        Self {
            id: invite.id.as_uuid(),
            email: Nullable(invite.email),
            created_by: Nullable(invite.created_by.map(|id| id.as_uuid())),
            created_at: invite.created_at.into(),
            expires_at: invite.expires_at.into(),
            used_at: Nullable(invite.used_at.map(Into::into)),
            used_by: Nullable(invite.used_by.map(|id| id.as_uuid())),
            revoked_at: Nullable(invite.revoked_at.map(Into::into)),
        }
    }
}

/// A new invite and its token (shown this once; register with it as `invite_token`).
#[derive(Clone, Object)]
#[oai(rename = "CreatedInvite")]
pub struct CreatedInviteDto {
    /// The invite.
    pub invite: InviteDto,
    /// What the invited person passes to `POST /auth/register` as `invite_token`.
    pub token: String,
}

impl From<CreatedInvite> for CreatedInviteDto {
    fn from(created: CreatedInvite) -> Self {
        Self {
            invite: created.invite.into(),
            token: created.token,
        }
    }
}

/// A page of invites, newest first.
#[derive(Debug, Clone, Object)]
#[oai(rename = "InvitePage")]
pub struct InvitePage {
    /// The invites.
    pub items: Vec<InviteDto>,
    /// Pass as `cursor` for the next page; `null` when nothing more exists.
    pub next_cursor: Nullable<String>,
}

impl From<Page<Invite>> for InvitePage {
    fn from(page: Page<Invite>) -> Self {
        Self {
            items: page.items.into_iter().map(Into::into).collect(),
            next_cursor: Nullable(page.next_cursor),
        }
    }
}

/// One admin action.
#[derive(Debug, Clone, Object)]
#[oai(rename = "AuditEntry")]
pub struct AuditEntryDto {
    /// Time-ordered id.
    pub id: Uuid,
    /// The admin; `null` for the shell (`confab admin …`).
    pub admin_id: Nullable<Uuid>,
    /// What was done, e.g. `user.disable`, `invite.create`.
    pub action: String,
    /// What it was done to, e.g. `user:<id>`, `invite:<id>`.
    pub target: String,
    /// When.
    pub at: Timestamp,
}

impl From<AuditEntry> for AuditEntryDto {
    fn from(entry: AuditEntry) -> Self {
        Self {
            id: entry.id,
            admin_id: Nullable(entry.admin_id.map(|id| id.as_uuid())),
            action: entry.action,
            target: entry.target,
            at: entry.at.into(),
        }
    }
}

/// A page of the audit log, newest first.
#[derive(Debug, Clone, Object)]
#[oai(rename = "AuditPage")]
pub struct AuditPage {
    /// The entries.
    pub items: Vec<AuditEntryDto>,
    /// Pass as `cursor` for the next page; `null` when nothing more exists.
    pub next_cursor: Nullable<String>,
}

impl From<Page<AuditEntry>> for AuditPage {
    fn from(page: Page<AuditEntry>) -> Self {
        Self {
            items: page.items.into_iter().map(Into::into).collect(),
            next_cursor: Nullable(page.next_cursor),
        }
    }
}

/// What the server holds and serves.
#[derive(Debug, Clone, Object)]
#[oai(rename = "Stats")]
pub struct StatsDto {
    /// Accounts (disabled ones included).
    pub users: u64,
    /// Chats.
    pub chats: u64,
    /// Messages (tombstones included).
    pub messages: u64,
    /// WebSocket connections open on the node that answered.
    pub open_sockets: u64,
    /// Bytes of stored files (0: this server stores no files yet).
    pub store_bytes: u64,
}

impl StatsDto {
    /// The stored counts with this node's open sockets.
    pub fn new(stats: Stats, open_sockets: usize) -> Self {
        Self {
            users: stats.users,
            chats: stats.chats,
            messages: stats.messages,
            open_sockets: u64::try_from(open_sockets).unwrap_or(u64::MAX),
            store_bytes: 0,
        }
    }
}

/// A chat as admins list it: no members' names, no message bodies.
#[derive(Debug, Clone, Object)]
#[oai(rename = "AdminChat")]
pub struct AdminChatDto {
    /// The chat id.
    pub id: Uuid,
    /// `direct` or `group`.
    #[oai(rename = "type")]
    pub kind: RefField<ChatTypeDto>,
    /// The group's name; `null` for direct chats.
    pub name: Nullable<String>,
    /// When the chat was created.
    pub created_at: Timestamp,
    /// When its log last changed (a message, a member change, a setting).
    pub last_activity_at: Timestamp,
    /// The highest seq of its log.
    pub last_seq: i64,
    /// How many members it has.
    pub member_count: u64,
}

impl From<AdminChatView> for AdminChatDto {
    fn from(view: AdminChatView) -> Self {
        let chat = view.chat;
        Self {
            id: chat.id.as_uuid(),
            kind: RefField(chat.kind.into()),
            name: Nullable(chat.name.map(|name| name.as_str().to_owned())),
            created_at: chat.created_at.into(),
            last_activity_at: chat.last_activity_at.into(),
            last_seq: chat.last_seq.get(),
            member_count: view.member_count,
        }
    }
}

/// A page of chats, most recent activity first.
#[derive(Debug, Clone, Object)]
#[oai(rename = "AdminChatPage")]
pub struct AdminChatPage {
    /// The chats.
    pub items: Vec<AdminChatDto>,
    /// Pass as `cursor` for the next page; `null` when nothing more exists.
    pub next_cursor: Nullable<String>,
}

impl From<Page<AdminChatView>> for AdminChatPage {
    fn from(page: Page<AdminChatView>) -> Self {
        Self {
            items: page.items.into_iter().map(Into::into).collect(),
            next_cursor: Nullable(page.next_cursor),
        }
    }
}
