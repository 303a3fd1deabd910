//! Messages: bodies, client-chosen idempotency keys, and tombstones.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::chat::{MessageTtl, Seq};
use crate::error::{ValueError, check_len};
use crate::ids::{ChatId, MessageId, UserId};
use crate::text::TextRule;
use crate::upload::Attachment;
use crate::user::validated_string;

validated_string!(
    /// A message's text: 1 to 4000 Unicode scalar values, not only white space, no
    /// control character but line breaks and tabs.
    MessageBody
);

impl MessageBody {
    /// Most characters a message may have.
    pub const MAX_LEN: usize = 4000;

    /// Checks 1..=4000 scalar values and the characters (tab, line feed and carriage
    /// return are the only control characters allowed). The text is kept exactly as
    /// sent (no trimming), but a body of nothing but white space is refused as empty.
    pub fn parse(input: impl Into<String>) -> Result<Self, ValueError> {
        let body = input.into();
        if body.trim().is_empty() {
            return Err(ValueError::Empty);
        }
        check_len(&body, 1, Self::MAX_LEN)?;
        TextRule::Multiline.check(&body)?;
        Ok(Self(body))
    }
}

validated_string!(
    /// A sender-chosen key that makes retried sends idempotent: 1 to 64 characters,
    /// no control character, unique per author and chat.
    ClientMessageId
);

impl ClientMessageId {
    /// Most characters a client message id may have.
    pub const MAX_LEN: usize = 64;

    /// Checks 1..=64 characters and no control character; the key is kept exactly
    /// as given.
    pub fn parse(input: impl Into<String>) -> Result<Self, ValueError> {
        let id = input.into();
        check_len(&id, 1, Self::MAX_LEN)?;
        TextRule::Plain.check(&id)?;
        Ok(Self(id))
    }
}

/// A message, or the tombstone left where one was deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// The message's identity.
    pub id: MessageId,
    /// The chat it belongs to.
    pub chat_id: ChatId,
    /// The seq of its creation in the chat's log.
    pub seq: Seq,
    /// Who wrote it.
    pub author_id: UserId,
    /// The text; `None` once deleted, and for a message of files only.
    pub body: Option<MessageBody>,
    /// The files sent with it, in the order the sender gave; none on a tombstone.
    /// (Log entries written before attachments existed have no such field.)
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    /// The message it answers, in the same chat.
    pub reply_to_id: Option<MessageId>,
    /// The sender's idempotency key, if one was given.
    pub client_message_id: Option<ClientMessageId>,
    /// When it was sent.
    pub created_at: DateTime<Utc>,
    /// When its body last changed.
    pub edited_at: Option<DateTime<Utc>>,
    /// When it was deleted.
    pub deleted_at: Option<DateTime<Utc>>,
}

impl Message {
    /// Whether only a tombstone is left.
    pub const fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }

    /// Whether a chat with `ttl` no longer shows this message at `now`.
    pub fn is_expired(&self, ttl: Option<MessageTtl>, now: DateTime<Utc>) -> bool {
        ttl.is_some_and(|ttl| self.created_at <= ttl.cutoff(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn body_counts_scalar_values_and_refuses_blank() {
        assert_eq!(MessageBody::parse(""), Err(ValueError::Empty));
        assert_eq!(MessageBody::parse(" \n\t"), Err(ValueError::Empty));
        assert!(MessageBody::parse("🦀".repeat(4000)).is_ok());
        assert_eq!(
            MessageBody::parse("🦀".repeat(4001)),
            Err(ValueError::TooLong { max: 4000 })
        );
        assert_eq!(
            MessageBody::parse("  hi  ").map(String::from),
            Ok("  hi  ".into())
        );
    }

    #[test]
    fn body_keeps_line_breaks_and_tabs_but_no_other_control_character() {
        assert!(MessageBody::parse("one\r\ntwo\n\tthree").is_ok());
        for (body, found) in [
            ("hi\u{0}", '\u{0}'),
            ("\u{1b}[31m", '\u{1b}'),
            ("x\u{85}", '\u{85}'),
        ] {
            assert_eq!(
                MessageBody::parse(body),
                Err(ValueError::ControlCharacter { found })
            );
        }
        assert_eq!(
            ClientMessageId::parse("k\u{0}"),
            Err(ValueError::ControlCharacter { found: '\u{0}' })
        );
        assert!(ClientMessageId::parse("k 1").is_ok());
    }

    #[test]
    fn client_message_id_is_bounded() {
        assert_eq!(ClientMessageId::parse(""), Err(ValueError::Empty));
        assert!(ClientMessageId::parse("k".repeat(64)).is_ok());
        assert_eq!(
            ClientMessageId::parse("k".repeat(65)),
            Err(ValueError::TooLong { max: 64 })
        );
    }

    #[test]
    fn expiry_counts_from_creation() {
        let now = Utc::now();
        let message = Message {
            id: MessageId::generate(),
            chat_id: ChatId::generate(),
            seq: Seq::FIRST,
            author_id: UserId::generate(),
            body: MessageBody::parse("hi").ok(),
            attachments: Vec::new(),
            reply_to_id: None,
            client_message_id: None,
            created_at: now - Duration::seconds(61),
            edited_at: None,
            deleted_at: None,
        };
        let minute = MessageTtl::from_seconds(60).ok();
        assert!(message.is_expired(minute, now));
        assert!(!message.is_expired(None, now));
        assert!(!message.is_expired(MessageTtl::from_seconds(120).ok(), now));
    }
}
