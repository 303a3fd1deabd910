//! The node's hub: ONE bus subscription fanned out to the node's sockets.
//!
//! Sockets are indexed by chat, user and session. Each has a bounded queue; a socket
//! whose queue is full is closed as a slow consumer (it reconnects and catches up),
//! so memory stays bounded whatever a client does. A socket that is still reading
//! its `ready` heads is *pending* and gets every chat event, so nothing published
//! between its registration and its heads can slip past it.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use confab_application::ports::{EventStream, Notification};
use confab_application::realtime::{Reach, reach};
use confab_domain::{ChatId, SessionId, UserId};
use futures_util::StreamExt;
use tokio::sync::{mpsc, watch};

use super::close::CloseReason;
use super::shared::SharedEvent;

/// Identifies one socket on this node.
pub type SocketId = u64;

/// What the hub puts into a socket's queue.
#[derive(Debug, Clone)]
pub enum Delivery {
    /// An event of a chat the socket follows (or may: pending sockets get all).
    Chat(Arc<SharedEvent>),
    /// The bus lost notifications: catch up every chat from the log.
    Gap,
}

/// A socket's end of its registration.
pub struct Registration {
    /// The socket's id, for [`Hub::follow`], [`Hub::ready`] and [`Hub::unregister`].
    pub id: SocketId,
    /// Deliveries, in dispatch order.
    pub queue: mpsc::Receiver<Delivery>,
    /// Set once when the hub wants the socket closed (revoked, too slow).
    pub close: watch::Receiver<Option<CloseReason>>,
}

struct Entry {
    user_id: UserId,
    session_id: SessionId,
    queue: mpsc::Sender<Delivery>,
    close: watch::Sender<Option<CloseReason>>,
    chats: HashSet<ChatId>,
}

#[derive(Default)]
struct Registry {
    sockets: HashMap<SocketId, Entry>,
    by_chat: HashMap<ChatId, HashSet<SocketId>>,
    by_user: HashMap<UserId, HashSet<SocketId>>,
    pending: HashSet<SocketId>,
}

/// Routes bus notifications to this node's sockets.
#[derive(Default)]
pub struct Hub {
    registry: Mutex<Registry>,
    next_id: AtomicU64,
}

impl Hub {
    /// An empty hub.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Registry> {
        // The registry holds no invariant a panicking holder could break half-way
        // that matters more than keeping the gateway up.
        self.registry.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Registers a pending socket with a queue of `capacity` deliveries.
    pub fn register(
        &self,
        user_id: UserId,
        session_id: SessionId,
        capacity: usize,
    ) -> Registration {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (queue_tx, queue) = mpsc::channel(capacity.max(1));
        let (close_tx, close) = watch::channel(None);
        let mut registry = self.lock();
        registry.sockets.insert(
            id,
            Entry {
                user_id,
                session_id,
                queue: queue_tx,
                close: close_tx,
                chats: HashSet::new(),
            },
        );
        registry.by_user.entry(user_id).or_default().insert(id);
        registry.pending.insert(id);
        Registration { id, queue, close }
    }

    /// The socket knows its heads: from now on it gets only the chats it follows.
    pub fn ready(&self, id: SocketId, chats: impl IntoIterator<Item = ChatId>) {
        let mut registry = self.lock();
        for chat_id in chats {
            registry.follow(id, chat_id);
        }
        registry.pending.remove(&id);
    }

    /// The socket starts following `chat_id` (idempotent).
    pub fn follow(&self, id: SocketId, chat_id: ChatId) {
        self.lock().follow(id, chat_id);
    }

    /// The socket stops following `chat_id` (idempotent).
    pub fn unfollow(&self, id: SocketId, chat_id: ChatId) {
        self.lock().unfollow(id, chat_id);
    }

    /// Forgets the socket entirely.
    pub fn unregister(&self, id: SocketId) {
        let mut registry = self.lock();
        let Some(entry) = registry.sockets.remove(&id) else {
            return;
        };
        for chat_id in &entry.chats {
            registry.drop_follower(*chat_id, id);
        }
        if let Some(sockets) = registry.by_user.get_mut(&entry.user_id) {
            sockets.remove(&id);
            if sockets.is_empty() {
                registry.by_user.remove(&entry.user_id);
            }
        }
        registry.pending.remove(&id);
    }

    /// Asks every socket to close with `reason` (the node is shutting down).
    pub fn close_all(&self, reason: CloseReason) {
        for entry in self.lock().sockets.values() {
            entry.close.send_replace(Some(reason));
        }
    }

    /// How many sockets are registered.
    pub fn len(&self) -> usize {
        self.lock().sockets.len()
    }

    /// Whether no socket is registered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Dispatches every notification of `stream` (the node's one subscription) until
    /// it ends. Run it on its own task.
    pub async fn pump(self: Arc<Self>, mut stream: EventStream) {
        while let Some(notification) = stream.next().await {
            self.dispatch(notification);
        }
        tracing::warn!("event bus subscription ended; realtime delivery stopped");
    }

    /// Routes one notification.
    pub fn dispatch(&self, notification: Notification) {
        let mut registry = self.lock();
        match notification {
            Notification::Chat(event) => registry.dispatch_chat(Arc::new(SharedEvent::new(event))),
            Notification::SessionsRevoked {
                user_id,
                session_ids,
            } => registry.revoke(user_id, &session_ids),
            Notification::Gap => {
                let all: Vec<SocketId> = registry.sockets.keys().copied().collect();
                registry.deliver(all, &Delivery::Gap);
            }
        }
    }
}

impl Registry {
    fn follow(&mut self, id: SocketId, chat_id: ChatId) {
        if let Some(entry) = self.sockets.get_mut(&id) {
            entry.chats.insert(chat_id);
            self.by_chat.entry(chat_id).or_default().insert(id);
        }
    }

    fn unfollow(&mut self, id: SocketId, chat_id: ChatId) {
        if let Some(entry) = self.sockets.get_mut(&id) {
            entry.chats.remove(&chat_id);
        }
        self.drop_follower(chat_id, id);
    }

    fn drop_follower(&mut self, chat_id: ChatId, id: SocketId) {
        if let Some(followers) = self.by_chat.get_mut(&chat_id) {
            followers.remove(&id);
            if followers.is_empty() {
                self.by_chat.remove(&chat_id);
            }
        }
    }

    fn sockets_of(&self, user_id: UserId) -> Vec<SocketId> {
        self.by_user
            .get(&user_id)
            .map(|ids| ids.iter().copied().collect())
            .unwrap_or_default()
    }

    fn dispatch_chat(&mut self, event: Arc<SharedEvent>) {
        let chat_id = event.event().chat_id;
        let reach = reach(event.event());
        if let Reach::Joining(users) = &reach {
            for user_id in users {
                for id in self.sockets_of(*user_id) {
                    self.follow(id, chat_id);
                }
            }
        }
        let mut targets: HashSet<SocketId> = self.pending.clone();
        if let Some(followers) = self.by_chat.get(&chat_id) {
            targets.extend(followers);
        }
        self.deliver(targets, &Delivery::Chat(event));
        if let Reach::Leaving(user_id) = reach {
            for id in self.sockets_of(user_id) {
                self.unfollow(id, chat_id);
            }
        }
    }

    fn revoke(&self, user_id: UserId, session_ids: &[SessionId]) {
        for id in self.sockets_of(user_id) {
            if let Some(entry) = self.sockets.get(&id)
                && session_ids.contains(&entry.session_id)
            {
                entry.close.send_replace(Some(CloseReason::SessionRevoked));
            }
        }
    }

    fn deliver(&self, targets: impl IntoIterator<Item = SocketId>, delivery: &Delivery) {
        for id in targets {
            let Some(entry) = self.sockets.get(&id) else {
                continue;
            };
            if let Err(mpsc::error::TrySendError::Full(_)) = entry.queue.try_send(delivery.clone())
            {
                // The socket cannot keep up: close it rather than buffer without bound;
                // the client reconnects and catches up from the log.
                entry.close.send_if_modified(|reason| {
                    let first = reason.is_none();
                    if first {
                        *reason = Some(CloseReason::SlowConsumer);
                    }
                    first
                });
            }
        }
    }
}

#[cfg(test)]
#[path = "hub_tests.rs"]
mod tests;
