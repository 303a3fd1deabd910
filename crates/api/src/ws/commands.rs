//! What clients may ask on the socket: ping, typing, read, message.send. A refused
//! frame is answered with an `error` frame and the socket stays open.

use std::sync::Arc;
use std::time::{Duration, Instant};

use confab_application::messages::{SendMessage, Sent};
use confab_application::ports::ChatEvent;
use confab_domain::ChatId;

use super::connection::{Connection, Stop};
use super::frames::{self, ClientFrame, FrameError, SendFrame};
use crate::dto::messages::upload_ids;
use crate::error::ApiError;
use crate::middleware::rate_limit::send_rate_key;

/// At most one `typing` per chat and socket is forwarded within this interval.
const TYPING_INTERVAL: Duration = Duration::from_secs(1);

/// What a handled frame asks the socket to send back.
enum Reply {
    /// Nothing: the effect arrives as events.
    Nothing,
    /// A new message: delivered like any event (once, in seq order).
    Offer(ChatEvent),
    /// The original of a retried send: to this socket only, whatever was delivered.
    Direct(ChatEvent),
}

impl Connection {
    /// Handles one text frame from the client.
    pub(super) async fn on_text(&mut self, text: &str) -> Result<(), Stop> {
        let reply = match frames::parse(text) {
            Ok(ClientFrame::Ping(_)) => return self.send_text(frames::pong()).await,
            Ok(ClientFrame::Typing(frame)) => self.typing(frame.chat()).await,
            Ok(ClientFrame::Read(frame)) => self.read(frame.chat(), frame.seq.0).await,
            Ok(ClientFrame::Send(frame)) => {
                let key = Some(frame.client_message_id.0.clone());
                self.send_message(frame)
                    .await
                    .map_err(|e| e.for_message(key))
            }
            Err(error) => Err(error),
        };
        match reply {
            Ok(Reply::Nothing) => Ok(()),
            Ok(Reply::Offer(event)) => self.offer(Arc::new(event.into())).await,
            Ok(Reply::Direct(event)) => self.send_event(&event.into()).await,
            Err(error) => self.send_text(error.to_frame()).await,
        }
    }

    async fn typing(&mut self, chat_id: ChatId) -> Result<Reply, FrameError> {
        // Clients repeat typing while the user types; one notice per chat and
        // interval is plenty, and spares the bus and the membership check.
        if self
            .last_typing
            .get(&chat_id)
            .is_some_and(|at| at.elapsed() < TYPING_INTERVAL)
        {
            return Ok(Reply::Nothing);
        }
        match self.gateway.realtime.typing(&self.auth, chat_id).await {
            Ok(()) => {
                self.last_typing.insert(chat_id, Instant::now());
                Ok(Reply::Nothing)
            }
            Err(error) => Err(ApiError::from(error).into()),
        }
    }

    async fn read(&self, chat_id: ChatId, seq: i64) -> Result<Reply, FrameError> {
        match self
            .gateway
            .messages
            .mark_read(&self.auth, chat_id, seq)
            .await
        {
            Ok(()) => Ok(Reply::Nothing),
            Err(error) => Err(ApiError::from(error).into()),
        }
    }

    async fn send_message(&self, frame: SendFrame) -> Result<Reply, FrameError> {
        // The same key as `POST /chats/{id}/messages`: both paths share one budget.
        let key = send_rate_key(self.auth.user_id);
        if let Err((refused, _)) = self.gateway.send_limit.check(&key).await {
            return Err(refused.into());
        }
        let chat_id = frame.chat();
        let input = SendMessage {
            reply_to_id: frame.reply_to(),
            client_message_id: Some(frame.client_message_id.0),
            body: frame.body.map(|text| text.0).unwrap_or_default(),
            attachment_ids: upload_ids(frame.attachment_ids.unwrap_or_default()),
        };
        match self.gateway.messages.send(&self.auth, chat_id, input).await {
            Ok(sent @ Sent::Created(_)) => Ok(Reply::Offer(sent.event())),
            Ok(sent @ Sent::Existing(_)) => Ok(Reply::Direct(sent.event())),
            Err(error) => Err(ApiError::from(error).into()),
        }
    }
}
