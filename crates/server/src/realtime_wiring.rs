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

use crate::config::{Config, ConfigError};
use crate::wiring::Adapters;

/// `CONFAB_WS_PING_SECONDS`: how often the server pings each socket.
pub const PING_VARIABLE: &str = "CONFAB_WS_PING_SECONDS";
/// `CONFAB_WS_IDLE_TIMEOUT_SECONDS`: silence after which a socket is dropped.
pub const IDLE_VARIABLE: &str = "CONFAB_WS_IDLE_TIMEOUT_SECONDS";

/// The node's event bus: Redis pub/sub when `CONFAB_REDIS_URL` is set (every node
/// must then use the same Redis), else in process.
pub async fn event_bus(config: &Config) -> Result<Arc<dyn EventBus>, RedisBusError> {
    Ok(match &config.redis_url {
        Some(url) => Arc::new(RedisEventBus::connect(url.expose(), DEFAULT_CHANNEL).await?),
        None => Arc::new(InProcessEventBus::default()),
    })
}

/// Socket timings from `CONFAB_WS_PING_SECONDS` (default 30) and
/// `CONFAB_WS_IDLE_TIMEOUT_SECONDS` (default 75), read through `get` (the process
/// environment in production).
pub fn gateway_config(
    get: impl Fn(&'static str) -> Option<String>,
) -> Result<GatewayConfig, ConfigError> {
    let defaults = GatewayConfig::default();
    let seconds = |variable: &'static str, default: Duration| match get(variable) {
        None => Ok(default),
        Some(raw) => match raw.trim().parse::<u64>() {
            Ok(n) if n > 0 => Ok(Duration::from_secs(n)),
            _ => Err(ConfigError {
                variable,
                reason: "expected a whole number of seconds above 0".to_owned(),
            }),
        },
    };
    Ok(GatewayConfig {
        ping_interval: seconds(PING_VARIABLE, defaults.ping_interval)?,
        idle_timeout: seconds(IDLE_VARIABLE, defaults.idle_timeout)?,
        ..defaults
    })
}

/// The gateway and the task feeding its hub from the node's one bus subscription,
/// which stops when `shutdown` turns true.
pub fn gateway(
    adapters: &Adapters,
    messages: MessageService,
    send_limit: RateLimit,
    config: GatewayConfig,
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
        Arc::clone(&adapters.sessions),
        Arc::clone(&adapters.clock),
        Arc::clone(&adapters.events),
    );
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_timings_default_and_validate() {
        let config = gateway_config(|_| None).expect("defaults");
        assert_eq!(config.ping_interval, Duration::from_secs(30));
        let custom =
            gateway_config(|v| (v == PING_VARIABLE).then(|| "2".to_owned())).expect("valid");
        assert_eq!(custom.ping_interval, Duration::from_secs(2));
        assert_eq!(custom.idle_timeout, Duration::from_secs(75));
        let error = gateway_config(|v| (v == IDLE_VARIABLE).then(|| "0".to_owned()))
            .expect_err("zero refused");
        assert_eq!(error.variable, IDLE_VARIABLE);
    }
}
