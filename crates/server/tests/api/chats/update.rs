//! `PATCH /chats/{id}`: renaming groups and disappearing-message lifetimes.

use reqwest::Method;
use serde_json::{Value, json};

use super::support::{call, create_direct, event_types, json_of, role_group};
use crate::api_test;
use crate::helpers::{TestApp, TestUser, assert_error};

async fn patch(app: &TestApp, user: &TestUser, chat: &str, body: Value) -> reqwest::Response {
    call(
        app,
        Method::PATCH,
        &format!("/api/v1/chats/{chat}"),
        user,
        Some(body),
    )
    .await
}

async fn managers_rename_and_set_the_ttl_in_one_entry(app: TestApp) {
    let g = role_group(&app).await;
    let response = patch(
        &app,
        &g.admin,
        &g.chat,
        json!({"name": "Renamed", "message_ttl_seconds": 3600}),
    )
    .await;
    assert_eq!(response.status(), 200);
    let chat = json_of(response).await;
    assert_eq!(chat["name"], "Renamed");
    assert_eq!(chat["message_ttl_seconds"], 3600);
    let types = event_types(&app, &g.owner, &g.chat).await;
    assert_eq!(
        types.iter().filter(|t| *t == "chat.updated").count(),
        1,
        "{types:?}"
    );
    // null = keep forever; absent fields stay.
    let cleared = json_of(
        patch(
            &app,
            &g.owner,
            &g.chat,
            json!({"message_ttl_seconds": null}),
        )
        .await,
    )
    .await;
    assert_eq!(cleared["message_ttl_seconds"], json!(null));
    assert_eq!(cleared["name"], "Renamed");
    // Nothing changes, nothing is logged.
    let same = patch(&app, &g.owner, &g.chat, json!({"name": "Renamed"})).await;
    assert_eq!(same.status(), 200);
    let after = event_types(&app, &g.owner, &g.chat).await;
    assert_eq!(
        after.iter().filter(|t| *t == "chat.updated").count(),
        2,
        "{after:?}"
    );
}
api_test!(managers_rename_and_set_the_ttl_in_one_entry);

async fn members_and_strangers_cannot_change_a_group(app: TestApp) {
    let g = role_group(&app).await;
    assert_error(
        patch(&app, &g.member, &g.chat, json!({"name": "x"})).await,
        403,
        "forbidden",
    )
    .await;
    assert_error(
        patch(&app, &g.member, &g.chat, json!({"message_ttl_seconds": 60})).await,
        403,
        "forbidden",
    )
    .await;
    assert_error(
        patch(&app, &g.outsider, &g.chat, json!({"name": "x"})).await,
        404,
        "chat_not_found",
    )
    .await;
    for bad in [
        json!({"message_ttl_seconds": 59}),
        json!({"message_ttl_seconds": 604_801}),
        json!({"name": ""}),
    ] {
        assert_error(
            patch(&app, &g.owner, &g.chat, bad).await,
            422,
            "validation_failed",
        )
        .await;
    }
    let chat = json_of(
        app.get(&format!("/api/v1/chats/{}", g.chat), &g.owner.access)
            .await,
    )
    .await;
    assert_eq!(chat["name"], "Team");
    assert_eq!(chat["message_ttl_seconds"], json!(null));
}
api_test!(members_and_strangers_cannot_change_a_group);

async fn direct_chats_take_a_ttl_but_no_name(app: TestApp) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let chat = create_direct(&app, &alice, &bob).await;
    assert_error(
        patch(&app, &bob, &chat, json!({"name": "ours"})).await,
        400,
        "not_a_group",
    )
    .await;
    let set = patch(&app, &bob, &chat, json!({"message_ttl_seconds": 86_400})).await;
    assert_eq!(set.status(), 200);
    assert_eq!(json_of(set).await["message_ttl_seconds"], 86_400);
}
api_test!(direct_chats_take_a_ttl_but_no_name);
