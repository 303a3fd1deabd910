//! `POST /chats` and `GET /chats/{id}`: direct chats (one per pair) and groups.

use reqwest::Method;
use serde_json::{Value, json};

use super::support::{call, create_chat, create_direct, create_group, get_ok, json_of};
use crate::api_test;
use crate::helpers::{TestApp, assert_error};

async fn direct_chat_is_created_once_per_pair(app: TestApp) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let body = json!({"type": "direct", "member_ids": [bob.id]});
    let created = create_chat(&app, &alice, body, 201).await;
    assert_eq!(created["type"], "direct");
    assert_eq!(created["name"], json!(null));
    assert_eq!(created["member_count"], 2);
    assert_eq!(created["last_seq"], 1);
    assert_eq!(created["unread_count"], 0);
    assert_eq!(created["last_message"], json!(null));
    assert_eq!(created["message_ttl_seconds"], json!(null));
    assert!(
        created["members"]
            .as_array()
            .expect("members")
            .iter()
            .all(|m| m["role"].is_null())
    );
    // Again, from either side: 200, same chat. (The direct variant of the body takes
    // exactly one id, so my own id or a duplicate is no longer mixed in.)
    let again = json!({"type": "direct", "member_ids": [bob.id]});
    let existing = create_chat(&app, &alice, again, 200).await;
    assert_eq!(existing["id"], created["id"]);
    let reverse = create_chat(
        &app,
        &bob,
        json!({"type": "direct", "member_ids": [alice.id]}),
        200,
    )
    .await;
    assert_eq!(reverse["id"], created["id"]);
}
api_test!(direct_chat_is_created_once_per_pair);

async fn concurrent_direct_creates_agree_on_one_chat(app: TestApp) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let attempts = (0..10).map(|i| {
        let (me, other) = if i % 2 == 0 {
            (&alice, &bob)
        } else {
            (&bob, &alice)
        };
        call(
            &app,
            Method::POST,
            "/api/v1/chats",
            me,
            Some(json!({"type": "direct", "member_ids": [other.id]})),
        )
    });
    let responses = futures_util::future::join_all(attempts).await;
    let mut ids = Vec::new();
    let mut created = 0;
    for response in responses {
        let status = response.status().as_u16();
        assert!(status == 200 || status == 201, "{status}");
        created += usize::from(status == 201);
        ids.push(json_of(response).await["id"].clone());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert_eq!(created, 1);
}
api_test!(concurrent_direct_creates_agree_on_one_chat);

async fn bad_direct_chats_are_refused(app: TestApp) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let post = |body| call(&app, Method::POST, "/api/v1/chats", &alice, Some(body));
    assert_error(
        post(json!({"type": "direct", "member_ids": [alice.id]})).await,
        400,
        "invalid_member",
    )
    .await;
    let unknown = "01900000-0000-7000-8000-000000000001";
    assert_error(
        post(json!({"type": "direct", "member_ids": [unknown]})).await,
        404,
        "user_not_found",
    )
    .await;
    // The body's schema is a `oneOf` on `type`; each refusal names the field.
    let refused_field = |body: Value, field: &'static str, message: &'static str| async move {
        let body = assert_error(post(body).await, 422, "validation_failed").await;
        assert_eq!(body["errors"][0]["field"], field, "{body}");
        assert_eq!(body["errors"][0]["message"], message, "{body}");
    };
    let two = json!({"type": "direct", "member_ids": [bob.id, carol.id]});
    refused_field(two, "member_ids", "must hold exactly 1 item").await;
    let none = json!({"type": "direct", "member_ids": []});
    refused_field(none, "member_ids", "must hold exactly 1 item").await;
    let missing = json!({"type": "direct"});
    refused_field(missing, "member_ids", "is required").await;
    let channel = json!({"type": "channel", "member_ids": []});
    refused_field(channel, "type", r#"must be one of "group", "direct""#).await;
    let untyped = json!({"member_ids": [bob.id]});
    refused_field(untyped, "type", "is required").await;
    let nameless = json!({"type": "group", "member_ids": [bob.id]});
    refused_field(nameless, "name", "is required").await;
    // Nothing was stored.
    let list = get_ok(&app, &alice, "/api/v1/chats").await;
    assert_eq!(list["items"], json!([]));
}
api_test!(bad_direct_chats_are_refused);

// The direct variant of the create body has no `name`: one sent is ignored like any
// unknown field (it was refused with 422 before the body became a `oneOf`).
async fn a_name_sent_with_a_direct_chat_is_ignored(app: TestApp) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let body = json!({"type": "direct", "name": "x", "member_ids": [bob.id]});
    let chat = create_chat(&app, &alice, body, 201).await;
    assert_eq!(chat["type"], "direct");
    assert_eq!(chat["name"], Value::Null);
}
api_test!(a_name_sent_with_a_direct_chat_is_ignored);

async fn group_creator_is_owner_and_duplicates_are_ignored(app: TestApp) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let body =
        json!({"type": "group", "name": "  Team  ", "member_ids": [bob.id, bob.id, alice.id]});
    let chat = create_chat(&app, &alice, body, 201).await;
    assert_eq!(chat["name"], "Team");
    assert_eq!(chat["member_count"], 2);
    let roles: Vec<_> = chat["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| {
            (
                m["user_id"].as_str().expect("id").to_owned(),
                m["role"].clone(),
            )
        })
        .collect();
    assert!(
        roles.contains(&(alice.id.clone(), json!("owner"))),
        "{roles:?}"
    );
    assert!(
        roles.contains(&(bob.id.clone(), json!("member"))),
        "{roles:?}"
    );
    // A group may start with just me.
    let solo = create_chat(
        &app,
        &alice,
        json!({"type": "group", "name": "Me", "member_ids": []}),
        201,
    )
    .await;
    assert_eq!(solo["member_count"], 1);
    // Bob sees the group; the chat log starts with chat.created at seq 1.
    let id = chat["id"].as_str().expect("id");
    let seen = get_ok(&app, &bob, &format!("/api/v1/chats/{id}")).await;
    assert_eq!(seen["id"], chat["id"]);
    let events = get_ok(&app, &bob, &format!("/api/v1/chats/{id}/events")).await;
    assert_eq!(events["items"][0]["type"], "chat.created");
    assert_eq!(events["items"][0]["seq"], 1);
    assert_eq!(events["items"][0]["data"]["member_count"], 2);
}
api_test!(group_creator_is_owner_and_duplicates_are_ignored);

async fn bad_groups_are_refused(app: TestApp) {
    let alice = app.register("alice").await;
    let post = |body| call(&app, Method::POST, "/api/v1/chats", &alice, Some(body));
    let unnamed = assert_error(
        post(json!({"type": "group", "member_ids": []})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(unnamed["errors"][0]["field"], "name");
    let long = "n".repeat(101);
    assert_error(
        post(json!({"type": "group", "name": long, "member_ids": []})).await,
        422,
        "validation_failed",
    )
    .await;
    let unknown = "01900000-0000-7000-8000-000000000002";
    assert_error(
        post(json!({"type": "group", "name": "x", "member_ids": [unknown]})).await,
        404,
        "user_not_found",
    )
    .await;
    // 1000 others plus me is one too many; refused before any id is looked up.
    let many: Vec<String> = (0..1000)
        .map(|_| uuid::Uuid::now_v7().to_string())
        .collect();
    assert_error(
        post(json!({"type": "group", "name": "big", "member_ids": many})).await,
        409,
        "group_full",
    )
    .await;
    let list = get_ok(&app, &alice, "/api/v1/chats").await;
    assert_eq!(list["items"], json!([]));
}
api_test!(bad_groups_are_refused);

async fn strangers_get_404_for_chats_they_are_not_in(app: TestApp) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let eve = app.register("eve").await;
    let chat = create_direct(&app, &alice, &bob).await;
    assert_error(
        app.get(&format!("/api/v1/chats/{chat}"), &eve.access).await,
        404,
        "chat_not_found",
    )
    .await;
    let missing = uuid::Uuid::now_v7();
    assert_error(
        app.get(&format!("/api/v1/chats/{missing}"), &alice.access)
            .await,
        404,
        "chat_not_found",
    )
    .await;
    let group = create_group(&app, &alice, "g", &[]).await;
    assert_error(
        app.get(&format!("/api/v1/chats/{group}"), &bob.access)
            .await,
        404,
        "chat_not_found",
    )
    .await;
    // A path id that is not a UUID is a refused parameter, named (it was a 404).
    let malformed = app.get("/api/v1/chats/not-a-uuid", &alice.access).await;
    let body = assert_error(malformed, 400, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "id");
    let message = format!("/api/v1/chats/{chat}/messages/not-a-uuid");
    let body = assert_error(
        app.get(&message, &alice.access).await,
        400,
        "validation_failed",
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "message_id");
    let member = format!("/api/v1/chats/{group}/members/not-a-uuid");
    let removal = app
        .request(Method::DELETE, &member, Some(&alice.access))
        .send()
        .await
        .expect("send");
    let body = assert_error(removal, 400, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "user_id");
    let unauthenticated = app
        .request(Method::GET, &format!("/api/v1/chats/{chat}"), None)
        .send()
        .await
        .expect("send");
    assert_error(unauthenticated, 401, "unauthorized").await;
}
api_test!(strangers_get_404_for_chats_they_are_not_in);
