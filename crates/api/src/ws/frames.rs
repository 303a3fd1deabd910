//! The JSON frames of the socket: what clients may send (parsed strictly, with a
//! precise error code for each kind of mistake) and the server's own frames
//! (`ready`, `pong`, `error`). Event frames are [`EventDto`](crate::dto::events::EventDto).

use crate::error::{ApiError, ErrorCode};
use confab_domain::{ChatId, MessageId, Seq};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

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
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SendFrame {
    /// The chat.
    pub chat_id: Uuid,
    /// The text.
    pub body: String,
    /// The idempotency key (required on the socket).
    pub client_message_id: String,
    /// The message answered.
    #[serde(default)]
    pub reply_to_id: Option<Uuid>,
}

#[derive(Deserialize)]
struct ChatOnly {
    chat_id: Uuid,
}

#[derive(Deserialize)]
struct ReadFields {
    chat_id: Uuid,
    seq: i64,
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

    /// The same error, tagged with the `message.send` it answers.
    #[must_use]
    pub fn for_message(mut self, client_message_id: Option<String>) -> Self {
        self.client_message_id = client_message_id;
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

/// Parses one text frame.
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
        "typing" => fields::<ChatOnly>(value).map(|f| ClientFrame::Typing {
            chat_id: ChatId::from_uuid(f.chat_id),
        }),
        "read" => fields::<ReadFields>(value).and_then(|f| {
            Seq::new(f.seq)
                .map_err(|e| FrameError::new(ErrorCode::ValidationFailed, format!("`seq` {e}")))?;
            Ok(ClientFrame::Read {
                chat_id: ChatId::from_uuid(f.chat_id),
                seq: f.seq,
            })
        }),
        "message.send" => {
            let key = value
                .get("client_message_id")
                .and_then(Value::as_str)
                .map(str::to_owned);
            fields::<SendFrame>(value)
                .map(ClientFrame::Send)
                .map_err(|e| e.for_message(key))
        }
        other => Err(FrameError::new(
            ErrorCode::UnknownType,
            format!("Unknown frame type `{other}`."),
        )),
    }
}

fn fields<T: DeserializeOwned>(value: Value) -> Result<T, FrameError> {
    serde_json::from_value(value)
        .map_err(|e| FrameError::new(ErrorCode::ValidationFailed, e.to_string()))
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
