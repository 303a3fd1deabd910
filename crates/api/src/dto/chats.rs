//! Wire types of chats: the chat object (full, as a list item, and as event data),
//! members and roles. The request bodies are in [`super::chat_requests`].

use confab_application::Page;
use confab_domain::{
    Chat, ChatKind, ChatListItem, ChatSnapshot, ChatView, Member, MemberRole, MessageTtl,
};
use poem_openapi::{Enum, Object};
use uuid::Uuid;

use super::common::Timestamp;
use super::messages::MessageDto;
use super::nullable::Nullable;
use super::schema_ref::RefField;

/// Whether a chat is between exactly two people or a named group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "ChatType", rename_all = "snake_case")]
pub enum ChatTypeDto {
    /// Exactly two members, no name, no roles.
    Direct,
    /// A named chat with an owner, admins and members.
    Group,
}

impl From<ChatKind> for ChatTypeDto {
    fn from(kind: ChatKind) -> Self {
        match kind {
            ChatKind::Direct => Self::Direct,
            ChatKind::Group => Self::Group,
        }
    }
}

impl From<ChatTypeDto> for ChatKind {
    fn from(kind: ChatTypeDto) -> Self {
        match kind {
            ChatTypeDto::Direct => Self::Direct,
            ChatTypeDto::Group => Self::Group,
        }
    }
}

/// A member's standing in a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "MemberRole", rename_all = "snake_case")]
pub enum MemberRoleDto {
    /// Does everything, including handing the group over.
    Owner,
    /// Renames, adds members, removes plain members.
    Admin,
    /// Reads and writes.
    Member,
}

impl From<MemberRole> for MemberRoleDto {
    fn from(role: MemberRole) -> Self {
        match role {
            MemberRole::Owner => Self::Owner,
            MemberRole::Admin => Self::Admin,
            MemberRole::Member => Self::Member,
        }
    }
}

impl From<MemberRoleDto> for MemberRole {
    fn from(role: MemberRoleDto) -> Self {
        match role {
            MemberRoleDto::Owner => Self::Owner,
            MemberRoleDto::Admin => Self::Admin,
            MemberRoleDto::Member => Self::Member,
        }
    }
}

/// A member of a chat.
#[derive(Debug, Clone, Object)]
#[oai(rename = "Member")]
pub struct MemberDto {
    /// The member's user id.
    pub user_id: Uuid,
    /// The member's username.
    pub username: String,
    /// The member's display name.
    pub display_name: Nullable<String>,
    /// The role in a group; `null` in direct chats.
    pub role: Nullable<RefField<MemberRoleDto>>,
    /// The highest seq this member has read.
    pub last_read_seq: i64,
    /// When the member joined.
    pub joined_at: Timestamp,
}

impl From<Member> for MemberDto {
    fn from(member: Member) -> Self {
        Self {
            user_id: member.user_id.as_uuid(),
            username: member.username.into(),
            display_name: Nullable(member.display_name.map(Into::into)),
            role: Nullable(member.role.map(|role| RefField(role.into()))),
            last_read_seq: member.last_read_seq.get(),
            joined_at: member.joined_at.into(),
        }
    }
}

/// A chat with its members, last message and my unread count (`POST /chats`,
/// `GET /chats/{id}`, `PATCH /chats/{id}`, `POST /chats/{id}/members`).
#[derive(Debug, Clone, Object)]
#[oai(rename = "Chat")]
pub struct ChatDto {
    /// The chat id (UUIDv7).
    pub id: Uuid,
    /// `direct` or `group`.
    #[oai(rename = "type")]
    pub kind: RefField<ChatTypeDto>,
    /// The group's name; `null` for direct chats.
    pub name: Nullable<String>,
    /// When the chat was created.
    pub created_at: Timestamp,
    /// The highest seq of the chat's log.
    pub last_seq: i64,
    /// Messages disappear after this many seconds; `null` keeps them forever.
    pub message_ttl_seconds: Nullable<i64>,
    /// How many members the chat has.
    pub member_count: i64,
    /// Every member, oldest first.
    pub members: Vec<MemberDto>,
    /// The highest-seq message that has not expired, tombstone included.
    pub last_message: Nullable<RefField<MessageDto>>,
    /// Messages by others after my `last_read_seq`, not deleted, not expired.
    pub unread_count: i64,
}

impl From<ChatView> for ChatDto {
    fn from(view: ChatView) -> Self {
        let snapshot = ChatSnapshotDto::from(view.snapshot);
        Self {
            id: snapshot.id,
            kind: snapshot.kind,
            name: snapshot.name,
            created_at: snapshot.created_at,
            last_seq: snapshot.last_seq,
            message_ttl_seconds: snapshot.message_ttl_seconds,
            member_count: snapshot.member_count,
            members: snapshot.members,
            last_message: Nullable(view.last_message.map(|message| RefField(message.into()))),
            unread_count: view.unread_count,
        }
    }
}

/// The chat object inside `chat.created` / `chat.updated` events: as [`ChatDto`]
/// without `last_message` and `unread_count`, which differ per reader.
#[derive(Debug, Clone, Object)]
#[oai(rename = "ChatSnapshot")]
pub struct ChatSnapshotDto {
    /// The chat id (UUIDv7).
    pub id: Uuid,
    /// `direct` or `group`.
    #[oai(rename = "type")]
    pub kind: RefField<ChatTypeDto>,
    /// The group's name; `null` for direct chats.
    pub name: Nullable<String>,
    /// When the chat was created.
    pub created_at: Timestamp,
    /// The highest seq of the chat's log.
    pub last_seq: i64,
    /// Messages disappear after this many seconds; `null` keeps them forever.
    pub message_ttl_seconds: Nullable<i64>,
    /// How many members the chat has.
    pub member_count: i64,
    /// Every member, oldest first.
    pub members: Vec<MemberDto>,
}

impl From<ChatSnapshot> for ChatSnapshotDto {
    fn from(snapshot: ChatSnapshot) -> Self {
        let chat = snapshot.chat;
        Self {
            id: chat.id.as_uuid(),
            kind: RefField(chat.kind.into()),
            name: Nullable(chat.name.map(Into::into)),
            created_at: chat.created_at.into(),
            last_seq: chat.last_seq.get(),
            message_ttl_seconds: Nullable(chat.message_ttl.map(MessageTtl::seconds)),
            member_count: i64::try_from(snapshot.members.len()).unwrap_or(i64::MAX),
            members: snapshot.members.into_iter().map(Into::into).collect(),
        }
    }
}

/// One of my chats in `GET /chats`: the chat object without `members`, plus `peer`
/// and `my_role`.
#[derive(Debug, Clone, Object)]
#[oai(rename = "ChatListItem")]
pub struct ChatListItemDto {
    /// The chat id (UUIDv7).
    pub id: Uuid,
    /// `direct` or `group`.
    #[oai(rename = "type")]
    pub kind: RefField<ChatTypeDto>,
    /// The group's name; `null` for direct chats.
    pub name: Nullable<String>,
    /// When the chat was created.
    pub created_at: Timestamp,
    /// The highest seq of the chat's log.
    pub last_seq: i64,
    /// Messages disappear after this many seconds; `null` keeps them forever.
    pub message_ttl_seconds: Nullable<i64>,
    /// How many members the chat has.
    pub member_count: i64,
    /// The highest-seq message that has not expired, tombstone included.
    pub last_message: Nullable<RefField<MessageDto>>,
    /// Messages by others after my `last_read_seq`, not deleted, not expired.
    pub unread_count: i64,
    /// The other member of a direct chat; `null` for groups.
    pub peer: Nullable<RefField<MemberDto>>,
    /// My role; `null` in direct chats.
    pub my_role: Nullable<RefField<MemberRoleDto>>,
}

impl From<ChatListItem> for ChatListItemDto {
    fn from(item: ChatListItem) -> Self {
        let Chat {
            id,
            kind,
            name,
            created_at,
            last_seq,
            message_ttl,
            ..
        } = item.chat;
        Self {
            id: id.as_uuid(),
            kind: RefField(kind.into()),
            name: Nullable(name.map(Into::into)),
            created_at: created_at.into(),
            last_seq: last_seq.get(),
            message_ttl_seconds: Nullable(message_ttl.map(MessageTtl::seconds)),
            member_count: item.member_count,
            last_message: Nullable(item.last_message.map(|message| RefField(message.into()))),
            unread_count: item.unread_count,
            peer: Nullable(item.peer.map(|peer| RefField(peer.into()))),
            my_role: Nullable(item.my_role.map(|role| RefField(role.into()))),
        }
    }
}

/// A page of my chats, most recent activity first.
#[derive(Debug, Clone, Object)]
#[oai(rename = "ChatPage")]
pub struct ChatPage {
    /// The chats.
    pub items: Vec<ChatListItemDto>,
    /// Pass as `cursor` for the next page; `null` when nothing more exists.
    pub next_cursor: Nullable<String>,
}

impl From<Page<ChatListItem>> for ChatPage {
    fn from(page: Page<ChatListItem>) -> Self {
        Self {
            items: page.items.into_iter().map(Into::into).collect(),
            next_cursor: Nullable(page.next_cursor),
        }
    }
}
