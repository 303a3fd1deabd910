//! Realtime: typing notices, revoked sessions, join events and catch-up pages.

use chrono::TimeDelta;
use confab_application::accounts::Authenticated;
use confab_application::chats::{CreatedChat, NewChatRequest};
use confab_application::messages::SendMessage;
use confab_application::ports::{ChatEvent, Clock, NewSession, Notification, TokenHash};
use confab_application::realtime::{CATCH_UP_PAGE, TypingError};
use confab_domain::{ChatId, ChatKind, EventPayload, LoggedEvent, Seq, SessionId, Typing, UserId};

use crate::support::{Ports, auth};

struct Setup {
    ports: Ports,
    member: UserId,
    chat_id: ChatId,
}

/// A group whose one member is `member`; its creation is off the bus already.
async fn setup() -> Setup {
    let ports = Ports::new();
    let member = ports.user("member").await;
    let request = NewChatRequest {
        kind: ChatKind::Group,
        name: Some("solo".into()),
        member_ids: Vec::new(),
    };
    let created = ports.chat_service().create(&auth(member), request).await;
    let Ok(CreatedChat::Created(view)) = created else {
        panic!("expected a new group, got {created:?}");
    };
    ports.published();
    Setup {
        member,
        chat_id: view.snapshot.chat.id,
        ports,
    }
}

impl Setup {
    /// Sends `count` messages as the member.
    async fn send(&self, count: usize) {
        let service = self.ports.message_service();
        let author = auth(self.member);
        for i in 0..count {
            let message = SendMessage {
                body: format!("m{i}"),
                attachment_ids: Vec::new(),
                reply_to_id: None,
                client_message_id: None,
            };
            let sent = service.send(&author, self.chat_id, message);
            sent.await.expect("sent");
        }
    }
}

fn seq(n: i64) -> Seq {
    Seq::new(n).expect("valid")
}

#[tokio::test]
async fn typing_is_refused_to_strangers_and_published_for_members() {
    let s = setup().await;
    let service = s.ports.realtime();
    let stranger = auth(UserId::generate());
    assert!(matches!(
        service.typing(&stranger, s.chat_id).await,
        Err(TypingError::ChatNotFound)
    ));
    assert!(s.ports.published().is_empty());
    service
        .typing(&auth(s.member), s.chat_id)
        .await
        .expect("member");
    assert_eq!(
        s.ports.published(),
        vec![Notification::Chat(ChatEvent {
            chat_id: s.chat_id,
            seq: None,
            payload: EventPayload::Typing(Typing { user_id: s.member }),
        })]
    );
}

#[tokio::test]
async fn a_session_counts_as_revoked_once_revoked_gone_or_someone_elses() {
    let s = setup().await;
    let service = s.ports.realtime();
    let now = s.ports.clock.now();
    let store = |id: SessionId, expires_at| {
        s.ports.sessions.create(NewSession {
            id,
            user_id: s.member,
            device_name: None,
            refresh_token_hash: TokenHash(id.to_string()),
            now,
            expires_at,
        })
    };
    let session_id = SessionId::generate();
    store(session_id, now + TimeDelta::days(1))
        .await
        .expect("stored")
        .expect("an enabled account");
    let expired = SessionId::generate();
    store(expired, now - TimeDelta::days(1))
        .await
        .expect("stored")
        .expect("an enabled account");
    let as_member = |session_id| Authenticated {
        user_id: s.member,
        session_id,
    };
    let old = as_member(expired);
    assert!(
        !service.session_revoked(&old).await.expect("read"),
        "expiry does not count"
    );
    let mine = as_member(session_id);
    assert!(!service.session_revoked(&mine).await.expect("read"));
    let other_user = Authenticated {
        user_id: UserId::generate(),
        session_id,
    };
    assert!(service.session_revoked(&other_user).await.expect("read"));
    let unknown = as_member(SessionId::generate());
    assert!(service.session_revoked(&unknown).await.expect("read"));
    let revoke = s.ports.sessions.revoke(s.member, session_id, now);
    assert!(revoke.await.expect("revoke"));
    assert!(service.session_revoked(&mine).await.expect("read"));
}

#[tokio::test]
async fn a_join_carries_its_member_added_seq_and_a_rejoin_the_current_head() {
    let s = setup().await;
    s.send(2).await;
    let service = s.ports.realtime();
    let joined = service
        .joined(s.chat_id, seq(2))
        .await
        .expect("read")
        .expect("chat");
    assert_eq!(joined.seq, Some(seq(2)));
    assert!(matches!(joined.payload, EventPayload::ChatCreated(_)));
    let rejoined = service
        .rejoined(s.chat_id)
        .await
        .expect("read")
        .expect("chat");
    assert_eq!(
        rejoined.seq,
        Some(seq(3)),
        "the head: created, then two sends"
    );
    let gone = service.joined(ChatId::generate(), seq(1)).await;
    assert!(gone.expect("read").is_none());
}

#[tokio::test]
async fn log_pages_are_read_after_the_cursor_in_catch_up_pages() {
    let s = setup().await;
    let page = usize::try_from(CATCH_UP_PAGE).expect("small");
    s.send(page + 5).await; // seqs 2..=page+6
    let service = s.ports.realtime();
    let seqs =
        |log: Vec<LoggedEvent>| -> Vec<i64> { log.iter().map(|entry| entry.seq.get()).collect() };
    let full = seqs(service.log_after(s.chat_id, seq(3)).await.expect("read"));
    let page_end = 3 + i64::try_from(page).expect("small");
    assert_eq!(full, (4..=page_end).collect::<Vec<_>>(), "one full page");
    let rest = seqs(
        service
            .log_after(s.chat_id, seq(page_end))
            .await
            .expect("read"),
    );
    assert_eq!(rest.len(), 3, "then the short page that ends the catch-up");
}
