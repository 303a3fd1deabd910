//! Wire types of messages: the message (or tombstone), the send / edit / read
//! bodies, and the seq-paged history.

use confab_application::Page;
use confab_application::messages::SendMessage;
use confab_domain::{Message, MessageId, Seq, UploadId};
use poem_openapi::Object;
use poem_openapi::types::Example;
use uuid::Uuid;

use super::bounds::{BoundedInt, SeqNumber};
use super::common::Timestamp;
use super::files::UploadDto;
use super::nullable::Nullable;
use super::text::{BodyText, ClientMessageIdText};

/// A message, or the tombstone left where one was deleted (`body` null, no
/// attachments, `deleted_at` set).
#[derive(Debug, Clone, Object)]
#[oai(rename = "Message", example)]
pub struct MessageDto {
    /// The message id (UUIDv7).
    pub id: Uuid,
    /// The chat it belongs to.
    pub chat_id: Uuid,
    /// The seq of its creation in the chat's log.
    pub seq: i64,
    /// Who wrote it.
    pub author_id: Uuid,
    /// The text: `""` for a message of files only, `null` once deleted.
    pub body: Nullable<String>,
    /// The files sent with it, in the sender's order (empty on a tombstone).
    pub attachments: Vec<UploadDto>,
    /// The message it answers, in the same chat.
    pub reply_to_id: Nullable<Uuid>,
    /// The sender's idempotency key, if one was given.
    pub client_message_id: Nullable<String>,
    /// When it was sent.
    pub created_at: Timestamp,
    /// When its body last changed.
    pub edited_at: Nullable<Timestamp>,
    /// When it was deleted.
    pub deleted_at: Nullable<Timestamp>,
}

impl Example for MessageDto {
    /// An edited reply, sent with an idempotency key.
    fn example() -> Self {
        let at = Timestamp::example;
        Self {
            id: Uuid::from_u128(0x0193_8a6e_7c4b_7d21_9f3e_5a1b_2c3d_4e5f),
            chat_id: Uuid::from_u128(0x0193_8a6e_1f00_7a10_8b2c_3d4e_5f60_7182),
            seq: 42,
            author_id: Uuid::from_u128(0x0193_8a6d_f0aa_7b3c_a4d5_e6f7_0819_2a3b),
            body: Nullable(Some("See you at ten.".to_owned())),
            attachments: vec![UploadDto::example()],
            reply_to_id: Nullable(Some(Uuid::from_u128(
                0x0193_8a6e_6a11_7c02_8d3e_4f50_6172_8394,
            ))),
            client_message_id: Nullable(Some("7f1c2e9a-send-1".to_owned())),
            created_at: at("2026-12-02T09:41:07.215Z"),
            edited_at: Nullable(Some(at("2026-12-02T09:42:30.004Z"))),
            deleted_at: Nullable(None),
        }
    }
}

impl From<Message> for MessageDto {
    fn from(message: Message) -> Self {
        Self {
            id: message.id.as_uuid(),
            chat_id: message.chat_id.as_uuid(),
            seq: message.seq.get(),
            author_id: message.author_id.as_uuid(),
            body: Nullable(shown_body(&message)),
            attachments: message.attachments.into_iter().map(Into::into).collect(),
            reply_to_id: Nullable(message.reply_to_id.map(|id| id.as_uuid())),
            client_message_id: Nullable(message.client_message_id.map(Into::into)),
            created_at: message.created_at.into(),
            edited_at: Nullable(message.edited_at.map(Into::into)),
            deleted_at: Nullable(message.deleted_at.map(Into::into)),
        }
    }
}

/// The body as the wire shows it: `null` only on a tombstone, so a client can tell
/// "deleted" from "files without text".
fn shown_body(message: &Message) -> Option<String> {
    if message.is_deleted() {
        return None;
    }
    Some(message.body.clone().map(Into::into).unwrap_or_default())
}

/// `POST /chats/{id}/messages`: text, files, or both.
#[derive(Debug, Clone, Object)]
#[oai(rename = "SendMessage", example)]
pub struct SendMessageRequest {
    /// Not only white space (length in Unicode scalar values); kept exactly as sent.
    /// May be left out (or null) when `attachment_ids` names at least one file: a
    /// message needs text or files.
    #[oai(nullable)]
    pub body: Option<BodyText>,
    /// A live message of the same chat to answer.
    #[oai(nullable)]
    pub reply_to_id: Option<Uuid>,
    /// Unique per author and chat: a retry with the same key
    /// returns the original message with 200 instead of sending it again.
    #[oai(nullable)]
    pub client_message_id: Option<ClientMessageIdText>,
    /// Files to send with it: ids of my own uploads (`POST /uploads`) not yet sent
    /// with a message and not my avatar, each at most once, shown in this order.
    /// Anything else is 422 on this field.
    // Optional without a `default` in the schema: generated clients (openapi-typescript)
    // make a property with a default required in request bodies.
    #[oai(nullable, validator(max_items = 10))]
    pub attachment_ids: Option<Vec<Uuid>>,
}

impl Example for SendMessageRequest {
    fn example() -> Self {
        Self {
            body: Some(BodyText("Hello!".to_owned())),
            reply_to_id: None,
            client_message_id: Some(ClientMessageIdText("hello-1".to_owned())),
            attachment_ids: None,
        }
    }
}

impl Example for EditMessageRequest {
    fn example() -> Self {
        Self {
            body: BodyText("Hello, everyone!".to_owned()),
        }
    }
}

impl Example for MarkReadRequest {
    fn example() -> Self {
        Self { seq: BoundedInt(2) }
    }
}

impl From<SendMessageRequest> for SendMessage {
    fn from(body: SendMessageRequest) -> Self {
        Self {
            body: body.body.map(|text| text.0).unwrap_or_default(),
            reply_to_id: body.reply_to_id.map(MessageId::from_uuid),
            client_message_id: body.client_message_id.map(|id| id.0),
            attachment_ids: upload_ids(body.attachment_ids.unwrap_or_default()),
        }
    }
}

/// Attachment ids as domain ids.
pub(crate) fn upload_ids(ids: Vec<Uuid>) -> Vec<UploadId> {
    ids.into_iter().map(UploadId::from).collect()
}

/// `PATCH /chats/{id}/messages/{message_id}`.
#[derive(Debug, Clone, Object)]
#[oai(rename = "EditMessage", example)]
pub struct EditMessageRequest {
    /// The new text, not only white space (length in Unicode scalar values).
    pub body: BodyText,
}

/// `POST /chats/{id}/read`.
#[derive(Debug, Clone, Object)]
#[oai(rename = "MarkRead", example)]
pub struct MarkReadRequest {
    /// The highest seq I have read; lower than my position changes nothing, past
    /// the chat's `last_seq` is clamped.
    pub seq: SeqNumber,
}

/// A page of a chat's history, always ascending by `seq`.
#[derive(Debug, Clone, Object)]
#[oai(rename = "MessagePage")]
pub struct MessagePage {
    /// The messages and tombstones, ascending by `seq`.
    pub items: Vec<MessageDto>,
    /// The seq to continue from: pass it as `before` after a newest or `before`
    /// page, as `after` after an `after` page; `null` when nothing more exists.
    pub next_cursor: Nullable<i64>,
}

impl From<Page<Message, Seq>> for MessagePage {
    fn from(page: Page<Message, Seq>) -> Self {
        Self {
            items: page.items.into_iter().map(Into::into).collect(),
            next_cursor: Nullable(page.next_cursor.map(Seq::get)),
        }
    }
}
