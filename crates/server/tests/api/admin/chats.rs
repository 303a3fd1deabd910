//! `/admin/chats`: every chat listed without message bodies; an admin who is no
//! member adds and removes group members and tombstones messages, each logged in the
//! chat like a member's change and in the audit log.

use reqwest::Method;
use serde_json::{Value, json};

use super::{admin, get_json};
use crate::api_test;
use crate::chats::support::{
    create_direct, create_group, event_types, get_ok, last_member_changes, send,
};
use crate::helpers::{TestApp, TestUser, assert_error};
use crate::ws::client::Socket;

async fn add(app: &TestApp, root: &TestUser, chat: &str, ids: &[&str]) -> reqwest::Response {
    let path = format!("/api/v1/admin/chats/{chat}/members");
    app.send_json(
        Method::POST,
        &path,
        Some(&root.access),
        &json!({"user_ids": ids}),
    )
    .await
}

async fn delete(app: &TestApp, root: &TestUser, path: &str) -> reqwest::Response {
    app.send_json(Method::DELETE, path, Some(&root.access), &json!({}))
        .await
}

/// The newest audit entry's action and target.
async fn last_audit(app: &TestApp, root: &TestUser) -> (String, String) {
    let page = get_json(app, "/api/v1/admin/audit?limit=1", &root.access).await;
    let entry = &page["items"][0];
    assert_eq!(entry["admin_id"], root.id.as_str(), "{entry}");
    (
        entry["action"].as_str().expect("action").to_owned(),
        entry["target"].as_str().expect("target").to_owned(),
    )
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|chat| chat["id"].as_str().expect("id").to_owned())
        .collect()
}

async fn admins_list_every_chat_with_counts_and_no_bodies(app: TestApp) {
    let root = admin(&app, "root").await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let team = create_group(&app, &alice, "Team Rocket", &[&bob]).await;
    let direct = create_direct(&app, &alice, &bob).await;
    send(&app, &alice, &direct, "a secret").await;

    let all = get_json(&app, "/api/v1/admin/chats", &root.access).await;
    assert_eq!(
        ids(&all),
        [direct.clone(), team.clone()],
        "newest activity first"
    );
    assert!(!all.to_string().contains("a secret"), "{all}");
    let first = &all["items"][0];
    assert_eq!(first["type"], "direct");
    assert_eq!(first["member_count"], 2);
    assert_eq!(first["name"], Value::Null);
    assert!(
        first["last_activity_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
    assert_eq!(all["items"][1]["name"], "Team Rocket");

    let page = get_json(&app, "/api/v1/admin/chats?limit=1", &root.access).await;
    assert_eq!(ids(&page), [direct.as_str()]);
    let cursor = page["next_cursor"].as_str().expect("cursor");
    let rest = get_json(
        &app,
        &format!("/api/v1/admin/chats?limit=1&cursor={cursor}"),
        &root.access,
    )
    .await;
    assert_eq!(ids(&rest), [team.as_str()]);
    assert_eq!(rest["next_cursor"], Value::Null);

    let found = get_json(&app, "/api/v1/admin/chats?q=team", &root.access).await;
    assert_eq!(ids(&found), [team.as_str()]);
    let none = get_json(&app, "/api/v1/admin/chats?q=rocket", &root.access).await;
    assert_eq!(ids(&none), Vec::<String>::new());
    let bad = app
        .get("/api/v1/admin/chats?cursor=nope", &root.access)
        .await;
    assert_eq!(bad.status(), 400);
}
api_test!(admins_list_every_chat_with_counts_and_no_bodies);

async fn an_admin_manages_members_of_any_group_logged_as_usual(app: TestApp) {
    let root = admin(&app, "root").await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let chat = create_group(&app, &alice, "Team", &[&bob]).await;

    assert_eq!(add(&app, &root, &chat, &[&carol.id]).await.status(), 204);
    let view = get_ok(&app, &carol, &format!("/api/v1/chats/{chat}")).await;
    assert_eq!(view["member_count"], 3);
    assert_eq!(
        last_member_changes(&app, &alice, &chat, 1).await,
        [("member.added".to_owned(), json!(carol.id), json!(root.id))],
        "members see that the admin added carol"
    );
    let (action, target) = last_audit(&app, &root).await;
    assert_eq!(action, "chat.add_members");
    assert_eq!(target, format!("chat:{chat}/user:{}", carol.id));

    // The owner goes too, with the usual hand-over; the admin is no member.
    let (mut bobs_socket, _) = Socket::ready(&app, &bob.access).await;
    let path = format!("/api/v1/admin/chats/{chat}/members/{}", alice.id);
    assert_eq!(delete(&app, &root, &path).await.status(), 204);
    let removed = loop {
        let frame = bobs_socket.next().await;
        if frame["type"] == "member.removed" {
            break frame;
        }
    };
    assert_eq!(removed["data"]["user_id"], alice.id.as_str(), "{removed}");
    assert_eq!(removed["data"]["actor_id"], root.id.as_str(), "{removed}");
    let view = get_ok(&app, &bob, &format!("/api/v1/chats/{chat}")).await;
    let bob_role = view["members"]
        .as_array()
        .expect("members")
        .iter()
        .find(|m| m["user_id"] == bob.id.as_str())
        .map(|m| m["role"].clone());
    assert_eq!(bob_role, Some(json!("owner")));
    // Both entries, the hand-over and the removal, name the admin as actor.
    assert_eq!(
        last_member_changes(&app, &bob, &chat, 2).await,
        [
            ("member.updated".to_owned(), json!(bob.id), json!(root.id)),
            ("member.removed".to_owned(), json!(alice.id), json!(root.id)),
        ]
    );
    let (action, target) = last_audit(&app, &root).await;
    assert_eq!(action, "chat.remove_member");
    assert_eq!(target, format!("chat:{chat}/user:{}", alice.id));

    // Refusals: not a member any more, unknown users and chats, direct chats.
    let refused = delete(&app, &root, &path).await;
    assert_error(refused, 404, "member_not_found").await;
    let nobody = uuid::Uuid::now_v7();
    let refused = add(&app, &root, &chat, &[&nobody.to_string()]).await;
    assert_error(refused, 404, "user_not_found").await;
    let refused = add(&app, &root, &nobody.to_string(), &[&carol.id]).await;
    assert_error(refused, 404, "chat_not_found").await;
    let direct = create_direct(&app, &bob, &carol).await;
    let refused = add(&app, &root, &direct, &[&alice.id]).await;
    assert_error(refused, 400, "not_a_group").await;
    let path = format!("/api/v1/admin/chats/{direct}/members/{}", bob.id);
    assert_error(delete(&app, &root, &path).await, 400, "not_a_group").await;
    // A refused write leaves no audit entry.
    let (action, _) = last_audit(&app, &root).await;
    assert_eq!(action, "chat.remove_member");
    // A plain member cannot use the admin route.
    let refused = add(&app, &bob, &chat, &[&alice.id]).await;
    assert_error(refused, 403, "forbidden").await;
}
api_test!(an_admin_manages_members_of_any_group_logged_as_usual);

async fn an_admin_tombstones_any_message(app: TestApp) {
    let root = admin(&app, "root").await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let chat = create_direct(&app, &alice, &bob).await;
    let message = send(&app, &alice, &chat, "spam").await;
    let id = message["id"].as_str().expect("id");
    let path = format!("/api/v1/admin/chats/{chat}/messages/{id}");

    assert_eq!(delete(&app, &root, &path).await.status(), 204);
    let seen = get_ok(&app, &bob, &format!("/api/v1/chats/{chat}/messages/{id}")).await;
    assert_eq!(seen["body"], Value::Null);
    assert!(seen["deleted_at"].is_string(), "{seen}");
    let types = event_types(&app, &bob, &chat).await;
    assert_eq!(types.last().map(String::as_str), Some("message.deleted"));
    let (action, target) = last_audit(&app, &root).await;
    assert_eq!(action, "message.delete");
    assert_eq!(target, format!("chat:{chat}/message:{id}"));

    // Again: nothing changes, nothing more is logged.
    let before = event_types(&app, &bob, &chat).await;
    assert_eq!(delete(&app, &root, &path).await.status(), 204);
    assert_eq!(event_types(&app, &bob, &chat).await, before);

    let nobody = uuid::Uuid::now_v7();
    let missing = format!("/api/v1/admin/chats/{chat}/messages/{nobody}");
    assert_error(
        delete(&app, &root, &missing).await,
        404,
        "message_not_found",
    )
    .await;
    let missing = format!("/api/v1/admin/chats/{nobody}/messages/{id}");
    assert_error(delete(&app, &root, &missing).await, 404, "chat_not_found").await;
}
api_test!(an_admin_tombstones_any_message);
