//! The chats side of the composition root: the chat and message services, wired
//! from the shared adapters.

use std::sync::Arc;

use confab_application::chats::ChatService;
use confab_application::messages::MessageService;

use crate::wiring::Adapters;

/// The chat and message services.
#[derive(Clone)]
pub struct ChatServices {
    /// Chats, members and roles.
    pub chats: ChatService,
    /// Messages, read positions and chat logs.
    pub messages: MessageService,
}

/// Wires the chat and message services on `adapters`.
pub fn chat_services(adapters: &Adapters) -> ChatServices {
    let a = adapters;
    ChatServices {
        chats: ChatService::new(
            Arc::clone(&a.chats),
            Arc::clone(&a.users),
            Arc::clone(&a.clock),
            Arc::clone(&a.events),
        ),
        messages: MessageService::new(
            Arc::clone(&a.messages),
            Arc::clone(&a.chats),
            Arc::clone(&a.clock),
            Arc::clone(&a.events),
        ),
    }
}
