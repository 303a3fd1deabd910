//! [`RedisEventBus`]: fans notifications out to every node through one Redis pub/sub
//! channel, while the node's own sockets are served in process without a round trip.
//!
//! Publishing hands the notification to the local bus at once and queues it for one
//! publisher task, so a slow or absent Redis never delays a request. A subscriber task
//! relays what other nodes publish (its own messages come back tagged with this node's
//! id and are dropped, so nothing is delivered twice). When the subscription is lost
//! it reconnects with backoff and then emits [`Notification::Gap`] locally, because
//! whatever was published meanwhile is gone: sockets catch up from the log.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use confab_application::ports::{EventBus, EventStream, Notification};
use futures_util::StreamExt;
use redis::aio::{ConnectionManager, ConnectionManagerConfig, PubSub};
use redis::{Client, RedisError};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use uuid::Uuid;

use super::InProcessEventBus;

/// The channel every confab node publishes to and subscribes on.
pub const DEFAULT_CHANNEL: &str = "confab:events";

/// Notifications waiting for the publisher task; beyond this they are dropped (other
/// nodes then close the hole from the log).
const PUBLISH_QUEUE: usize = 4096;
/// How often an idle subscription is pinged, so a silently dead link is noticed.
const PING_EVERY: Duration = Duration::from_secs(15);
/// How long a ping or a command may take before the link counts as dead.
const REDIS_TIMEOUT: Duration = Duration::from_secs(5);
/// Reconnect delays grow from the first to the last value.
const BACKOFF_MIN: Duration = Duration::from_millis(100);
const BACKOFF_MAX: Duration = Duration::from_secs(5);

/// Why the bus could not start.
#[derive(Debug, Error)]
pub enum RedisBusError {
    /// `CONFAB_REDIS_URL` is not a Redis URL.
    #[error("invalid Redis URL")]
    InvalidUrl(#[source] RedisError),
    /// Redis did not answer at start-up.
    #[error("cannot connect to Redis")]
    Connect(#[source] RedisError),
}

/// What travels on the channel: the notification and the node that published it.
#[derive(Serialize)]
struct OutgoingEnvelope<'a> {
    origin: Uuid,
    notification: &'a Notification,
}

#[derive(Deserialize)]
struct IncomingEnvelope {
    origin: Uuid,
    notification: Notification,
}

/// The [`EventBus`] for several nodes sharing one Redis.
#[derive(Clone)]
pub struct RedisEventBus {
    local: InProcessEventBus,
    outbox: mpsc::Sender<Notification>,
    // Stops the background tasks when the last clone of the bus is dropped.
    _tasks: Arc<Tasks>,
}

impl std::fmt::Debug for RedisEventBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold a password: it is never kept, let alone printed.
        f.debug_struct("RedisEventBus").finish_non_exhaustive()
    }
}

struct Tasks(Vec<JoinHandle<()>>);

impl Drop for Tasks {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

impl RedisEventBus {
    /// Connects to `url`, subscribes to `channel` (before returning, so a node never
    /// serves sockets while deaf to the others) and starts the background tasks.
    ///
    /// # Errors
    /// [`RedisBusError`] when the URL is invalid or Redis does not answer.
    pub async fn connect(url: &str, channel: &str) -> Result<Self, RedisBusError> {
        Self::connect_pinging_every(url, channel, PING_EVERY).await
    }

    /// [`Self::connect`], pinging the subscription every `ping_every` instead of
    /// every 15 s (tests use a short interval to check that pings keep it alive).
    ///
    /// # Errors
    /// [`RedisBusError`] when the URL is invalid or Redis does not answer.
    pub async fn connect_pinging_every(
        url: &str,
        channel: &str,
        ping_every: Duration,
    ) -> Result<Self, RedisBusError> {
        let client = Client::open(url).map_err(RedisBusError::InvalidUrl)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(REDIS_TIMEOUT))
            .set_response_timeout(Some(REDIS_TIMEOUT))
            .set_number_of_retries(2);
        let publisher = client
            .get_connection_manager_with_config(config)
            .await
            .map_err(RedisBusError::Connect)?;
        let pubsub = subscribe(&client, channel)
            .await
            .map_err(RedisBusError::Connect)?;
        let node_id = Uuid::now_v7();
        let local = InProcessEventBus::default();
        let (outbox, queue) = mpsc::channel(PUBLISH_QUEUE);
        let channel = channel.to_owned();
        let tasks = vec![
            tokio::spawn(run_publisher(publisher, queue, channel.clone(), node_id)),
            tokio::spawn(run_subscriber(
                Subscriber {
                    client,
                    channel,
                    local: local.clone(),
                    node_id,
                    ping_every,
                },
                pubsub,
            )),
        ];
        Ok(Self {
            local,
            outbox,
            _tasks: Arc::new(Tasks(tasks)),
        })
    }
}

#[async_trait]
impl EventBus for RedisEventBus {
    async fn publish(&self, notification: Notification) {
        if notification == Notification::Gap {
            // A gap is a local condition of one subscriber, never news for other nodes.
            return;
        }
        self.local.publish(notification.clone()).await;
        if self.outbox.try_send(notification).is_err() {
            tracing::warn!("Redis publish queue full; other nodes will catch up from the log");
        }
    }

    fn subscribe(&self) -> EventStream {
        self.local.subscribe()
    }
}

async fn subscribe(client: &Client, channel: &str) -> Result<PubSub, RedisError> {
    let mut pubsub = tokio::time::timeout(REDIS_TIMEOUT, client.get_async_pubsub())
        .await
        .map_err(|_| RedisError::from(std::io::Error::from(std::io::ErrorKind::TimedOut)))??;
    pubsub.subscribe(channel).await?;
    Ok(pubsub)
}

/// Sends queued notifications to Redis one at a time, so they leave in publish order.
async fn run_publisher(
    mut connection: ConnectionManager,
    mut queue: mpsc::Receiver<Notification>,
    channel: String,
    node_id: Uuid,
) {
    while let Some(notification) = queue.recv().await {
        let envelope = OutgoingEnvelope {
            origin: node_id,
            notification: &notification,
        };
        let payload = match serde_json::to_vec(&envelope) {
            Ok(payload) => payload,
            Err(error) => {
                tracing::error!(%error, "cannot encode a notification");
                continue;
            }
        };
        let sent: Result<i64, RedisError> = redis::cmd("PUBLISH")
            .arg(&channel)
            .arg(payload)
            .query_async(&mut connection)
            .await;
        if let Err(error) = sent {
            tracing::warn!(%error, "Redis publish failed; other nodes will catch up from the log");
        }
    }
}

/// What the subscriber task needs to (re)subscribe and relay.
struct Subscriber {
    client: Client,
    channel: String,
    local: InProcessEventBus,
    node_id: Uuid,
    ping_every: Duration,
}

/// Relays other nodes' notifications to the local bus for ever, reconnecting with
/// backoff; after every reconnect local subscribers get a [`Notification::Gap`].
async fn run_subscriber(subscriber: Subscriber, first: PubSub) {
    let mut current = Some(first);
    let mut delay = BACKOFF_MIN;
    loop {
        let pubsub = match current.take() {
            Some(pubsub) => pubsub,
            None => match subscribe(&subscriber.client, &subscriber.channel).await {
                Ok(pubsub) => {
                    tracing::info!("Redis subscription restored; sockets catch up from the log");
                    delay = BACKOFF_MIN;
                    subscriber.local.publish(Notification::Gap).await;
                    pubsub
                }
                Err(error) => {
                    tracing::warn!(%error, ?delay, "Redis subscribe failed; retrying");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(BACKOFF_MAX);
                    continue;
                }
            },
        };
        relay(pubsub, &subscriber).await;
        tracing::warn!("Redis subscription lost; reconnecting");
    }
}

/// Forwards messages until the connection ends or stops answering pings.
async fn relay(pubsub: PubSub, subscriber: &Subscriber) {
    let (mut sink, mut stream) = pubsub.split();
    let mut ping = tokio::time::interval(subscriber.ping_every);
    ping.tick().await;
    loop {
        tokio::select! {
            message = stream.next() => {
                let Some(message) = message else { return };
                match serde_json::from_slice::<IncomingEnvelope>(message.get_payload_bytes()) {
                    Ok(envelope) if envelope.origin == subscriber.node_id => {}
                    Ok(envelope) => subscriber.local.publish(envelope.notification).await,
                    Err(error) => tracing::warn!(%error, "ignoring a malformed bus message"),
                }
            }
            _ = ping.tick() => {
                // A subscribed connection answers PING with an array (`pong`, ""), not
                // the usual "PONG": any answer in time proves the link is alive.
                let answered =
                    tokio::time::timeout(REDIS_TIMEOUT, sink.ping::<redis::Value>()).await;
                if !matches!(answered, Ok(Ok(_))) {
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "redis_tests.rs"]
mod tests;
