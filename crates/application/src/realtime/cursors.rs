//! Per-socket delivery state: the last seq delivered for every chat the socket follows.
//!
//! The bus is only the fast path; it may drop, repeat or reorder notifications. The
//! cursors turn whatever arrives into a lossless, ordered stream per chat: an entry at
//! or below the cursor is a repeat and is skipped, one past a hole asks the caller to
//! read the log first. Pure state, no I/O, so every rule is unit-tested here.

use std::collections::HashMap;

use confab_domain::{ChatId, EventPayload, Seq, UserId};

use crate::ports::ChatEvent;

/// What a socket should do with one offered event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Send it to the client as it is.
    Deliver,
    /// Send it, then stop following the chat: it is my own `member.removed`.
    Left,
    /// I was added to a chat this socket did not follow (my `member.added` at this
    /// seq): send `chat.created` with the chat as it is now, carrying this seq, then
    /// read the log after it. The chat is followed from here on.
    Joined(Seq),
    /// Entries after this seq are missing: read the log after it, then offer again.
    Gap(Seq),
    /// Nothing to send: not my chat, already delivered, or my own typing notice.
    Skip,
}

/// Where one socket stands in each of its chats.
#[derive(Debug, Clone)]
pub struct ChatCursors {
    user_id: UserId,
    chats: HashMap<ChatId, Seq>,
}

impl ChatCursors {
    /// Starts from the `ready` frame's heads: everything at or below them counts as seen.
    pub fn new(user_id: UserId, heads: impl IntoIterator<Item = (ChatId, Seq)>) -> Self {
        Self {
            user_id,
            chats: heads.into_iter().collect(),
        }
    }

    /// The user whose socket this is.
    pub const fn user_id(&self) -> UserId {
        self.user_id
    }

    /// The last seq delivered in `chat_id`, `None` when the socket does not follow it.
    pub fn position(&self, chat_id: ChatId) -> Option<Seq> {
        self.chats.get(&chat_id).copied()
    }

    /// Every followed chat with its last delivered seq.
    pub fn positions(&self) -> Vec<(ChatId, Seq)> {
        self.chats.iter().map(|(chat, seq)| (*chat, *seq)).collect()
    }

    /// Starts following `chat_id` as if everything up to `seq` had been delivered
    /// (after recovery found a chat I joined while notifications were lost).
    pub fn adopt(&mut self, chat_id: ChatId, seq: Seq) {
        self.chats.insert(chat_id, seq);
    }

    /// Stops following `chat_id` (the chat is gone).
    pub fn forget(&mut self, chat_id: ChatId) {
        self.chats.remove(&chat_id);
    }

    /// Decides what to do with `event` and, when it is to be sent, records it as
    /// delivered. `from_log` marks entries read from the log: the log is the truth,
    /// so a hole there (an expired message) is no reason to read it again.
    pub fn offer(&mut self, event: &ChatEvent, from_log: bool) -> Step {
        let Some(seq) = event.seq else {
            return self.offer_unlogged(event);
        };
        let Some(last) = self.position(event.chat_id) else {
            return self.offer_unfollowed(event, seq);
        };
        if seq <= last {
            return Step::Skip;
        }
        if seq > last.next() && !from_log {
            return Step::Gap(last);
        }
        if self.is_me_removed(&event.payload) {
            self.chats.remove(&event.chat_id);
            return Step::Left;
        }
        self.chats.insert(event.chat_id, seq);
        Step::Deliver
    }

    fn offer_unlogged(&self, event: &ChatEvent) -> Step {
        if !self.chats.contains_key(&event.chat_id) {
            return Step::Skip;
        }
        match &event.payload {
            // Typing notices are never echoed to the typist's own sockets.
            EventPayload::Typing(typing) if typing.user_id == self.user_id => Step::Skip,
            _ => Step::Deliver,
        }
    }

    fn offer_unfollowed(&mut self, event: &ChatEvent, seq: Seq) -> Step {
        match &event.payload {
            EventPayload::MemberAdded(change) if change.user_id == self.user_id => {
                self.chats.insert(event.chat_id, seq);
                Step::Joined(seq)
            }
            EventPayload::ChatCreated(snapshot)
                if snapshot.members.iter().any(|m| m.user_id == self.user_id) =>
            {
                self.chats.insert(event.chat_id, seq);
                Step::Deliver
            }
            _ => Step::Skip,
        }
    }

    fn is_me_removed(&self, payload: &EventPayload) -> bool {
        matches!(payload, EventPayload::MemberRemoved(change) if change.user_id == self.user_id)
    }
}

#[cfg(test)]
#[path = "cursors_tests.rs"]
mod tests;
