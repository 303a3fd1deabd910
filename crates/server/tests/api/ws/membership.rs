//! Membership on the socket: joining, leaving, revoked sessions, expired tokens.

use std::time::Duration;

use chrono::TimeDelta;
use serde_json::json;

use super::client::{Socket, alice_and_bob_in_a_group, group, post_message};
use crate::api_test;
use crate::helpers::{PASSWORD, TestApp};

const QUIET: Duration = Duration::from_millis(300);

async fn an_added_member_gets_chat_created_then_the_chats_events(app: TestApp) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let chat = group(&app, &alice.access, &[]).await;
    let (mut alice_socket, _) = Socket::ready(&app, &alice.access).await;
    let (mut bob_socket, ready) = Socket::ready(&app, &bob.access).await;
    assert_eq!(ready["chats"], json!([]));
    let response = app
        .send_json(
            reqwest::Method::POST,
            &format!("/api/v1/chats/{chat}/members"),
            Some(&alice.access),
            &json!({"user_ids": [bob.id]}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let created = bob_socket.next().await;
    assert_eq!(created["type"], "chat.created");
    assert_eq!(created["chat_id"], chat.as_str());
    assert_eq!(created["seq"], 2, "the seq of my member.added");
    assert_eq!(created["data"]["id"], chat.as_str());
    let members = created["data"]["members"].as_array().expect("members");
    assert!(members.iter().any(|m| m["user_id"] == bob.id.as_str()));
    let added = alice_socket.next().await;
    assert_eq!(added["type"], "member.added");
    assert_eq!(added["seq"], 2);
    post_message(&app, &alice.access, &chat, "welcome").await;
    let message = bob_socket.next().await;
    assert_eq!(message["type"], "message.created");
    assert_eq!(message["seq"], 3);
    bob_socket.assert_silent(QUIET).await;
}
api_test!(an_added_member_gets_chat_created_then_the_chats_events);

async fn a_removed_member_gets_its_removal_and_then_nothing(app: TestApp) {
    let (alice, bob, chat) = alice_and_bob_in_a_group(&app).await;
    let (mut alice_socket, _) = Socket::ready(&app, &alice.access).await;
    let (mut bob_socket, _) = Socket::ready(&app, &bob.access).await;
    let response = app
        .request(
            reqwest::Method::DELETE,
            &format!("/api/v1/chats/{chat}/members/{}", bob.id),
            Some(&alice.access),
        )
        .send()
        .await
        .expect("remove");
    assert_eq!(response.status(), 204);
    let removed = bob_socket.next().await;
    assert_eq!(removed["type"], "member.removed");
    assert_eq!(removed["seq"], 2);
    assert_eq!(removed["data"]["user_id"], bob.id.as_str());
    post_message(&app, &alice.access, &chat, "after bob left").await;
    assert_eq!(alice_socket.next().await["type"], "member.removed");
    assert_eq!(alice_socket.next().await["type"], "message.created");
    bob_socket.assert_silent(QUIET).await;
    bob_socket
        .send(&json!({"type": "typing", "chat_id": chat}))
        .await;
    assert_eq!(bob_socket.next().await["code"], "chat_not_found");
}
api_test!(a_removed_member_gets_its_removal_and_then_nothing);

async fn a_revoked_session_is_closed_with_4401_and_others_stay(app: TestApp) {
    let alice = app.register("alice").await;
    let laptop = app.login("alice", PASSWORD).await;
    let (mut revoked, _) = Socket::ready(&app, &alice.access).await;
    let (mut kept, _) = Socket::ready(&app, &laptop.access).await;
    let response = app
        .request(
            reqwest::Method::POST,
            "/api/v1/auth/logout",
            Some(&alice.access),
        )
        .send()
        .await
        .expect("logout");
    assert_eq!(response.status(), 204);
    let frame = revoked.closed().await.expect("a close frame");
    assert_eq!(u16::from(frame.code), 4401);
    kept.send(&json!({"type": "ping"})).await;
    assert_eq!(kept.next().await["type"], "pong");
}
api_test!(a_revoked_session_is_closed_with_4401_and_others_stay);

async fn a_socket_outlives_its_access_tokens_expiry(app: TestApp) {
    let (_, bob, chat) = alice_and_bob_in_a_group(&app).await;
    let (mut bob_socket, _) = Socket::ready(&app, &bob.access).await;
    app.clock.advance(TimeDelta::minutes(30));
    let alice_now = app.login("alice", PASSWORD).await;
    post_message(&app, &alice_now.access, &chat, "still there?").await;
    assert_eq!(bob_socket.next().await["type"], "message.created");
}
api_test!(a_socket_outlives_its_access_tokens_expiry);
