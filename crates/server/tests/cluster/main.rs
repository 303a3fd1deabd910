//! The built `confab` binary as separate processes. Two nodes on one PostgreSQL
//! database and one Redis: what is sent on one node reaches sockets on the other,
//! both ways, also across a Redis subscription loss, and a revocation on one node
//! closes sockets on the other and is refused there within the bus latency
//! (skipped, with a notice, unless both
//! `CONFAB_TEST_POSTGRES_URL` and `CONFAB_TEST_REDIS_URL` are set). And one node on
//! SQLite with short heartbeat settings: silent peers are dropped with 4000, live
//! ones stay until a graceful stop closes them with 1012. Two nodes sharing one S3
//! bucket serve each other's uploads (files.rs). And the eraser of deleted accounts
//! killed with `kill -9` midway and finished by the next node (erasure.rs).

mod erasure;
mod files;
mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use confab_application::ports::{MessageRepository, NewMessage};
use confab_domain::{ChatId, MessageBody, MessageId, UserId};
use confab_infrastructure::persistence::{SeaOrmMessageRepository, connect};
use confab_infrastructure::testing::ScratchDatabase;
use support::{
    get_status, kill_subscribers, next, post, publish_gap, register, settings, socket, start_node,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_deliver_each_others_events() {
    let Some((database, redis)) = settings().await else {
        return;
    };
    let database_url = database.url();
    // One after the other, so the second start finds the migrations applied.
    let vars = [
        ("DATABASE_URL", database_url),
        ("CONFAB_REDIS_URL", redis.as_str()),
    ];
    let node_a = start_node(&vars).await;
    let node_b = start_node(&vars).await;
    let (alice_id, alice) = register(&node_a, "alice").await;
    let (bob_id, bob) = register(&node_b, "bob").await;
    let chat = post(
        &node_a,
        "/api/v1/chats",
        Some(&alice),
        &json!({"type": "group", "name": "Across", "member_ids": [bob_id]}),
    )
    .await;
    let chat_id = chat["id"].as_str().expect("chat id").to_owned();
    let mut alice_on_a = socket(&node_a, &alice).await;
    let mut bob_on_b = socket(&node_b, &bob).await;

    let path = format!("/api/v1/chats/{chat_id}/messages");
    post(&node_a, &path, Some(&alice), &json!({"body": "from A"})).await;
    let frame = next(&mut bob_on_b).await;
    assert_eq!(frame["type"], "message.created");
    assert_eq!(frame["data"]["body"], "from A");
    assert_eq!(next(&mut alice_on_a).await["data"]["body"], "from A");

    let send = json!({"type": "message.send", "chat_id": chat_id, "body": "from B", "client_message_id": "b-1"});
    bob_on_b
        .send(Message::text(send.to_string()))
        .await
        .expect("send frame");
    let frame = next(&mut alice_on_a).await;
    assert_eq!(frame["type"], "message.created");
    assert_eq!(frame["data"]["body"], "from B");
    assert_eq!(frame["seq"], 3);
    let own = next(&mut bob_on_b).await;
    assert_eq!(
        (own["type"].as_str(), own["seq"].as_i64()),
        (Some("message.created"), Some(3))
    );

    let typing = json!({"type": "typing", "chat_id": chat_id});
    bob_on_b
        .send(Message::text(typing.to_string()))
        .await
        .expect("typing frame");
    loop {
        let frame = next(&mut alice_on_a).await;
        if frame["type"] == "typing" {
            assert_eq!(frame["data"]["user_id"], bob_id.as_str());
            break;
        }
    }

    // Redis drops every subscription: what is sent meanwhile still arrives (by the
    // bus once resubscribed, or from the log after the reconnect's gap).
    kill_subscribers(&redis).await;
    post(
        &node_a,
        &path,
        Some(&alice),
        &json!({"body": "during the outage"}),
    )
    .await;
    loop {
        let frame = next(&mut bob_on_b).await;
        if frame["type"] == "message.created" {
            assert_eq!(frame["data"]["body"], "during the outage");
            assert_eq!(frame["seq"], 4);
            break;
        }
    }

    // A message committed but never published (as if the bus dropped it) arrives
    // after a gap notice, with no further event in the chat.
    let repository = SeaOrmMessageRepository::new(connect(database_url, 2).await.expect("db"));
    repository
        .send(NewMessage {
            id: MessageId::generate(),
            chat_id: chat_id.parse::<ChatId>().expect("chat id"),
            author_id: alice_id.parse::<UserId>().expect("user id"),
            body: Some(MessageBody::parse("never published").expect("body")),
            attachment_ids: Vec::new(),
            reply_to_id: None,
            client_message_id: None,
            now: chrono::Utc::now(),
        })
        .await
        .expect("stored");
    publish_gap(&redis).await;
    let frame = next(&mut bob_on_b).await;
    assert_eq!(frame["data"]["body"], "never published");
    assert_eq!(frame["seq"], 5);

    // Logging out on A closes bob's socket on B with 4401, even right after
    // another subscription loss (the gap check finds the revoked session).
    kill_subscribers(&redis).await;
    post(&node_a, "/api/v1/auth/logout", Some(&bob), &json!({})).await;
    assert_eq!(close_code(&mut bob_on_b).await, Some(4401));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_revoked_on_one_node_is_refused_by_the_other_within_the_bus_latency() {
    let Some((database, redis)) = settings().await else {
        return;
    };
    let vars = [
        ("DATABASE_URL", database.url()),
        ("CONFAB_REDIS_URL", redis.as_str()),
    ];
    let node_a = start_node(&vars).await;
    let node_b = start_node(&vars).await;
    let (_, bob) = register(&node_b, "bob").await;
    // Both nodes have authenticated the token, so both hold the session in their caches.
    assert_eq!(get_status(&node_a, "/api/v1/me", &bob).await, 200);
    assert_eq!(get_status(&node_b, "/api/v1/me", &bob).await, 200);

    post(&node_a, "/api/v1/auth/logout", Some(&bob), &json!({})).await;

    assert_eq!(
        get_status(&node_a, "/api/v1/me", &bob).await,
        401,
        "at once where revoked"
    );
    let began = Instant::now();
    while get_status(&node_b, "/api/v1/me", &bob).await != 401 {
        assert!(
            began.elapsed() < Duration::from_secs(2),
            "node B still accepts a revoked session after {:?}",
            began.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_peers_are_dropped_live_ones_kept_until_shutdown() {
    let database = ScratchDatabase::sqlite("confab-hb-");
    let node = start_node(&[
        ("DATABASE_URL", database.url()),
        ("CONFAB_WS_PING_SECONDS", "1"),
        ("CONFAB_WS_IDLE_TIMEOUT_SECONDS", "2"),
    ])
    .await;
    let (_, token) = register(&node, "alice").await;
    let mut silent = socket(&node, &token).await;
    let mut live = socket(&node, &token).await;
    // The live socket keeps reading, so its client answers the server's pings.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(4);
    while tokio::time::timeout_at(deadline, live.next()).await.is_ok() {}
    let closed = loop {
        match tokio::time::timeout(Duration::from_secs(5), silent.next())
            .await
            .expect("closed in time")
        {
            Some(Ok(Message::Close(frame))) => break frame,
            Some(Ok(_)) => {}
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    assert_eq!(closed.map(|f| u16::from(f.code)), Some(4000));
    live.send(Message::text(r#"{"type":"ping"}"#))
        .await
        .expect("live socket open");
    assert_eq!(next(&mut live).await["type"], "pong");
    // A graceful stop (SIGTERM) closes open sockets with 1012 so clients reconnect.
    let status = Command::new("kill")
        .arg("-TERM")
        .arg(node.pid().to_string())
        .status()
        .expect("send SIGTERM");
    assert!(status.success());
    let closed = loop {
        match tokio::time::timeout(Duration::from_secs(10), live.next())
            .await
            .expect("closed in time")
        {
            Some(Ok(Message::Close(frame))) => break frame,
            Some(Ok(_)) => {}
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    assert_eq!(closed.map(|f| u16::from(f.code)), Some(1012));
    // The process goes before its database file does.
    drop(node);
    drop(database);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disabling_an_account_on_one_node_closes_its_socket_on_the_other() {
    let Some((database, redis)) = settings().await else {
        return;
    };
    let vars = [
        ("DATABASE_URL", database.url()),
        ("CONFAB_REDIS_URL", redis.as_str()),
    ];
    let node_a = start_node(&vars).await;
    let node_b = start_node(&vars).await;
    let (_, root) = register(&node_a, "root").await;
    let (alice_id, alice) = register(&node_b, "alice").await;
    let status = Command::new(env!("CARGO_BIN_EXE_confab"))
        .args(["admin", "set-admin", "root", "true"])
        .env("DATABASE_URL", database.url())
        .env("RUST_LOG", "warn")
        .status()
        .expect("run confab admin");
    assert!(status.success());
    let mut alice_on_b = socket(&node_b, &alice).await;

    let path = format!("/api/v1/admin/users/{alice_id}/disable");
    post(&node_a, &path, Some(&root), &json!({})).await;
    assert_eq!(close_code(&mut alice_on_b).await, Some(4401));
}

/// The code of the close frame `socket` receives within 10 s (`None`: no code),
/// skipping the frames before it.
async fn close_code(socket: &mut support::Socket) -> Option<u16> {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("closed in time")
        {
            Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
            Some(Ok(_)) => {}
            other => panic!("expected a close frame, got {other:?}"),
        }
    }
}
