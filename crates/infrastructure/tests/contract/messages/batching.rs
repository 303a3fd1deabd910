//! Many sends at once, as a batching store commits them together: every chat's seqs
//! stay gapless, every client key is stored once, and each send gets its own answer,
//! so a refused send or a retry among many never changes what its neighbours get.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use confab_application::ports::{
    MessageRepository, NewMessage, SendOutcome, SendWriteError, SeqWindow,
};
use confab_domain::{ChatId, ClientMessageId, MessageId, Seq, UserId};

use super::{current, new_message, seq};
use crate::chats::{group, new_users, now};
use crate::contract_test;
use crate::support::Stores;

type Answer = Result<SendOutcome, SendWriteError>;

/// What a send of a burst must be answered with.
#[derive(Debug, PartialEq)]
enum Expect {
    Created,
    NotMember,
    NoReplyTarget,
    Original,
}

/// Starts every send before awaiting any, so they queue up together.
async fn all_at_once(repo: &Arc<dyn MessageRepository>, news: Vec<NewMessage>) -> Vec<Answer> {
    let tasks: Vec<_> = news
        .into_iter()
        .map(|new| {
            let repo = Arc::clone(repo);
            tokio::spawn(async move { repo.send(new).await })
        })
        .collect();
    let mut answers = Vec::with_capacity(tasks.len());
    for task in tasks {
        answers.push(task.await.expect("task"));
    }
    answers
}

fn keyed(chat: ChatId, author: UserId, key: &str) -> NewMessage {
    let mut new = new_message(chat, author, key, now());
    new.client_message_id = Some(ClientMessageId::parse(key).expect("valid key"));
    new
}

/// The seqs of the messages in `chat`, in order, checked against the chat's head.
async fn stored_seqs(stores: &Stores, chat: ChatId) -> Vec<i64> {
    let listed = stores
        .messages
        .list(
            &current(&stores.chats, chat).await,
            SeqWindow::Newest,
            1000,
            now(),
        )
        .await
        .expect("list");
    let head = stores
        .chats
        .snapshot(chat)
        .await
        .expect("read")
        .expect("chat");
    let seqs: Vec<i64> = listed.iter().map(|m| m.seq.get()).collect();
    assert_eq!(
        seqs.last().copied().unwrap_or(1),
        head.chat.last_seq.get(),
        "the head is the newest message"
    );
    let logged = stores
        .messages
        .events_after(chat, Seq::ZERO, 1000, now())
        .await
        .expect("log");
    let logged: Vec<i64> = logged.iter().map(|e| e.seq.get()).collect();
    assert_eq!(
        logged,
        (1..=head.chat.last_seq.get()).collect::<Vec<_>>(),
        "the log has one entry per seq, without gaps"
    );
    seqs
}

async fn concurrent_sends_into_many_chats_are_gapless_and_exactly_once(stores: Stores) {
    let users = new_users(&stores, 4).await;
    let mut chats = Vec::new();
    for _ in 0..4 {
        chats.push(group(&stores.chats, users[0], &users[1..]).await);
    }
    // 120 sends over four chats and four authors, and a retry of every third one
    // in the same burst.
    let mut news = Vec::new();
    for i in 0..120 {
        let (chat, author) = (chats[i % 4], users[i % 3]);
        news.push(keyed(chat, author, &format!("k{i}")));
        if i % 3 == 0 {
            news.push(keyed(chat, author, &format!("k{i}")));
        }
    }
    let answers = all_at_once(&stores.messages, news.clone()).await;

    let mut by_key: HashMap<(ChatId, String), Vec<(bool, MessageId)>> = HashMap::new();
    for (new, answer) in news.iter().zip(answers) {
        let key = new
            .client_message_id
            .as_ref()
            .expect("keyed")
            .as_str()
            .to_owned();
        let (created, id) = match answer.expect("every send is accepted") {
            SendOutcome::Created(written) => {
                assert_eq!(written.message.seq, written.entry.seq);
                (true, written.message.id)
            }
            SendOutcome::Existing(original) => (false, original.id),
        };
        by_key
            .entry((new.chat_id, key))
            .or_default()
            .push((created, id));
    }
    assert_eq!(by_key.len(), 120);
    for (key, answers) in &by_key {
        let created = answers.iter().filter(|(created, _)| *created).count();
        assert_eq!(created, 1, "{key:?} stored once: {answers:?}");
        assert!(
            answers.iter().all(|(_, id)| *id == answers[0].1),
            "{key:?}: every answer names the one message"
        );
    }
    for chat in chats {
        let seqs = stored_seqs(&stores, chat).await;
        assert_eq!(seqs, (2..=31).collect::<Vec<_>>(), "30 messages per chat");
    }
}
contract_test!(concurrent_sends_into_many_chats_are_gapless_and_exactly_once);

async fn one_bad_send_among_many_fails_alone(stores: Stores) {
    let users = new_users(&stores, 3).await;
    let (member, other_member, outsider) = (users[0], users[1], users[2]);
    let chat = group(&stores.chats, member, &[other_member]).await;
    let elsewhere = group(&stores.chats, outsider, &[member]).await;
    let repo = &stores.messages;
    let SendOutcome::Created(original) = repo
        .send(keyed(chat, member, "sent-before"))
        .await
        .expect("first send")
    else {
        panic!("a first send is created");
    };
    let SendOutcome::Created(foreign) = repo
        .send(new_message(elsewhere, outsider, "elsewhere", now()))
        .await
        .expect("send elsewhere")
    else {
        panic!("a first send is created");
    };

    let mut news = Vec::new();
    let mut expected = Vec::new();
    for i in 0..40 {
        let (new, expect) = match i % 8 {
            1 => (
                new_message(chat, outsider, "not mine to send", now()),
                Expect::NotMember,
            ),
            3 => {
                let mut reply = new_message(chat, member, "reply to nothing", now());
                reply.reply_to_id = Some(MessageId::generate());
                (reply, Expect::NoReplyTarget)
            }
            5 => {
                let mut reply = new_message(chat, other_member, "reply across", now());
                reply.reply_to_id = Some(foreign.message.id);
                (reply, Expect::NoReplyTarget)
            }
            7 => (keyed(chat, member, "sent-before"), Expect::Original),
            _ => {
                let mut ok = new_message(chat, users[i % 2], &format!("ok {i}"), now());
                if i % 4 == 2 {
                    ok.reply_to_id = Some(original.message.id);
                }
                (ok, Expect::Created)
            }
        };
        news.push(new);
        expected.push(expect);
    }
    // Sends into a chat that does not exist ride along.
    news.push(new_message(ChatId::generate(), member, "nowhere", now()));
    expected.push(Expect::NotMember);

    let answers = all_at_once(repo, news).await;
    let mut created_seqs = Vec::new();
    let mut got = BTreeMap::new();
    for (index, (answer, expect)) in answers.into_iter().zip(&expected).enumerate() {
        let outcome = match answer {
            Ok(SendOutcome::Created(written)) => {
                created_seqs.push(written.message.seq.get());
                Expect::Created
            }
            Ok(SendOutcome::Existing(message)) => {
                assert_eq!(message.id, original.message.id);
                Expect::Original
            }
            Err(SendWriteError::NotMember) => Expect::NotMember,
            Err(SendWriteError::ReplyTargetNotFound) => Expect::NoReplyTarget,
            Err(other) => panic!("send {index}: {other}"),
        };
        assert_eq!(&outcome, expect, "send {index}");
        *got.entry(format!("{outcome:?}")).or_insert(0) += 1;
    }
    assert_eq!(got.get("Created"), Some(&20), "{got:?}");
    created_seqs.sort_unstable();
    assert_eq!(
        created_seqs,
        (3..=22).collect::<Vec<_>>(),
        "refusals and retries take no seq"
    );
    assert_eq!(
        stored_seqs(&stores, chat).await,
        (2..=22).collect::<Vec<_>>()
    );
    assert_eq!(seq(2), original.message.seq);
}
contract_test!(one_bad_send_among_many_fails_alone);
