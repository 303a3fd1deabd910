//! [`InProcessEventBus`]: one node's bus on a bounded tokio broadcast channel.

use async_trait::async_trait;
use confab_application::ports::{EventBus, EventStream, Notification};
use futures_util::StreamExt;
use futures_util::stream;
use tokio::sync::broadcast::{self, error::RecvError};

/// The [`EventBus`] for a single node. A subscriber that falls more than `capacity`
/// notifications behind gets [`Notification::Gap`] and continues with the newest,
/// so a slow socket catches up from the log instead of stalling everyone.
#[derive(Debug, Clone)]
pub struct InProcessEventBus {
    sender: broadcast::Sender<Notification>,
}

impl InProcessEventBus {
    /// A bus that buffers up to `capacity` notifications per subscriber (at least 1).
    pub fn new(capacity: usize) -> Self {
        let (sender, _) = broadcast::channel(capacity.max(1));
        Self { sender }
    }
}

impl Default for InProcessEventBus {
    fn default() -> Self {
        Self::new(4096)
    }
}

#[async_trait]
impl EventBus for InProcessEventBus {
    async fn publish(&self, notification: Notification) {
        // An error only means nobody is subscribed right now: nothing to deliver.
        let _ = self.sender.send(notification);
    }

    fn subscribe(&self) -> EventStream {
        stream::unfold(self.sender.subscribe(), |mut receiver| async move {
            match receiver.recv().await {
                Ok(notification) => Some((notification, receiver)),
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "event bus subscriber lagged");
                    Some((Notification::Gap, receiver))
                }
                Err(RecvError::Closed) => None,
            }
        })
        .boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use confab_domain::UserId;

    fn revoked() -> Notification {
        Notification::SessionsRevoked {
            user_id: UserId::generate(),
            session_ids: Vec::new(),
        }
    }

    #[tokio::test]
    async fn every_subscriber_gets_each_notification() {
        let bus = InProcessEventBus::new(8);
        let mut first = bus.subscribe();
        let mut second = bus.subscribe();
        let sent = revoked();
        bus.publish(sent.clone()).await;
        assert_eq!(first.next().await, Some(sent.clone()));
        assert_eq!(second.next().await, Some(sent));
    }

    #[tokio::test]
    async fn a_lagging_subscriber_gets_a_gap_then_the_newest() {
        let bus = InProcessEventBus::new(2);
        let mut slow = bus.subscribe();
        let sent: Vec<_> = (0..5).map(|_| revoked()).collect();
        for notification in &sent {
            bus.publish(notification.clone()).await;
        }
        assert_eq!(slow.next().await, Some(Notification::Gap));
        assert_eq!(slow.next().await, Some(sent[3].clone()));
        assert_eq!(slow.next().await, Some(sent[4].clone()));
    }
}
