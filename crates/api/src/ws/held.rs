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
    chats: HashMap<ChatId, BTreeMap<Seq, Arc<SharedEvent>>>,
    count: usize,
    deadline: Option<Instant>,
}

impl HeldEvents {
    /// Holds `event` (a live event with a seq), starting the wait if none runs.
    /// `false` when the socket already holds [`MAX_HELD`] events: it should stop
    /// waiting and fill its holes now.
    pub(super) fn hold(&mut self, event: Arc<SharedEvent>, now: Instant) -> bool {
        let Some(seq) = event.event().seq else {
            return true;
        };
        if self.count >= MAX_HELD {
            return false;
        }
        let held = self.chats.entry(event.event().chat_id).or_default();
        if held.insert(seq, event).is_none() {
            self.count += 1;
        }
        self.deadline.get_or_insert(now + HOLE_WAIT);
        true
    }

    /// The held event of `chat_id` that comes right after `position`, if it is
    /// here; held events at or before `position` (duplicates) are dropped.
    pub(super) fn next_after(
        &mut self,
        chat_id: ChatId,
        position: Seq,
    ) -> Option<Arc<SharedEvent>> {
        let held = self.chats.get_mut(&chat_id)?;
        let mut found = None;
        while let Some(entry) = held.first_entry() {
            let seq = *entry.key();
            if seq > position.next() {
                break;
            }
            let event = entry.remove();
            self.count -= 1;
            if seq == position.next() {
                found = Some(event);
                break;
            }
        }
        if held.is_empty() {
            self.forget(chat_id);
        }
        found
    }

    /// When the wait for the oldest open hole ends; `None` when nothing is held.
    pub(super) const fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// Everything held, by chat and in seq order, leaving nothing held.
    pub(super) fn take_all(&mut self) -> Vec<(ChatId, Vec<Arc<SharedEvent>>)> {
        self.count = 0;
        self.deadline = None;
        self.chats
            .drain()
            .map(|(chat_id, held)| (chat_id, held.into_values().collect()))
            .collect()
    }

    /// Drops what is held for `chat_id` (the socket no longer follows it).
    pub(super) fn forget(&mut self, chat_id: ChatId) {
        if let Some(held) = self.chats.remove(&chat_id) {
            self.count -= held.len();
        }
        if self.chats.is_empty() {
            self.deadline = None;
        }
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
        assert_eq!(seq_of(held.next_after(chat, seq(2))), None);
        assert_eq!(seq_of(held.next_after(chat, seq(3))), Some(4));
        assert_eq!(seq_of(held.next_after(chat, seq(4))), Some(5));
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
        assert_eq!(seq_of(held.next_after(chat, seq(5))), None);
        assert_eq!(seq_of(held.next_after(chat, seq(6))), Some(7));
    }

    #[test]
    fn the_first_hold_sets_the_deadline_and_later_ones_keep_it() {
        let (a, b) = (ChatId::generate(), ChatId::generate());
        let first = Instant::now();
        let mut held = HeldEvents::default();
        held.hold(event(a, 3), first);
        held.hold(event(b, 9), first + Duration::from_millis(40));
        assert_eq!(held.deadline(), Some(first + HOLE_WAIT));
        held.forget(a);
        assert!(held.deadline().is_some(), "b still waits");
        let all = held.take_all();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].0, b);
        assert_eq!(held.deadline(), None);
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
