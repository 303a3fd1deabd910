//! Chats: creating direct chats and groups, reading them, and managing their members.
//!
//! Every rule about who may do what comes from [`confab_domain::permissions`]; this
//! module fetches the facts those rules need, calls the repository, and publishes
//! each logged entry to the [`EventBus`] once the write has committed.

mod create;
mod cursor;
mod errors;
mod members;
mod query;
mod update;

use std::sync::Arc;

use confab_domain::LoggedEvent;

use crate::email::VerifiedEmailGate;
use crate::ports::{ChatRepository, Clock, EventBus, UserRepository};
use crate::publish::publish;

pub use create::{CreatedChat, NewChatRequest};
pub use cursor::{decode_cursor, encode_cursor};
pub use errors::{
    AddMembersError, ChangeRoleError, CreateChatError, GetChatError, ListChatsError,
    RemoveMemberError, UpdateChatError,
};
pub use update::ChatUpdate;

/// The chat use cases. Cheap to clone: every port is shared.
#[derive(Clone)]
pub struct ChatService {
    chats: Arc<dyn ChatRepository>,
    users: Arc<dyn UserRepository>,
    clock: Arc<dyn Clock>,
    events: Arc<dyn EventBus>,
    /// Set when creating chats needs a verified email.
    verified_email: Option<VerifiedEmailGate>,
}

impl ChatService {
    /// Builds the service from its ports.
    pub fn new(
        chats: Arc<dyn ChatRepository>,
        users: Arc<dyn UserRepository>,
        clock: Arc<dyn Clock>,
        events: Arc<dyn EventBus>,
    ) -> Self {
        Self {
            chats,
            users,
            clock,
            events,
            verified_email: None,
        }
    }

    /// Makes chat creation answer [`CreateChatError::EmailUnverified`] until the
    /// creator's email is verified.
    #[must_use]
    pub fn requiring_verified_email(mut self, gate: VerifiedEmailGate) -> Self {
        self.verified_email = Some(gate);
        self
    }

    /// Sends committed entries to the bus, in log order.
    async fn publish(&self, events: Vec<LoggedEvent>) {
        publish(self.events.as_ref(), events).await;
    }
}
