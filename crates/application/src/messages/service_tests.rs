//! Service-level checks of the message use cases against in-memory ports.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use confab_domain::{
    ChatId, ChatKind, EventPayload, LoggedEvent, MemberRole, Message, MessageBody, MessageId, Seq,
    SessionId, UserId,
};

use super::{
    DeleteMessageError, EditMessageError, MessageService, SendMessage, SendMessageError, Sent,
};
use crate::accounts::Authenticated;
use crate::chats::fakes::{FakeChats, FixedClock, RecordingBus};
use crate::error::RepositoryError;
use crate::ports::{
    MessageRepository, MessageWriteError, NewMessage, Notification, SendOutcome, SeqWindow,
};

/// Holds at most one stored message; writes are recorded by name.
#[derive(Default)]
struct FakeMessages {
    stored: Mutex<Option<Message>>,
    writes: Mutex<Vec<&'static str>>,
}

impl FakeMessages {
    fn record(&self, what: &'static str) {
        self.writes.lock().expect("lock").push(what);
    }

    fn writes(&self) -> Vec<&'static str> {
        self.writes.lock().expect("lock").clone()
    }

    fn logged(message: Message, payload: fn(Message) -> EventPayload) -> LoggedEvent {
        LoggedEvent {
            chat_id: message.chat_id,
            seq: message.seq.next(),
            created_at: message.created_at,
            payload: payload(message),
        }
    }
}

#[async_trait]
impl MessageRepository for FakeMessages {
    async fn send(&self, new: NewMessage) -> Result<SendOutcome, MessageWriteError> {
        self.record("send");
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
        Ok(SendOutcome::Created(LoggedEvent {
            chat_id: message.chat_id,
            seq: message.seq,
            created_at: message.created_at,
            payload: EventPayload::MessageCreated(message),
        }))
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
        _: MessageId,
        body: MessageBody,
        now: DateTime<Utc>,
    ) -> Result<LoggedEvent, MessageWriteError> {
        self.record("edit");
        let mut stored = self.stored.lock().expect("lock");
        let message = stored.as_mut().ok_or(MessageWriteError::MessageNotFound)?;
        message.body = Some(body);
        message.edited_at = Some(now);
        Ok(Self::logged(message.clone(), EventPayload::MessageUpdated))
    }

    async fn delete(
        &self,
        _: ChatId,
        _: MessageId,
        now: DateTime<Utc>,
    ) -> Result<Option<LoggedEvent>, MessageWriteError> {
        self.record("delete");
        let mut stored = self.stored.lock().expect("lock");
        let message = stored.as_mut().ok_or(MessageWriteError::MessageNotFound)?;
        message.body = None;
        message.deleted_at = Some(now);
        Ok(Some(Self::logged(
            message.clone(),
            EventPayload::MessageDeleted,
        )))
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

struct Fixture {
    owner: UserId,
    member: UserId,
    other_member: UserId,
    chat_id: ChatId,
    messages: Arc<FakeMessages>,
    bus: Arc<RecordingBus>,
    service: MessageService,
}

fn group() -> Fixture {
    let [owner, member, other_member] = [(); 3].map(|()| UserId::generate());
    let chats = FakeChats::new(
        ChatKind::Group,
        vec![
            (owner, Some(MemberRole::Owner)),
            (member, Some(MemberRole::Member)),
            (other_member, Some(MemberRole::Member)),
        ],
    );
    let messages = Arc::new(FakeMessages::default());
    let bus = Arc::new(RecordingBus::default());
    let chat_id = chats.chat.id;
    let service = MessageService::new(messages.clone(), chats, Arc::new(FixedClock), bus.clone());
    Fixture {
        owner,
        member,
        other_member,
        chat_id,
        messages,
        bus,
        service,
    }
}

fn auth(user_id: UserId) -> Authenticated {
    Authenticated {
        user_id,
        session_id: SessionId::generate(),
    }
}

fn hello() -> SendMessage {
    SendMessage {
        body: "hello".into(),
        reply_to_id: None,
        client_message_id: Some("k1".into()),
    }
}

fn published_types(bus: &RecordingBus) -> Vec<(&'static str, Option<Seq>)> {
    bus.published()
        .into_iter()
        .map(|n| match n {
            Notification::Chat(event) => (event.payload.type_name(), event.seq),
            other => panic!("unexpected {other:?}"),
        })
        .collect()
}

#[tokio::test]
async fn a_retry_returns_the_original_and_publishes_nothing_more() {
    let f = group();
    let first = f.service.send(&auth(f.member), f.chat_id, hello()).await;
    let again = f.service.send(&auth(f.member), f.chat_id, hello()).await;
    let (Ok(Sent::Created(created)), Ok(Sent::Existing(existing))) = (first, again) else {
        panic!("expected Created then Existing");
    };
    assert_eq!(created, existing);
    assert_eq!(
        published_types(&f.bus),
        vec![("message.created", Some(created.seq))]
    );
}

#[tokio::test]
async fn outsiders_and_bad_bodies_never_reach_storage() {
    let f = group();
    let outsider = auth(UserId::generate());
    assert!(matches!(
        f.service.send(&outsider, f.chat_id, hello()).await,
        Err(SendMessageError::ChatNotFound)
    ));
    let empty = SendMessage {
        body: String::new(),
        ..hello()
    };
    assert!(matches!(
        f.service.send(&auth(f.member), f.chat_id, empty).await,
        Err(SendMessageError::Validation(e)) if e.0[0].field == "body"
    ));
    assert!(f.messages.writes().is_empty());
}

#[tokio::test]
async fn only_the_author_edits_and_tombstones_refuse_edits() {
    let f = group();
    let sent = f
        .service
        .send(&auth(f.member), f.chat_id, hello())
        .await
        .expect("sent");
    let id = sent.message().id;
    for who in [f.owner, f.other_member] {
        assert!(matches!(
            f.service.edit(&auth(who), f.chat_id, id, "x".into()).await,
            Err(EditMessageError::Forbidden)
        ));
    }
    let edited = f
        .service
        .edit(&auth(f.member), f.chat_id, id, "changed".into())
        .await
        .expect("author edits");
    assert!(edited.edited_at.is_some());
    f.service
        .delete(&auth(f.owner), f.chat_id, id)
        .await
        .expect("owner deletes");
    assert!(matches!(
        f.service
            .edit(&auth(f.member), f.chat_id, id, "again".into())
            .await,
        Err(EditMessageError::MessageDeleted)
    ));
}

#[tokio::test]
async fn deleting_needs_author_or_manager_and_a_tombstone_logs_nothing() {
    let f = group();
    let sent = f
        .service
        .send(&auth(f.member), f.chat_id, hello())
        .await
        .expect("sent");
    let id = sent.message().id;
    assert!(matches!(
        f.service.delete(&auth(f.other_member), f.chat_id, id).await,
        Err(DeleteMessageError::Forbidden)
    ));
    f.service
        .delete(&auth(f.member), f.chat_id, id)
        .await
        .expect("author deletes");
    f.service
        .delete(&auth(f.member), f.chat_id, id)
        .await
        .expect("again is fine");
    assert_eq!(f.messages.writes(), vec!["send", "delete"]);
    let types: Vec<_> = published_types(&f.bus)
        .into_iter()
        .map(|(t, _)| t)
        .collect();
    assert_eq!(types, vec!["message.created", "message.deleted"]);
    assert!(matches!(
        f.service
            .delete(&auth(f.member), f.chat_id, MessageId::generate())
            .await,
        Err(DeleteMessageError::MessageNotFound)
    ));
}

#[tokio::test]
async fn moving_the_read_position_sends_an_unlogged_receipt() {
    let f = group();
    f.service
        .mark_read(&auth(f.member), f.chat_id, 99)
        .await
        .expect("marked");
    match f.bus.published().as_slice() {
        [Notification::Chat(event)] => {
            assert_eq!(event.seq, None);
            assert!(matches!(
                event.payload,
                EventPayload::ReadUpdated(position)
                    if position.user_id == f.member && position.seq == Seq::new(5).expect("valid")
            ));
        }
        other => panic!("expected one read.updated, got {other:?}"),
    }
    assert!(
        f.service
            .mark_read(&auth(f.member), f.chat_id, -1)
            .await
            .is_err()
    );
}
