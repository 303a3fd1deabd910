//! Contract of `MessageRepository`: sends and their seqs, exactly-once retries,
//! pagination, edits and tombstones, the log, unread counts and disappearing messages.

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use confab_application::ports::{
    ChatChanges, ChatRepository, EditWriteError, MessageRepository, NewMessage, Refusal,
    SendOutcome, SendWriteError, SeqWindow,
};
use confab_domain::{
    Chat, ChatId, ClientMessageId, EventPayload, Message, MessageBody, MessageId, MessageTtl, Seq,
    UserId,
};

use crate::chats::{group, new_users, now};
use crate::contract_test;
use crate::support::{Stores, by};

mod attachments;
mod batching;
mod expiry;
mod membership;
mod pages;
mod reaper;
mod replay;

/// The chat as stored now, as a history read gets it with the reader's membership.
async fn current(chats: &Arc<dyn ChatRepository>, id: ChatId) -> Chat {
    chats
        .snapshot(id)
        .await
        .expect("snapshot")
        .expect("the chat exists")
        .chat
}

fn seq(n: i64) -> Seq {
    Seq::new(n).expect("valid seq")
}

pub(crate) fn new_message(
    chat_id: ChatId,
    author_id: UserId,
    body: &str,
    at: DateTime<Utc>,
) -> NewMessage {
    NewMessage {
        id: MessageId::generate(),
        chat_id,
        author_id,
        body: Some(MessageBody::parse(body).expect("valid")),
        attachment_ids: Vec::new(),
        reply_to_id: None,
        client_message_id: None,
        now: at,
    }
}

pub(crate) async fn send(repo: &Arc<dyn MessageRepository>, new: NewMessage) -> Message {
    match repo.send(new).await.expect("send") {
        SendOutcome::Created(written) => {
            let message = written.message;
            assert_eq!(
                message.seq, written.entry.seq,
                "a message's seq is its entry's"
            );
            assert_eq!(
                written.entry.payload,
                EventPayload::MessageCreated(message.clone()),
                "the entry carries the message as stored"
            );
            message
        }
        SendOutcome::Existing(message) => panic!("unexpected retry answer {message:?}"),
    }
}

struct Fixture {
    chats: Arc<dyn ChatRepository>,
    messages: Arc<dyn MessageRepository>,
    users: Vec<UserId>,
    chat: ChatId,
}

/// Sends all of `news` at once: how many were stored as new, and the distinct
/// message ids the sends answered with, in answer order.
async fn send_at_once(
    f: &Fixture,
    news: impl IntoIterator<Item = NewMessage>,
) -> (usize, Vec<MessageId>) {
    let tasks: Vec<_> = news
        .into_iter()
        .map(|new| {
            let repo = Arc::clone(&f.messages);
            tokio::spawn(async move { repo.send(new).await })
        })
        .collect();
    let mut ids = Vec::new();
    let mut created = 0;
    for task in tasks {
        match task.await.expect("task").expect("send") {
            SendOutcome::Created(written) => {
                created += 1;
                ids.push(written.message.id);
            }
            SendOutcome::Existing(message) => ids.push(message.id),
        }
    }
    ids.dedup();
    (created, ids)
}

async fn fixture(stores: &Stores) -> Fixture {
    let chats = stores.chats.clone();
    let users = new_users(stores, 3).await;
    let chat = group(&chats, users[0], &users[1..2]).await;
    Fixture {
        chats,
        messages: stores.messages.clone(),
        users,
        chat,
    }
}

async fn sending_takes_the_next_seq_after_chat_created(stores: Stores) {
    let f = fixture(&stores).await;
    let message = send(&f.messages, new_message(f.chat, f.users[0], "hi", now())).await;
    assert_eq!(message.seq, seq(2));
    let got = f
        .messages
        .get(&current(&f.chats, f.chat).await, message.id, now())
        .await
        .expect("get");
    assert_eq!(got, Some(message.clone()));
    let log = f
        .messages
        .events_after(f.chat, Seq::ZERO, 10, now())
        .await
        .expect("log");
    let types: Vec<_> = log
        .iter()
        .map(|e| (e.seq.get(), e.payload.type_name()))
        .collect();
    assert_eq!(types, vec![(1, "chat.created"), (2, "message.created")]);
    let missing = f
        .messages
        .send(new_message(ChatId::generate(), f.users[0], "x", now()))
        .await;
    assert!(matches!(missing, Err(SendWriteError::NotMember)));
}
contract_test!(sending_takes_the_next_seq_after_chat_created);

async fn fifty_concurrent_sends_get_contiguous_seqs(stores: Stores) {
    let f = fixture(&stores).await;
    let started = Instant::now();
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let repo = Arc::clone(&f.messages);
            let new = new_message(f.chat, f.users[i % 2], &format!("m{i}"), now());
            tokio::spawn(async move { send(&repo, new).await.seq.get() })
        })
        .collect();
    let mut seqs = Vec::new();
    for task in tasks {
        seqs.push(task.await.expect("task"));
    }
    let elapsed = started.elapsed();
    eprintln!("50 concurrent sends took {elapsed:?}");
    seqs.sort_unstable();
    assert_eq!(seqs, (2..=51).collect::<Vec<_>>(), "no gap, no duplicate");
    let chat = f.chats.snapshot(f.chat).await.expect("read").expect("chat");
    assert_eq!(chat.chat.last_seq, seq(51));
    let log = f
        .messages
        .events_after(f.chat, Seq::ZERO, 100, now())
        .await
        .expect("log");
    let logged: Vec<_> = log.iter().map(|e| e.seq.get()).collect();
    assert_eq!(logged, (1..=51).collect::<Vec<_>>());
}
contract_test!(fifty_concurrent_sends_get_contiguous_seqs);

async fn concurrent_retries_of_one_client_message_id_store_one_message(stores: Stores) {
    let f = fixture(&stores).await;
    let key = ClientMessageId::parse("retry-1").expect("valid");
    let (created, ids) = send_at_once(
        &f,
        (0..8).map(|_| {
            let mut new = new_message(f.chat, f.users[0], "once", now());
            new.client_message_id = Some(key.clone());
            new
        }),
    )
    .await;
    assert_eq!(created, 1);
    assert_eq!(ids.len(), 1, "every retry answers with the original");
    let all = f
        .messages
        .list(
            &current(&f.chats, f.chat).await,
            SeqWindow::Newest,
            100,
            now(),
        )
        .await
        .expect("list");
    assert_eq!(all.len(), 1);
    let head = f.chats.snapshot(f.chat).await.expect("read").expect("chat");
    assert_eq!(head.chat.last_seq, seq(2), "retries took no seq");
    // The same key from another author is a different message.
    let mut other = new_message(f.chat, f.users[1], "mine", now());
    other.client_message_id = Some(key);
    assert_eq!(send(&f.messages, other).await.seq, seq(3));
}
contract_test!(concurrent_retries_of_one_client_message_id_store_one_message);

async fn pages_walk_by_seq_and_include_tombstones(stores: Stores) {
    let f = fixture(&stores).await;
    let mut sent = Vec::new();
    for i in 0..10 {
        sent.push(
            send(
                &f.messages,
                new_message(f.chat, f.users[0], &format!("{i}"), now()),
            )
            .await,
        );
    }
    f.messages
        .delete(f.chat, sent[8].id, now(), &by(f.users[0]))
        .await
        .expect("delete");
    let seqs = |page: &[Message]| page.iter().map(|m| m.seq.get()).collect::<Vec<_>>();
    let newest = f
        .messages
        .list(
            &current(&f.chats, f.chat).await,
            SeqWindow::Newest,
            3,
            now(),
        )
        .await
        .expect("list");
    assert_eq!(seqs(&newest), vec![9, 10, 11]);
    assert!(
        newest[1].is_deleted() && newest[1].body.is_none(),
        "tombstone kept"
    );
    let before = f
        .messages
        .list(
            &current(&f.chats, f.chat).await,
            SeqWindow::Before(seq(9)),
            3,
            now(),
        )
        .await
        .expect("list");
    assert_eq!(seqs(&before), vec![6, 7, 8]);
    let after = f
        .messages
        .list(
            &current(&f.chats, f.chat).await,
            SeqWindow::After(seq(3)),
            3,
            now(),
        )
        .await
        .expect("list");
    assert_eq!(seqs(&after), vec![4, 5, 6]);
    let end = f
        .messages
        .list(
            &current(&f.chats, f.chat).await,
            SeqWindow::After(seq(11)),
            3,
            now(),
        )
        .await
        .expect("list");
    assert!(end.is_empty());
}
contract_test!(pages_walk_by_seq_and_include_tombstones);

async fn edits_and_deletes_are_logged_and_tombstones_stay(stores: Stores) {
    let f = fixture(&stores).await;
    let message = send(&f.messages, new_message(f.chat, f.users[0], "draft", now())).await;
    let body = MessageBody::parse("final").expect("valid");
    let edited = f
        .messages
        .edit(f.chat, message.id, body.clone(), now(), &by(f.users[0]))
        .await
        .expect("edit");
    assert_eq!(edited.entry.seq, seq(3));
    let EventPayload::MessageUpdated(updated) = &edited.entry.payload else {
        panic!("expected message.updated");
    };
    assert_eq!(updated, &edited.message);
    assert_eq!(updated.body.as_ref(), Some(&body));
    assert!(updated.edited_at.is_some());

    let deleted = f
        .messages
        .delete(f.chat, message.id, now(), &by(f.users[0]))
        .await
        .expect("delete")
        .expect("logged");
    assert_eq!(deleted.entry.seq, seq(4));
    assert!(
        f.messages
            .delete(f.chat, message.id, now(), &by(f.users[0]))
            .await
            .expect("again")
            .is_none()
    );
    let again = f
        .messages
        .edit(f.chat, message.id, body, now(), &by(f.users[0]))
        .await;
    assert!(matches!(again, Err(EditWriteError::Deleted)));
    let tombstone = f
        .messages
        .get(&current(&f.chats, f.chat).await, message.id, now())
        .await
        .expect("get");
    assert!(tombstone.is_some_and(|m| m.body.is_none() && m.deleted_at.is_some()));

    // The log replays no text of a deleted message.
    let log = f
        .messages
        .events_after(f.chat, Seq::FIRST, 10, now())
        .await
        .expect("log");
    assert_eq!(log.len(), 3);
    for entry in &log {
        let (EventPayload::MessageCreated(m)
        | EventPayload::MessageUpdated(m)
        | EventPayload::MessageDeleted(m)) = &entry.payload
        else {
            panic!("unexpected entry {entry:?}");
        };
        assert!(m.body.is_none(), "entry {} still has the text", entry.seq);
    }
    let elsewhere = f
        .messages
        .edit(
            ChatId::generate(),
            message.id,
            MessageBody::parse("x").expect("valid"),
            now(),
            &by(f.users[0]),
        )
        .await;
    assert!(matches!(
        elsewhere,
        Err(EditWriteError::Refused(Refusal::NotMember))
    ));
}
contract_test!(edits_and_deletes_are_logged_and_tombstones_stay);

async fn replies_must_target_this_chat(stores: Stores) {
    let f = fixture(&stores).await;
    let other = group(&f.chats, f.users[0], &[]).await;
    let foreign = send(&f.messages, new_message(other, f.users[0], "there", now())).await;
    let local = send(&f.messages, new_message(f.chat, f.users[0], "here", now())).await;
    let mut reply = new_message(f.chat, f.users[1], "re", now());
    reply.reply_to_id = Some(foreign.id);
    let refused = f.messages.send(reply.clone()).await;
    assert!(matches!(refused, Err(SendWriteError::ReplyTargetNotFound)));
    let head = f.chats.snapshot(f.chat).await.expect("read").expect("chat");
    assert_eq!(head.chat.last_seq, seq(2), "a refused send takes no seq");
    reply.reply_to_id = Some(local.id);
    assert_eq!(send(&f.messages, reply).await.reply_to_id, Some(local.id));
}
contract_test!(replies_must_target_this_chat);

async fn unread_counts_skip_own_deleted_and_read_messages(stores: Stores) {
    let f = fixture(&stores).await;
    let (a, b) = (f.users[0], f.users[1]);
    let mut last = Seq::ZERO;
    for (author, text) in [(a, "1"), (a, "2"), (b, "3"), (a, "4")] {
        let message = send(&f.messages, new_message(f.chat, author, text, now())).await;
        if text == "2" {
            f.messages
                .delete(f.chat, message.id, now(), &by(f.users[0]))
                .await
                .expect("delete");
        }
        last = message.seq;
    }
    let view = |user| {
        let chats = &f.chats;
        async move {
            chats
                .view(f.chat, user, now())
                .await
                .expect("view")
                .expect("member")
        }
    };
    assert_eq!(view(b).await.unread_count, 2, "a's two live messages");
    assert_eq!(view(a).await.unread_count, 1, "b's one message");
    assert_eq!(view(a).await.last_message.map(|m| m.seq), Some(last));
    f.chats.mark_read(f.chat, b, last).await.expect("mark");
    assert_eq!(view(b).await.unread_count, 0);
    let listed = f
        .chats
        .list_for_user(b, None, 10, now())
        .await
        .expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].unread_count, 0);
    assert_eq!(listed[0].my_last_read_seq, last);
    assert!(
        f.chats
            .view(f.chat, f.users[2], now())
            .await
            .expect("view")
            .is_none()
    );
}
contract_test!(unread_counts_skip_own_deleted_and_read_messages);

async fn expired_messages_are_hidden_then_purged_with_their_entries(stores: Stores) {
    let f = fixture(&stores).await;
    let t0 = now() - Duration::minutes(10);
    let old = send(&f.messages, new_message(f.chat, f.users[1], "old", t0)).await;
    let ttl = MessageTtl::from_seconds(60).expect("valid");
    let changes = ChatChanges {
        name: None,
        message_ttl: Some(Some(ttl)),
    };
    f.chats
        .update(f.chat, changes, now(), &by(f.users[0]))
        .await
        .expect("ttl");
    let fresh = send(&f.messages, new_message(f.chat, f.users[1], "new", now())).await;
    let at = now();

    assert!(
        f.messages
            .get(&current(&f.chats, f.chat).await, old.id, at)
            .await
            .expect("get")
            .is_none()
    );
    let listed = f
        .messages
        .list(&current(&f.chats, f.chat).await, SeqWindow::Newest, 10, at)
        .await
        .expect("list");
    assert_eq!(listed, vec![fresh.clone()]);
    let log = f
        .messages
        .events_after(f.chat, Seq::ZERO, 10, at)
        .await
        .expect("log");
    let seqs: Vec<_> = log.iter().map(|e| e.seq.get()).collect();
    assert_eq!(
        seqs,
        vec![1, 3, 4],
        "the expired message's entry is skipped"
    );
    let view = f
        .chats
        .view(f.chat, f.users[0], at)
        .await
        .expect("view")
        .expect("member");
    assert_eq!(view.unread_count, 1);
    assert_eq!(view.last_message.map(|m| m.id), Some(fresh.id));
    let mut reply = new_message(f.chat, f.users[0], "re", at);
    reply.reply_to_id = Some(old.id);
    let refused = f.messages.send(reply).await;
    assert!(matches!(refused, Err(SendWriteError::ReplyTargetNotFound)));
    let edit = f
        .messages
        .edit(
            f.chat,
            old.id,
            MessageBody::parse("x").expect("valid"),
            at,
            &by(f.users[0]),
        )
        .await;
    assert!(matches!(edit, Err(EditWriteError::MessageNotFound)));

    assert_eq!(f.messages.purge_expired(at, 10).await.expect("purge"), 1);
    assert_eq!(f.messages.purge_expired(at, 10).await.expect("purge"), 0);
    // Seen from before the expiry, the message and its entry are gone for good.
    let earlier = t0 + Duration::seconds(1);
    assert!(
        f.messages
            .get(&current(&f.chats, f.chat).await, old.id, earlier)
            .await
            .expect("get")
            .is_none()
    );
    let log = f
        .messages
        .events_after(f.chat, Seq::ZERO, 10, earlier)
        .await
        .expect("log");
    assert!(log.iter().all(|e| e.seq != old.seq));
    assert_eq!(
        f.messages
            .get(&current(&f.chats, f.chat).await, fresh.id, at)
            .await
            .expect("get"),
        Some(fresh)
    );
}
contract_test!(expired_messages_are_hidden_then_purged_with_their_entries);

async fn purging_works_in_bounded_batches(stores: Stores) {
    let f = fixture(&stores).await;
    let t0 = now() - Duration::hours(1);
    for i in 0..7 {
        send(
            &f.messages,
            new_message(f.chat, f.users[0], &format!("{i}"), t0),
        )
        .await;
    }
    let changes = ChatChanges {
        name: None,
        message_ttl: Some(Some(MessageTtl::from_seconds(60).expect("valid"))),
    };
    f.chats
        .update(f.chat, changes, now(), &by(f.users[0]))
        .await
        .expect("ttl");
    let at = now();
    assert_eq!(f.messages.purge_expired(at, 3).await.expect("purge"), 3);
    assert_eq!(f.messages.purge_expired(at, 3).await.expect("purge"), 3);
    assert_eq!(f.messages.purge_expired(at, 3).await.expect("purge"), 1);
    let log = f
        .messages
        .events_after(f.chat, Seq::ZERO, 20, t0)
        .await
        .expect("log");
    let kinds: Vec<_> = log.iter().map(|e| e.payload.type_name()).collect();
    assert_eq!(kinds, vec!["chat.created", "chat.updated"]);
}
contract_test!(purging_works_in_bounded_batches);
