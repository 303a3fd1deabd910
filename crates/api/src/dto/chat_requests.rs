//! Request bodies of the chat routes (create, update, add members, change a role).

use confab_application::chats::{ChatUpdate, NewChatRequest};
use confab_domain::{ChatKind, MemberRole, UserId};
use poem_openapi::types::{Example, MaybeUndefined};
use poem_openapi::{Object, Union};
use uuid::Uuid;

use super::bounds::BoundedInt;
use super::chats::MemberRoleDto;
use super::schema_ref::RefField;
use super::text::GroupNameText;

/// A message lifetime in seconds: one minute to one week.
pub type TtlSeconds = BoundedInt<60, 604_800>;

/// `POST /chats`: a direct chat with one other user, or a group, told apart by
/// `type`. Each variant's schema says exactly what it takes, so a body that fits
/// the schema is one the server can act on: a direct chat names exactly one other
/// user and has no name (a `name` sent with it is ignored, like any unknown field).
#[derive(Debug, Clone, Union)]
#[oai(rename = "CreateChat", discriminator_name = "type", one_of)]
pub enum CreateChatRequest {
    /// A group, of which I become the `owner`. First, so that documentation tools
    /// that show the first variant's example show one that succeeds as sent.
    #[oai(mapping = "group")]
    Group(CreateGroupChat),
    /// The one direct chat of a pair.
    #[oai(mapping = "direct")]
    Direct(CreateDirectChat),
}

/// `POST /chats` with `type: group`.
#[derive(Debug, Clone, Object)]
#[oai(rename = "CreateGroupChat", example)]
pub struct CreateGroupChat {
    /// The group's name, 1..100 characters.
    pub name: GroupNameText,
    /// The first members besides me (duplicates and my own id are ignored; may be
    /// empty).
    #[oai(default)]
    pub member_ids: Vec<Uuid>,
}

impl Example for CreateGroupChat {
    /// A group of one (the creator): a direct chat needs another user's id, which no
    /// example can know.
    fn example() -> Self {
        Self {
            name: GroupNameText("Team".to_owned()),
            member_ids: Vec::new(),
        }
    }
}

/// `POST /chats` with `type: direct`.
#[derive(Debug, Clone, Object)]
#[oai(rename = "CreateDirectChat")]
pub struct CreateDirectChat {
    /// The other user: exactly one id (my own is `400 invalid_member`).
    #[oai(validator(min_items = 1, max_items = 1))]
    pub member_ids: Vec<Uuid>,
}

impl From<CreateChatRequest> for NewChatRequest {
    fn from(body: CreateChatRequest) -> Self {
        match body {
            CreateChatRequest::Group(group) => Self {
                kind: ChatKind::Group,
                name: Some(group.name.0),
                member_ids: user_ids(group.member_ids),
            },
            CreateChatRequest::Direct(direct) => Self {
                kind: ChatKind::Direct,
                name: None,
                member_ids: user_ids(direct.member_ids),
            },
        }
    }
}

/// `PATCH /chats/{id}`: absent fields stay unchanged.
#[derive(Debug, Clone, Object)]
#[oai(rename = "UpdateChat", example)]
pub struct UpdateChatRequest {
    /// New group name, 1..100 characters (groups only, admin/owner); `null` is
    /// the same as absent, since a group always has a name.
    #[oai(nullable)]
    pub name: Option<GroupNameText>,
    /// 60..604800 seconds; `null` keeps messages forever.
    #[oai(nullable)]
    pub message_ttl_seconds: MaybeUndefined<TtlSeconds>,
}

impl Example for UpdateChatRequest {
    /// Renames the group of the `CreateChat` example and keeps its messages a day.
    fn example() -> Self {
        Self {
            name: Some(GroupNameText("Team room".to_owned())),
            message_ttl_seconds: MaybeUndefined::Value(BoundedInt(86_400)),
        }
    }
}

impl From<UpdateChatRequest> for ChatUpdate {
    fn from(body: UpdateChatRequest) -> Self {
        Self {
            name: body.name.map(|name| Some(name.0)),
            message_ttl_seconds: match body.message_ttl_seconds {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(seconds) => Some(Some(seconds.0)),
            },
        }
    }
}

/// `POST /chats/{id}/members`.
#[derive(Debug, Clone, Object)]
#[oai(rename = "AddMembers", example)]
pub struct AddMembersRequest {
    /// Users to add as `member`; existing members (and an empty list) change nothing.
    pub user_ids: Vec<Uuid>,
}

impl Example for AddMembersRequest {
    /// An empty list, which succeeds on any group of mine and changes nothing:
    /// real ids come from `GET /users?q=`.
    fn example() -> Self {
        Self {
            user_ids: Vec::new(),
        }
    }
}

/// `PATCH /chats/{id}/members/{user_id}`.
#[derive(Debug, Clone, Object)]
#[oai(rename = "ChangeRole", example)]
pub struct ChangeRoleRequest {
    /// The new role; `owner` hands the group over (I become `admin`).
    pub role: RefField<MemberRoleDto>,
}

impl Example for ChangeRoleRequest {
    fn example() -> Self {
        Self {
            role: RefField(MemberRoleDto::Admin),
        }
    }
}

impl From<RefField<MemberRoleDto>> for MemberRole {
    fn from(role: RefField<MemberRoleDto>) -> Self {
        role.0.into()
    }
}

/// Converts wire ids to user ids.
pub fn user_ids(ids: Vec<Uuid>) -> Vec<UserId> {
    ids.into_iter().map(UserId::from_uuid).collect()
}
