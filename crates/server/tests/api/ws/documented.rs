//! The WebSocket against its AsyncAPI document: every frame type the document lists
//! arrives in a real session, and (as every frame any realtime test receives, see
//! `client::assert_documented`) matches the schema of its `type`.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};

use super::client::{Socket, alice_and_bob_in_a_group, documented_server_frame_types};
use crate::api_test;
use crate::helpers::TestApp;

/// Reads frames until one of type `wire` (at most 10), recording every type seen.
async fn until(socket: &mut Socket, wire: &str, seen: &mut BTreeSet<String>) -> Value {
    for _ in 0..10 {
        let frame = socket.next().await;
        let kind = frame["type"].as_str().unwrap_or_default().to_owned();
        seen.insert(kind.clone());
        if kind == wire {
            return frame;
        }
    }
    panic!("no `{wire}` frame among the next 10");
}

/// A REST call that must succeed.
async fn call(app: &TestApp, method: Method, path: &str, token: &str, body: Option<Value>) {
    let mut request = app.request(method, path, Some(token));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("send");
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
}

async fn every_documented_server_frame_type_arrives_and_matches_its_schema(app: TestApp) {
    let (alice, bob, chat) = alice_and_bob_in_a_group(&app).await;
    let carol = app.register("carol").await;
    let mut seen = BTreeSet::new();
    let mut alice_socket = Socket::connect(&app, &alice.access).await;
    until(&mut alice_socket, "ready", &mut seen).await;
    let mut bob_socket = Socket::connect(&app, &bob.access).await;
    until(&mut bob_socket, "ready", &mut seen).await;
    let mut carol_socket = Socket::connect(&app, &carol.access).await;
    until(&mut carol_socket, "ready", &mut seen).await;

    alice_socket.send(&json!({"type": "ping"})).await;
    until(&mut alice_socket, "pong", &mut seen).await;
    alice_socket
        .send(&json!({"type": "message.send", "chat_id": chat, "client_message_id": "k"}))
        .await;
    until(&mut alice_socket, "error", &mut seen).await;

    bob_socket
        .send(&json!({"type": "typing", "chat_id": chat}))
        .await;
    until(&mut alice_socket, "typing", &mut seen).await;

    let send =
        json!({"type": "message.send", "chat_id": chat, "body": "hi", "client_message_id": "k-1"});
    alice_socket.send(&send).await;
    let created = until(&mut alice_socket, "message.created", &mut seen).await;
    let (seq, message) = (&created["seq"], &created["data"]["id"]);
    let message = message.as_str().expect("id");
    let path = format!("/api/v1/chats/{chat}/messages/{message}");
    call(
        &app,
        Method::PATCH,
        &path,
        &alice.access,
        Some(json!({"body": "hi!"})),
    )
    .await;
    until(&mut alice_socket, "message.updated", &mut seen).await;
    call(&app, Method::DELETE, &path, &alice.access, None).await;
    until(&mut alice_socket, "message.deleted", &mut seen).await;

    bob_socket
        .send(&json!({"type": "read", "chat_id": chat, "seq": seq}))
        .await;
    until(&mut alice_socket, "read.updated", &mut seen).await;

    let chat_path = format!("/api/v1/chats/{chat}");
    call(
        &app,
        Method::PATCH,
        &chat_path,
        &alice.access,
        Some(json!({"name": "Renamed"})),
    )
    .await;
    until(&mut alice_socket, "chat.updated", &mut seen).await;

    let members = format!("/api/v1/chats/{chat}/members");
    let body = json!({"user_ids": [carol.id]});
    call(&app, Method::POST, &members, &alice.access, Some(body)).await;
    until(&mut alice_socket, "member.added", &mut seen).await;
    until(&mut carol_socket, "chat.created", &mut seen).await;
    let carol_path = format!("{members}/{}", carol.id);
    let role = json!({"role": "admin"});
    call(&app, Method::PATCH, &carol_path, &alice.access, Some(role)).await;
    until(&mut alice_socket, "member.updated", &mut seen).await;
    call(&app, Method::DELETE, &carol_path, &alice.access, None).await;
    until(&mut alice_socket, "member.removed", &mut seen).await;

    let seen: Vec<String> = seen.into_iter().collect();
    assert_eq!(seen, documented_server_frame_types());
}
api_test!(every_documented_server_frame_type_arrives_and_matches_its_schema);
