//! The realtime WebSocket (`GET /api/v1/ws`): the handshake, the `ready` frame,
//! delivery, client frames and their errors.

pub(crate) mod client;
mod documented;
mod membership;
mod recovery;
mod refusals;

use std::time::Duration;

use serde_json::json;
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::Error as WsError;

use self::client::{Socket, alice_and_bob_in_a_group, group, head, post_message, ws_url};
use crate::api_test;
use crate::helpers::{TestApp, TestConfig, spawn_app_with};

const QUIET: Duration = Duration::from_millis(300);

async fn missing_or_bad_token_is_refused_with_401_before_the_upgrade(app: TestApp) {
    for url in [
        ws_url(&app),
        format!("{}?access_token=nonsense", ws_url(&app)),
    ] {
        match connect_async(url.as_str()).await {
            Err(WsError::Http(response)) => {
                assert_eq!(response.status(), 401);
                let body: serde_json::Value =
                    serde_json::from_slice(response.body().as_deref().unwrap_or_default())
                        .expect("error shape");
                assert_eq!(body["code"], "unauthorized");
            }
            other => panic!("expected a 401, got {other:?}"),
        }
    }
    let alice = app.register("alice").await;
    let url = format!("{}?access_token={}", ws_url(&app), alice.access);
    let (stream, _) = connect_async(url.as_str())
        .await
        .expect("query token works");
    let mut socket = Socket::from_stream(stream);
    assert_eq!(socket.next().await["type"], "ready");
}
api_test!(missing_or_bad_token_is_refused_with_401_before_the_upgrade);

async fn ready_lists_every_chat_with_its_head(app: TestApp) {
    let (alice, bob, chat) = alice_and_bob_in_a_group(&app).await;
    post_message(&app, &alice.access, &chat, "one").await;
    let (_socket, ready) = Socket::ready(&app, &bob.access).await;
    assert_eq!(ready["user_id"], bob.id.as_str());
    assert!(ready["session_id"].as_str().is_some_and(|s| s.len() == 36));
    assert_eq!(head(&ready, &chat), Some(2));
    assert_eq!(ready["chats"].as_array().map(Vec::len), Some(1));
}
api_test!(ready_lists_every_chat_with_its_head);

async fn events_reach_every_member_and_all_the_senders_sockets(app: TestApp) {
    let (alice, bob, chat) = alice_and_bob_in_a_group(&app).await;
    let (mut alice_one, _) = Socket::ready(&app, &alice.access).await;
    let (mut alice_two, _) = Socket::ready(&app, &alice.access).await;
    let (mut bob_socket, _) = Socket::ready(&app, &bob.access).await;
    let sent = post_message(&app, &alice.access, &chat, "hello").await;
    for socket in [&mut alice_one, &mut alice_two, &mut bob_socket] {
        let frame = socket.next().await;
        assert_eq!(frame["type"], "message.created");
        assert_eq!(frame["chat_id"], chat.as_str());
        assert_eq!(frame["seq"], 2);
        assert_eq!(frame["data"], sent);
        socket.assert_silent(QUIET).await;
    }
}
api_test!(events_reach_every_member_and_all_the_senders_sockets);

async fn typing_reaches_others_but_is_not_echoed(app: TestApp) {
    let (alice, bob, chat) = alice_and_bob_in_a_group(&app).await;
    let (mut alice_one, _) = Socket::ready(&app, &alice.access).await;
    let (mut alice_two, _) = Socket::ready(&app, &alice.access).await;
    let (mut bob_socket, _) = Socket::ready(&app, &bob.access).await;
    alice_one
        .send(&json!({"type": "typing", "chat_id": chat}))
        .await;
    let frame = bob_socket.next().await;
    assert_eq!(frame["type"], "typing");
    assert_eq!(frame["data"]["user_id"], alice.id.as_str());
    assert!(frame.get("seq").is_none(), "unlogged: no seq key");
    alice_one.assert_silent(QUIET).await;
    alice_two.assert_silent(QUIET).await;
}
api_test!(typing_reaches_others_but_is_not_echoed);

async fn read_frames_move_the_position_and_everyone_sees_it(app: TestApp) {
    let (alice, bob, chat) = alice_and_bob_in_a_group(&app).await;
    post_message(&app, &alice.access, &chat, "read me").await;
    let (mut bob_one, _) = Socket::ready(&app, &bob.access).await;
    let (mut bob_two, _) = Socket::ready(&app, &bob.access).await;
    let (mut alice_socket, _) = Socket::ready(&app, &alice.access).await;
    bob_one
        .send(&json!({"type": "read", "chat_id": chat, "seq": 2}))
        .await;
    for socket in [&mut bob_one, &mut bob_two, &mut alice_socket] {
        let frame = socket.next().await;
        assert_eq!(frame["type"], "read.updated");
        assert_eq!(frame["data"], json!({"user_id": bob.id, "seq": 2}));
        assert!(frame.get("seq").is_none());
    }
    // Reading the same seq again moves nothing, so nobody hears about it.
    bob_one
        .send(&json!({"type": "read", "chat_id": chat, "seq": 1}))
        .await;
    alice_socket.assert_silent(QUIET).await;
}
api_test!(read_frames_move_the_position_and_everyone_sees_it);

async fn message_send_is_answered_by_the_event_and_a_retry_by_the_original(app: TestApp) {
    let (alice, bob, chat) = alice_and_bob_in_a_group(&app).await;
    let (mut sender, _) = Socket::ready(&app, &alice.access).await;
    let (mut other, _) = Socket::ready(&app, &alice.access).await;
    let (mut bob_socket, _) = Socket::ready(&app, &bob.access).await;
    let send =
        json!({"type": "message.send", "chat_id": chat, "body": "hi", "client_message_id": "k-1"});
    sender.send(&send).await;
    let created = sender.next().await;
    assert_eq!(created["type"], "message.created");
    assert_eq!(created["seq"], 2);
    assert_eq!(created["data"]["client_message_id"], "k-1");
    assert_eq!(bob_socket.next().await, created);
    assert_eq!(other.next().await, created);
    sender.send(&send).await;
    assert_eq!(sender.next().await, created, "the retry gets the original");
    sender.assert_silent(QUIET).await;
    other.assert_silent(QUIET).await;
    bob_socket.assert_silent(QUIET).await;
    let messages: serde_json::Value = app
        .get(&format!("/api/v1/chats/{chat}/messages"), &alice.access)
        .await
        .json()
        .await
        .expect("page");
    assert_eq!(messages["items"].as_array().map(Vec::len), Some(1));
}
api_test!(message_send_is_answered_by_the_event_and_a_retry_by_the_original);

async fn bad_frames_get_error_frames_and_the_socket_stays_open(app: TestApp) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let chat = group(&app, &alice.access, &[]).await;
    let own = group(&app, &bob.access, &[]).await;
    let (mut socket, _) = Socket::ready(&app, &bob.access).await;
    let cases = [
        ("not json".to_owned(), "invalid_frame"),
        (json!({"no": "type"}).to_string(), "invalid_frame"),
        (json!({"type": "dance"}).to_string(), "unknown_type"),
        (
            json!({"type": "read", "chat_id": "x"}).to_string(),
            "validation_failed",
        ),
        (
            json!({"type": "typing", "chat_id": chat}).to_string(),
            "chat_not_found",
        ),
    ];
    for (text, code) in cases {
        socket.send_text(&text).await;
        let frame = socket.next().await;
        assert_eq!(frame["type"], "error", "{text}");
        assert_eq!(frame["code"], code, "{text}");
        assert!(frame["detail"].as_str().is_some_and(|d| !d.is_empty()));
    }
    socket
        .send(&json!({"type": "message.send", "chat_id": chat, "body": "x", "client_message_id": "k-2"}))
        .await;
    let frame = socket.next().await;
    assert_eq!(frame["code"], "chat_not_found");
    assert_eq!(frame["client_message_id"], "k-2");
    socket
        .send(&json!({"type": "message.send", "chat_id": own, "body": "  ", "client_message_id": "k-3"}))
        .await;
    let frame = socket.next().await;
    assert_eq!(frame["code"], "validation_failed");
    assert_eq!(frame["client_message_id"], "k-3");
    let unknown_reply = uuid::Uuid::now_v7();
    socket
        .send(&json!({"type": "message.send", "chat_id": own, "body": "re", "client_message_id": "k-4", "reply_to_id": unknown_reply}))
        .await;
    let frame = socket.next().await;
    // The same code as `POST /chats/{id}/messages` answers (404 there).
    assert_eq!(frame["code"], "message_not_found");
    assert_eq!(frame["client_message_id"], "k-4");
    socket.send(&json!({"type": "ping"})).await;
    assert_eq!(socket.next().await, json!({"type": "pong"}));
}
api_test!(bad_frames_get_error_frames_and_the_socket_stays_open);

async fn the_longest_message_fits_but_an_oversized_frame_ends_the_connection(app: TestApp) {
    let alice = app.register("alice").await;
    let chat = group(&app, &alice.access, &[]).await;
    let (mut socket, _) = Socket::ready(&app, &alice.access).await;
    let longest = "\u{1F600}".repeat(4000);
    socket
        .send(&json!({"type": "message.send", "chat_id": chat, "body": longest, "client_message_id": "big"}))
        .await;
    assert_eq!(socket.next().await["type"], "message.created");
    socket.send_text(&"x".repeat(100 * 1024)).await;
    assert!(
        socket
            .closed()
            .await
            .is_none_or(|frame| u16::from(frame.code) != 1000)
    );
}
api_test!(the_longest_message_fits_but_an_oversized_frame_ends_the_connection);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn socket_sends_share_the_per_user_rate_limit() {
    let app = spawn_app_with(TestConfig {
        send_rate_per_second: 1,
        ..TestConfig::default()
    })
    .await;
    let alice = app.register("alice").await;
    let chat = group(&app, &alice.access, &[]).await;
    let (mut socket, _) = Socket::ready(&app, &alice.access).await;
    let mut limited = None;
    for n in 0..10 {
        let key = format!("k-{n}");
        socket
            .send(&json!({"type": "message.send", "chat_id": chat, "body": "x", "client_message_id": key}))
            .await;
        let frame = socket.next().await;
        if frame["type"] == "error" {
            limited = Some(frame);
            break;
        }
        assert_eq!(frame["type"], "message.created");
    }
    let frame = limited.expect("the burst ran out");
    assert_eq!(frame["code"], "rate_limited");
    assert!(frame["client_message_id"].as_str().is_some());
    socket.send(&json!({"type": "ping"})).await;
    assert_eq!(socket.next().await["type"], "pong");
}

async fn a_send_while_the_database_is_unreachable_gets_service_unavailable(app: TestApp) {
    let (alice, _bob, chat) = alice_and_bob_in_a_group(&app).await;
    let (mut socket, _) = Socket::ready(&app, &alice.access).await;
    app.db.close_by_ref().await.expect("close the pool");
    socket
        .send(&json!({"type": "message.send", "chat_id": chat, "body": "hello?", "client_message_id": "k1"}))
        .await;
    let frame = socket.next().await;
    assert_eq!(frame["type"], "error", "{frame}");
    assert_eq!(frame["code"], "service_unavailable", "{frame}");
    assert_eq!(frame["client_message_id"], "k1", "{frame}");
}
api_test!(a_send_while_the_database_is_unreachable_gets_service_unavailable);
