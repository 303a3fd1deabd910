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

use confab_domain::{ChatId, EventPayload, LoggedEvent, Message, UserId};

use crate::chats::publish_logged;
use crate::error::RepositoryError;
use crate::ports::{ChatRepository, Clock, EventBus, Membership, MessageRepository};

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
        }
    }

    /// The caller's membership, `None` when they are not a member (or there is no chat).
    async fn membership(
        &self,
        chat_id: ChatId,
        user_id: UserId,
    ) -> Result<Option<Membership>, RepositoryError> {
        self.chats.membership(chat_id, user_id).await
    }

    /// Publishes one committed entry and returns the message it carries.
    async fn publish_message(&self, event: LoggedEvent) -> Result<Message, RepositoryError> {
        let message = message_of(&event)?;
        publish_logged(self.events.as_ref(), vec![event]).await;
        Ok(message)
    }
}

/// The message inside a `message.*` entry.
fn message_of(event: &LoggedEvent) -> Result<Message, RepositoryError> {
    match &event.payload {
        EventPayload::MessageCreated(message)
        | EventPayload::MessageUpdated(message)
        | EventPayload::MessageDeleted(message) => Ok(message.clone()),
        other => Err(RepositoryError::corrupt(format!(
            "message write logged {}",
            other.type_name()
        ))),
    }
}
