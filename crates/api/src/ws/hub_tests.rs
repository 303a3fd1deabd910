//! Unit tests of the hub's routing.

use std::sync::Arc;

use confab_application::ports::{ChatEvent, Notification};
use confab_domain::{ChatId, EventPayload, MemberChange, Seq, SessionId, Typing, UserId};

use super::{Delivery, Hub, Registration};
use crate::ws::close::CloseReason;

fn typing(chat_id: ChatId) -> Notification {
    Notification::Chat(ChatEvent {
        chat_id,
        seq: None,
        payload: EventPayload::Typing(Typing {
            user_id: UserId::generate(),
        }),
    })
}

fn member(chat_id: ChatId, user_id: UserId, added: bool) -> Notification {
    let change = MemberChange {
        user_id,
        role: None,
        actor_id: Some(user_id),
    };
    Notification::Chat(ChatEvent {
        chat_id,
        seq: Some(Seq::new(5).expect("valid")),
        payload: if added {
            EventPayload::MemberAdded(change)
        } else {
            EventPayload::MemberRemoved(change)
        },
    })
}

fn received(registration: &mut Registration) -> usize {
    let mut count = 0;
    while let Ok(delivery) = registration.queue.try_recv() {
        assert!(matches!(delivery, Delivery::Chat(_)));
        count += 1;
    }
    count
}

#[test]
fn followers_get_their_chats_and_pending_sockets_get_everything() {
    let hub = Hub::new();
    let (chat, other) = (ChatId::generate(), ChatId::generate());
    let mut ready = hub.register(UserId::generate(), SessionId::generate(), 8);
    hub.ready(ready.id, [chat]);
    let mut pending = hub.register(UserId::generate(), SessionId::generate(), 8);
    hub.dispatch(typing(chat));
    hub.dispatch(typing(other));
    assert_eq!(received(&mut ready), 1);
    assert_eq!(received(&mut pending), 2);
}

#[test]
fn an_added_member_follows_at_once_and_a_removed_one_stops_after_its_removal() {
    let hub = Hub::new();
    let (chat, user) = (ChatId::generate(), UserId::generate());
    let mut socket = hub.register(user, SessionId::generate(), 8);
    hub.ready(socket.id, []);
    hub.dispatch(typing(chat));
    assert_eq!(received(&mut socket), 0);
    hub.dispatch(member(chat, user, true));
    hub.dispatch(typing(chat));
    assert_eq!(received(&mut socket), 2);
    hub.dispatch(member(chat, user, false));
    hub.dispatch(typing(chat));
    assert_eq!(received(&mut socket), 1, "its own removal, then nothing");
}

#[test]
fn revocation_closes_only_the_revoked_sessions() {
    let hub = Hub::new();
    let user = UserId::generate();
    let (revoked, kept) = (SessionId::generate(), SessionId::generate());
    let gone = hub.register(user, revoked, 8);
    let stays = hub.register(user, kept, 8);
    hub.dispatch(Notification::SessionsRevoked {
        user_id: user,
        session_ids: vec![revoked],
    });
    assert_eq!(*gone.close.borrow(), Some(CloseReason::SessionRevoked));
    assert_eq!(*stays.close.borrow(), None);
}

#[test]
fn a_full_queue_closes_the_socket_as_a_slow_consumer() {
    let hub = Arc::new(Hub::new());
    let chat = ChatId::generate();
    let socket = hub.register(UserId::generate(), SessionId::generate(), 2);
    hub.ready(socket.id, [chat]);
    for _ in 0..3 {
        hub.dispatch(typing(chat));
    }
    assert_eq!(*socket.close.borrow(), Some(CloseReason::SlowConsumer));
    hub.unregister(socket.id);
    assert!(hub.is_empty());
}

#[test]
fn a_gap_reaches_every_socket() {
    let hub = Hub::new();
    let mut a = hub.register(UserId::generate(), SessionId::generate(), 8);
    hub.ready(a.id, []);
    hub.dispatch(Notification::Gap);
    assert!(matches!(a.queue.try_recv(), Ok(Delivery::Gap)));
}

#[test]
fn close_all_asks_every_socket_to_close() {
    let hub = Hub::new();
    let a = hub.register(UserId::generate(), SessionId::generate(), 8);
    let b = hub.register(UserId::generate(), SessionId::generate(), 8);
    hub.close_all(CloseReason::Restart);
    assert_eq!(*a.close.borrow(), Some(CloseReason::Restart));
    assert_eq!(*b.close.borrow(), Some(CloseReason::Restart));
}
