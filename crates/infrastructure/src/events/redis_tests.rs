//! Tests of the Redis bus against a real Redis (`CONFAB_TEST_REDIS_URL`); each skips
//! with a notice when the variable is unset.

use std::io::Write;
use std::time::Duration;

use confab_application::ports::{EventBus, EventStream, Notification};
use confab_domain::{SessionId, UserId};
use futures_util::StreamExt;

use super::RedisEventBus;

/// `CLIENT KILL TYPE pubsub` drops every subscriber on the Redis server, so the test
/// that uses it must not overlap the others of this binary (their subscribers would
/// see a legitimate `Gap` where they expect a notification). It takes this lock for
/// writing, every other test for reading.
static PUBSUB_KILL: tokio::sync::RwLock<()> = tokio::sync::RwLock::const_new(());

fn redis_url() -> Option<String> {
    let url = std::env::var("CONFAB_TEST_REDIS_URL").ok();
    if url.is_none() {
        let _ = writeln!(
            std::io::stderr(),
            "skipped: CONFAB_TEST_REDIS_URL is not set"
        );
    }
    url
}

fn revoked() -> Notification {
    Notification::SessionsRevoked {
        user_id: UserId::generate(),
        session_ids: vec![SessionId::generate()],
    }
}

async fn next(stream: &mut EventStream) -> Option<Notification> {
    tokio::time::timeout(Duration::from_secs(5), stream.next())
        .await
        .ok()
        .flatten()
}

async fn nothing_within(stream: &mut EventStream, wait: Duration) -> bool {
    tokio::time::timeout(wait, stream.next()).await.is_err()
}

#[tokio::test]
async fn other_nodes_get_it_and_the_publisher_gets_it_once() {
    let Some(url) = redis_url() else { return };
    let _shared = PUBSUB_KILL.read().await;
    let channel = format!("confab:test:{}", uuid::Uuid::now_v7());
    let node_a = RedisEventBus::connect(&url, &channel)
        .await
        .expect("node a");
    let node_b = RedisEventBus::connect(&url, &channel)
        .await
        .expect("node b");
    let mut on_a = node_a.subscribe();
    let mut on_b = node_b.subscribe();
    let sent = revoked();
    node_a.publish(sent.clone()).await;
    assert_eq!(next(&mut on_b).await, Some(sent.clone()));
    assert_eq!(next(&mut on_a).await, Some(sent));
    assert!(
        nothing_within(&mut on_a, Duration::from_millis(300)).await,
        "the publisher's own echo from Redis must be dropped"
    );
    let back = revoked();
    node_b.publish(back.clone()).await;
    assert_eq!(next(&mut on_a).await, Some(back));
}

#[tokio::test]
async fn gaps_are_never_published() {
    let Some(url) = redis_url() else { return };
    let _shared = PUBSUB_KILL.read().await;
    let channel = format!("confab:test:{}", uuid::Uuid::now_v7());
    let node_a = RedisEventBus::connect(&url, &channel)
        .await
        .expect("node a");
    let node_b = RedisEventBus::connect(&url, &channel)
        .await
        .expect("node b");
    let mut on_b = node_b.subscribe();
    node_a.publish(Notification::Gap).await;
    let after = revoked();
    node_a.publish(after.clone()).await;
    assert_eq!(next(&mut on_b).await, Some(after));
}

#[tokio::test]
async fn a_lost_subscription_reconnects_and_reports_a_gap() {
    let Some(url) = redis_url() else { return };
    let _exclusive = PUBSUB_KILL.write().await;
    let channel = format!("confab:test:{}", uuid::Uuid::now_v7());
    let node = RedisEventBus::connect(&url, &channel).await.expect("node");
    let other = RedisEventBus::connect(&url, &channel).await.expect("other");
    let mut on_node = node.subscribe();
    let client = redis::Client::open(url.as_str()).expect("url");
    let mut admin = client
        .get_multiplexed_async_connection()
        .await
        .expect("admin connection");
    let _: i64 = redis::cmd("CLIENT")
        .arg("KILL")
        .arg("TYPE")
        .arg("pubsub")
        .query_async(&mut admin)
        .await
        .expect("kill subscribers");
    assert_eq!(next(&mut on_node).await, Some(Notification::Gap));
    // Once resubscribed, the other node's notifications flow again.
    let mut delivered = false;
    for _ in 0..20 {
        let sent = revoked();
        other.publish(sent.clone()).await;
        match tokio::time::timeout(Duration::from_millis(250), on_node.next()).await {
            Ok(Some(got)) if got == sent => {
                delivered = true;
                break;
            }
            _ => {}
        }
    }
    assert!(delivered, "the bus recovered after the reconnect");
}

/// The keep-alive pings must not themselves end the subscription: each reconnect
/// costs every socket of the node a catch-up from the log.
#[tokio::test]
async fn keepalive_pings_keep_the_subscription() {
    let Some(url) = redis_url() else { return };
    let _shared = PUBSUB_KILL.read().await;
    let channel = format!("confab:test:{}", uuid::Uuid::now_v7());
    let node = RedisEventBus::connect_pinging_every(&url, &channel, Duration::from_millis(50))
        .await
        .expect("node");
    let other = RedisEventBus::connect(&url, &channel).await.expect("other");
    let mut on_node = node.subscribe();
    // Ten ping intervals without traffic, then a notification from the other node:
    // it must be the next thing seen, with no Gap (no reconnect) before it.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let sent = revoked();
    other.publish(sent.clone()).await;
    assert_eq!(next(&mut on_node).await, Some(sent));
}

#[test]
fn a_bad_url_is_refused() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let result = runtime.block_on(RedisEventBus::connect("not-a-url", "c"));
    assert!(matches!(result, Err(super::RedisBusError::InvalidUrl(_))));
}
