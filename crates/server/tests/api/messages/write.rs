//! `GET`, `PATCH` and `DELETE /chats/{id}/messages/{message_id}`.

use reqwest::Method;
use serde_json::{Value, json};

use crate::api_test;
use crate::chats::support::{call, create_direct, event_types, json_of, role_group, send};
use crate::helpers::{TestApp, TestUser, assert_error};

fn path(chat: &str, message: &Value) -> String {
    format!(
        "/api/v1/chats/{chat}/messages/{}",
        message["id"].as_str().expect("id")
    )
}

async fn edit(app: &TestApp, user: &TestUser, path: &str, body: &str) -> reqwest::Response {
    call(app, Method::PATCH, path, user, Some(json!({"body": body}))).await
}

async fn delete(app: &TestApp, user: &TestUser, path: &str) -> reqwest::Response {
    call(app, Method::DELETE, path, user, None).await
}

async fn only_the_author_edits_and_tombstones_stay_put(app: TestApp) {
    let g = role_group(&app).await;
    let message = send(&app, &g.member, &g.chat, "draft").await;
    let path = path(&g.chat, &message);
    for other in [&g.owner, &g.admin] {
        assert_error(edit(&app, other, &path, "hijack").await, 403, "forbidden").await;
    }
    assert_error(
        edit(&app, &g.outsider, &path, "x").await,
        404,
        "chat_not_found",
    )
    .await;
    assert_error(
        edit(&app, &g.member, &path, "").await,
        422,
        "validation_failed",
    )
    .await;
    let edited = edit(&app, &g.member, &path, "final").await;
    assert_eq!(edited.status(), 200);
    let edited = json_of(edited).await;
    assert_eq!(edited["body"], "final");
    assert!(edited["edited_at"].is_string());
    assert_eq!(edited["seq"], message["seq"]);
    assert_eq!(json_of(app.get(&path, &g.admin.access).await).await, edited);

    assert_eq!(delete(&app, &g.member, &path).await.status(), 204);
    assert_error(
        edit(&app, &g.member, &path, "again").await,
        409,
        "message_deleted",
    )
    .await;
    let tombstone = json_of(app.get(&path, &g.owner.access).await).await;
    assert_eq!(tombstone["body"], json!(null));
    assert!(tombstone["deleted_at"].is_string());
    // Deleting a tombstone again: 204 and no new log entry.
    let before = event_types(&app, &g.owner, &g.chat).await;
    assert_eq!(delete(&app, &g.member, &path).await.status(), 204);
    assert_eq!(event_types(&app, &g.owner, &g.chat).await, before);
}
api_test!(only_the_author_edits_and_tombstones_stay_put);

async fn group_managers_delete_any_message_members_only_their_own(app: TestApp) {
    let g = role_group(&app).await;
    let by_owner = send(&app, &g.owner, &g.chat, "owner's").await;
    let by_member = send(&app, &g.member, &g.chat, "member's").await;
    let by_admin = send(&app, &g.admin, &g.chat, "admin's").await;
    assert_error(
        delete(&app, &g.member, &path(&g.chat, &by_owner)).await,
        403,
        "forbidden",
    )
    .await;
    assert_error(
        delete(&app, &g.outsider, &path(&g.chat, &by_member)).await,
        404,
        "chat_not_found",
    )
    .await;
    assert_eq!(
        delete(&app, &g.admin, &path(&g.chat, &by_member))
            .await
            .status(),
        204
    );
    assert_eq!(
        delete(&app, &g.admin, &path(&g.chat, &by_owner))
            .await
            .status(),
        204
    );
    assert_eq!(
        delete(&app, &g.owner, &path(&g.chat, &by_admin))
            .await
            .status(),
        204
    );
    let unknown = format!("/api/v1/chats/{}/messages/{}", g.chat, uuid::Uuid::now_v7());
    assert_error(
        delete(&app, &g.owner, &unknown).await,
        404,
        "message_not_found",
    )
    .await;
    assert_error(
        app.get(&unknown, &g.owner.access).await,
        404,
        "message_not_found",
    )
    .await;
}
api_test!(group_managers_delete_any_message_members_only_their_own);

async fn in_a_direct_chat_only_the_author_deletes(app: TestApp) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let chat = create_direct(&app, &alice, &bob).await;
    let message = send(&app, &alice, &chat, "mine").await;
    assert_error(
        delete(&app, &bob, &path(&chat, &message)).await,
        403,
        "forbidden",
    )
    .await;
    assert_eq!(
        delete(&app, &alice, &path(&chat, &message)).await.status(),
        204
    );
    // A message id from another chat is not found here.
    let group = crate::chats::support::create_group(&app, &alice, "g", &[]).await;
    let elsewhere = send(&app, &alice, &group, "elsewhere").await;
    assert_error(
        app.get(&path(&chat, &elsewhere), &alice.access).await,
        404,
        "message_not_found",
    )
    .await;
}
api_test!(in_a_direct_chat_only_the_author_deletes);
