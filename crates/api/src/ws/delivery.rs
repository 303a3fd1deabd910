//! Turning hub deliveries into event frames: in seq order, each once, holes filled
//! from the log, joins announced with `chat.created`, and a full catch-up after the
//! bus reports a gap.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;

use confab_application::ports::ChatEvent;
use confab_application::realtime::{CATCH_UP_PAGE, RealtimeError, Step};
use confab_domain::{ChatId, Seq};

use super::close::CloseReason;
use super::connection::{Connection, Stop};
use super::held::ChatHeld;
use super::hub::Delivery;
use super::shared::SharedEvent;
use crate::middleware::metrics::WS_LOG_READS_TOTAL;

/// The longest a socket waits before its catch-up after a bus gap.
const MAX_RESYNC_SPREAD_MS: u64 = 5_000;

/// Most deliveries taken from the queue in one turn of the socket's loop, so that a
/// busy chat cannot keep the socket from reading its client's frames.
const MAX_DELIVERIES_PER_TURN: usize = 64;

/// A storage failure while delivering: the socket is closed (1011) so the client
/// reconnects and catches up, rather than silently missing an event.
fn storage_failed(error: &RealtimeError) -> Stop {
    tracing::error!(error = %error, "realtime delivery could not read storage");
    Stop::Close(CloseReason::Internal)
}

impl Connection {
    /// Handles `first` and whatever else is already waiting in the queue (up to
    /// [`MAX_DELIVERIES_PER_TURN`]), so a socket that fell behind sends its backlog
    /// in one write.
    pub(super) async fn on_deliveries(
        &mut self,
        first: Delivery,
        queue: &mut mpsc::Receiver<Delivery>,
    ) -> Result<(), Stop> {
        self.on_delivery(first).await?;
        for _ in 1..MAX_DELIVERIES_PER_TURN {
            match queue.try_recv() {
                Ok(delivery) => self.on_delivery(delivery).await?,
                Err(_) => break,
            }
        }
        Ok(())
    }

    /// Handles one delivery from the hub.
    pub(super) async fn on_delivery(&mut self, delivery: Delivery) -> Result<(), Stop> {
        match delivery {
            Delivery::Chat(event) => self.offer(event).await,
            Delivery::Gap => {
                self.schedule_resync();
                Ok(())
            }
        }
    }

    /// Plans a full catch-up after a bus gap. After a Redis reconnect every socket
    /// of the node gets the gap at once; spreading their catch-ups over up to five
    /// seconds (by socket id, one millisecond per socket on the node) keeps them from
    /// hitting the database together. Events keep flowing meanwhile, and a hole
    /// they reveal is filled at once.
    fn schedule_resync(&mut self) {
        if self.resync_at.is_some() {
            return;
        }
        let sockets = u64::try_from(self.gateway.hub.len()).unwrap_or(u64::MAX);
        let spread_ms = sockets.clamp(1, MAX_RESYNC_SPREAD_MS);
        let delay = Duration::from_millis(self.id.wrapping_mul(7919) % spread_ms);
        self.resync_at = Some(Instant::now() + delay);
    }

    /// Delivers a live `event` if it is new for this socket. An event ahead of a
    /// hole is held until the hole closes (see `held.rs`).
    pub(super) async fn offer(&mut self, event: Arc<SharedEvent>) -> Result<(), Stop> {
        let chat_id = event.event().chat_id;
        match self.cursors.offer(event.event(), false) {
            Step::Deliver => {
                self.send_event(&event).await?;
                self.release_held(chat_id).await
            }
            Step::Left => self.leave(chat_id, &event).await,
            Step::Joined(seq) => self.join(chat_id, seq).await,
            Step::Skip => Ok(()),
            Step::Gap(_) => {
                if self.held.hold(event, Instant::now()) {
                    Ok(())
                } else {
                    let all = self.held.take_all();
                    self.fill_held(all).await
                }
            }
        }
    }

    /// Sends the held events of `chat_id` that now follow without a hole.
    async fn release_held(&mut self, chat_id: ChatId) -> Result<(), Stop> {
        if self.held.is_empty() {
            return Ok(());
        }
        let now = Instant::now();
        while let Some(position) = self.cursors.position(chat_id)
            && let Some(event) = self.held.next_after(chat_id, position, now)
        {
            match self.cursors.offer(event.event(), false) {
                Step::Deliver => self.send_event(&event).await?,
                Step::Left => return self.leave(chat_id, &event).await,
                // The next seq of a followed chat is always delivered.
                Step::Joined(_) | Step::Gap(_) | Step::Skip => {}
            }
        }
        Ok(())
    }

    /// A wait is over: fills the holes of the chats whose wait ended.
    pub(super) async fn fill_due(&mut self) -> Result<(), Stop> {
        let due = self.held.take_due(Instant::now());
        self.fill_held(due).await
    }

    /// Fills each chat's hole from the log, then offers what was held for it as
    /// the log saw it: a seq the log does not have either was an expired message,
    /// no reason to wait any longer.
    async fn fill_held(&mut self, held: Vec<ChatHeld>) -> Result<(), Stop> {
        for (chat_id, events) in held {
            self.fill(chat_id).await?;
            for event in events {
                match self.cursors.offer(event.event(), true) {
                    Step::Deliver => self.send_event(&event).await?,
                    Step::Left => self.leave(chat_id, &event).await?,
                    // Removed and added back while these events were held.
                    Step::Joined(seq) => self.join(chat_id, seq).await?,
                    Step::Gap(_) | Step::Skip => {}
                }
            }
        }
        Ok(())
    }

    /// My removal from `chat_id`: the socket stops following it after `event`.
    async fn leave(&mut self, chat_id: ChatId, event: &SharedEvent) -> Result<(), Stop> {
        self.gateway.hub.unfollow(self.id, chat_id);
        self.held.forget(chat_id);
        self.send_event(event).await
    }

    /// Delivers the log of `chat_id` after the socket's position, page by page.
    async fn fill(&mut self, chat_id: ChatId) -> Result<(), Stop> {
        while let Some(position) = self.cursors.position(chat_id) {
            metrics::counter!(WS_LOG_READS_TOTAL).increment(1);
            let page = self
                .gateway
                .realtime
                .log_after(chat_id, position)
                .await
                .map_err(|e| storage_failed(&e))?;
            let complete = (page.len() as u64) < CATCH_UP_PAGE;
            for entry in page {
                let event = SharedEvent::new(ChatEvent::from(entry));
                match self.cursors.offer(event.event(), true) {
                    Step::Deliver => self.send_event(&event).await?,
                    Step::Left => return self.leave(chat_id, &event).await,
                    // A followed chat's own log cannot announce a join or a hole.
                    Step::Joined(_) | Step::Gap(_) | Step::Skip => {}
                }
            }
            if complete {
                break;
            }
        }
        Ok(())
    }

    /// I was added at `seq`: `chat.created` with the chat as it is now, then the log.
    async fn join(&mut self, chat_id: ChatId, seq: Seq) -> Result<(), Stop> {
        self.gateway.hub.follow(self.id, chat_id);
        let joined = self
            .gateway
            .realtime
            .joined(chat_id, seq)
            .await
            .map_err(|e| storage_failed(&e))?;
        let Some(created) = joined else {
            self.stop_following(chat_id);
            return Ok(());
        };
        self.send_event(&created.into()).await?;
        self.fill(chat_id).await
    }

    /// The bus lost notifications: close the socket if its session was revoked
    /// meanwhile, else catch up every followed chat from the log and announce chats
    /// I joined meanwhile.
    pub(super) async fn resync(&mut self) -> Result<(), Stop> {
        self.resync_at = None;
        // Held events were committed before they were published: the catch-up
        // below reads them from the log.
        self.held.take_all();
        let revoked = self
            .gateway
            .realtime
            .session_revoked(&self.auth)
            .await
            .map_err(|e| storage_failed(&e))?;
        if revoked {
            return Err(Stop::Close(CloseReason::SessionRevoked));
        }
        let heads = self
            .gateway
            .realtime
            .heads(&self.auth)
            .await
            .map_err(|e| storage_failed(&e))?;
        let current: HashSet<ChatId> = heads.iter().map(|(chat_id, _)| *chat_id).collect();
        for (chat_id, _) in self.cursors.positions() {
            self.fill(chat_id).await?;
            if self.cursors.position(chat_id).is_some() && !current.contains(&chat_id) {
                // Still followed, not mine, and no removal in its log: the chat is gone.
                self.stop_following(chat_id);
            }
        }
        for (chat_id, _) in heads {
            if self.cursors.position(chat_id).is_none() {
                self.rejoin(chat_id).await?;
            }
        }
        Ok(())
    }

    /// Announces a chat found during recovery, at the seq its snapshot reflects.
    async fn rejoin(&mut self, chat_id: ChatId) -> Result<(), Stop> {
        self.gateway.hub.follow(self.id, chat_id);
        let rejoined = self
            .gateway
            .realtime
            .rejoined(chat_id)
            .await
            .map_err(|e| storage_failed(&e))?;
        let Some(created) = rejoined else {
            self.stop_following(chat_id);
            return Ok(());
        };
        if let Some(seq) = created.seq {
            self.cursors.adopt(chat_id, seq);
        }
        self.send_event(&created.into()).await?;
        self.fill(chat_id).await
    }

    fn stop_following(&mut self, chat_id: ChatId) {
        self.cursors.forget(chat_id);
        self.held.forget(chat_id);
        self.gateway.hub.unfollow(self.id, chat_id);
    }

    /// Sends one event frame.
    pub(super) async fn send_event(&mut self, event: &SharedEvent) -> Result<(), Stop> {
        self.send_text(event.frame().to_owned()).await
    }
}
