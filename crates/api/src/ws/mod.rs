//! The realtime gateway: `GET /api/v1/ws`, one WebSocket per client for all its chats.
//!
//! One bus subscription per node feeds the [`Hub`], which routes each notification to
//! the sockets following its chat through bounded queues. Each socket then applies
//! its [`ChatCursors`](confab_application::realtime::ChatCursors): repeats are
//! skipped, holes are filled from the log, so delivery is lossless and in seq order
//! even when the bus drops or reorders. See `docs/realtime.md` for the protocol.

mod close;
mod commands;
mod connection;
mod delivery;
mod endpoint;
pub(crate) mod frames;
mod held;
mod hub;
mod shared;

use std::sync::Arc;
use std::time::Duration;

use confab_application::messages::MessageService;
use confab_application::realtime::RealtimeService;

use crate::middleware::rate_limit::RateLimit;

pub use close::CloseReason;
pub use endpoint::WsApi;
pub use frames::{
    ChatHead, ClientFrame, ErrorFrame, FrameError, PingFrame, PongFrame, ReadFrame, ReadyFrame,
    SendFrame, ServerFrame, TypingFrame,
};
pub use hub::{Delivery, Hub, Registration, SocketId};
pub use shared::SharedEvent;

/// Timing and buffering of sockets.
#[derive(Debug, Clone, Copy)]
pub struct GatewayConfig {
    /// How often the server pings each socket.
    pub ping_interval: Duration,
    /// A socket from which nothing (not even a pong) arrived for this long is closed
    /// with 4000.
    pub idle_timeout: Duration,
    /// Deliveries a socket may have waiting; beyond that it is closed with 4008.
    pub queue_capacity: usize,
}

impl Default for GatewayConfig {
    fn default() -> Self {
        Self {
            ping_interval: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(75),
            queue_capacity: 1024,
        }
    }
}

/// Everything a socket needs. Cheap to clone.
#[derive(Clone)]
pub struct Gateway {
    hub: Arc<Hub>,
    realtime: RealtimeService,
    messages: MessageService,
    send_limit: RateLimit,
    config: GatewayConfig,
}

impl Gateway {
    /// A gateway over `hub`. Spawn [`Hub::pump`] with the node's one bus subscription
    /// before serving, so the hub sees every notification.
    pub fn new(
        hub: Arc<Hub>,
        realtime: RealtimeService,
        messages: MessageService,
        send_limit: RateLimit,
        config: GatewayConfig,
    ) -> Self {
        Self {
            hub,
            realtime,
            messages,
            send_limit,
            config,
        }
    }

    /// The hub routing this node's notifications.
    pub fn hub(&self) -> &Arc<Hub> {
        &self.hub
    }
}
