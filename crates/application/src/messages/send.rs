//! Sending a message, exactly once per `(author, chat, client_message_id)`.

use confab_domain::{
    Attachment, ChatId, ClientMessageId, EventPayload, Message, MessageBody, MessageId, UploadId,
};

use super::{MessageService, SendMessageError};
use crate::accounts::Authenticated;
use crate::error::ValidationErrors;
use crate::ports::{ChatEvent, MessageWritten, NewMessage, SendOutcome};
use crate::publish::publish;

/// `POST /chats/{id}/messages` (or a WebSocket `message.send`) as raw input.
#[derive(Debug, Clone)]
pub struct SendMessage {
    /// The text, 1..=4000 Unicode scalar values; may be empty (or blank) when
    /// files are attached.
    pub body: String,
    /// The message answered, which must be a live message of the same chat.
    pub reply_to_id: Option<MessageId>,
    /// The sender's idempotency key, 1..=64 characters.
    pub client_message_id: Option<String>,
    /// Up to ten of the sender's unattached uploads, in the order to show them.
    pub attachment_ids: Vec<UploadId>,
}

/// A sent message: new (201) or the original of a retried `client_message_id` (200).
#[derive(Debug, Clone)]
pub enum Sent {
    /// This call stored the message (its entry is published).
    Created(Box<MessageWritten>),
    /// An earlier call with the same `client_message_id` stored it.
    Existing(Message),
}

impl Sent {
    /// The message, whichever call stored it.
    pub const fn message(&self) -> &Message {
        match self {
            Self::Created(written) => &written.message,
            Self::Existing(message) => message,
        }
    }

    /// The `message.created` event of the message: the published entry when this
    /// call stored it, else one carrying the original as it is now (what a retrying
    /// socket is answered with).
    pub fn event(&self) -> ChatEvent {
        match self {
            Self::Created(written) => written.entry.clone().into(),
            Self::Existing(message) => ChatEvent {
                chat_id: message.chat_id,
                seq: Some(message.seq),
                payload: EventPayload::MessageCreated(message.clone()),
            },
        }
    }
}

/// What a send carries once checked.
#[derive(Debug)]
struct Parsed {
    body: Option<MessageBody>,
    client_message_id: Option<ClientMessageId>,
    attachment_ids: Vec<UploadId>,
}

/// Checks the body, idempotency key and attachment list together. A message needs
/// text or files: with files, a blank body means no text.
fn parse_input(input: SendMessage) -> Result<Parsed, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let with_files = !input.attachment_ids.is_empty();
    let body = if with_files && input.body.trim().is_empty() {
        Some(None)
    } else {
        errors
            .check("body", MessageBody::parse(input.body))
            .map(Some)
    };
    let attachment_ids = check_attachments(&mut errors, input.attachment_ids);
    let client_message_id = match input.client_message_id {
        None => Some(None),
        Some(id) => errors
            .check("client_message_id", ClientMessageId::parse(id))
            .map(Some),
    };
    errors.finish(|| {
        Some(Parsed {
            body: body?,
            client_message_id: client_message_id?,
            attachment_ids: attachment_ids?,
        })
    })
}

/// At most [`Attachment::MAX_PER_MESSAGE`] ids, none twice.
fn check_attachments(errors: &mut ValidationErrors, ids: Vec<UploadId>) -> Option<Vec<UploadId>> {
    let max = Attachment::MAX_PER_MESSAGE;
    if ids.len() > max {
        errors.add("attachment_ids", format!("must hold at most {max} uploads"));
        return None;
    }
    let mut seen = std::collections::HashSet::new();
    if !ids.iter().all(|id| seen.insert(*id)) {
        errors.add("attachment_ids", "must not name an upload twice");
        return None;
    }
    Some(ids)
}

impl MessageService {
    /// Sends a message as `caller`. A retry with the same `client_message_id` returns
    /// the original and publishes nothing.
    #[tracing::instrument(skip(self, input))]
    pub async fn send(
        &self,
        auth: &Authenticated,
        chat_id: ChatId,
        input: SendMessage,
    ) -> Result<Sent, SendMessageError> {
        let caller = auth.user_id;
        let reply_to_id = input.reply_to_id;
        let Parsed {
            body,
            client_message_id,
            attachment_ids,
        } = parse_input(input)?;
        if let Some(gate) = &self.verified_email
            && !gate.allows(caller).await?
        {
            return Err(SendMessageError::EmailUnverified);
        }
        // The repository checks membership inside the send's own transaction (a
        // non-member gets `ChatNotFound`), saving a separate read of member and chat.
        let outcome = self
            .messages
            .send(NewMessage {
                id: MessageId::generate(),
                chat_id,
                author_id: caller,
                body,
                reply_to_id,
                client_message_id,
                attachment_ids,
                now: self.clock.now(),
            })
            .await?;
        match outcome {
            SendOutcome::Created(written) => {
                publish(self.events.as_ref(), [written.entry.clone()]).await;
                Ok(Sent::Created(written))
            }
            SendOutcome::Existing(message) => Ok(Sent::Existing(message)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(body: &str, client_message_id: Option<&str>) -> SendMessage {
        SendMessage {
            body: body.to_owned(),
            reply_to_id: None,
            client_message_id: client_message_id.map(str::to_owned),
            attachment_ids: Vec::new(),
        }
    }

    fn with_files(body: &str, count: usize) -> SendMessage {
        SendMessage {
            attachment_ids: (0..count).map(|_| UploadId::generate()).collect(),
            ..input(body, None)
        }
    }

    #[test]
    fn body_and_key_are_checked_together() {
        let parsed = parse_input(input("hi", Some("k-1"))).expect("valid");
        assert_eq!(parsed.body.map(String::from).as_deref(), Some("hi"));
        assert_eq!(
            parsed.client_message_id.map(String::from).as_deref(),
            Some("k-1")
        );
        let errors = parse_input(input("", Some(&"k".repeat(65)))).expect_err("both bad");
        let fields: Vec<_> = errors.0.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["body", "client_message_id"]);
    }

    #[test]
    fn key_is_optional_and_body_is_bounded() {
        assert!(parse_input(input("x", None)).is_ok_and(|p| p.client_message_id.is_none()));
        assert!(parse_input(input(&"a".repeat(4000), None)).is_ok());
        assert!(parse_input(input(&"a".repeat(4001), None)).is_err());
        assert!(parse_input(input("x", Some(""))).is_err());
        assert!(parse_input(input("x", Some(&"k".repeat(64)))).is_ok());
    }

    #[test]
    fn files_make_the_text_optional() {
        let parsed = parse_input(with_files("", 1)).expect("files alone");
        assert!(parsed.body.is_none());
        assert_eq!(parsed.attachment_ids.len(), 1);
        assert!(parse_input(with_files(" \n", 2)).is_ok_and(|p| p.body.is_none()));
        assert!(parse_input(with_files("look", 10)).is_ok_and(|p| p.body.is_some()));
        assert!(parse_input(input("", None)).is_err());
    }

    #[test]
    fn attachment_ids_are_bounded_and_distinct() {
        let fields = |input| {
            parse_input(input)
                .err()
                .map(|e| e.0.iter().map(|e| e.field).collect::<Vec<_>>())
        };
        assert_eq!(fields(with_files("x", 11)), Some(vec!["attachment_ids"]));
        let id = UploadId::generate();
        let twice = SendMessage {
            attachment_ids: vec![id, id],
            ..input("x", None)
        };
        assert_eq!(fields(twice), Some(vec!["attachment_ids"]));
    }
}
