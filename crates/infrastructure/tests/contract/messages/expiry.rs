//! Expired messages stay gone: after a TTL is raised or cleared, and when a send is
//! retried with the `client_message_id` of an expired original.

use chrono::{DateTime, Duration, Utc};
use confab_application::ports::{ChatChanges, NewMessage, SendOutcome, SeqWindow};
use confab_domain::{ChatId, ClientMessageId, Message, MessageId, MessageTtl, Seq};

use super::{Fixture, current, fixture, new_message, send, send_at_once, seq};
use crate::chats::now;
use crate::contract_test;
use crate::support::{Stores, by};

async fn set_ttl(f: &Fixture, seconds: Option<i64>, at: DateTime<Utc>) {
    let ttl = seconds.map(|s| MessageTtl::from_seconds(s).expect("valid ttl"));
    let changes = ChatChanges {
        name: None,
        message_ttl: Some(ttl),
    };
    let event = f
        .chats
        .update(f.chat, changes, at, &by(f.users[0]))
        .await
        .expect("update");
    assert!(event.is_some(), "the TTL changed");
}

/// The seqs `events_after` replays from the start, seen at `at`.
async fn logged_seqs(f: &Fixture, at: DateTime<Utc>) -> Vec<i64> {
    let log = f
        .messages
        .events_after(f.chat, Seq::ZERO, 100, at)
        .await
        .expect("log");
    log.iter().map(|e| e.seq.get()).collect()
}

/// The ids of the messages a reader sees at `at`, oldest first.
async fn listed_ids(f: &Fixture, at: DateTime<Utc>) -> Vec<MessageId> {
    let listed = f
        .messages
        .list(
            &current(&f.chats, f.chat).await,
            SeqWindow::After(Seq::ZERO),
            100,
            at,
        )
        .await
        .expect("list");
    listed.iter().map(|m| m.id).collect()
}

async fn is_gone(f: &Fixture, message: &Message, at: DateTime<Utc>) -> bool {
    let got = f
        .messages
        .get(&current(&f.chats, f.chat).await, message.id, at)
        .await
        .expect("get");
    got.is_none()
}

async fn raising_or_clearing_the_ttl_keeps_expired_messages_gone(stores: Stores) {
    let f = fixture(&stores).await;
    let t0 = now() - Duration::minutes(10);
    set_ttl(&f, Some(60), t0).await; // seq 2
    let old = send(&f.messages, new_message(f.chat, f.users[1], "old", t0)).await; // seq 3
    let at = now();
    let fresh = send(&f.messages, new_message(f.chat, f.users[0], "new", at)).await; // seq 4
    assert!(is_gone(&f, &old, at).await, "expired under the 60 s TTL");

    // Raised to a day before the reaper ran: under the new TTL `old` would be live.
    set_ttl(&f, Some(86_400), at).await; // seq 5
    assert!(is_gone(&f, &old, at).await, "hidden once, hidden for good");
    assert_eq!(listed_ids(&f, at).await, vec![fresh.id]);
    assert_eq!(logged_seqs(&f, at).await, vec![1, 2, 4, 5]);

    // Expired under the one-day TTL, then the TTL is cleared.
    let older = at - Duration::days(2);
    let old2 = send(&f.messages, new_message(f.chat, f.users[1], "old2", older)).await; // seq 6
    assert_eq!(old2.seq, seq(6));
    assert!(
        is_gone(&f, &old2, at).await,
        "expired under the one-day TTL"
    );
    set_ttl(&f, None, at).await; // seq 7
    for message in [&old, &old2] {
        assert!(is_gone(&f, message, at).await, "no TTL brings it back");
    }
    assert_eq!(listed_ids(&f, at).await, vec![fresh.id]);
    assert_eq!(logged_seqs(&f, at).await, vec![1, 2, 4, 5, 7]);
    let view = f
        .chats
        .view(f.chat, f.users[0], at)
        .await
        .expect("view")
        .expect("member");
    assert_eq!(view.last_message.map(|m| m.id), Some(fresh.id));
    assert_eq!(
        view.unread_count, 0,
        "expired messages by others are not counted"
    );
    // Nothing was left behind for the reaper.
    assert_eq!(f.messages.purge_expired(at, 10).await.expect("purge"), 0);
}
contract_test!(raising_or_clearing_the_ttl_keeps_expired_messages_gone);

fn keyed(f: &Fixture, key: &ClientMessageId, body: &str, at: DateTime<Utc>) -> NewMessage {
    let mut new = new_message(f.chat, f.users[0], body, at);
    new.client_message_id = Some(key.clone());
    new
}

/// A chat with a 60 s TTL and a keyed message sent ten minutes ago (seq 3).
async fn expired_original(f: &Fixture, key: &ClientMessageId) -> Message {
    let t0 = now() - Duration::minutes(10);
    set_ttl(f, Some(60), t0).await;
    let original = send(&f.messages, keyed(f, key, "first", t0)).await;
    assert_eq!(original.seq, seq(3));
    original
}

async fn a_retry_of_an_expired_message_stores_a_new_one(stores: Stores) {
    let f = fixture(&stores).await;
    let key = ClientMessageId::parse("late-retry").expect("valid");
    let original = expired_original(&f, &key).await;
    let at = now();

    let retried = send(&f.messages, keyed(&f, &key, "again", at)).await;
    assert_ne!(
        retried.id, original.id,
        "the expired original is never returned"
    );
    assert_eq!(retried.seq, seq(4));
    assert_eq!(retried.client_message_id, Some(key.clone()));
    // A further retry is answered with the new, live message.
    match f
        .messages
        .send(keyed(&f, &key, "third", at))
        .await
        .expect("send")
    {
        SendOutcome::Existing(message) => assert_eq!(message, retried),
        SendOutcome::Created(event) => panic!("stored twice: {event:?}"),
    }
    // The original and its entry are deleted for good: even seen from before it
    // expired, they are missing.
    let before_expiry = original.created_at + Duration::seconds(1);
    assert!(is_gone(&f, &original, before_expiry).await);
    assert!(!logged_seqs(&f, before_expiry).await.contains(&3));
    assert_eq!(listed_ids(&f, at).await, vec![retried.id]);
    assert_eq!(logged_seqs(&f, at).await, vec![1, 2, 4]);
}
contract_test!(a_retry_of_an_expired_message_stores_a_new_one);

async fn concurrent_retries_of_an_expired_message_store_one_new_message(stores: Stores) {
    let f = fixture(&stores).await;
    let key = ClientMessageId::parse("late-burst").expect("valid");
    let original = expired_original(&f, &key).await;
    let at = now();
    let (created, ids) = send_at_once(
        &f,
        (0..8).map(|i| keyed(&f, &key, &format!("retry {i}"), at)),
    )
    .await;
    assert_eq!(created, 1, "one retry stores the new message");
    assert_eq!(ids.len(), 1, "every retry answers with that one message");
    assert_ne!(ids[0], original.id);
    assert_eq!(listed_ids(&f, at).await, ids);
    let head = snapshot_last_seq(&f, f.chat).await;
    assert_eq!(head, seq(4), "only the stored retry took a seq");
    assert_eq!(logged_seqs(&f, at).await, vec![1, 2, 4]);
}
contract_test!(concurrent_retries_of_an_expired_message_store_one_new_message);

async fn snapshot_last_seq(f: &Fixture, chat: ChatId) -> Seq {
    let snapshot = f.chats.snapshot(chat).await.expect("read").expect("chat");
    snapshot.chat.last_seq
}
