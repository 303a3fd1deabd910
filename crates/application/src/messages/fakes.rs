//! An in-memory message store for the service tests: one message at most, writes
//! recorded by name.

use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use confab_domain::permissions::Actor;
use confab_domain::{
    ChatId, ChatKind, EventPayload, LoggedEvent, MemberRole, Message, MessageBody, MessageId, Seq,
    UserId,
};

use crate::error::RepositoryError;
use crate::ports::{
    DeleteWriteError, EditWriteError, Guard, LockedChat, LockedMessage, MessageRepository,
    MessageWritten, NewMessage, Refusal, SendOutcome, SendWriteError, SeqWindow,
};

/// Holds at most one stored message; writes are recorded by name. Like the real
/// store, it refuses a send by anyone but `members`.
pub(super) struct FakeMessages {
    kind: ChatKind,
    members: Vec<(UserId, Option<MemberRole>)>,
    stored: Mutex<Option<Message>>,
    writes: Mutex<Vec<&'static str>>,
}

impl FakeMessages {
    /// An empty store whose chat is of `kind` and has these members.
    pub(super) fn with_members(kind: ChatKind, members: Vec<(UserId, Option<MemberRole>)>) -> Self {
        Self {
            kind,
            members,
            stored: Mutex::default(),
            writes: Mutex::default(),
        }
    }

    fn is_member(&self, user_id: UserId) -> bool {
        self.members.iter().any(|(id, _)| *id == user_id)
    }

    /// Runs `guard` as the real adapter does: membership first, then the message,
    /// then the rule. Returns the stored message's slot.
    fn guarded(
        &self,
        id: MessageId,
        guard: &Guard<'_, LockedMessage>,
    ) -> Result<Message, DeleteWriteError> {
        let (user_id, role) = *self
            .members
            .iter()
            .find(|(id, _)| *id == guard.actor)
            .ok_or(Refusal::NotMember)?;
        let message = self
            .stored
            .lock()
            .expect("lock")
            .clone()
            .filter(|m| m.id == id)
            .ok_or(DeleteWriteError::MessageNotFound)?;
        guard.check(&LockedMessage {
            chat: LockedChat {
                kind: self.kind,
                actor: Actor { user_id, role },
                target: None,
            },
            author: message.author_id,
        })?;
        Ok(message)
    }

    fn record(&self, what: &'static str) {
        self.writes.lock().expect("lock").push(what);
    }

    pub(super) fn writes(&self) -> Vec<&'static str> {
        self.writes.lock().expect("lock").clone()
    }

    fn logged(message: Message, payload: fn(Message) -> EventPayload) -> MessageWritten {
        let entry = LoggedEvent {
            chat_id: message.chat_id,
            seq: message.seq.next(),
            created_at: message.created_at,
            payload: payload(message.clone()),
        };
        MessageWritten { message, entry }
    }
}

#[async_trait]
impl MessageRepository for FakeMessages {
    async fn send(&self, new: NewMessage) -> Result<SendOutcome, SendWriteError> {
        self.record("send");
        if !self.is_member(new.author_id) {
            return Err(SendWriteError::NotMember);
        }
        let mut stored = self.stored.lock().expect("lock");
        if let Some(existing) = stored.as_ref() {
            return Ok(SendOutcome::Existing(existing.clone()));
        }
        let message = Message {
            id: new.id,
            chat_id: new.chat_id,
            seq: Seq::new(2).expect("valid"),
            author_id: new.author_id,
            body: Some(new.body),
            reply_to_id: new.reply_to_id,
            client_message_id: new.client_message_id,
            created_at: new.now,
            edited_at: None,
            deleted_at: None,
        };
        *stored = Some(message.clone());
        let entry = LoggedEvent {
            chat_id: message.chat_id,
            seq: message.seq,
            created_at: message.created_at,
            payload: EventPayload::MessageCreated(message.clone()),
        };
        Ok(SendOutcome::Created(Box::new(MessageWritten {
            message,
            entry,
        })))
    }

    async fn list(
        &self,
        _: ChatId,
        _: SeqWindow,
        _: u64,
        _: DateTime<Utc>,
    ) -> Result<Vec<Message>, RepositoryError> {
        Ok(self.stored.lock().expect("lock").iter().cloned().collect())
    }

    async fn get(
        &self,
        _: ChatId,
        id: MessageId,
        _: DateTime<Utc>,
    ) -> Result<Option<Message>, RepositoryError> {
        Ok(self
            .stored
            .lock()
            .expect("lock")
            .clone()
            .filter(|m| m.id == id))
    }

    async fn edit(
        &self,
        _: ChatId,
        id: MessageId,
        body: MessageBody,
        now: DateTime<Utc>,
        guard: &Guard<'_, LockedMessage>,
    ) -> Result<MessageWritten, EditWriteError> {
        let mut message = self.guarded(id, guard)?;
        if message.is_deleted() {
            return Err(EditWriteError::Deleted);
        }
        self.record("edit");
        message.body = Some(body);
        message.edited_at = Some(now);
        *self.stored.lock().expect("lock") = Some(message.clone());
        Ok(Self::logged(message, EventPayload::MessageUpdated))
    }

    async fn delete(
        &self,
        _: ChatId,
        id: MessageId,
        now: DateTime<Utc>,
        guard: &Guard<'_, LockedMessage>,
    ) -> Result<Option<MessageWritten>, DeleteWriteError> {
        let mut message = self.guarded(id, guard)?;
        if message.is_deleted() {
            return Ok(None);
        }
        self.record("delete");
        message.body = None;
        message.deleted_at = Some(now);
        *self.stored.lock().expect("lock") = Some(message.clone());
        Ok(Some(Self::logged(message, EventPayload::MessageDeleted)))
    }

    async fn events_after(
        &self,
        _: ChatId,
        _: Seq,
        _: u64,
        _: DateTime<Utc>,
    ) -> Result<Vec<LoggedEvent>, RepositoryError> {
        Ok(Vec::new())
    }

    async fn purge_expired(&self, _: DateTime<Utc>, _: u64) -> Result<u64, RepositoryError> {
        Ok(0)
    }
}
