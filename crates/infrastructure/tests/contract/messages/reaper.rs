//! The reaper job against a real repository: batches until done, stops on shutdown.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::Duration;
use confab_application::ports::{ChatChanges, MessageRepository, SeqWindow};
use confab_domain::{MessageTtl, Seq};
use confab_infrastructure::jobs::spawn_reaper;
use confab_infrastructure::testing::ManualClock;
use tokio::sync::watch;

use super::{current, fixture, new_message, send};
use crate::chats::now;
use crate::contract_test;
use crate::support::{Stores, by};

async fn reaper_purges_every_expired_message_and_stops_on_shutdown(stores: Stores) {
    let f = fixture(&stores).await;
    let old = now() - Duration::hours(1);
    for i in 0..7 {
        send(
            &f.messages,
            new_message(f.chat, f.users[0], &format!("{i}"), old),
        )
        .await;
    }
    let kept = send(&f.messages, new_message(f.chat, f.users[0], "kept", now())).await;
    let changes = ChatChanges {
        name: None,
        message_ttl: Some(Some(MessageTtl::from_seconds(60).expect("valid"))),
    };
    f.chats
        .update(f.chat, changes, now(), &by(f.users[0]))
        .await
        .expect("ttl");

    let (stop, shutdown) = watch::channel(false);
    let messages: Arc<dyn MessageRepository> = f.messages.clone();
    // Batches of 2 and a long period: only looping until a short batch purges all 7.
    let handle = spawn_reaper(
        messages,
        Arc::new(ManualClock::new(now())),
        StdDuration::from_hours(1),
        2,
        shutdown,
    );
    let deadline = tokio::time::Instant::now() + StdDuration::from_secs(10);
    loop {
        // Read as of the old time, when the purged messages were still live.
        let left = f
            .messages
            .list(
                &current(&f.chats, f.chat).await,
                SeqWindow::After(Seq::ZERO),
                100,
                old,
            )
            .await
            .expect("list");
        if left.len() == 1 {
            assert_eq!(left[0].id, kept.id);
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "reaper did not finish"
        );
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
    stop.send(true).expect("reaper listening");
    tokio::time::timeout(StdDuration::from_secs(5), handle)
        .await
        .expect("reaper stopped")
        .expect("reaper did not panic");
}
contract_test!(reaper_purges_every_expired_message_and_stops_on_shutdown);
