//! Service tests of the realtime use cases over in-memory ports.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use confab_domain::{
    ChatId, ChatKind, EventPayload, LoggedEvent, Message, MessageBody, MessageId, Seq, SessionId,
    Typing, UserId,
};

use super::{CATCH_UP_PAGE, RealtimeService, TypingError};
use crate::accounts::Authenticated;
use crate::accounts::fakes::Store;
use crate::chats::fakes::{FakeChats, FixedClock, RecordingBus};
use crate::error::RepositoryError;
use crate::ports::{
    ChatEvent, Clock, DeleteWriteError, EditWriteError, Guard, LockedMessage, MessageRepository,
    MessageWritten, NewMessage, NewSession, Notification, SendOutcome, SendWriteError, SeqWindow,
    SessionRepository, TokenHash,
};

/// Answers `events_after` with nothing, remembering what was asked.
#[derive(Default)]
struct LogReads(Mutex<Vec<(ChatId, Seq, u64)>>);

fn unused() -> RepositoryError {
    RepositoryError::corrupt("not used by the realtime service")
}

#[async_trait]
impl MessageRepository for LogReads {
    async fn send(&self, _: NewMessage) -> Result<SendOutcome, SendWriteError> {
        Err(unused().into())
    }
    async fn list(
        &self,
        _: ChatId,
        _: SeqWindow,
        _: u64,
        _: DateTime<Utc>,
    ) -> Result<Vec<Message>, RepositoryError> {
        Err(unused())
    }
    async fn get(
        &self,
        _: ChatId,
        _: MessageId,
        _: DateTime<Utc>,
    ) -> Result<Option<Message>, RepositoryError> {
        Err(unused())
    }
    async fn edit(
        &self,
        _: ChatId,
        _: MessageId,
        _: MessageBody,
        _: DateTime<Utc>,
        _: &Guard<'_, LockedMessage>,
    ) -> Result<MessageWritten, EditWriteError> {
        Err(unused().into())
    }
    async fn delete(
        &self,
        _: ChatId,
        _: MessageId,
        _: DateTime<Utc>,
        _: &Guard<'_, LockedMessage>,
    ) -> Result<Option<MessageWritten>, DeleteWriteError> {
        Err(unused().into())
    }
    async fn events_after(
        &self,
        chat_id: ChatId,
        after: Seq,
        limit: u64,
        _: DateTime<Utc>,
    ) -> Result<Vec<LoggedEvent>, RepositoryError> {
        self.0.lock().expect("lock").push((chat_id, after, limit));
        Ok(Vec::new())
    }
    async fn purge_expired(&self, _: DateTime<Utc>, _: u64) -> Result<u64, RepositoryError> {
        Err(unused())
    }
}

struct Setup {
    service: RealtimeService,
    chats: Arc<FakeChats>,
    bus: Arc<RecordingBus>,
    sessions: Arc<Store>,
    log: Arc<LogReads>,
    member: UserId,
}

fn setup() -> Setup {
    let member = UserId::generate();
    let chats = FakeChats::new(ChatKind::Group, vec![(member, None)], &[]);
    let bus = Arc::new(RecordingBus::default());
    let sessions = Arc::new(Store::default());
    let log = Arc::new(LogReads::default());
    let service = RealtimeService::new(
        chats.clone(),
        log.clone(),
        sessions.clone(),
        Arc::new(FixedClock),
        bus.clone(),
    );
    Setup {
        service,
        chats,
        bus,
        sessions,
        log,
        member,
    }
}

fn auth(user_id: UserId, session_id: SessionId) -> Authenticated {
    Authenticated {
        user_id,
        session_id,
    }
}

#[tokio::test]
async fn typing_is_refused_to_strangers_and_published_for_members() {
    let s = setup();
    let chat_id = s.chats.chat.id;
    let stranger = auth(UserId::generate(), SessionId::generate());
    assert!(matches!(
        s.service.typing(&stranger, chat_id).await,
        Err(TypingError::ChatNotFound)
    ));
    assert!(s.bus.published().is_empty());
    let member = auth(s.member, SessionId::generate());
    s.service.typing(&member, chat_id).await.expect("member");
    assert_eq!(
        s.bus.published(),
        vec![Notification::Chat(ChatEvent {
            chat_id,
            seq: None,
            payload: EventPayload::Typing(Typing { user_id: s.member }),
        })]
    );
}

#[tokio::test]
async fn a_session_counts_as_revoked_once_revoked_gone_or_someone_elses() {
    let s = setup();
    let now = FixedClock.now();
    let store = |id, expires_at| {
        s.sessions.create(NewSession {
            id,
            user_id: s.member,
            device_name: None,
            refresh_token_hash: TokenHash(id.to_string()),
            now,
            expires_at,
        })
    };
    let session_id = SessionId::generate();
    store(session_id, now + chrono::TimeDelta::days(1))
        .await
        .expect("stored");
    let expired = SessionId::generate();
    store(expired, now - chrono::TimeDelta::days(1))
        .await
        .expect("stored");
    let old = auth(s.member, expired);
    assert!(
        !s.service.session_revoked(&old).await.expect("read"),
        "expiry does not count"
    );
    let mine = auth(s.member, session_id);
    assert!(!s.service.session_revoked(&mine).await.expect("read"));
    let other_user = auth(UserId::generate(), session_id);
    assert!(s.service.session_revoked(&other_user).await.expect("read"));
    let unknown = auth(s.member, SessionId::generate());
    assert!(s.service.session_revoked(&unknown).await.expect("read"));
    assert!(
        s.sessions
            .revoke(s.member, session_id, now)
            .await
            .expect("revoke")
    );
    assert!(s.service.session_revoked(&mine).await.expect("read"));
}

#[tokio::test]
async fn a_join_carries_its_member_added_seq_and_a_rejoin_the_current_head() {
    let s = setup();
    let chat_id = s.chats.chat.id;
    let seq = Seq::new(3).expect("valid");
    let joined = s
        .service
        .joined(chat_id, seq)
        .await
        .expect("read")
        .expect("chat");
    assert_eq!(joined.seq, Some(seq));
    assert!(matches!(joined.payload, EventPayload::ChatCreated(_)));
    let rejoined = s
        .service
        .rejoined(chat_id)
        .await
        .expect("read")
        .expect("chat");
    assert_eq!(rejoined.seq, Some(s.chats.chat.last_seq));
}

#[tokio::test]
async fn log_pages_are_read_after_the_cursor_in_catch_up_pages() {
    let s = setup();
    let chat_id = s.chats.chat.id;
    let after = Seq::new(7).expect("valid");
    assert!(
        s.service
            .log_after(chat_id, after)
            .await
            .expect("read")
            .is_empty()
    );
    assert_eq!(
        s.log.0.lock().expect("lock").clone(),
        vec![(chat_id, after, CATCH_UP_PAGE)]
    );
}
