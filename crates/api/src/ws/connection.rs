//! One socket's life: register with the hub, send `ready`, then serve client frames,
//! hub deliveries, close requests and heartbeats until either side leaves.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use confab_application::accounts::Authenticated;
use confab_application::realtime::ChatCursors;
use confab_domain::ChatId;
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use poem::web::websocket::{Message, WebSocketStream};
use tokio::sync::{mpsc, watch};
use tokio::time::MissedTickBehavior;

use super::Gateway;
use super::close::CloseReason;
use super::frames::{ChatHead, ReadyFrame, ServerFrame};
use super::held::HeldEvents;
use super::hub::{Delivery, Registration, SocketId};
use crate::middleware::metrics::WS_OPEN_SOCKETS;

/// How long a closing socket waits for the peer's close frame before dropping the
/// connection: closing at once would make a peer that is still writing see a reset
/// instead of our close code.
const CLOSE_HANDSHAKE_WAIT: Duration = Duration::from_secs(5);

/// Why a socket's loop ends early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stop {
    /// The peer is gone (read or write failed): nothing more to send.
    Gone,
    /// The server closes the socket with this reason.
    Close(CloseReason),
}

/// The server side of one socket.
pub(super) struct Connection {
    pub(super) gateway: Gateway,
    pub(super) auth: Authenticated,
    pub(super) id: SocketId,
    pub(super) cursors: ChatCursors,
    /// When each chat's last `typing` was forwarded (see `commands.rs`).
    pub(super) last_typing: HashMap<ChatId, Instant>,
    /// When a planned catch-up after a bus gap is due (see `delivery.rs`).
    pub(super) resync_at: Option<tokio::time::Instant>,
    /// Live events waiting for a hole before them to close (see `held.rs`).
    pub(super) held: HeldEvents,
    sink: SplitSink<WebSocketStream, Message>,
}

/// Counts the socket in `ws_open_sockets` while it lives.
struct OpenSocket;

impl OpenSocket {
    fn count() -> Self {
        metrics::gauge!(WS_OPEN_SOCKETS).increment(1.0);
        Self
    }
}

impl Drop for OpenSocket {
    fn drop(&mut self) {
        metrics::gauge!(WS_OPEN_SOCKETS).decrement(1.0);
    }
}

/// Serves an upgraded socket of `auth` until it ends.
pub(super) async fn serve(stream: WebSocketStream, gateway: Gateway, auth: Authenticated) {
    let _open = OpenSocket::count();
    let (sink, mut source) = stream.split();
    // Registered (pending: it gets every chat event) before the heads are read, so
    // nothing committed after that read can be missed.
    let Registration {
        id,
        mut queue,
        mut close,
    } = gateway
        .hub
        .register(auth.user_id, auth.session_id, gateway.config.queue_capacity);
    let mut connection = Connection {
        gateway: gateway.clone(),
        auth,
        id,
        cursors: ChatCursors::new(auth.user_id, []),
        last_typing: HashMap::new(),
        resync_at: None,
        held: HeldEvents::default(),
        sink,
    };
    let outcome = match connection.start().await {
        Ok(()) => connection.run(&mut source, &mut queue, &mut close).await,
        Err(stop) => stop,
    };
    match outcome {
        Stop::Close(reason) => {
            connection.send_close(reason).await;
            gateway.hub.unregister(id);
            connection.finish_close(&mut source).await;
        }
        Stop::Gone => gateway.hub.unregister(id),
    }
}

/// Resolves at `at`, never when there is nothing planned.
async fn due(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

impl Connection {
    /// Reads the heads, switches the hub registration to them, sends `ready`.
    async fn start(&mut self) -> Result<(), Stop> {
        let heads = self.gateway.realtime.heads(&self.auth).await.map_err(|e| {
            tracing::error!(error = %e, "cannot read the heads of a new socket");
            Stop::Close(CloseReason::Internal)
        })?;
        self.cursors = ChatCursors::new(self.auth.user_id, heads.iter().copied());
        self.gateway
            .hub
            .ready(self.id, heads.iter().map(|(chat_id, _)| *chat_id));
        let ready = ServerFrame::Ready(ReadyFrame {
            user_id: self.auth.user_id.as_uuid(),
            session_id: self.auth.session_id.as_uuid(),
            chats: heads
                .iter()
                .map(|(chat_id, seq)| ChatHead {
                    chat_id: chat_id.as_uuid(),
                    last_seq: seq.get(),
                })
                .collect(),
        });
        self.send_text(ready.to_frame()).await?;
        self.flush().await
    }

    async fn run(
        &mut self,
        source: &mut SplitStream<WebSocketStream>,
        queue: &mut mpsc::Receiver<Delivery>,
        close: &mut watch::Receiver<Option<CloseReason>>,
    ) -> Stop {
        let config = self.gateway.config;
        let mut heartbeat = tokio::time::interval(config.ping_interval);
        heartbeat.set_missed_tick_behavior(MissedTickBehavior::Delay);
        heartbeat.tick().await;
        let mut last_heard = Instant::now();
        loop {
            let step = tokio::select! {
                changed = close.changed() => match (changed, *close.borrow()) {
                    (Ok(()), Some(reason)) => Err(Stop::Close(reason)),
                    (Ok(()), None) => Ok(()),
                    (Err(_), _) => Err(Stop::Gone),
                },
                delivery = queue.recv() => match delivery {
                    Some(delivery) => self.on_deliveries(delivery, queue).await,
                    None => Err(Stop::Gone),
                },
                frame = source.next() => match frame {
                    Some(Ok(message)) => {
                        last_heard = Instant::now();
                        self.on_message(message).await
                    }
                    Some(Err(_)) | None => Err(Stop::Gone),
                },
                () = due(self.resync_at) => self.resync().await,
                () = due(self.held.deadline()) => self.fill_due().await,
                _ = heartbeat.tick() => {
                    if last_heard.elapsed() > config.idle_timeout {
                        Err(Stop::Close(CloseReason::HeartbeatTimeout))
                    } else {
                        self.send(Message::Ping(Vec::new())).await
                    }
                }
            };
            // Frames are written to the socket's buffer as they are made and sent
            // here, once per turn: a burst of deliveries costs one write, not one each.
            let flushed = match step {
                Ok(()) => self.flush().await,
                Err(reason) => Err(reason),
            };
            if let Err(reason) = flushed {
                return reason;
            }
        }
    }

    async fn on_message(&mut self, message: Message) -> Result<(), Stop> {
        match message {
            Message::Text(text) => self.on_text(&text).await,
            Message::Binary(_) => {
                let error = super::frames::FrameError::new(
                    crate::error::ErrorCode::InvalidFrame,
                    "Frames are JSON text, not binary.",
                );
                self.send_text(error.to_frame()).await
            }
            // Pings are answered by the WebSocket layer itself; pongs only prove life.
            Message::Ping(_) | Message::Pong(_) => Ok(()),
            Message::Close(_) => Err(Stop::Gone),
        }
    }

    /// Queues one text frame; it goes out at the next [`Self::flush`].
    pub(super) async fn send_text(&mut self, text: String) -> Result<(), Stop> {
        self.send(Message::Text(text)).await
    }

    /// Queues one frame in the socket's write buffer (it is written early only when
    /// the buffer is full).
    async fn send(&mut self, message: Message) -> Result<(), Stop> {
        self.sink.feed(message).await.map_err(|_| Stop::Gone)
    }

    /// Writes out every queued frame.
    async fn flush(&mut self) -> Result<(), Stop> {
        self.sink.flush().await.map_err(|_| Stop::Gone)
    }

    async fn send_close(&mut self, reason: CloseReason) {
        tracing::debug!(code = reason.code(), "closing socket");
        let frame = Message::Close(Some((reason.close_code(), reason.text().to_owned())));
        // `send` flushes: whatever was queued before goes out ahead of the close frame.
        let _ = self.sink.send(frame).await;
    }

    /// Completes the closing handshake: keeps reading (so the peer can still flush
    /// what it was writing, pongs included, and then read our close frame) until the
    /// peer's own close frame arrives, for at most [`CLOSE_HANDSHAKE_WAIT`].
    async fn finish_close(&mut self, source: &mut SplitStream<WebSocketStream>) {
        let _ = tokio::time::timeout(CLOSE_HANDSHAKE_WAIT, async {
            while let Some(Ok(message)) = source.next().await {
                if matches!(message, Message::Close(_)) {
                    break;
                }
            }
        })
        .await;
        let _ = self.sink.close().await;
    }
}
