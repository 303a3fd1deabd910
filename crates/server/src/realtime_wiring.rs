//! The realtime side of the composition root: the event bus (in process, or Redis
//! when `CONFAB_REDIS_URL` is set), the node's
//! hub with its one bus subscription, and the WebSocket gateway.

use std::sync::Arc;
use std::time::Duration;

use confab_api::middleware::rate_limit::RateLimit;
use confab_api::ws::{CloseReason, Gateway, GatewayConfig, Hub};
use confab_application::messages::MessageService;
use confab_application::ports::EventBus;
use confab_application::realtime::RealtimeService;
use confab_infrastructure::events::{
    DEFAULT_CHANNEL, InProcessEventBus, RedisBusError, RedisEventBus,
};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::{Config, SocketTimings};
use crate::wiring::Adapters;

/// The node's event bus: Redis pub/sub when `CONFAB_REDIS_URL` is set (every node
/// must then use the same Redis), else in process.
pub async fn event_bus(config: &Config) -> Result<Arc<dyn EventBus>, RedisBusError> {
    Ok(match &config.redis_url {
        Some(url) => Arc::new(RedisEventBus::connect(url.expose(), DEFAULT_CHANNEL).await?),
        None => Arc::new(InProcessEventBus::default()),
    })
}

/// The gateway and the task feeding its hub from the node's one bus subscription,
/// which stops when `shutdown` turns true.
pub fn gateway(
    adapters: &Adapters,
    messages: MessageService,
    send_limit: RateLimit,
    timings: SocketTimings,
    mut shutdown: watch::Receiver<bool>,
) -> (Gateway, JoinHandle<()>) {
    let hub = Arc::new(Hub::new());
    // Subscribed here, before the server accepts a socket, so the hub sees
    // everything any socket could need.
    let stream = adapters.events.subscribe();
    let pumping = Arc::clone(&hub).pump(stream);
    let stopping = Arc::clone(&hub);
    let pump = tokio::spawn(async move {
        let stopping_now = tokio::select! {
            () = pumping => false,
            stop = shutdown.wait_for(|stop| *stop) => stop.is_ok(),
        };
        if stopping_now {
            close_sockets(&stopping).await;
        }
    });
    let realtime = RealtimeService::new(
        Arc::clone(&adapters.chats),
        Arc::clone(&adapters.messages),
        Arc::clone(&adapters.session_store),
        Arc::clone(&adapters.clock),
        Arc::clone(&adapters.events),
    );
    let config = GatewayConfig {
        ping_interval: timings.ping,
        idle_timeout: timings.idle,
        ..GatewayConfig::default()
    };
    let gateway = Gateway::new(hub, realtime, messages, send_limit, config);
    (gateway, pump)
}

/// At shutdown: asks every socket to close with 1012 and gives them a moment to
/// send their close frames, so clients reconnect at once instead of waiting for a
/// dead TCP connection to time out.
async fn close_sockets(hub: &Hub) {
    hub.close_all(CloseReason::Restart);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    while !hub.is_empty() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
