//! The event object `{type, chat_id, seq?, data}`: what `GET /chats/{id}/events`
//! returns and what the WebSocket gateway sends. One schema per `type`, joined in a
//! `oneOf` whose discriminator `type` carries the wire names (`message.created`, …).
//! Unlogged events (`read.updated`, `typing`) have no `seq` key at all.

use confab_application::Page;
use confab_application::ports::ChatEvent;
use confab_domain::{EventPayload, LoggedEvent, MemberChange, ReadPosition, Seq, Typing};
use poem_openapi::types::ToJSON;
use poem_openapi::{Object, Union};
use uuid::Uuid;

use super::chats::{ChatSnapshotDto, MemberRoleDto};
use super::messages::MessageDto;
use super::nullable::Nullable;
use super::schema_ref::RefField;

/// The data of `member.*` events.
#[derive(Debug, Clone, Object)]
#[oai(rename = "MemberChange")]
pub struct MemberChangeDto {
    /// The member concerned.
    pub user_id: Uuid,
    /// The role after the change (before it, for `member.removed`); `null` in direct chats.
    pub role: Nullable<RefField<MemberRoleDto>>,
    /// Who made the change: the one who added, removed or re-roled the member (a
    /// server admin acting through `/admin/chats` included), the member themselves
    /// on leaving; on an owner hand-over, whoever made the change that caused it.
    /// `null` only on entries logged before confab recorded actors.
    pub actor_id: Nullable<Uuid>,
}

impl From<MemberChange> for MemberChangeDto {
    fn from(change: MemberChange) -> Self {
        Self {
            user_id: change.user_id.as_uuid(),
            role: Nullable(change.role.map(|role| RefField(role.into()))),
            actor_id: Nullable(change.actor_id.map(|id| id.as_uuid())),
        }
    }
}

/// The data of `read.updated`.
#[derive(Debug, Clone, Object)]
#[oai(rename = "ReadPosition")]
pub struct ReadPositionDto {
    /// Who read.
    pub user_id: Uuid,
    /// Their new `last_read_seq`.
    pub seq: i64,
}

impl From<ReadPosition> for ReadPositionDto {
    fn from(position: ReadPosition) -> Self {
        Self {
            user_id: position.user_id.as_uuid(),
            seq: position.seq.get(),
        }
    }
}

/// The data of `typing`.
#[derive(Debug, Clone, Object)]
#[oai(rename = "Typing")]
pub struct TypingDto {
    /// Who is typing.
    pub user_id: Uuid,
}

impl From<Typing> for TypingDto {
    fn from(typing: Typing) -> Self {
        Self {
            user_id: typing.user_id.as_uuid(),
        }
    }
}

/// Declares the object of one event type: `chat_id`, an optional `seq`, and `data`.
macro_rules! event_object {
    ($(#[$doc:meta])* $name:ident, $data:ty) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Object)]
        pub struct $name {
            /// The chat the event belongs to.
            pub chat_id: Uuid,
            /// The event's position in the chat's log; absent for unlogged events.
            #[oai(skip_serializing_if_is_none)]
            pub seq: Option<i64>,
            /// What happened.
            pub data: RefField<$data>,
        }
    };
}

event_object!(
    /// `message.created`: a message was sent.
    MessageCreatedEvent, MessageDto
);
event_object!(
    /// `message.updated`: a message's body was edited.
    MessageUpdatedEvent, MessageDto
);
event_object!(
    /// `message.deleted`: a message was deleted; the data is its tombstone.
    MessageDeletedEvent, MessageDto
);
event_object!(
    /// `chat.created`: the chat was created, or (on a socket) I was added to it.
    ChatCreatedEvent, ChatSnapshotDto
);
event_object!(
    /// `chat.updated`: the chat was renamed or its message lifetime changed.
    ChatUpdatedEvent, ChatSnapshotDto
);
event_object!(
    /// `member.added`: someone joined.
    MemberAddedEvent, MemberChangeDto
);
event_object!(
    /// `member.removed`: someone left or was removed.
    MemberRemovedEvent, MemberChangeDto
);
event_object!(
    /// `member.updated`: someone's role changed.
    MemberUpdatedEvent, MemberChangeDto
);
event_object!(
    /// `read.updated` (unlogged, no `seq`): someone's read position moved.
    ReadUpdatedEvent, ReadPositionDto
);
event_object!(
    /// `typing` (unlogged, no `seq`): someone is typing.
    TypingEvent, TypingDto
);

/// One event of a chat, discriminated by `type`.
#[derive(Debug, Clone, Union)]
#[oai(rename = "Event", discriminator_name = "type", one_of)]
pub enum EventDto {
    /// A message was sent.
    #[oai(mapping = "message.created")]
    MessageCreated(MessageCreatedEvent),
    /// A message was edited.
    #[oai(mapping = "message.updated")]
    MessageUpdated(MessageUpdatedEvent),
    /// A message was deleted.
    #[oai(mapping = "message.deleted")]
    MessageDeleted(MessageDeletedEvent),
    /// The chat was created (or I was added to it).
    #[oai(mapping = "chat.created")]
    ChatCreated(ChatCreatedEvent),
    /// The chat was renamed or its TTL changed.
    #[oai(mapping = "chat.updated")]
    ChatUpdated(ChatUpdatedEvent),
    /// Someone joined.
    #[oai(mapping = "member.added")]
    MemberAdded(MemberAddedEvent),
    /// Someone left or was removed.
    #[oai(mapping = "member.removed")]
    MemberRemoved(MemberRemovedEvent),
    /// Someone's role changed.
    #[oai(mapping = "member.updated")]
    MemberUpdated(MemberUpdatedEvent),
    /// Someone's read position moved (unlogged).
    #[oai(mapping = "read.updated")]
    ReadUpdated(ReadUpdatedEvent),
    /// Someone is typing (unlogged).
    #[oai(mapping = "typing")]
    Typing(TypingEvent),
}

impl EventDto {
    /// The frame as JSON text, as the WebSocket sends it.
    pub fn to_frame(&self) -> String {
        self.to_json_string()
    }
}

impl From<ChatEvent> for EventDto {
    fn from(event: ChatEvent) -> Self {
        let chat_id = event.chat_id.as_uuid();
        let seq = event.seq.map(Seq::get);
        macro_rules! wrap {
            ($variant:ident, $object:ident, $data:expr) => {
                Self::$variant($object {
                    chat_id,
                    seq,
                    data: RefField($data.into()),
                })
            };
        }
        match event.payload {
            EventPayload::MessageCreated(m) => wrap!(MessageCreated, MessageCreatedEvent, m),
            EventPayload::MessageUpdated(m) => wrap!(MessageUpdated, MessageUpdatedEvent, m),
            EventPayload::MessageDeleted(m) => wrap!(MessageDeleted, MessageDeletedEvent, m),
            EventPayload::ChatCreated(s) => wrap!(ChatCreated, ChatCreatedEvent, s),
            EventPayload::ChatUpdated(s) => wrap!(ChatUpdated, ChatUpdatedEvent, s),
            EventPayload::MemberAdded(c) => wrap!(MemberAdded, MemberAddedEvent, c),
            EventPayload::MemberRemoved(c) => wrap!(MemberRemoved, MemberRemovedEvent, c),
            EventPayload::MemberUpdated(c) => wrap!(MemberUpdated, MemberUpdatedEvent, c),
            EventPayload::ReadUpdated(p) => wrap!(ReadUpdated, ReadUpdatedEvent, p),
            EventPayload::Typing(t) => wrap!(Typing, TypingEvent, t),
        }
    }
}

impl From<LoggedEvent> for EventDto {
    fn from(event: LoggedEvent) -> Self {
        ChatEvent::from(event).into()
    }
}

/// A page of a chat's log, ascending by `seq`.
#[derive(Debug, Clone, Object)]
#[oai(rename = "EventPage")]
pub struct EventPage {
    /// The events, ascending by `seq` (seqs of expired messages are skipped).
    pub items: Vec<EventDto>,
    /// Pass as `after` for the next page; `null` when nothing more exists yet.
    pub next_cursor: Nullable<i64>,
}

impl From<Page<LoggedEvent, Seq>> for EventPage {
    fn from(page: Page<LoggedEvent, Seq>) -> Self {
        Self {
            items: page.items.into_iter().map(Into::into).collect(),
            next_cursor: Nullable(page.next_cursor.map(Seq::get)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use confab_domain::{ChatId, UserId};
    use serde_json::json;

    #[test]
    fn logged_events_carry_type_and_seq() {
        let user_id = UserId::generate();
        let actor_id = UserId::generate();
        let chat_id = ChatId::generate();
        let event = ChatEvent {
            chat_id,
            seq: Some(Seq::new(7).expect("valid")),
            payload: EventPayload::MemberAdded(MemberChange {
                user_id,
                role: Some(confab_domain::MemberRole::Member),
                actor_id: Some(actor_id),
            }),
        };
        let json = EventDto::from(event).to_json().expect("serializable");
        assert_eq!(
            json,
            json!({
                "type": "member.added",
                "chat_id": chat_id.to_string(),
                "seq": 7,
                "data": {
                    "user_id": user_id.to_string(),
                    "role": "member",
                    "actor_id": actor_id.to_string(),
                },
            })
        );
    }

    #[test]
    fn unlogged_events_have_no_seq_key() {
        let user_id = UserId::generate();
        let event = ChatEvent {
            chat_id: ChatId::generate(),
            seq: None,
            payload: EventPayload::ReadUpdated(ReadPosition {
                user_id,
                seq: Seq::FIRST,
            }),
        };
        let json = EventDto::from(event).to_json().expect("serializable");
        assert_eq!(json["type"], "read.updated");
        assert!(json.get("seq").is_none(), "{json}");
        assert_eq!(json["data"]["seq"], 1);
    }
}
