//! Messages: exactly-once sends, who edits and deletes, and read receipts.

use confab_application::chats::{CreatedChat, NewChatRequest};
use confab_application::messages::{
    DeleteMessageError, EditMessageError, MessageService, SendMessage, SendMessageError, Sent,
};
use confab_application::ports::{Clock, Notification, SeqWindow};
use confab_domain::{ChatId, ChatKind, EventPayload, MessageId, Seq, UserId};

use crate::support::{Ports, auth};

struct Fixture {
    owner: UserId,
    member: UserId,
    other_member: UserId,
    chat_id: ChatId,
    ports: Ports,
    service: MessageService,
}

impl Fixture {
    /// The chat's log head as stored now.
    async fn head(&self) -> Seq {
        let snapshot = self.ports.chats.snapshot(self.chat_id).await.expect("read");
        snapshot.expect("the chat exists").chat.last_seq
    }

    /// The types of the log entries after `after`, as a client replaying it sees them.
    async fn logged_after(&self, after: Seq) -> Vec<&'static str> {
        let now = self.ports.clock.now();
        let log = self
            .ports
            .messages
            .events_after(self.chat_id, after, 100, now);
        let log = log.await.expect("read");
        log.iter().map(|entry| entry.payload.type_name()).collect()
    }

    /// What was published since the last look, as (type, seq).
    fn published(&self) -> Vec<(&'static str, Option<Seq>)> {
        self.ports
            .published()
            .into_iter()
            .map(|n| match n {
                Notification::Chat(event) => (event.payload.type_name(), event.seq),
                other => panic!("unexpected {other:?}"),
            })
            .collect()
    }
}

/// A group of an owner and two plain members; its creation is off the bus already.
async fn group() -> Fixture {
    let ports = Ports::new();
    let [owner, member, other_member] = [
        ports.user("owner").await,
        ports.user("member").await,
        ports.user("other").await,
    ];
    let request = NewChatRequest {
        kind: ChatKind::Group,
        name: Some("team".into()),
        member_ids: vec![member, other_member],
    };
    let created = ports.chat_service().create(&auth(owner), request).await;
    let Ok(CreatedChat::Created(view)) = created else {
        panic!("expected a new group, got {created:?}");
    };
    ports.published();
    Fixture {
        owner,
        member,
        other_member,
        chat_id: view.snapshot.chat.id,
        service: ports.message_service(),
        ports,
    }
}

fn hello() -> SendMessage {
    SendMessage {
        body: "hello".into(),
        attachment_ids: Vec::new(),
        reply_to_id: None,
        client_message_id: Some("k1".into()),
    }
}

#[tokio::test]
async fn a_retry_returns_the_original_and_publishes_nothing_more() {
    let f = group().await;
    let first = f.service.send(&auth(f.member), f.chat_id, hello()).await;
    let again = f.service.send(&auth(f.member), f.chat_id, hello()).await;
    let (Ok(Sent::Created(created)), Ok(Sent::Existing(existing))) = (first, again) else {
        panic!("expected Created then Existing");
    };
    assert_eq!(created.message, existing);
    assert_eq!(
        f.published(),
        vec![("message.created", Some(created.message.seq))]
    );
    assert_eq!(f.head().await, created.message.seq, "the retry took no seq");
}

#[tokio::test]
async fn outsiders_are_refused_and_bad_bodies_never_reach_storage() {
    let f = group().await;
    let head = f.head().await;
    let outsider = auth(UserId::generate());
    // The membership check is the repository's, inside the send's transaction.
    assert!(matches!(
        f.service.send(&outsider, f.chat_id, hello()).await,
        Err(SendMessageError::ChatNotFound)
    ));
    let empty = SendMessage {
        body: String::new(),
        attachment_ids: Vec::new(),
        ..hello()
    };
    assert!(matches!(
        f.service.send(&auth(f.member), f.chat_id, empty).await,
        Err(SendMessageError::Validation(e)) if e.0[0].field == "body"
    ));
    assert!(f.published().is_empty());
    assert_eq!(f.head().await, head, "nothing was logged");
    let now = f.ports.clock.now();
    let chat = f.ports.chats.snapshot(f.chat_id).await.expect("read");
    let chat = chat.expect("the chat").chat;
    let history = f.ports.messages.list(&chat, SeqWindow::Newest, 10, now);
    assert!(
        history.await.expect("read").is_empty(),
        "nothing was stored"
    );
}

#[tokio::test]
async fn only_the_author_edits_and_tombstones_refuse_edits() {
    let f = group().await;
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
    let f = group().await;
    let head = f.head().await;
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
    let types = ["message.created", "message.deleted"];
    assert_eq!(f.logged_after(head).await, types);
    let published: Vec<_> = f.published().into_iter().map(|(t, _)| t).collect();
    assert_eq!(published, types);
    assert!(matches!(
        f.service
            .delete(&auth(f.member), f.chat_id, MessageId::generate())
            .await,
        Err(DeleteMessageError::MessageNotFound)
    ));
}

#[tokio::test]
async fn moving_the_read_position_sends_an_unlogged_receipt() {
    let f = group().await;
    let sent = f
        .service
        .send(&auth(f.owner), f.chat_id, hello())
        .await
        .expect("sent");
    f.published();
    f.service
        .mark_read(&auth(f.member), f.chat_id, 99)
        .await
        .expect("marked");
    match f.ports.published().as_slice() {
        [Notification::Chat(event)] => {
            assert_eq!(event.seq, None);
            assert!(
                matches!(
                    event.payload,
                    EventPayload::ReadUpdated(position)
                        if position.user_id == f.member && position.seq == sent.message().seq
                ),
                "clamped to the head: {event:?}"
            );
        }
        other => panic!("expected one read.updated, got {other:?}"),
    }
    assert_eq!(f.head().await, sent.message().seq, "receipts take no seq");
    assert!(
        f.service
            .mark_read(&auth(f.member), f.chat_id, -1)
            .await
            .is_err()
    );
}
