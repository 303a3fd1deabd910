//! A log entry about a message stores no copy of it: the message's body is stored
//! once, in its row, and a replay shows every entry's message as it is now (the
//! latest edit, the tombstone), with its files.

use confab_domain::{LoggedEvent, Message, MessageBody, MessageId, Seq};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use super::attachments::{ids, stored, with_files};
use super::{new_message, send};
use crate::chats::{group, new_users, now};
use crate::contract_test;
use crate::support::{Stores, by};

/// Every `chat_events.payload` of the database, as stored.
async fn raw_payloads(db: &DatabaseConnection) -> Vec<String> {
    db.query_all_raw(Statement::from_string(
        db.get_database_backend(),
        "SELECT payload FROM chat_events",
    ))
    .await
    .expect("query")
    .iter()
    .map(|row| row.try_get::<String>("", "payload").expect("payload"))
    .collect()
}

/// Fails if any stored entry holds `text` (SQL backends; the reference store keeps
/// no rows to look into).
async fn assert_no_entry_stores(stores: &Stores, text: &str) {
    let Some(db) = &stores.raw else {
        return;
    };
    for payload in raw_payloads(db).await {
        assert!(
            !payload.contains(text),
            "an entry stores {text:?}: {payload}"
        );
    }
}

async fn replay(stores: &Stores, chat: confab_domain::ChatId) -> Vec<LoggedEvent> {
    stores
        .messages
        .events_after(chat, Seq::ZERO, 100, now())
        .await
        .expect("events")
}

/// The messages the entries about `id` carry, with their type names, in log order.
fn entries_of(log: &[LoggedEvent], id: MessageId) -> Vec<(&'static str, &Message)> {
    log.iter()
        .filter_map(|entry| {
            let message = entry.payload.message()?;
            (message.id == id).then_some((entry.payload.type_name(), message))
        })
        .collect()
}

async fn a_sent_body_is_stored_once(stores: Stores) {
    let users = new_users(&stores, 2).await;
    let chat = group(&stores.chats, users[0], &users[1..]).await;
    let body = format!("needle-{}", MessageId::generate().as_uuid().simple());
    let sent = send(&stores.messages, new_message(chat, users[0], &body, now())).await;
    assert_no_entry_stores(&stores, &body).await;
    let log = replay(&stores, chat).await;
    assert_eq!(
        entries_of(&log, sent.id),
        vec![("message.created", &sent)],
        "the entry still replays the message"
    );
}
contract_test!(a_sent_body_is_stored_once);

async fn a_replay_shows_the_latest_edit_and_never_deleted_text(stores: Stores) {
    let users = new_users(&stores, 2).await;
    let (alice, bob) = (users[0], users[1]);
    let chat = group(&stores.chats, alice, &[bob]).await;
    let sent = send(
        &stores.messages,
        new_message(chat, alice, "first take", now()),
    )
    .await;
    let kept = send(&stores.messages, new_message(chat, bob, "untouched", now())).await;
    let edited = stores
        .messages
        .edit(
            chat,
            sent.id,
            MessageBody::parse("second take").expect("valid"),
            now(),
            &by(alice),
        )
        .await
        .expect("edit")
        .message;
    assert_no_entry_stores(&stores, "first take").await;
    let log = replay(&stores, chat).await;
    assert_eq!(
        entries_of(&log, sent.id),
        vec![("message.created", &edited), ("message.updated", &edited)],
        "both entries show the message as it is now"
    );
    assert_eq!(entries_of(&log, kept.id), vec![("message.created", &kept)]);

    let tombstone = stores
        .messages
        .delete(chat, sent.id, now(), &by(alice))
        .await
        .expect("delete")
        .expect("a new tombstone")
        .message;
    assert_no_entry_stores(&stores, "second take").await;
    let log = replay(&stores, chat).await;
    assert_eq!(
        entries_of(&log, sent.id),
        vec![
            ("message.created", &tombstone),
            ("message.updated", &tombstone),
            ("message.deleted", &tombstone),
        ]
    );
    assert_eq!(entries_of(&log, kept.id), vec![("message.created", &kept)]);
    let seqs: Vec<_> = log.iter().map(|entry| entry.seq.get()).collect();
    assert_eq!(seqs, (1..=5).collect::<Vec<_>>(), "entries keep their seqs");
}
contract_test!(a_replay_shows_the_latest_edit_and_never_deleted_text);

async fn a_replay_carries_each_messages_files(stores: Stores) {
    let users = new_users(&stores, 2).await;
    let (alice, bob) = (users[0], users[1]);
    let chat = group(&stores.chats, alice, &[bob]).await;
    let (a, b, c) = (
        stored(&stores, alice).await,
        stored(&stores, alice).await,
        stored(&stores, bob).await,
    );
    let two = send(
        &stores.messages,
        with_files(new_message(chat, alice, "two", now()), &[&b, &a]),
    )
    .await;
    let text = send(&stores.messages, new_message(chat, bob, "text", now())).await;
    let one = send(
        &stores.messages,
        with_files(new_message(chat, bob, "one", now()), &[&c]),
    )
    .await;
    // An edit puts a second entry of the same message in the page.
    stores
        .messages
        .edit(
            chat,
            two.id,
            MessageBody::parse("two, edited").expect("valid"),
            now(),
            &by(alice),
        )
        .await
        .expect("edit");
    let log = replay(&stores, chat).await;
    let files = |id| -> Vec<_> {
        entries_of(&log, id)
            .into_iter()
            .map(|(kind, message)| (kind, ids(message)))
            .collect()
    };
    assert_eq!(
        files(two.id),
        vec![
            ("message.created", vec![b.id, a.id]),
            ("message.updated", vec![b.id, a.id]),
        ]
    );
    assert_eq!(files(text.id), vec![("message.created", vec![])]);
    assert_eq!(files(one.id), vec![("message.created", vec![c.id])]);
}
contract_test!(a_replay_carries_each_messages_files);
