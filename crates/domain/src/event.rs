//! Events: every change in a chat, as logged under a seq and delivered in real time.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::chat::{ChatSnapshot, MemberRole, Seq};
use crate::ids::{ChatId, UserId};
use crate::message::Message;

/// What happened, with its data. The variant fixes both the wire `type` and the
/// shape of `data`, so the two can never disagree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum EventPayload {
    /// A message was sent.
    #[serde(rename = "message.created")]
    MessageCreated(Message),
    /// A message's body was edited.
    #[serde(rename = "message.updated")]
    MessageUpdated(Message),
    /// A message was deleted; the data is its tombstone.
    #[serde(rename = "message.deleted")]
    MessageDeleted(Message),
    /// The chat was created (or, on a socket, I was added to it).
    #[serde(rename = "chat.created")]
    ChatCreated(ChatSnapshot),
    /// The chat was renamed or its message lifetime changed.
    #[serde(rename = "chat.updated")]
    ChatUpdated(ChatSnapshot),
    /// Someone joined.
    #[serde(rename = "member.added")]
    MemberAdded(MemberChange),
    /// Someone left or was removed; `role` is the role they had.
    #[serde(rename = "member.removed")]
    MemberRemoved(MemberChange),
    /// Someone's role changed.
    #[serde(rename = "member.updated")]
    MemberUpdated(MemberChange),
    /// Someone's read position moved forward. Not logged.
    #[serde(rename = "read.updated")]
    ReadUpdated(ReadPosition),
    /// Someone is typing. Not logged.
    #[serde(rename = "typing")]
    Typing(Typing),
}

/// The data of `member.*` events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberChange {
    /// The member concerned.
    pub user_id: UserId,
    /// Their role after the change (before it, for a removal); `None` in direct chats.
    pub role: Option<MemberRole>,
    /// Who made the change: the one who added, removed or re-roled the member (a
    /// server admin included), the member themselves when they leave; for an owner
    /// hand-over, whoever made the change that caused it. `None` only in entries
    /// logged before actors were recorded, which stored no such field.
    #[serde(default)]
    pub actor_id: Option<UserId>,
}

/// The data of `read.updated`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadPosition {
    /// Who read.
    pub user_id: UserId,
    /// Their new `last_read_seq`.
    pub seq: Seq,
}

/// The data of `typing`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Typing {
    /// Who is typing.
    pub user_id: UserId,
}

impl EventPayload {
    /// The wire name of the event, e.g. `message.created`.
    pub const fn type_name(&self) -> &'static str {
        match self {
            Self::MessageCreated(_) => "message.created",
            Self::MessageUpdated(_) => "message.updated",
            Self::MessageDeleted(_) => "message.deleted",
            Self::ChatCreated(_) => "chat.created",
            Self::ChatUpdated(_) => "chat.updated",
            Self::MemberAdded(_) => "member.added",
            Self::MemberRemoved(_) => "member.removed",
            Self::MemberUpdated(_) => "member.updated",
            Self::ReadUpdated(_) => "read.updated",
            Self::Typing(_) => "typing",
        }
    }

    /// The message a `message.*` event carries, `None` for every other event.
    pub const fn message(&self) -> Option<&Message> {
        match self {
            Self::MessageCreated(message)
            | Self::MessageUpdated(message)
            | Self::MessageDeleted(message) => Some(message),
            _ => None,
        }
    }

    /// The `message.*` event named `type_name` carrying `message`; `None` when
    /// `type_name` is not one of them. The inverse of [`Self::type_name`] for
    /// the events that carry a message (a log stores those by name and id alone).
    pub fn about_message(type_name: &str, message: Message) -> Option<Self> {
        match type_name {
            "message.created" => Some(Self::MessageCreated(message)),
            "message.updated" => Some(Self::MessageUpdated(message)),
            "message.deleted" => Some(Self::MessageDeleted(message)),
            _ => None,
        }
    }

    /// Whether the event takes a seq in the chat's log. Read receipts and typing
    /// notices are only delivered live.
    pub const fn is_logged(&self) -> bool {
        !matches!(self, Self::ReadUpdated(_) | Self::Typing(_))
    }
}

/// An entry of a chat's log: what happened, at which seq, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggedEvent {
    /// The chat whose log it belongs to.
    pub chat_id: ChatId,
    /// Its position in that log.
    pub seq: Seq,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// What happened.
    pub payload: EventPayload,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_serializes_with_its_wire_type() {
        let user_id = UserId::generate();
        let payload = EventPayload::MemberAdded(MemberChange {
            user_id,
            role: Some(MemberRole::Admin),
            actor_id: Some(UserId::generate()),
        });
        let json = serde_json::to_value(&payload).expect("serializable");
        assert_eq!(json["type"], "member.added");
        assert_eq!(json["data"]["role"], "admin");
        assert_eq!(json["type"], payload.type_name());
        let back: EventPayload = serde_json::from_value(json).expect("round trip");
        assert_eq!(back, payload);
    }

    #[test]
    fn member_entries_stored_without_an_actor_still_load() {
        let user_id = UserId::generate();
        let stored = serde_json::json!({
            "type": "member.removed",
            "data": {"user_id": user_id, "role": "member"},
        });
        let payload: EventPayload = serde_json::from_value(stored).expect("old entry loads");
        assert_eq!(
            payload,
            EventPayload::MemberRemoved(MemberChange {
                user_id,
                role: Some(MemberRole::Member),
                actor_id: None,
            })
        );
    }

    #[test]
    fn message_events_are_rebuilt_from_their_type_name() {
        let message = Message {
            id: crate::ids::MessageId::generate(),
            chat_id: ChatId::generate(),
            seq: Seq::FIRST,
            author_id: UserId::generate(),
            body: None,
            attachments: Vec::new(),
            reply_to_id: None,
            client_message_id: None,
            created_at: Utc::now(),
            edited_at: None,
            deleted_at: None,
        };
        for payload in [
            EventPayload::MessageCreated(message.clone()),
            EventPayload::MessageUpdated(message.clone()),
            EventPayload::MessageDeleted(message.clone()),
        ] {
            let rebuilt = EventPayload::about_message(payload.type_name(), message.clone());
            assert_eq!(rebuilt, Some(payload));
        }
        assert_eq!(EventPayload::about_message("chat.created", message), None);
    }

    #[test]
    fn only_read_receipts_and_typing_are_unlogged() {
        let user_id = UserId::generate();
        assert!(!EventPayload::Typing(Typing { user_id }).is_logged());
        assert!(
            !EventPayload::ReadUpdated(ReadPosition {
                user_id,
                seq: Seq::FIRST
            })
            .is_logged()
        );
        assert!(
            EventPayload::MemberRemoved(MemberChange {
                user_id,
                role: None,
                actor_id: Some(user_id),
            })
            .is_logged()
        );
    }
}
