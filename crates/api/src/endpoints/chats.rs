//! `/chats`: creating chats, reading them, settings, and group membership.

use confab_application::chats::{
    AddMembersError, ChangeRoleError, CreateChatError, GetChatError, ListChatsError,
    RemoveMemberError, UpdateChatError,
};
use confab_application::chats::{ChatService, CreatedChat};
use confab_domain::{ChatId, UserId};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi, Tags as DeriveTags};

use crate::dto::bounds::{Limit, PathId, raw};
use crate::dto::chat_requests::{
    AddMembersRequest, ChangeRoleRequest, CreateChatRequest, UpdateChatRequest, user_ids,
};
use crate::dto::chats::{ChatDto, ChatPage, MemberDto};
use crate::dto::common::NoContent;
use crate::dto::text::ChatCursorText;
use crate::error::Refused;
use crate::json::ApiJson;
use crate::security::BearerAuth;

#[derive(DeriveTags)]
enum ApiTags {
    /// Direct chats and groups: settings, members and roles.
    Chats,
}

/// `201` for a new chat, `200` for the direct chat that already existed.
#[derive(ApiResponse)]
pub enum ChatCreated {
    /// The chat was created.
    #[oai(status = 201)]
    Created(Json<ChatDto>),
    /// The direct chat with this user already existed; here it is.
    #[oai(status = 200)]
    Existing(Json<ChatDto>),
}

/// The chat endpoints.
pub struct ChatsApi {
    chats: ChatService,
}

impl ChatsApi {
    /// Serves `chats`.
    pub fn new(chats: ChatService) -> Self {
        Self { chats }
    }
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Chats")]
impl ChatsApi {
    /// Create a chat
    ///
    /// `direct` with one other user (one chat per pair: `200` with the existing one),
    /// or a `group` with a name, of which I become the `owner`. Myself alone in a
    /// direct chat is `400 invalid_member`; an unknown id `404 user_not_found`.
    #[oai(path = "/chats", method = "post", operation_id = "createChat")]
    async fn create(
        &self,
        auth: BearerAuth,
        body: ApiJson<CreateChatRequest>,
    ) -> Result<ChatCreated, Refused<CreateChatError>> {
        Ok(
            match self.chats.create(auth.caller(), body.0.into()).await? {
                CreatedChat::Created(view) => ChatCreated::Created(Json(view.into())),
                CreatedChat::Existing(view) => ChatCreated::Existing(Json(view.into())),
            },
        )
    }

    /// List my chats
    ///
    /// Most recent activity first (ties by id), each with its last message and my
    /// unread count.
    #[oai(path = "/chats", method = "get", operation_id = "listChats")]
    async fn list(
        &self,
        auth: BearerAuth,
        /// Page size, 1..100 (default 50).
        limit: Query<Option<Limit>>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<ChatCursorText>>,
    ) -> Result<Json<ChatPage>, Refused<ListChatsError>> {
        let page = self
            .chats
            .list(
                auth.caller(),
                raw(limit.0),
                cursor.0.as_ref().map(|c| c.0.as_str()),
            )
            .await?;
        Ok(Json(page.into()))
    }

    /// Get a chat
    ///
    /// With its members, last message and my unread count. Not a member: `404`.
    #[oai(path = "/chats/:id", method = "get", operation_id = "getChat")]
    async fn get(
        &self,
        auth: BearerAuth,
        /// The chat id.
        id: Path<PathId<ChatId>>,
    ) -> Result<Json<ChatDto>, Refused<GetChatError>> {
        let view = self.chats.get(auth.caller(), id.0.id()).await?;
        Ok(Json(view.into()))
    }

    /// Update a chat
    ///
    /// Rename a group (admin/owner) or set the message lifetime (`null` keeps messages
    /// forever; either member of a direct chat, admin/owner of a group). One
    /// `chat.updated` event however many fields change.
    #[oai(path = "/chats/:id", method = "patch", operation_id = "updateChat")]
    async fn update(
        &self,
        auth: BearerAuth,
        /// The chat id.
        id: Path<PathId<ChatId>>,
        body: ApiJson<UpdateChatRequest>,
    ) -> Result<Json<ChatDto>, Refused<UpdateChatError>> {
        let view = self
            .chats
            .update(auth.caller(), id.0.id(), body.0.into())
            .await?;
        Ok(Json(view.into()))
    }

    /// Add group members
    ///
    /// Admin/owner only. Adding someone who is already a member changes nothing.
    #[oai(
        path = "/chats/:id/members",
        method = "post",
        operation_id = "addMembers"
    )]
    async fn add_members(
        &self,
        auth: BearerAuth,
        /// The chat id.
        id: Path<PathId<ChatId>>,
        body: ApiJson<AddMembersRequest>,
    ) -> Result<Json<ChatDto>, Refused<AddMembersError>> {
        let view = self
            .chats
            .add_members(auth.caller(), id.0.id(), user_ids(body.0.user_ids))
            .await?;
        Ok(Json(view.into()))
    }

    /// Remove a member, or leave
    ///
    /// My own id leaves the group. The owner removes anyone, an admin plain members.
    /// An owner who leaves hands ownership to the longest-standing admin, else member;
    /// the last member leaving deletes the chat.
    #[oai(
        path = "/chats/:id/members/:user_id",
        method = "delete",
        operation_id = "removeMember"
    )]
    async fn remove_member(
        &self,
        auth: BearerAuth,
        /// The chat id.
        id: Path<PathId<ChatId>>,
        /// The member to remove.
        user_id: Path<PathId<UserId>>,
    ) -> Result<NoContent, Refused<RemoveMemberError>> {
        self.chats
            .remove_member(auth.caller(), id.0.id(), user_id.0.id())
            .await?;
        Ok(NoContent::Done)
    }

    /// Change a member's role
    ///
    /// Owner only: promote or demote (`admin` / `member`), or hand the group over
    /// (`owner`; I become `admin`). The owner cannot demote itself.
    #[oai(
        path = "/chats/:id/members/:user_id",
        method = "patch",
        operation_id = "changeMemberRole"
    )]
    async fn change_role(
        &self,
        auth: BearerAuth,
        /// The chat id.
        id: Path<PathId<ChatId>>,
        /// The member whose role changes.
        user_id: Path<PathId<UserId>>,
        body: ApiJson<ChangeRoleRequest>,
    ) -> Result<Json<MemberDto>, Refused<ChangeRoleError>> {
        let member = self
            .chats
            .change_role(auth.caller(), id.0.id(), user_id.0.id(), body.0.role.into())
            .await?;
        Ok(Json(member.into()))
    }
}
