//! The event bus: the fast path that carries committed changes to every node's sockets.
//!
//! The database log is the truth; the bus may lose a message, and clients close the
//! gap with `GET /chats/{id}/events?after=`.

use async_trait::async_trait;
use confab_domain::{ChatId, EventPayload, LoggedEvent, Seq, SessionId, UserId};
use futures_util::stream::BoxStream;
use serde::{Deserialize, Serialize};

/// An event of one chat as delivered live; `seq` is `None` for unlogged events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatEvent {
    /// The chat.
    pub chat_id: ChatId,
    /// The log position, for logged events.
    pub seq: Option<Seq>,
    /// What happened.
    pub payload: EventPayload,
}

impl ChatEvent {
    /// A live-only event of `chat_id` (typing, read receipts): it takes no seq.
    pub const fn unlogged(chat_id: ChatId, payload: EventPayload) -> Self {
        Self {
            chat_id,
            seq: None,
            payload,
        }
    }
}

impl From<LoggedEvent> for ChatEvent {
    fn from(event: LoggedEvent) -> Self {
        Self {
            chat_id: event.chat_id,
            seq: Some(event.seq),
            payload: event.payload,
        }
    }
}

/// Everything that travels on the bus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Notification {
    /// A change in a chat, for its members' sockets.
    Chat(ChatEvent),
    /// Sessions were revoked: their sockets must close (code 4401).
    SessionsRevoked {
        /// Whose sessions.
        user_id: UserId,
        /// Which ones.
        session_ids: Vec<SessionId>,
    },
    /// This subscriber missed notifications (it lagged, or the bus reconnected);
    /// sockets must catch up from the log. Produced locally, never published.
    Gap,
}

/// A subscriber's endless stream of notifications.
pub type EventStream = BoxStream<'static, Notification>;

/// Publishes committed changes to every node and lets the gateway subscribe.
#[async_trait]
pub trait EventBus: Send + Sync {
    /// Sends `notification` to every subscriber on every node. Best effort: a failure
    /// is logged by the adapter, never returned, because the log already holds the
    /// change and clients catch up from it.
    async fn publish(&self, notification: Notification);

    /// A new subscription receiving every notification published from now on.
    fn subscribe(&self) -> EventStream;
}
