//! Files sent with messages: over REST and the socket, shown to every reader in the
//! sender's order, downloadable by members only, and gone with the message's text.

use reqwest::Method;
use serde_json::{Value, json};

use super::{id_of, png, uploaded};
use crate::api_test;
use crate::helpers::{TestApp, TestUser, assert_error};
use crate::ws::client::{Socket, assert_documented, events_after, group};

async fn send(app: &TestApp, user: &TestUser, chat: &str, body: &Value) -> reqwest::Response {
    let path = format!("/api/v1/chats/{chat}/messages");
    app.send_json(Method::POST, &path, Some(&user.access), body)
        .await
}

fn attachment_ids(message: &Value) -> Vec<&str> {
    message["attachments"]
        .as_array()
        .expect("attachments")
        .iter()
        .map(id_of)
        .collect()
}

fn fields(error: &Value) -> Vec<&str> {
    error["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect()
}

async fn files_reach_every_member_and_nobody_else(app: TestApp) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let chat = group(&app, &alice.access, &[&bob.id]).await;
    let (mut bob_socket, _) = Socket::ready(&app, &bob.access).await;
    let photo = uploaded(&app, &alice, "photo.png", &png(640, 480)).await;
    let notes = uploaded(&app, &alice, "notes.txt", b"minutes of the meeting").await;

    // Files only: no body at all.
    let response = send(
        &app,
        &alice,
        &chat,
        &json!({"attachment_ids": [id_of(&notes), id_of(&photo)]}),
    )
    .await;
    assert_eq!(response.status().as_u16(), 201);
    let message: Value = response.json().await.expect("message");
    assert_eq!(message["body"], "", "files without text: an empty body");
    assert_eq!(attachment_ids(&message), [id_of(&notes), id_of(&photo)]);
    assert_eq!(message["attachments"][1], photo, "the upload as uploaded");

    let event = bob_socket.next().await;
    assert_documented(&event);
    assert_eq!(event["type"], "message.created");
    assert_eq!(
        attachment_ids(&event["data"]),
        [id_of(&notes), id_of(&photo)]
    );
    let history = app
        .get(&format!("/api/v1/chats/{chat}/messages"), &bob.access)
        .await;
    let page: Value = history.json().await.expect("page");
    let last = page["items"].as_array().and_then(|items| items.last());
    assert_eq!(
        last.map(attachment_ids),
        Some(vec![id_of(&notes), id_of(&photo)])
    );
    let logged = events_after(&app, &bob.access, &chat, 0).await;
    assert!(logged.iter().any(|e| e["type"] == "message.created"
        && attachment_ids(&e["data"]) == [id_of(&notes), id_of(&photo)]));

    let file = |id: &str| format!("/api/v1/files/{id}");
    let bytes = app.get(&file(id_of(&notes)), &bob.access).await;
    assert_eq!(bytes.status().as_u16(), 200, "a member downloads");
    assert_eq!(
        bytes.bytes().await.expect("body").as_ref(),
        b"minutes of the meeting"
    );
    let thumbnail = app
        .get(&format!("{}/thumbnail", file(id_of(&photo))), &bob.access)
        .await;
    assert_eq!(thumbnail.status().as_u16(), 200, "and the thumbnail");
    let stranger = app.get(&file(id_of(&photo)), &carol.access).await;
    assert_error(stranger, 404, "file_not_found").await;
}
api_test!(files_reach_every_member_and_nobody_else);

async fn unusable_attachments_are_refused_on_the_field(app: TestApp) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let chat = group(&app, &alice.access, &[&bob.id]).await;
    let bobs = uploaded(&app, &bob, "b.txt", b"bob's").await;
    let mine = uploaded(&app, &alice, "a.txt", b"alice's").await;
    let unknown = "0193b0a0-0000-7000-8000-000000000000";

    for (what, body) in [
        (
            "someone else's",
            json!({"body": "x", "attachment_ids": [id_of(&bobs)]}),
        ),
        ("unknown", json!({"body": "x", "attachment_ids": [unknown]})),
        (
            "twice",
            json!({"attachment_ids": [id_of(&mine), id_of(&mine)]}),
        ),
        ("eleven", json!({"attachment_ids": vec![unknown; 11]})),
    ] {
        let response = send(&app, &alice, &chat, &body).await;
        let error = assert_error(response, 422, "validation_failed").await;
        assert_eq!(fields(&error), ["attachment_ids"], "{what}: {error}");
    }
    let empty = send(&app, &alice, &chat, &json!({"attachment_ids": []})).await;
    let error = assert_error(empty, 422, "validation_failed").await;
    assert_eq!(fields(&error), ["body"], "neither text nor files");

    let first = send(
        &app,
        &alice,
        &chat,
        &json!({"attachment_ids": [id_of(&mine)]}),
    )
    .await;
    assert_eq!(first.status().as_u16(), 201);
    let used = send(
        &app,
        &alice,
        &chat,
        &json!({"body": "again", "attachment_ids": [id_of(&mine)]}),
    )
    .await;
    let error = assert_error(used, 422, "validation_failed").await;
    assert_eq!(fields(&error), ["attachment_ids"], "already sent");

    let avatar = uploaded(&app, &alice, "me.png", &png(8, 8)).await;
    let set = app
        .send_json(
            Method::PUT,
            "/api/v1/me/avatar",
            Some(&alice.access),
            &json!({"upload_id": id_of(&avatar)}),
        )
        .await;
    assert_eq!(set.status().as_u16(), 200);
    let response = send(
        &app,
        &alice,
        &chat,
        &json!({"attachment_ids": [id_of(&avatar)]}),
    )
    .await;
    let error = assert_error(response, 422, "validation_failed").await;
    assert_eq!(fields(&error), ["attachment_ids"], "an avatar");
}
api_test!(unusable_attachments_are_refused_on_the_field);

async fn a_removed_member_and_a_deleted_message_lose_the_file(app: TestApp) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let chat = group(&app, &alice.access, &[&bob.id]).await;
    let doc = uploaded(&app, &alice, "plan.txt", b"the plan").await;
    let response = send(
        &app,
        &alice,
        &chat,
        &json!({"body": "the plan", "attachment_ids": [id_of(&doc)]}),
    )
    .await;
    let message: Value = response.json().await.expect("message");
    let path = format!("/api/v1/files/{}", id_of(&doc));
    assert_eq!(app.get(&path, &bob.access).await.status().as_u16(), 200);

    let removed = app
        .request(
            Method::DELETE,
            &format!("/api/v1/chats/{chat}/members/{}", bob.id),
            Some(&alice.access),
        )
        .send()
        .await
        .expect("send");
    assert_eq!(removed.status().as_u16(), 204);
    assert_error(app.get(&path, &bob.access).await, 404, "file_not_found").await;

    let id = message["id"].as_str().expect("id");
    let deleted = app
        .request(
            Method::DELETE,
            &format!("/api/v1/chats/{chat}/messages/{id}"),
            Some(&alice.access),
        )
        .send()
        .await
        .expect("send");
    assert_eq!(deleted.status().as_u16(), 204);
    assert_error(app.get(&path, &alice.access).await, 404, "file_not_found").await;
    let tombstone: Value = app
        .get(
            &format!("/api/v1/chats/{chat}/messages/{id}"),
            &alice.access,
        )
        .await
        .json()
        .await
        .expect("tombstone");
    assert_eq!(tombstone["body"], Value::Null);
    assert_eq!(tombstone["attachments"], json!([]));
}
api_test!(a_removed_member_and_a_deleted_message_lose_the_file);

async fn the_socket_sends_files_too(app: TestApp) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let chat = group(&app, &alice.access, &[&bob.id]).await;
    let photo = uploaded(&app, &alice, "photo.png", &png(32, 32)).await;
    let (mut socket, _) = Socket::ready(&app, &alice.access).await;
    let frame = json!({
        "type": "message.send",
        "chat_id": chat,
        "client_message_id": "photo-1",
        "attachment_ids": [id_of(&photo)],
    });
    socket.send(&frame).await;
    let created = socket.next().await;
    assert_documented(&created);
    assert_eq!(created["type"], "message.created", "{created}");
    assert_eq!(created["data"]["body"], "");
    assert_eq!(attachment_ids(&created["data"]), [id_of(&photo)]);

    // A retry gets the original, files included, and claims nothing again.
    socket.send(&frame).await;
    let again = socket.next().await;
    assert_eq!(again["data"]["id"], created["data"]["id"]);
    assert_eq!(attachment_ids(&again["data"]), [id_of(&photo)]);
}
api_test!(the_socket_sends_files_too);
