//! The JSON frames of the socket: what clients may send (parsed strictly, with a
//! precise error code for each kind of mistake) and the server's own frames
//! (`ready`, `pong`, `error`). Event frames are [`EventDto`](crate::dto::events::EventDto).
//! Both directions are poem-openapi types, so their schemas (in
//! `openapi/asyncapi.json`, built by [`crate::asyncapi`]) are those of the values
//! the server serializes and the parser builds.

use confab_domain::{ChatId, MessageId, Seq};
use poem_openapi::types::ToJSON;
use poem_openapi::{Object, Union};
use serde_json::Value;
use uuid::Uuid;

use crate::dto::bounds::{BoundedInt, SeqNumber};
use crate::dto::text::{BodyText, ClientMessageIdText};
use crate::error::{ApiError, ErrorCode, echo, fits_echo};

// The parser below builds exactly these values; their schemas (one object per
// `type`, joined in a `oneOf` on `type`) are what `openapi/asyncapi.json` documents
// for client frames.
/// A frame a client sends, discriminated by `type`.
#[derive(Debug, Clone, PartialEq, Eq, Union)]
#[oai(rename = "ClientFrame", discriminator_name = "type", one_of)]
pub enum ClientFrame {
    /// `{"type":"ping"}`: answered with `pong`.
    #[oai(mapping = "ping")]
    Ping(PingFrame),
    /// `{"type":"typing","chat_id"}`.
    #[oai(mapping = "typing")]
    Typing(TypingFrame),
    /// `{"type":"read","chat_id","seq"}`.
    #[oai(mapping = "read")]
    Read(ReadFrame),
    /// `{"type":"message.send","chat_id","body","client_message_id","reply_to_id"?}`.
    #[oai(mapping = "message.send")]
    Send(SendFrame),
}

/// `ping`: asks for a `pong` (an application-level heartbeat).
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "PingFrame")]
pub struct PingFrame {}

/// `typing`: I am typing in a chat; members' sockets get a `typing` event (at most
/// one per chat and second is forwarded).
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "TypingFrame")]
pub struct TypingFrame {
    /// The chat.
    pub chat_id: Uuid,
}

impl TypingFrame {
    /// The chat id as a domain id.
    pub const fn chat(&self) -> ChatId {
        ChatId::from_uuid(self.chat_id)
    }
}

/// `read`: moves my read position, as `POST /chats/{id}/read` does.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "ReadFrame")]
pub struct ReadFrame {
    /// The chat.
    pub chat_id: Uuid,
    /// The highest seq I have read; lower than my position changes nothing, past
    /// the chat's `last_seq` is clamped.
    pub seq: SeqNumber,
}

impl ReadFrame {
    /// The chat id as a domain id.
    pub const fn chat(&self) -> ChatId {
        ChatId::from_uuid(self.chat_id)
    }
}

/// `message.send`: sends a message, answered by its `message.created` event (a
/// retry with the same `client_message_id` gets the original's, on this socket only).
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "MessageSendFrame")]
pub struct SendFrame {
    /// The chat.
    pub chat_id: Uuid,
    /// The text; the same rules as `POST /chats/{id}/messages` (may be left out
    /// when `attachment_ids` names a file).
    #[oai(nullable, skip_serializing_if_is_none)]
    pub body: Option<BodyText>,
    /// The idempotency key, required on the socket: unique per author and chat.
    pub client_message_id: ClientMessageIdText,
    /// A live message of the same chat to answer.
    #[oai(nullable, skip_serializing_if_is_none)]
    pub reply_to_id: Option<Uuid>,
    /// Files to send with it, as in `POST /chats/{id}/messages`: up to 10 of my
    /// uploads not yet sent.
    #[oai(nullable, skip_serializing_if_is_none, validator(max_items = 10))]
    pub attachment_ids: Option<Vec<Uuid>>,
}

// Serialized through this type, so the schema cannot drift from the wire. Events are
// `crate::dto::events::EventDto`.
/// A frame the server sends besides events: `ready`, `pong` or `error`,
/// discriminated by `type`.
#[derive(Debug, Clone, Union)]
#[oai(rename = "ServerFrame", discriminator_name = "type", one_of)]
pub enum ServerFrame {
    /// The first frame of every socket.
    #[oai(mapping = "ready")]
    Ready(ReadyFrame),
    /// The answer to `ping`.
    #[oai(mapping = "pong")]
    Pong(PongFrame),
    /// A refused client frame; the socket stays open.
    #[oai(mapping = "error")]
    Error(ErrorFrame),
}

impl ServerFrame {
    /// The frame as JSON text, as the socket sends it.
    pub fn to_frame(&self) -> String {
        self.to_json_string()
    }
}

/// One chat's head in the `ready` frame.
#[derive(Debug, Clone, Object)]
#[oai(rename = "ChatHead")]
pub struct ChatHead {
    /// The chat.
    pub chat_id: Uuid,
    /// Its `last_seq` when the socket started; events above it follow.
    pub last_seq: i64,
}

/// `ready`: who is connected and every chat with its `last_seq`; every logged event
/// above those heads follows, per chat in `seq` order.
#[derive(Debug, Clone, Object)]
#[oai(rename = "ReadyFrame")]
pub struct ReadyFrame {
    /// Who is connected.
    pub user_id: Uuid,
    /// The session of the access token.
    pub session_id: Uuid,
    /// Every chat of mine with its `last_seq`.
    pub chats: Vec<ChatHead>,
}

/// `pong`: the answer to `ping`.
#[derive(Debug, Clone, Object)]
#[oai(rename = "PongFrame")]
pub struct PongFrame {}

/// `error`: a client frame was refused; the socket stays open.
#[derive(Debug, Clone, Object)]
#[oai(rename = "ErrorFrame")]
pub struct ErrorFrame {
    /// The machine-readable code, from the same list as REST errors: on the socket
    /// `invalid_frame`, `unknown_type`, `validation_failed`, `chat_not_found`,
    /// `rate_limited`, and whatever the service answers (e.g. `message_not_found`
    /// for a bad `reply_to_id`, `service_unavailable`).
    pub code: String,
    /// A human sentence; repeats at most 64 characters of the frame.
    pub detail: String,
    /// The `client_message_id` of the refused `message.send`, when it had one.
    #[oai(skip_serializing_if_is_none)]
    pub client_message_id: Option<String>,
}

/// A refused client frame: answered with an `error` frame, the socket stays open.
/// Its code is the same [`ErrorCode`] a REST call answers for the same refusal:
/// service errors reach a socket through [`ApiError`], classified once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameError {
    /// The code.
    pub code: ErrorCode,
    /// A human sentence.
    pub detail: String,
    /// The `client_message_id` of a refused `message.send`, when it had one.
    pub client_message_id: Option<String>,
}

impl FrameError {
    /// An error without a `client_message_id`.
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
            client_message_id: None,
        }
    }

    /// The same error, tagged with the `message.send` it answers. A key longer than
    /// any valid one (64 characters) is left out: an error repeats at most that much
    /// of the input.
    #[must_use]
    pub fn for_message(mut self, client_message_id: Option<String>) -> Self {
        self.client_message_id = client_message_id.filter(|key| fits_echo(key));
        self
    }

    /// The `error` frame as JSON text.
    pub fn to_frame(&self) -> String {
        ServerFrame::Error(ErrorFrame {
            code: self.code.parts().1.to_owned(),
            detail: self.detail.clone(),
            client_message_id: self.client_message_id.clone(),
        })
        .to_frame()
    }
}

impl From<ApiError> for FrameError {
    fn from(error: ApiError) -> Self {
        Self::new(error.code(), error.detail())
    }
}

/// Parses one text frame. Refusals name the field and the rule; they repeat at most
/// 64 characters of the frame.
pub(crate) fn parse(text: &str) -> Result<ClientFrame, FrameError> {
    let value: Value = serde_json::from_str(text)
        .map_err(|_| FrameError::new(ErrorCode::InvalidFrame, "The frame is not JSON."))?;
    let Some(kind) = value.get("type").and_then(Value::as_str) else {
        return Err(FrameError::new(
            ErrorCode::InvalidFrame,
            "A frame is a JSON object with a string `type`.",
        ));
    };
    match kind {
        "ping" => Ok(ClientFrame::Ping(PingFrame {})),
        "typing" => Ok(ClientFrame::Typing(TypingFrame {
            chat_id: uuid_field(&value, "chat_id")?,
        })),
        "read" => Ok(ClientFrame::Read(ReadFrame {
            chat_id: uuid_field(&value, "chat_id")?,
            seq: BoundedInt(seq_field(&value, "seq")?),
        })),
        "message.send" => {
            let key = value
                .get("client_message_id")
                .and_then(Value::as_str)
                .map(str::to_owned);
            send_frame(&value).map_err(|e| e.for_message(key))
        }
        other => Err(FrameError::new(
            ErrorCode::UnknownType,
            format!("Unknown frame type `{}`.", echo(other)),
        )),
    }
}

fn send_frame(value: &Value) -> Result<ClientFrame, FrameError> {
    let reply_to_id = match value.get("reply_to_id") {
        None | Some(Value::Null) => None,
        Some(_) => Some(uuid_field(value, "reply_to_id")?),
    };
    // Optional: a send of files only has none (the use case judges the pair).
    let body = match value.get("body") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(BodyText(text.clone())),
        Some(_) => return Err(refused("body", "must be a string")),
    };
    Ok(ClientFrame::Send(SendFrame {
        chat_id: uuid_field(value, "chat_id")?,
        body,
        client_message_id: ClientMessageIdText(string_field(value, "client_message_id")?),
        reply_to_id,
        attachment_ids: uuid_list(value, "attachment_ids")?,
    }))
}

/// An optional array of UUIDs (absent or null: `None`). Its length is the use
/// case's to judge, as for the REST body.
fn uuid_list(value: &Value, field: &str) -> Result<Option<Vec<Uuid>>, FrameError> {
    let items = match value.get(field) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(refused(field, "must be an array of UUIDs")),
    };
    items
        .iter()
        .map(|item| {
            item.as_str()
                .and_then(|text| Uuid::parse_str(text).ok())
                .ok_or_else(|| refused(field, "must be an array of UUIDs"))
        })
        .collect::<Result<_, _>>()
        .map(Some)
}

fn refused(field: &str, rule: &str) -> FrameError {
    FrameError::new(ErrorCode::ValidationFailed, format!("`{field}` {rule}"))
}

fn uuid_field(value: &Value, field: &str) -> Result<Uuid, FrameError> {
    value
        .get(field)
        .and_then(Value::as_str)
        .and_then(|text| Uuid::parse_str(text).ok())
        .ok_or_else(|| refused(field, "is required and must be a UUID"))
}

fn string_field(value: &Value, field: &str) -> Result<String, FrameError> {
    value
        .get(field)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| refused(field, "is required and must be a string"))
}

fn seq_field(value: &Value, field: &str) -> Result<i64, FrameError> {
    value
        .get(field)
        .and_then(Value::as_i64)
        .and_then(|n| Seq::new(n).ok())
        .map(Seq::get)
        .ok_or_else(|| refused(field, "is required and must be a whole number, 0 or more"))
}

impl SendFrame {
    /// The chat id as a domain id.
    pub const fn chat(&self) -> ChatId {
        ChatId::from_uuid(self.chat_id)
    }

    /// The reply target as a domain id.
    pub fn reply_to(&self) -> Option<MessageId> {
        self.reply_to_id.map(MessageId::from_uuid)
    }
}

/// The `pong` frame as JSON text.
pub(crate) fn pong() -> String {
    ServerFrame::Pong(PongFrame {}).to_frame()
}

#[cfg(test)]
#[path = "frames_tests.rs"]
pub(crate) mod tests;
