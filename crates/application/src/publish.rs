//! The one way a use case tells the other nodes what happened: committed log entries
//! and live-only events of a chat, and revoked sessions, each counted once in
//! [`EVENTS_PUBLISHED_TOTAL`] here, whichever bus carries them.

use confab_domain::{SessionId, UserId};

use crate::ports::{ChatEvent, EventBus, Notification};

/// Counter of notifications this node published to its event bus.
pub const EVENTS_PUBLISHED_TOTAL: &str = "events_published_total";

async fn notify(bus: &dyn EventBus, notification: Notification) {
    metrics::counter!(EVENTS_PUBLISHED_TOTAL).increment(1);
    bus.publish(notification).await;
}

/// Publishes `events` to every node's sockets, in the order given (entries of one
/// write are in log order). Only after the write that logged them has committed:
/// the bus is the fast path, the log the truth.
pub(crate) async fn publish<E: Into<ChatEvent>>(
    bus: &dyn EventBus,
    events: impl IntoIterator<Item = E>,
) {
    for event in events {
        notify(bus, Notification::Chat(event.into())).await;
    }
}

/// Tells every node to close the sockets of `session_ids` (code 4401).
pub(crate) async fn publish_revoked(
    bus: &dyn EventBus,
    user_id: UserId,
    session_ids: Vec<SessionId>,
) {
    if !session_ids.is_empty() {
        let revoked = Notification::SessionsRevoked {
            user_id,
            session_ids,
        };
        notify(bus, revoked).await;
    }
}
