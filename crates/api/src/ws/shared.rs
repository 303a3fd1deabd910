//! A chat event as routed to many sockets: shared, and serialized at most once.

use std::sync::OnceLock;

use confab_application::ports::ChatEvent;

use crate::dto::events::EventDto;

/// One event on its way to every socket that follows its chat. A message to a
/// group of a thousand members is turned into JSON once, not a thousand times.
#[derive(Debug)]
pub struct SharedEvent {
    event: ChatEvent,
    frame: OnceLock<String>,
}

impl SharedEvent {
    /// Wraps `event`; its frame is rendered on first use.
    pub fn new(event: ChatEvent) -> Self {
        Self {
            event,
            frame: OnceLock::new(),
        }
    }

    /// The event.
    pub const fn event(&self) -> &ChatEvent {
        &self.event
    }

    /// The event frame as JSON text, as `GET /chats/{id}/events` shows the event.
    pub fn frame(&self) -> &str {
        self.frame
            .get_or_init(|| EventDto::from(self.event.clone()).to_frame())
    }
}

impl From<ChatEvent> for SharedEvent {
    fn from(event: ChatEvent) -> Self {
        Self::new(event)
    }
}

#[cfg(test)]
mod tests {
    use confab_domain::{ChatId, EventPayload, Typing, UserId};

    use super::*;

    #[test]
    fn the_frame_is_the_event_object_without_seq_for_unlogged_events() {
        let user_id = UserId::generate();
        let shared = SharedEvent::new(ChatEvent {
            chat_id: ChatId::generate(),
            seq: None,
            payload: EventPayload::Typing(Typing { user_id }),
        });
        let frame: serde_json::Value = serde_json::from_str(shared.frame()).expect("json");
        assert_eq!(frame["type"], "typing");
        assert_eq!(frame["data"]["user_id"], user_id.to_string());
        assert!(frame.get("seq").is_none());
        assert!(
            std::ptr::eq(shared.frame(), shared.frame()),
            "rendered once"
        );
    }
}
