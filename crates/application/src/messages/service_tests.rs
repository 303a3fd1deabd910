//! Service-level checks of the message use cases against in-memory ports.

use std::sync::Arc;

use confab_domain::{
    ChatId, ChatKind, EventPayload, MemberRole, MessageId, Seq, SessionId, UserId,
};

use super::fakes::FakeMessages;
use super::{
    DeleteMessageError, EditMessageError, MessageService, SendMessage, SendMessageError, Sent,
};
use crate::accounts::Authenticated;
use crate::chats::fakes::{FakeChats, FixedClock, RecordingBus};
use crate::ports::Notification;

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
    let members = vec![
        (owner, Some(MemberRole::Owner)),
        (member, Some(MemberRole::Member)),
        (other_member, Some(MemberRole::Member)),
    ];
    let chats = FakeChats::new(ChatKind::Group, members.clone(), &[]);
    let messages = Arc::new(FakeMessages::with_members(ChatKind::Group, members));
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
    assert_eq!(created.message, existing);
    assert_eq!(
        published_types(&f.bus),
        vec![("message.created", Some(created.message.seq))]
    );
}

#[tokio::test]
async fn outsiders_are_refused_and_bad_bodies_never_reach_storage() {
    let f = group();
    let outsider = auth(UserId::generate());
    // The membership check is the repository's, inside the send's transaction.
    assert!(matches!(
        f.service.send(&outsider, f.chat_id, hello()).await,
        Err(SendMessageError::ChatNotFound)
    ));
    assert!(f.bus.published().is_empty());
    let empty = SendMessage {
        body: String::new(),
        ..hello()
    };
    assert!(matches!(
        f.service.send(&auth(f.member), f.chat_id, empty).await,
        Err(SendMessageError::Validation(e)) if e.0[0].field == "body"
    ));
    assert_eq!(f.messages.writes(), vec!["send"]);
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
