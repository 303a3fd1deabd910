//! The JSON frames of the socket: what clients may send (parsed strictly, with a
//! precise error code for each kind of mistake) and the server's own frames
//! (`ready`, `pong`, `error`). Event frames are [`EventDto`](crate::dto::events::EventDto).

use confab_domain::{ChatId, MessageId, Seq};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::error::{ApiError, ErrorCode, echo, fits_echo};

/// A frame a client sent, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientFrame {
    /// `{"type":"ping"}`: answered with `pong`.
    Ping,
    /// `{"type":"typing","chat_id"}`.
    Typing {
        /// The chat.
        chat_id: ChatId,
    },
    /// `{"type":"read","chat_id","seq"}`.
    Read {
        /// The chat.
        chat_id: ChatId,
        /// The new read position.
        seq: i64,
    },
    /// `{"type":"message.send","chat_id","body","client_message_id","reply_to_id"?}`.
    Send(SendFrame),
}

/// The fields of a `message.send` frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendFrame {
    /// The chat.
    pub chat_id: Uuid,
    /// The text.
    pub body: String,
    /// The idempotency key (required on the socket).
    pub client_message_id: String,
    /// The message answered.
    pub reply_to_id: Option<Uuid>,
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
        to_text(&ErrorFrame {
            kind: "error",
            code: self.code.parts().1,
            detail: &self.detail,
            client_message_id: self.client_message_id.as_deref(),
        })
    }
}

impl From<ApiError> for FrameError {
    fn from(error: ApiError) -> Self {
        Self::new(error.code(), error.detail())
    }
}

#[derive(Serialize)]
struct ErrorFrame<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    code: &'static str,
    detail: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_message_id: Option<&'a str>,
}

/// Parses one text frame. Refusals name the field and the rule; they repeat at most
/// 64 characters of the frame.
pub(super) fn parse(text: &str) -> Result<ClientFrame, FrameError> {
    let value: Value = serde_json::from_str(text)
        .map_err(|_| FrameError::new(ErrorCode::InvalidFrame, "The frame is not JSON."))?;
    let Some(kind) = value.get("type").and_then(Value::as_str) else {
        return Err(FrameError::new(
            ErrorCode::InvalidFrame,
            "A frame is a JSON object with a string `type`.",
        ));
    };
    match kind {
        "ping" => Ok(ClientFrame::Ping),
        "typing" => Ok(ClientFrame::Typing {
            chat_id: ChatId::from_uuid(uuid_field(&value, "chat_id")?),
        }),
        "read" => Ok(ClientFrame::Read {
            chat_id: ChatId::from_uuid(uuid_field(&value, "chat_id")?),
            seq: seq_field(&value, "seq")?,
        }),
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
    Ok(ClientFrame::Send(SendFrame {
        chat_id: uuid_field(value, "chat_id")?,
        body: string_field(value, "body")?,
        client_message_id: string_field(value, "client_message_id")?,
        reply_to_id,
    }))
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

/// One chat's head in the `ready` frame.
#[derive(Debug, Serialize)]
pub(super) struct ChatHead {
    /// The chat.
    pub(super) chat_id: Uuid,
    /// Its `last_seq` when the socket started.
    pub(super) last_seq: i64,
}

/// The first frame of every socket.
#[derive(Debug, Serialize)]
pub(super) struct ReadyFrame {
    /// Always `ready`.
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
    /// Who is connected.
    pub(super) user_id: Uuid,
    /// The session of the access token.
    pub(super) session_id: Uuid,
    /// Every chat with its `last_seq`; events above them follow.
    pub(super) chats: Vec<ChatHead>,
}

/// `{"type":"pong"}`.
pub(super) const PONG: &str = r#"{"type":"pong"}"#;

/// Serializes a server frame; these types cannot fail to serialize.
pub(super) fn to_text(frame: &impl Serialize) -> String {
    serde_json::to_string(frame).unwrap_or_default()
}

#[cfg(test)]
#[path = "frames_tests.rs"]
mod tests;
