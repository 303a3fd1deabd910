//! One chat in the reference store: its row, members, messages and log, with the
//! seq-taking, expiry and purge rules of the sea-orm adapters.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use confab_application::RepositoryError;
use confab_application::ports::{ChatChanges, ChatListCursor};
use confab_domain::permissions::Actor;
use confab_domain::{
    Chat, ChatId, ChatKind, ChatName, EventPayload, LoggedEvent, MemberChange, MemberRole, Message,
    MessageId, MessageTtl, Seq, UserId,
};

/// A chat with everything in it.
#[derive(Debug, Clone)]
pub(super) struct StoredChat {
    /// The chat row: `last_seq` is the log's head.
    pub(super) chat: Chat,
    /// A direct chat's pair, smaller id first: unique across the store.
    pub(super) direct_pair: Option<(UserId, UserId)>,
    /// The members, oldest first (by the seq they joined at, then by id).
    pub(super) members: Vec<StoredMember>,
    /// Messages and tombstones by seq.
    pub(super) messages: BTreeMap<Seq, Message>,
    /// The log by seq.
    pub(super) log: BTreeMap<Seq, LoggedEvent>,
}

/// One membership.
#[derive(Debug, Clone, Copy)]
pub(super) struct StoredMember {
    pub(super) user_id: UserId,
    pub(super) role: Option<MemberRole>,
    pub(super) last_read_seq: Seq,
    pub(super) joined_at: DateTime<Utc>,
    pub(super) joined_seq: Seq,
}

impl StoredChat {
    /// A chat without members whose log will start with `chat.created` at seq 1.
    pub(super) fn new(
        id: ChatId,
        kind: ChatKind,
        name: Option<ChatName>,
        direct_pair: Option<(UserId, UserId)>,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            chat: Chat {
                id,
                kind,
                name,
                created_at: now,
                last_seq: Seq::FIRST,
                message_ttl: None,
                last_activity_at: now,
            },
            direct_pair,
            members: Vec::new(),
            messages: BTreeMap::new(),
            log: BTreeMap::new(),
        }
    }

    pub(super) fn member(&self, user_id: UserId) -> Option<&StoredMember> {
        self.members.iter().find(|member| member.user_id == user_id)
    }

    pub(super) fn member_mut(&mut self, user_id: UserId) -> Option<&mut StoredMember> {
        self.members
            .iter_mut()
            .find(|member| member.user_id == user_id)
    }

    /// `user_id` as the permission rules see a member.
    pub(super) fn as_actor(&self, user_id: UserId) -> Option<Actor> {
        self.member(user_id).map(|member| Actor {
            user_id,
            role: member.role,
        })
    }

    /// Adds a member who joined at `seq` and has read up to it.
    pub(super) fn join(
        &mut self,
        user_id: UserId,
        role: Option<MemberRole>,
        seq: Seq,
        now: DateTime<Utc>,
    ) {
        self.members.push(StoredMember {
            user_id,
            role,
            last_read_seq: seq,
            joined_at: now,
            joined_seq: seq,
        });
        self.members
            .sort_by_key(|member| (member.joined_seq, member.user_id));
    }

    /// The member who inherits a group its owner leaves: the longest-standing
    /// admin, else member.
    pub(super) fn successor(&self, leaving: UserId) -> Option<UserId> {
        [MemberRole::Admin, MemberRole::Member]
            .into_iter()
            .find_map(|role| {
                self.members
                    .iter()
                    .find(|m| m.user_id != leaving && m.role == Some(role))
            })
            .map(|member| member.user_id)
    }

    /// Sets `user_id`'s role and logs `member.updated` made by `actor`.
    pub(super) fn log_role(
        &mut self,
        user_id: UserId,
        role: MemberRole,
        actor: UserId,
        now: DateTime<Utc>,
    ) -> LoggedEvent {
        if let Some(member) = self.member_mut(user_id) {
            member.role = Some(role);
        }
        let change = MemberChange {
            user_id,
            role: Some(role),
            actor_id: Some(actor),
        };
        self.log(now, EventPayload::MemberUpdated(change))
    }

    /// Whether the chat comes after `cursor` in a chat list (newest activity first,
    /// ties by id, descending).
    pub(super) fn comes_after(&self, cursor: Option<ChatListCursor>) -> bool {
        cursor.is_none_or(|cursor| {
            (self.chat.last_activity_at, self.chat.id) < (cursor.last_activity_at, cursor.chat_id)
        })
    }

    /// Applies the `changes` that change something; whether any did. Messages
    /// already expired under the old TTL are purged first, so they stay gone
    /// whatever the new TTL.
    pub(super) fn apply(&mut self, changes: ChatChanges, now: DateTime<Utc>) -> bool {
        let name = changes
            .name
            .filter(|name| self.chat.name.as_ref() != Some(name));
        let ttl = changes
            .message_ttl
            .filter(|ttl| self.chat.message_ttl != *ttl);
        if name.is_none() && ttl.is_none() {
            return false;
        }
        if let Some(name) = name {
            self.chat.name = Some(name);
        }
        if let Some(ttl) = ttl {
            if let Some(old) = self.chat.message_ttl {
                let expired = self.expired(old, now).into_iter().collect();
                self.purge(&expired);
            }
            self.chat.message_ttl = ttl;
        }
        true
    }

    /// Stores `payload` as the entry at `seq`.
    pub(super) fn append(
        &mut self,
        seq: Seq,
        now: DateTime<Utc>,
        payload: EventPayload,
    ) -> LoggedEvent {
        let event = LoggedEvent {
            chat_id: self.chat.id,
            seq,
            created_at: now,
            payload,
        };
        self.log.insert(seq, event.clone());
        event
    }

    /// Takes the next seq (the chat is active at `now`) and logs `payload` under it.
    pub(super) fn log(&mut self, now: DateTime<Utc>, payload: EventPayload) -> LoggedEvent {
        let seq = self.take_seq(now);
        self.append(seq, now, payload)
    }

    /// Takes the next seq and marks the chat active at `now`.
    pub(super) fn take_seq(&mut self, now: DateTime<Utc>) -> Seq {
        self.chat.last_seq = self.chat.last_seq.next();
        self.chat.last_activity_at = now;
        self.chat.last_seq
    }

    /// Messages (tombstones included) that have not expired at `now`, by seq.
    pub(super) fn live_messages(
        &self,
        now: DateTime<Utc>,
    ) -> impl DoubleEndedIterator<Item = &Message> {
        let ttl = self.chat.message_ttl;
        self.messages
            .values()
            .filter(move |message| !message.is_expired(ttl, now))
    }

    /// The live message `id`, if any.
    pub(super) fn live_message(&self, id: MessageId, now: DateTime<Utc>) -> Option<&Message> {
        self.live_messages(now).find(|message| message.id == id)
    }

    /// The highest-seq live message, tombstones included.
    pub(super) fn last_message(&self, now: DateTime<Utc>) -> Option<Message> {
        self.live_messages(now).next_back().cloned()
    }

    /// Live messages by others after `last_read`, not deleted.
    pub(super) fn unread_count(
        &self,
        reader: UserId,
        last_read: Seq,
        now: DateTime<Utc>,
    ) -> Result<i64, RepositoryError> {
        let unread = self
            .live_messages(now)
            .filter(|m| m.seq > last_read && m.author_id != reader && !m.is_deleted())
            .count();
        i64::try_from(unread).map_err(RepositoryError::new)
    }

    /// The messages expired at `now` under `ttl`, oldest first.
    pub(super) fn expired(&self, ttl: MessageTtl, now: DateTime<Utc>) -> Vec<MessageId> {
        let mut expired: Vec<&Message> = self
            .messages
            .values()
            .filter(|message| message.is_expired(Some(ttl), now))
            .collect();
        expired.sort_by_key(|message| (message.created_at, message.seq));
        expired.into_iter().map(|message| message.id).collect()
    }

    /// Deletes the messages `ids` for good with every log entry about them; returns
    /// how many messages it deleted.
    pub(super) fn purge(&mut self, ids: &HashSet<MessageId>) -> u64 {
        self.log
            .retain(|_, entry| message_in(entry).is_none_or(|m| !ids.contains(&m.id)));
        let before = self.messages.len();
        self.messages
            .retain(|_, message| !ids.contains(&message.id));
        (before - self.messages.len()) as u64
    }

    /// `entry` as a replay shows it: an entry about a message carries the message
    /// as stored now (its latest edit, or its tombstone), as the SQL log, which
    /// keeps no copy of the message in the entry, reads it back.
    pub(super) fn replayed(&self, entry: &LoggedEvent) -> Result<LoggedEvent, RepositoryError> {
        let Some(logged) = message_in(entry) else {
            return Ok(entry.clone());
        };
        let current = self
            .messages
            .get(&logged.seq)
            .filter(|message| message.id == logged.id)
            .ok_or_else(|| RepositoryError::corrupt("a log entry outlived its message"))?;
        let payload = EventPayload::about_message(entry.payload.type_name(), current.clone())
            .ok_or_else(|| RepositoryError::corrupt("a message entry of another kind"))?;
        Ok(LoggedEvent {
            payload,
            ..entry.clone()
        })
    }
}

/// The message a log entry is about, if any.
pub(super) fn message_in(entry: &LoggedEvent) -> Option<&Message> {
    match &entry.payload {
        EventPayload::MessageCreated(message)
        | EventPayload::MessageUpdated(message)
        | EventPayload::MessageDeleted(message) => Some(message),
        _ => None,
    }
}
