//! Request bodies of the chat routes (create, update, add members, change a role)
//! and the chat list's cursor parameter.

use confab_application::chats::{ChatUpdate, NewChatRequest};
use confab_domain::{MemberRole, UserId};
use std::borrow::Cow;

use poem_openapi::Object;
use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{MaybeUndefined, ParseFromParameter, ParseResult, Type};
use uuid::Uuid;

use super::bounds::{BoundedInt, TrimmedText};
use super::chats::{ChatTypeDto, MemberRoleDto};
use super::schema_ref::RefField;

/// A group name as sent: 1..100 characters after trimming.
pub type GroupName = TrimmedText<100>;
/// A message lifetime in seconds: one minute to one week.
pub type TtlSeconds = BoundedInt<60, 604_800>;

/// `POST /chats`: a direct chat with one other user, or a group.
#[derive(Debug, Clone, Object)]
#[oai(rename = "CreateChat")]
pub struct CreateChatRequest {
    /// `direct` or `group`.
    #[oai(rename = "type")]
    pub kind: RefField<ChatTypeDto>,
    /// The group's name, 1..100 characters; must be absent (or `null`) for a direct chat.
    #[oai(nullable)]
    pub name: Option<GroupName>,
    /// `direct`: exactly one other user. `group`: the first members (duplicates and
    /// my own id are ignored; may be empty).
    #[oai(default)]
    pub member_ids: Vec<Uuid>,
}

impl From<CreateChatRequest> for NewChatRequest {
    fn from(body: CreateChatRequest) -> Self {
        Self {
            kind: body.kind.0.into(),
            name: body.name.map(|name| name.0),
            member_ids: user_ids(body.member_ids),
        }
    }
}

/// `PATCH /chats/{id}`: absent fields stay unchanged.
#[derive(Debug, Clone, Object)]
#[oai(rename = "UpdateChat")]
pub struct UpdateChatRequest {
    /// New group name, 1..100 characters (groups only, admin/owner); `null` is
    /// the same as absent, since a group always has a name.
    #[oai(nullable)]
    pub name: Option<GroupName>,
    /// 60..604800 seconds; `null` keeps messages forever.
    #[oai(nullable)]
    pub message_ttl_seconds: MaybeUndefined<TtlSeconds>,
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
#[oai(rename = "AddMembers")]
pub struct AddMembersRequest {
    /// Users to add as `member`; existing members (and an empty list) change nothing.
    pub user_ids: Vec<Uuid>,
}

/// `PATCH /chats/{id}/members/{user_id}`.
#[derive(Debug, Clone, Object)]
#[oai(rename = "ChangeRole")]
pub struct ChangeRoleRequest {
    /// The new role; `owner` hands the group over (I become `admin`).
    pub role: RefField<MemberRoleDto>,
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

/// The chat list's `cursor` parameter, documented with the exact shape the server
/// hands out (`<seconds>.<nanoseconds>.<uuid hex>`): every string matching the
/// pattern is a usable cursor, anything else is `400 invalid_cursor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatCursorText(pub String);

impl Type for ChatCursorText {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "string_chat_cursor".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        let mut schema = MetaSchema::new("string");
        schema.pattern = Some(r"^-?[0-9]{1,11}\.[0-9]{9}\.[0-9a-f]{32}$".to_owned());
        MetaSchemaRef::Inline(Box::new(schema))
    }

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl ParseFromParameter for ChatCursorText {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        Ok(Self(value.to_owned()))
    }
}
