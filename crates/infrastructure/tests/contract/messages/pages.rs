//! Property: walking a chat's messages page by page, forward or backward, yields every
//! live message (tombstones included, expired ones not) exactly once, in seq order.

use chrono::Duration;
use confab_application::ports::{ChatChanges, SeqWindow};
use confab_domain::{Message, MessageTtl, Seq};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use super::{Fixture, current, fixture, new_message, send};
use crate::chats::now;
use crate::contract_test;
use crate::support::{Stores, by};

/// One generated chat: for each message, whether it is deleted and whether it expired.
#[derive(Debug, Clone)]
struct Case {
    messages: Vec<(bool, bool)>,
    page: u64,
}

fn cases() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec((any::<bool>(), prop::bool::weighted(0.2)), 0..30),
        1..8_u64,
    )
        .prop_map(|(messages, page)| Case { messages, page })
}

/// Builds the chat and returns the seqs a reader must see.
async fn build(f: &Fixture, case: &Case) -> Vec<i64> {
    let old = now() - Duration::hours(1);
    let mut live = Vec::new();
    for (i, &(deleted, expired)) in case.messages.iter().enumerate() {
        let at = if expired { old } else { now() };
        let message = send(&f.messages, new_message(f.chat, f.users[i % 2], "m", at)).await;
        if deleted {
            f.messages
                .delete(f.chat, message.id, now(), &by(f.users[0]))
                .await
                .expect("delete");
        }
        if !expired {
            live.push(message.seq.get());
        }
    }
    let changes = ChatChanges {
        name: None,
        message_ttl: Some(Some(MessageTtl::from_seconds(60).expect("valid"))),
    };
    f.chats
        .update(f.chat, changes, now(), &by(f.users[0]))
        .await
        .expect("ttl");
    live
}

async fn walk(f: &Fixture, page: u64, forward: bool) -> Vec<i64> {
    let mut seen = Vec::new();
    let mut window = if forward {
        SeqWindow::After(Seq::ZERO)
    } else {
        SeqWindow::Newest
    };
    loop {
        let items: Vec<Message> = f
            .messages
            .list(&current(&f.chats, f.chat).await, window, page, now())
            .await
            .expect("list");
        let seqs: Vec<i64> = items.iter().map(|m| m.seq.get()).collect();
        assert!(seqs.windows(2).all(|w| w[0] < w[1]), "page ascending");
        let (Some(&low), Some(&high)) = (seqs.first(), seqs.last()) else {
            break;
        };
        if forward {
            seen.extend(&seqs);
            window = SeqWindow::After(Seq::new(high).expect("valid"));
        } else {
            seen.splice(0..0, seqs);
            window = SeqWindow::Before(Seq::new(low).expect("valid"));
        }
    }
    seen
}

async fn pages_walk_every_live_message_exactly_once(stores: Stores) {
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let mut runner = TestRunner::new(Config {
            cases: 12,
            ..Config::default()
        });
        runner
            .run(&cases(), |case| {
                handle.block_on(async {
                    // A fresh chat per case in the same database.
                    let f = fixture(&stores).await;
                    let live = build(&f, &case).await;
                    let forward = walk(&f, case.page, true).await;
                    let backward = walk(&f, case.page, false).await;
                    if forward != live || backward != live {
                        return Err(TestCaseError::fail(format!(
                            "live {live:?}, forward {forward:?}, backward {backward:?}"
                        )));
                    }
                    Ok(())
                })
            })
            .expect("property holds");
    })
    .await
    .expect("property run");
}
contract_test!(pages_walk_every_live_message_exactly_once);
