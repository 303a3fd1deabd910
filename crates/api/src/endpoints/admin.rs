//! `/admin`: what server admins do. Every handler's service call checks first that
//! the caller is an enabled admin (`403 forbidden` before anything is looked up).

use confab_application::admin::{AdminError, AdminService};
use confab_domain::{ChatId, InviteId, MessageId, UserId};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi, Tags as DeriveTags};

use crate::dto::admin::{
    AdminChatPage, AdminUserDto, AdminUserPage, AuditPage, CreateInviteRequest, CreateUserRequest,
    CreatedInviteDto, InvitePage, StatsDto, UserStatusParam,
};
use crate::dto::bounds::{Limit, PathId, raw};
use crate::dto::chat_requests::{AddMembersRequest, user_ids};
use crate::dto::common::NoContent;
use crate::dto::text::{ChatCursorText, IdCursorText, SearchText, UserCursorText};
use crate::error::{ApiError, Refused};
use crate::json::ApiJson;
use crate::security::BearerAuth;
use crate::ws::Gateway;

#[derive(DeriveTags)]
enum ApiTags {
    /// Server administration: accounts, invites, audit log, stats (admins only).
    Admin,
}

/// `200` with a page of accounts.
#[derive(ApiResponse)]
pub enum AdminUsers {
    /// Accounts by username.
    #[oai(status = 200)]
    Ok(Json<AdminUserPage>),
}

/// `201` with the new account.
#[derive(ApiResponse)]
pub enum AdminUserCreated {
    /// The account.
    #[oai(status = 201)]
    Created(Json<AdminUserDto>),
}

/// `201` with the new invite and its token.
#[derive(ApiResponse)]
pub enum InviteCreated {
    /// The invite; its token is shown only here.
    #[oai(status = 201)]
    Created(Json<CreatedInviteDto>),
}

/// `200` with a page of invites.
#[derive(ApiResponse)]
pub enum Invites {
    /// Invites, newest first.
    #[oai(status = 200)]
    Ok(Json<InvitePage>),
}

/// `200` with a page of the audit log.
#[derive(ApiResponse)]
pub enum Audit {
    /// Admin actions, newest first.
    #[oai(status = 200)]
    Ok(Json<AuditPage>),
}

/// `200` with a page of chats.
#[derive(ApiResponse)]
pub enum AdminChats {
    /// Chats, most recent activity first.
    #[oai(status = 200)]
    Ok(Json<AdminChatPage>),
}

/// `200` with the server's counts.
#[derive(ApiResponse)]
pub enum ServerStats {
    /// The counts.
    #[oai(status = 200)]
    Ok(Json<StatsDto>),
}

/// The admin endpoints.
pub struct AdminApi {
    admin: AdminService,
    realtime: Gateway,
}

impl AdminApi {
    /// Serves `admin`; `realtime` tells how many sockets are open.
    pub fn new(admin: AdminService, realtime: Gateway) -> Self {
        Self { admin, realtime }
    }
}

#[OpenApi(prefix_path = "/api/v1/admin", tag = "ApiTags::Admin")]
impl AdminApi {
    /// List accounts
    ///
    /// Every account by username; `q` filters by username or email prefix, `status`
    /// by state.
    #[oai(path = "/users", method = "get", operation_id = "adminListUsers")]
    async fn list_users(
        &self,
        auth: BearerAuth,
        /// Username or email prefix, 1..64 characters, case-insensitive.
        q: Query<Option<SearchText>>,
        /// Only `active`, `disabled` or `admin` accounts.
        status: Query<Option<UserStatusParam>>,
        /// Page size, 1..100 (default 50).
        limit: Query<Option<Limit>>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<UserCursorText>>,
    ) -> Result<AdminUsers, Refused<AdminError>> {
        let page = self
            .admin
            .list_users(
                auth.caller(),
                q.0.map(|q| q.0),
                status.0.map(Into::into),
                raw(limit.0),
                cursor.0.map(String::from),
            )
            .await
            .map_err(|error| Refused::other(ApiError::from_admin_query(error)))?;
        Ok(AdminUsers::Ok(Json(page.into())))
    }

    /// Create an account
    ///
    /// Without `password` the account gets a set-password link by mail (when mail is
    /// configured). Registration policy does not apply.
    #[oai(path = "/users", method = "post", operation_id = "adminCreateUser")]
    async fn create_user(
        &self,
        auth: BearerAuth,
        body: ApiJson<CreateUserRequest>,
    ) -> Result<AdminUserCreated, Refused<AdminError>> {
        let user = self.admin.create_user(auth.caller(), body.0.into()).await?;
        Ok(AdminUserCreated::Created(Json(user.into())))
    }

    /// Disable an account
    ///
    /// Revokes every session of it at once (its sockets close with 4401 on every
    /// node); logins then answer `403 account_disabled`. Not your own account
    /// (`409 cannot_target_self`), nor the last admin (`409 last_admin`).
    #[oai(
        path = "/users/:id/disable",
        method = "post",
        operation_id = "adminDisableUser"
    )]
    async fn disable_user(
        &self,
        auth: BearerAuth,
        /// The user id.
        id: Path<PathId<UserId>>,
    ) -> Result<NoContent, Refused<AdminError>> {
        self.admin.disable_user(auth.caller(), id.0.id()).await?;
        Ok(NoContent::Done)
    }

    /// Delete an account
    ///
    /// As `DELETE /me`: the account is deleted at once (every session revoked, its
    /// sockets close with 4401 on every node; its username and email no longer sign
    /// in). Not your own account (`409 cannot_target_self`), nor the last admin
    /// (`409 last_admin`); an unknown or already deleted account is `404`.
    #[oai(
        path = "/users/:id",
        method = "delete",
        operation_id = "adminDeleteUser"
    )]
    async fn delete_user(
        &self,
        auth: BearerAuth,
        /// The user id.
        id: Path<PathId<UserId>>,
    ) -> Result<NoContent, Refused<AdminError>> {
        self.admin.delete_user(auth.caller(), id.0.id()).await?;
        Ok(NoContent::Done)
    }

    /// Enable an account
    ///
    /// Lets a disabled account sign in again (its old sessions stay revoked).
    #[oai(
        path = "/users/:id/enable",
        method = "post",
        operation_id = "adminEnableUser"
    )]
    async fn enable_user(
        &self,
        auth: BearerAuth,
        /// The user id.
        id: Path<PathId<UserId>>,
    ) -> Result<NoContent, Refused<AdminError>> {
        self.admin.enable_user(auth.caller(), id.0.id()).await?;
        Ok(NoContent::Done)
    }

    /// Create an invite
    ///
    /// A single-use invite for `POST /auth/register` (`invite_token`), valid 7 days
    /// unless `expires_in_seconds` says otherwise. The token is shown only here.
    #[oai(path = "/invites", method = "post", operation_id = "adminCreateInvite")]
    async fn create_invite(
        &self,
        auth: BearerAuth,
        body: ApiJson<CreateInviteRequest>,
    ) -> Result<InviteCreated, Refused<AdminError>> {
        let created = self
            .admin
            .create_invite(auth.caller(), body.0.into())
            .await?;
        Ok(InviteCreated::Created(Json(created.into())))
    }

    /// List invites
    ///
    /// Every invite, newest first, used, expired and revoked ones included.
    #[oai(path = "/invites", method = "get", operation_id = "adminListInvites")]
    async fn list_invites(
        &self,
        auth: BearerAuth,
        /// Page size, 1..100 (default 50).
        limit: Query<Option<Limit>>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<IdCursorText>>,
    ) -> Result<Invites, Refused<AdminError>> {
        let page = self
            .admin
            .list_invites(auth.caller(), raw(limit.0), cursor.0.map(String::from))
            .await
            .map_err(|error| Refused::other(ApiError::from_admin_query(error)))?;
        Ok(Invites::Ok(Json(page.into())))
    }

    /// Revoke an invite
    ///
    /// An unused invite stops being accepted; a used or revoked one is
    /// `404 invite_not_found`.
    #[oai(
        path = "/invites/:id",
        method = "delete",
        operation_id = "adminRevokeInvite"
    )]
    async fn revoke_invite(
        &self,
        auth: BearerAuth,
        /// The invite id.
        id: Path<PathId<InviteId>>,
    ) -> Result<NoContent, Refused<AdminError>> {
        self.admin.revoke_invite(auth.caller(), id.0.id()).await?;
        Ok(NoContent::Done)
    }

    /// List chats
    ///
    /// Every chat, most recent activity first, with its member count and last
    /// activity (no message bodies); `q` keeps the groups whose name starts with it.
    #[oai(path = "/chats", method = "get", operation_id = "adminListChats")]
    async fn list_chats(
        &self,
        auth: BearerAuth,
        /// Group name prefix, 1..64 characters, case-insensitive.
        q: Query<Option<SearchText>>,
        /// Page size, 1..100 (default 50).
        limit: Query<Option<Limit>>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<ChatCursorText>>,
    ) -> Result<AdminChats, Refused<AdminError>> {
        let page = self
            .admin
            .list_chats(
                auth.caller(),
                q.0.map(|q| q.0),
                raw(limit.0),
                cursor.0.map(String::from),
            )
            .await
            .map_err(|error| Refused::other(ApiError::from_admin_query(error)))?;
        Ok(AdminChats::Ok(Json(page.into())))
    }

    /// Add members to any group
    ///
    /// Adds the users as `member` to any group, whether or not I am in it; existing
    /// members change nothing. Logged in the chat as any addition (`member.added`,
    /// with my id as `actor_id`) and in the audit log. Direct chats:
    /// `400 not_a_group`.
    #[oai(
        path = "/chats/:id/members",
        method = "post",
        operation_id = "adminAddMembers"
    )]
    async fn add_members(
        &self,
        auth: BearerAuth,
        /// The chat id.
        id: Path<PathId<ChatId>>,
        body: ApiJson<AddMembersRequest>,
    ) -> Result<NoContent, Refused<AdminError>> {
        self.admin
            .add_chat_members(auth.caller(), id.0.id(), user_ids(body.0.user_ids))
            .await?;
        Ok(NoContent::Done)
    }

    /// Remove a member from any group
    ///
    /// Removes anyone, the owner included (ownership passes as when an owner leaves).
    /// Logged in the chat as any removal (`member.removed`, and `member.updated` for
    /// a hand-over, each with my id as `actor_id`) and in the audit log. Direct
    /// chats: `400 not_a_group`.
    #[oai(
        path = "/chats/:id/members/:user_id",
        method = "delete",
        operation_id = "adminRemoveMember"
    )]
    async fn remove_member(
        &self,
        auth: BearerAuth,
        /// The chat id.
        id: Path<PathId<ChatId>>,
        /// The member to remove.
        user_id: Path<PathId<UserId>>,
    ) -> Result<NoContent, Refused<AdminError>> {
        self.admin
            .remove_chat_member(auth.caller(), id.0.id(), user_id.0.id())
            .await?;
        Ok(NoContent::Done)
    }

    /// Delete any message
    ///
    /// Turns the message into a tombstone (`message.deleted` in the chat's log, an
    /// entry in the audit log); a tombstone again is `204` and changes nothing.
    #[oai(
        path = "/chats/:id/messages/:message_id",
        method = "delete",
        operation_id = "adminDeleteMessage"
    )]
    async fn delete_message(
        &self,
        auth: BearerAuth,
        /// The chat id.
        id: Path<PathId<ChatId>>,
        /// The message id.
        message_id: Path<PathId<MessageId>>,
    ) -> Result<NoContent, Refused<AdminError>> {
        self.admin
            .delete_chat_message(auth.caller(), id.0.id(), message_id.0.id())
            .await?;
        Ok(NoContent::Done)
    }

    /// Read the audit log
    ///
    /// Every admin action, newest first: `id, admin_id, action, target, at`.
    #[oai(path = "/audit", method = "get", operation_id = "adminListAudit")]
    async fn audit(
        &self,
        auth: BearerAuth,
        /// Page size, 1..100 (default 50).
        limit: Query<Option<Limit>>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<IdCursorText>>,
    ) -> Result<Audit, Refused<AdminError>> {
        let page = self
            .admin
            .audit_log(auth.caller(), raw(limit.0), cursor.0.map(String::from))
            .await
            .map_err(|error| Refused::other(ApiError::from_admin_query(error)))?;
        Ok(Audit::Ok(Json(page.into())))
    }

    /// Server stats
    ///
    /// Accounts, chats, messages, the sockets open on this node, stored file bytes.
    #[oai(path = "/stats", method = "get", operation_id = "adminStats")]
    async fn stats(&self, auth: BearerAuth) -> Result<ServerStats, Refused<AdminError>> {
        let stats = self.admin.stats(auth.caller()).await?;
        let open = self.realtime.hub().len();
        Ok(ServerStats::Ok(Json(StatsDto::new(stats, open))))
    }
}
