//! `POST /chats/{id}/read`: read positions, unread counts and receipts.

use reqwest::Method;
use serde_json::{Value, json};

use crate::api_test;
use crate::chats::support::{call, create_direct, get_ok, json_of, send};
use crate::helpers::{TestApp, TestUser, assert_error};

async fn read(app: &TestApp, user: &TestUser, chat: &str, seq: Value) -> reqwest::Response {
    call(
        app,
        Method::POST,
        &format!("/api/v1/chats/{chat}/read"),
        user,
        Some(json!({"seq": seq})),
    )
    .await
}

fn last_read_of(chat: &Value, user: &TestUser) -> i64 {
    chat["members"]
        .as_array()
        .expect("members")
        .iter()
        .find(|m| m["user_id"] == user.id.as_str())
        .and_then(|m| m["last_read_seq"].as_i64())
        .expect("member")
}

async fn unread_counts_follow_read_positions(app: TestApp) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let chat = create_direct(&app, &alice, &bob).await;
    let chat_path = format!("/api/v1/chats/{chat}");
    for i in 0..3 {
        send(&app, &bob, &chat, &format!("b{i}")).await;
    }
    let mine = send(&app, &alice, &chat, "a").await;
    // Only others' messages count; sending does not move my position.
    let seen = get_ok(&app, &alice, &chat_path).await;
    assert_eq!(seen["unread_count"], 3);
    assert_eq!(last_read_of(&seen, &alice), 1);
    assert_eq!(get_ok(&app, &bob, &chat_path).await["unread_count"], 1);
    let listed = get_ok(&app, &alice, "/api/v1/chats").await;
    assert_eq!(listed["items"][0]["unread_count"], 3);
    assert_eq!(listed["items"][0]["last_message"]["id"], mine["id"]);

    assert_eq!(read(&app, &alice, &chat, json!(3)).await.status(), 204);
    assert_eq!(get_ok(&app, &alice, &chat_path).await["unread_count"], 1);
    // Backwards changes nothing; past last_seq is clamped.
    assert_eq!(read(&app, &alice, &chat, json!(2)).await.status(), 204);
    assert_eq!(
        last_read_of(&get_ok(&app, &bob, &chat_path).await, &alice),
        3
    );
    assert_eq!(read(&app, &alice, &chat, json!(1000)).await.status(), 204);
    let after = get_ok(&app, &alice, &chat_path).await;
    assert_eq!(after["unread_count"], 0);
    assert_eq!(
        last_read_of(&after, &alice),
        after["last_seq"].as_i64().expect("last_seq")
    );
    // Deleted messages are not unread.
    let gone = send(&app, &bob, &chat, "oops").await;
    let gone_path = format!("{chat_path}/messages/{}", gone["id"].as_str().expect("id"));
    assert_eq!(
        call(&app, Method::DELETE, &gone_path, &bob, None)
            .await
            .status(),
        204
    );
    assert_eq!(get_ok(&app, &alice, &chat_path).await["unread_count"], 0);
}
api_test!(unread_counts_follow_read_positions);

async fn bad_read_requests_are_refused(app: TestApp) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let eve = app.register("eve").await;
    let chat = create_direct(&app, &alice, &bob).await;
    assert_error(
        read(&app, &alice, &chat, json!(-1)).await,
        422,
        "validation_failed",
    )
    .await;
    assert_error(
        read(&app, &alice, &chat, json!("x")).await,
        422,
        "validation_failed",
    )
    .await;
    assert_error(
        read(&app, &eve, &chat, json!(1)).await,
        404,
        "chat_not_found",
    )
    .await;
    let body = json_of(read(&app, &alice, &chat, json!(null)).await).await;
    assert_eq!(body["code"], "validation_failed");
}
api_test!(bad_read_requests_are_refused);

async fn a_new_member_starts_reading_at_the_seq_that_added_it(app: TestApp) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let chat = crate::chats::support::create_group(&app, &alice, "late", &[]).await;
    send(&app, &alice, &chat, "before bob").await;
    send(&app, &alice, &chat, "still before bob").await;
    let add = json!({"user_ids": [bob.id]});
    let path = format!("/api/v1/chats/{chat}");
    let added = call(
        &app,
        Method::POST,
        &format!("{path}/members"),
        &alice,
        Some(add),
    )
    .await;
    assert_eq!(added.status(), 200);
    let seen = get_ok(&app, &bob, &path).await;
    assert_eq!(last_read_of(&seen, &bob), 4);
    assert_eq!(seen["unread_count"], 0);
    send(&app, &alice, &chat, "hello bob").await;
    assert_eq!(get_ok(&app, &bob, &path).await["unread_count"], 1);
}
api_test!(a_new_member_starts_reading_at_the_seq_that_added_it);
