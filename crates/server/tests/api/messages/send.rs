//! `POST /chats/{id}/messages`: validation, replies, exactly-once retries, rate limit.

use reqwest::Method;
use serde_json::{Value, json};

use crate::api_test;
use crate::chats::support::{call, create_direct, create_group, json_of, send};
use crate::helpers::{TestApp, TestConfig, TestUser, assert_error, spawn_app_with};

async fn post(app: &TestApp, user: &TestUser, chat: &str, body: Value) -> reqwest::Response {
    call(
        app,
        Method::POST,
        &format!("/api/v1/chats/{chat}/messages"),
        user,
        Some(body),
    )
    .await
}

async fn a_message_has_every_field(app: TestApp) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let chat = create_direct(&app, &alice, &bob).await;
    let message = send(&app, &alice, &chat, "  hello 🦀  ").await;
    assert_eq!(message["chat_id"], chat.as_str());
    assert_eq!(message["author_id"], alice.id.as_str());
    assert_eq!(message["body"], "  hello 🦀  ");
    assert_eq!(message["seq"], 2);
    assert_eq!(message["reply_to_id"], json!(null));
    assert_eq!(message["client_message_id"], json!(null));
    assert_eq!(message["edited_at"], json!(null));
    assert_eq!(message["deleted_at"], json!(null));
    let created_at = message["created_at"].as_str().expect("created_at");
    assert!(
        created_at.ends_with('Z') && created_at.len() == 24,
        "{created_at}"
    );
    // A reply to a message of the same chat.
    let reply = post(
        &app,
        &bob,
        &chat,
        json!({"body": "hi", "reply_to_id": message["id"]}),
    )
    .await;
    assert_eq!(reply.status(), 201);
    assert_eq!(json_of(reply).await["reply_to_id"], message["id"]);
}
api_test!(a_message_has_every_field);

async fn retries_with_one_client_message_id_store_one_message(app: TestApp) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let chat = create_direct(&app, &alice, &bob).await;
    let body = json!({"body": "once", "client_message_id": "k-1"});
    let first = post(&app, &alice, &chat, body.clone()).await;
    assert_eq!(first.status(), 201);
    let first = json_of(first).await;
    assert_eq!(first["client_message_id"], "k-1");
    let retry = post(&app, &alice, &chat, body.clone()).await;
    assert_eq!(retry.status(), 200);
    assert_eq!(json_of(retry).await, first);
    // Concurrent retries agree on the same message.
    let retries = (0..8).map(|_| post(&app, &alice, &chat, body.clone()));
    for response in futures_util::future::join_all(retries).await {
        assert_eq!(response.status(), 200);
        assert_eq!(json_of(response).await["id"], first["id"]);
    }
    // The key is per author: bob's "k-1" is another message.
    let bobs = post(&app, &bob, &chat, body).await;
    assert_eq!(bobs.status(), 201);
    let page = json_of(
        app.get(&format!("/api/v1/chats/{chat}/messages"), &alice.access)
            .await,
    )
    .await;
    assert_eq!(page["items"].as_array().expect("items").len(), 2);
}
api_test!(retries_with_one_client_message_id_store_one_message);

async fn bad_messages_are_refused_and_nothing_is_stored(app: TestApp) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let eve = app.register("eve").await;
    let chat = create_direct(&app, &alice, &bob).await;
    let other = create_group(&app, &alice, "other", &[]).await;
    let elsewhere = send(&app, &alice, &other, "elsewhere").await;
    let cases = [
        (json!({"body": ""}), "body"),
        (json!({"body": " \n "}), "body"),
        (json!({"body": "x".repeat(4001)}), "body"),
        (
            json!({"body": "x", "client_message_id": "k".repeat(65)}),
            "client_message_id",
        ),
        (json!({}), "body"),
        (json!({"body": 5}), "body"),
    ];
    for (body, field) in cases {
        let refused = assert_error(
            post(&app, &alice, &chat, body).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(refused["errors"][0]["field"], field, "{refused}");
    }
    // A reply target that is not a live message of this chat names nothing: 404.
    for reply_to_id in [elsewhere["id"].clone(), json!(uuid::Uuid::now_v7())] {
        assert_error(
            post(
                &app,
                &alice,
                &chat,
                json!({"body": "x", "reply_to_id": reply_to_id}),
            )
            .await,
            404,
            "message_not_found",
        )
        .await;
    }
    assert!(
        post(&app, &alice, &chat, json!({"body": "x".repeat(4000)}))
            .await
            .status()
            .is_success()
    );
    assert_error(
        post(&app, &eve, &chat, json!({"body": "hi"})).await,
        404,
        "chat_not_found",
    )
    .await;
    let missing = uuid::Uuid::now_v7().to_string();
    assert_error(
        post(&app, &alice, &missing, json!({"body": "hi"})).await,
        404,
        "chat_not_found",
    )
    .await;
    let page = json_of(
        app.get(&format!("/api/v1/chats/{chat}/messages"), &alice.access)
            .await,
    )
    .await;
    assert_eq!(page["items"].as_array().expect("items").len(), 1);
}
api_test!(bad_messages_are_refused_and_nothing_is_stored);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sends_are_rate_limited_per_user() {
    let app = spawn_app_with(TestConfig {
        send_rate_per_second: 1,
        ..TestConfig::default()
    })
    .await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let chat = create_direct(&app, &alice, &bob).await;
    let mut limited = None;
    // Burst 3 at 1/s: within a few more sends the limit must answer.
    for i in 0..10 {
        let response = post(&app, &alice, &chat, json!({"body": format!("m{i}")})).await;
        assert!(
            response.headers().contains_key("x-ratelimit-limit"),
            "limit header on {i}"
        );
        assert!(response.headers().contains_key("x-ratelimit-remaining"));
        if response.status() == 429 {
            limited = Some(response);
            break;
        }
        assert_eq!(response.status(), 201);
    }
    let limited = limited.expect("a send was rate limited");
    let retry_after: u64 = limited.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!(retry_after >= 1);
    assert_error(limited, 429, "rate_limited").await;
    // The limit is per user: bob still sends.
    assert_eq!(
        post(&app, &bob, &chat, json!({"body": "mine"}))
            .await
            .status(),
        201
    );
}

async fn concurrent_sends_take_gapless_seqs(app: TestApp) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let chat = create_direct(&app, &alice, &bob).await;
    let sends = (0..50).map(|i| {
        let who = if i % 2 == 0 { &alice } else { &bob };
        post(&app, who, &chat, json!({"body": format!("m{i}")}))
    });
    let mut seqs = Vec::new();
    for response in futures_util::future::join_all(sends).await {
        assert_eq!(response.status(), 201);
        seqs.push(json_of(response).await["seq"].as_i64().expect("seq"));
    }
    seqs.sort_unstable();
    // chat.created holds seq 1; the 50 messages take 2..=51, each exactly once.
    assert_eq!(seqs, (2..=51).collect::<Vec<i64>>());
}
api_test!(concurrent_sends_take_gapless_seqs);
