//! Messages: sending (exactly once per `client_message_id`), paging through history,
//! editing, deleting to a tombstone, read positions, and replaying a chat's log.
//!
//! Every write is one repository call; its log entry is published to the
//! [`EventBus`] only after that call returned.

mod errors;
mod history;
mod read_state;
mod send;
mod window;
mod write;

use std::sync::Arc;

use confab_domain::{ChatId, Message, UserId};

use crate::email::VerifiedEmailGate;
use crate::error::RepositoryError;
use crate::ports::{
    ChatRepository, Clock, EventBus, Membership, MessageRepository, MessageWritten,
};
use crate::publish::publish;

pub use errors::{
    DeleteMessageError, EditMessageError, GetMessageError, ListEventsError, ListMessagesError,
    MarkReadError, SendMessageError,
};
pub use send::{SendMessage, Sent};
pub use window::{HistoryQuery, next_cursor};

/// The message use cases. Cheap to clone: every port is shared.
#[derive(Clone)]
pub struct MessageService {
    messages: Arc<dyn MessageRepository>,
    chats: Arc<dyn ChatRepository>,
    clock: Arc<dyn Clock>,
    events: Arc<dyn EventBus>,
    /// Set when sends need a verified email.
    verified_email: Option<VerifiedEmailGate>,
}

impl MessageService {
    /// Builds the service from its ports.
    pub fn new(
        messages: Arc<dyn MessageRepository>,
        chats: Arc<dyn ChatRepository>,
        clock: Arc<dyn Clock>,
        events: Arc<dyn EventBus>,
    ) -> Self {
        Self {
            messages,
            chats,
            clock,
            events,
            verified_email: None,
        }
    }

    /// Makes sends answer [`SendMessageError::EmailUnverified`] until the sender's
    /// email is verified.
    #[must_use]
    pub fn requiring_verified_email(mut self, gate: VerifiedEmailGate) -> Self {
        self.verified_email = Some(gate);
        self
    }

    /// The caller's membership, `None` when they are not a member (or there is no chat).
    async fn membership(
        &self,
        chat_id: ChatId,
        user_id: UserId,
    ) -> Result<Option<Membership>, RepositoryError> {
        self.chats.membership(chat_id, user_id).await
    }

    /// Publishes a committed write's entry and returns the message.
    async fn publish_message(&self, written: MessageWritten) -> Message {
        publish(self.events.as_ref(), [written.entry]).await;
        written.message
    }
}
