//! Realtime: what the WebSocket gateway needs from the application — the heads for a
//! `ready` frame, log pages to close gaps, a chat's snapshot when I join it, typing
//! notices — and the pure delivery rules ([`ChatCursors`], [`reach`]) that make
//! delivery lossless whatever the bus does.

mod cursors;
mod errors;
mod routing;

use std::sync::Arc;

use confab_domain::{ChatId, ChatSnapshot, EventPayload, LoggedEvent, Seq, Typing};

use crate::accounts::Authenticated;
use crate::ports::{
    ChatEvent, ChatRepository, Clock, EventBus, MessageRepository, SessionRepository,
};
use crate::publish::publish;

pub use cursors::{ChatCursors, Step};
pub use errors::{RealtimeError, TypingError};
pub use routing::{Reach, reach};

/// How many log entries one catch-up read returns; callers loop until a short page.
pub const CATCH_UP_PAGE: u64 = 200;

/// The realtime use cases. Cheap to clone: every port is shared.
#[derive(Clone)]
pub struct RealtimeService {
    chats: Arc<dyn ChatRepository>,
    messages: Arc<dyn MessageRepository>,
    sessions: Arc<dyn SessionRepository>,
    clock: Arc<dyn Clock>,
    events: Arc<dyn EventBus>,
}

impl RealtimeService {
    /// Builds the service from its ports.
    pub fn new(
        chats: Arc<dyn ChatRepository>,
        messages: Arc<dyn MessageRepository>,
        sessions: Arc<dyn SessionRepository>,
        clock: Arc<dyn Clock>,
        events: Arc<dyn EventBus>,
    ) -> Self {
        Self {
            chats,
            messages,
            sessions,
            clock,
            events,
        }
    }

    /// Every chat of the caller with its `last_seq`, for the `ready` frame. Read only
    /// after the socket is registered with the hub, so nothing published in between
    /// is missed.
    #[tracing::instrument(skip(self))]
    pub async fn heads(&self, auth: &Authenticated) -> Result<Vec<(ChatId, Seq)>, RealtimeError> {
        Ok(self.chats.heads_for_user(auth.user_id).await?)
    }

    /// One page (at most [`CATCH_UP_PAGE`]) of `chat_id`'s log after `after`,
    /// ascending. No membership check: the socket only asks for chats it follows, and
    /// its cursors stop at the caller's own `member.removed`.
    #[tracing::instrument(skip(self))]
    pub async fn log_after(
        &self,
        chat_id: ChatId,
        after: Seq,
    ) -> Result<Vec<LoggedEvent>, RealtimeError> {
        Ok(self
            .messages
            .events_after(chat_id, after, CATCH_UP_PAGE, self.clock.now())
            .await?)
    }

    /// The `chat.created` a socket sends when its user joined `chat_id` at `seq`: the
    /// chat as it is now, carrying that seq. `None` when the chat is gone.
    #[tracing::instrument(skip(self))]
    pub async fn joined(
        &self,
        chat_id: ChatId,
        seq: Seq,
    ) -> Result<Option<ChatEvent>, RealtimeError> {
        let snapshot: Option<ChatSnapshot> = self.chats.snapshot(chat_id).await?;
        Ok(snapshot.map(|snapshot| ChatEvent {
            chat_id,
            seq: Some(seq),
            payload: EventPayload::ChatCreated(snapshot),
        }))
    }

    /// The `chat.created` for a chat found during recovery (joined while notifications
    /// were lost): the chat as it is now, carrying its current `last_seq`, since the
    /// snapshot already reflects everything up to there. `None` when the chat is gone.
    #[tracing::instrument(skip(self))]
    pub async fn rejoined(&self, chat_id: ChatId) -> Result<Option<ChatEvent>, RealtimeError> {
        let snapshot = self.chats.snapshot(chat_id).await?;
        Ok(snapshot.map(|snapshot| ChatEvent {
            chat_id,
            seq: Some(snapshot.chat.last_seq),
            payload: EventPayload::ChatCreated(snapshot),
        }))
    }

    /// Whether the socket's session was revoked (or is gone). Checked after the bus
    /// lost notifications, since a lost `SessionsRevoked` must still close sockets.
    /// Expiry does not count: an open socket outlives its tokens.
    #[tracing::instrument(skip(self))]
    pub async fn session_revoked(&self, auth: &Authenticated) -> Result<bool, RealtimeError> {
        let session = self.sessions.get(auth.session_id).await?;
        Ok(!session.is_some_and(|s| s.user_id == auth.user_id && s.revoked_at.is_none()))
    }

    /// Tells the chat's other members (on every node) that the caller is typing.
    /// Not logged; the typist's own sockets drop it.
    #[tracing::instrument(skip(self))]
    pub async fn typing(&self, auth: &Authenticated, chat_id: ChatId) -> Result<(), TypingError> {
        if self
            .chats
            .membership(chat_id, auth.user_id)
            .await?
            .is_none()
        {
            return Err(TypingError::ChatNotFound);
        }
        let typing = Typing {
            user_id: auth.user_id,
        };
        let event = ChatEvent::unlogged(chat_id, EventPayload::Typing(typing));
        publish(self.events.as_ref(), [event]).await;
        Ok(())
    }
}
