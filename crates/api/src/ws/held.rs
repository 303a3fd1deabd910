//! Live events that reached a socket ahead of a hole in their chat's seqs.
//!
//! An event is published after its transaction commits, so two sends that commit in
//! seq order can still reach the bus in the other order. Reading the log at every
//! such hole would cost one query per socket per hole (a hundred for a group of a
//! hundred) exactly when the server is busiest. A socket holds the early events
//! instead: the missing one almost always arrives within milliseconds and releases
//! them, and only a hole still open after [`HOLE_WAIT`] is filled from the log
//! (the bus lost an event, or the message expired before it was read).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use confab_domain::{ChatId, Seq};
use tokio::time::Instant;

use super::shared::SharedEvent;

/// How long a hole may stay open before the socket reads the log to fill it.
pub(super) const HOLE_WAIT: Duration = Duration::from_millis(100);

/// Most events a socket holds; one more and it stops waiting and reads the log.
pub(super) const MAX_HELD: usize = 256;

/// A socket's held events, by chat and seq.
#[derive(Debug, Default)]
pub(super) struct HeldEvents {
    chats: HashMap<ChatId, Waiting>,
    count: usize,
}

/// One chat's held events, and since when its hole has made no progress.
#[derive(Debug)]
struct Waiting {
    events: BTreeMap<Seq, Arc<SharedEvent>>,
    since: Instant,
}

/// Held events of one chat, in seq order.
pub(super) type ChatHeld = (ChatId, Vec<Arc<SharedEvent>>);

impl HeldEvents {
    /// Holds `event` (a live event with a seq). `false` when the socket already
    /// holds [`MAX_HELD`] events: it should stop waiting and fill its holes now.
    pub(super) fn hold(&mut self, event: Arc<SharedEvent>, now: Instant) -> bool {
        let Some(seq) = event.event().seq else {
            return true;
        };
        if self.count >= MAX_HELD {
            return false;
        }
        let waiting = self
            .chats
            .entry(event.event().chat_id)
            .or_insert_with(|| Waiting {
                events: BTreeMap::new(),
                since: now,
            });
        if waiting.events.insert(seq, event).is_none() {
            self.count += 1;
        }
        true
    }

    /// The held event of `chat_id` that comes right after `position`, if it is
    /// here; held events at or before `position` (duplicates) are dropped. A
    /// release is progress: the chat's wait starts again at `now`.
    pub(super) fn next_after(
        &mut self,
        chat_id: ChatId,
        position: Seq,
        now: Instant,
    ) -> Option<Arc<SharedEvent>> {
        let waiting = self.chats.get_mut(&chat_id)?;
        let mut found = None;
        while let Some(entry) = waiting.events.first_entry() {
            let seq = *entry.key();
            if seq > position.next() {
                break;
            }
            let event = entry.remove();
            self.count -= 1;
            if seq == position.next() {
                waiting.since = now;
                found = Some(event);
                break;
            }
        }
        if waiting.events.is_empty() {
            self.chats.remove(&chat_id);
        }
        found
    }

    /// Whether nothing is held (the usual case: then a delivery need not look).
    pub(super) fn is_empty(&self) -> bool {
        self.chats.is_empty()
    }

    /// When the oldest wait ends: a chat's hole may stay open [`HOLE_WAIT`] without
    /// progress. `None` when nothing is held.
    pub(super) fn deadline(&self) -> Option<Instant> {
        self.chats
            .values()
            .map(|waiting| waiting.since + HOLE_WAIT)
            .min()
    }

    /// The held events of every chat whose wait has ended at `now`, which then
    /// holds nothing more.
    pub(super) fn take_due(&mut self, now: Instant) -> Vec<ChatHeld> {
        let due: Vec<ChatId> = self
            .chats
            .iter()
            .filter(|(_, waiting)| waiting.since + HOLE_WAIT <= now)
            .map(|(chat_id, _)| *chat_id)
            .collect();
        due.into_iter()
            .filter_map(|chat_id| self.take(chat_id))
            .collect()
    }

    /// Everything held, leaving nothing held.
    pub(super) fn take_all(&mut self) -> Vec<ChatHeld> {
        let all: Vec<ChatId> = self.chats.keys().copied().collect();
        all.into_iter()
            .filter_map(|chat_id| self.take(chat_id))
            .collect()
    }

    /// Drops what is held for `chat_id` (the socket no longer follows it).
    pub(super) fn forget(&mut self, chat_id: ChatId) {
        self.take(chat_id);
    }

    fn take(&mut self, chat_id: ChatId) -> Option<ChatHeld> {
        let waiting = self.chats.remove(&chat_id)?;
        self.count -= waiting.events.len();
        Some((chat_id, waiting.events.into_values().collect()))
    }
}

#[cfg(test)]
mod tests {
    use confab_application::ports::ChatEvent;
    use confab_domain::{EventPayload, Typing, UserId};

    use super::*;

    fn event(chat_id: ChatId, seq: i64) -> Arc<SharedEvent> {
        Arc::new(SharedEvent::new(ChatEvent {
            chat_id,
            seq: Some(Seq::new(seq).expect("positive seq")),
            payload: EventPayload::Typing(Typing {
                user_id: UserId::generate(),
            }),
        }))
    }

    fn seq(value: i64) -> Seq {
        Seq::new(value).expect("positive seq")
    }

    fn seq_of(event: Option<Arc<SharedEvent>>) -> Option<i64> {
        event.and_then(|e| e.event().seq).map(Seq::get)
    }

    #[test]
    fn held_events_come_back_in_seq_order_once_the_hole_closes() {
        let chat = ChatId::generate();
        let now = Instant::now();
        let mut held = HeldEvents::default();
        assert!(held.hold(event(chat, 5), now));
        assert!(held.hold(event(chat, 4), now));
        assert_eq!(held.deadline(), Some(now + HOLE_WAIT));
        // Position 2: seq 3 is still missing, nothing is released.
        assert_eq!(seq_of(held.next_after(chat, seq(2), now)), None);
        assert_eq!(seq_of(held.next_after(chat, seq(3), now)), Some(4));
        assert_eq!(seq_of(held.next_after(chat, seq(4), now)), Some(5));
        assert_eq!(held.deadline(), None, "nothing held, no wait");
    }

    #[test]
    fn duplicates_at_or_before_the_position_are_dropped() {
        let chat = ChatId::generate();
        let mut held = HeldEvents::default();
        for s in [3, 4, 7] {
            assert!(held.hold(event(chat, s), Instant::now()));
        }
        // The log already delivered up to 5: 3 and 4 are stale, 7 still waits for 6.
        let now = Instant::now();
        assert_eq!(seq_of(held.next_after(chat, seq(5), now)), None);
        assert_eq!(seq_of(held.next_after(chat, seq(6), now)), Some(7));
    }

    #[test]
    fn each_chat_waits_from_its_own_first_hold_and_only_due_chats_are_taken() {
        let (a, b) = (ChatId::generate(), ChatId::generate());
        let first = Instant::now();
        let later = first + Duration::from_millis(40);
        let mut held = HeldEvents::default();
        held.hold(event(a, 3), first);
        held.hold(event(b, 9), later);
        held.hold(event(a, 4), later);
        assert_eq!(held.deadline(), Some(first + HOLE_WAIT));
        let due = held.take_due(first + HOLE_WAIT);
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].0, a);
        assert_eq!(due[0].1.len(), 2, "both of a's events");
        assert_eq!(held.deadline(), Some(later + HOLE_WAIT), "b still waits");
        held.forget(b);
        assert_eq!(held.deadline(), None);
        assert!(held.take_all().is_empty());
    }

    #[test]
    fn progress_restarts_a_chats_wait() {
        let chat = ChatId::generate();
        let start = Instant::now();
        let mut held = HeldEvents::default();
        // 3 and 5 arrive early; 2 then closes the first hole, 4 is still missing.
        held.hold(event(chat, 3), start);
        held.hold(event(chat, 5), start);
        let progress = start + Duration::from_millis(80);
        assert_eq!(seq_of(held.next_after(chat, seq(2), progress)), Some(3));
        assert_eq!(held.deadline(), Some(progress + HOLE_WAIT));
        assert!(held.take_due(start + HOLE_WAIT).is_empty(), "not due yet");
    }

    #[test]
    fn a_full_hold_asks_for_the_log() {
        let chat = ChatId::generate();
        let mut held = HeldEvents::default();
        for s in 0..MAX_HELD {
            let s = i64::try_from(s).expect("small") + 2;
            assert!(held.hold(event(chat, s), Instant::now()));
        }
        assert!(!held.hold(event(chat, 10_000), Instant::now()));
    }
}
