//! `GET /chats/{id}/messages` and `GET /chats/{id}/events`: seq pages both ways.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};

use crate::api_test;
use crate::chats::support::{call, create_group, get_ok, send};
use crate::helpers::{TestApp, TestUser, assert_error};

fn seqs(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|m| m["seq"].as_i64().expect("seq"))
        .collect()
}

/// Walks the pages from `start`, following `next_cursor` as `param`.
async fn walk(
    app: &TestApp,
    user: &TestUser,
    base: &str,
    start: &str,
    param: &str,
) -> Vec<Vec<i64>> {
    let mut pages = Vec::new();
    let mut query = start.to_owned();
    loop {
        let page = get_ok(app, user, &format!("{base}?limit=3{query}")).await;
        pages.push(seqs(&page));
        // A seq cursor is a JSON integer, the type `before`/`after` take.
        match page["next_cursor"].as_i64() {
            Some(cursor) => query = format!("&{param}={cursor}"),
            None => return pages,
        }
    }
}

async fn history_pages_walk_both_ways_with_tombstones(app: TestApp) {
    let alice = app.register("alice").await;
    let chat = create_group(&app, &alice, "log", &[]).await;
    let mut sent = Vec::new();
    for i in 0..8 {
        sent.push(send(&app, &alice, &chat, &format!("m{i}")).await);
    }
    // seqs 2..=9; delete the one at seq 5: it stays as a tombstone.
    let deleted = &sent[3];
    let path = format!(
        "/api/v1/chats/{chat}/messages/{}",
        deleted["id"].as_str().expect("id")
    );
    assert_eq!(
        call(&app, Method::DELETE, &path, &alice, None)
            .await
            .status(),
        204
    );
    let base = format!("/api/v1/chats/{chat}/messages");

    let backward = walk(&app, &alice, &base, "", "before").await;
    assert_eq!(backward, vec![vec![7, 8, 9], vec![4, 5, 6], vec![2, 3]]);
    let forward = walk(&app, &alice, &base, "&after=0", "after").await;
    assert_eq!(forward, vec![vec![2, 3, 4], vec![5, 6, 7], vec![8, 9]]);
    let everything: BTreeSet<i64> = forward.concat().into_iter().collect();
    assert_eq!(everything.len(), 8);

    let newest = get_ok(&app, &alice, &base).await;
    let tombstone = &newest["items"][3];
    assert_eq!(tombstone["seq"], 5);
    assert_eq!(tombstone["body"], json!(null));
    assert!(tombstone["deleted_at"].is_string());
    // Past the end: an empty page with no cursor.
    let empty = get_ok(&app, &alice, &format!("{base}?after=9")).await;
    assert_eq!(empty, json!({"items": [], "next_cursor": null}));
}
api_test!(history_pages_walk_both_ways_with_tombstones);

async fn bad_history_queries_are_400(app: TestApp) {
    let alice = app.register("alice").await;
    let chat = create_group(&app, &alice, "log", &[]).await;
    for query in [
        "before=5&after=1",
        "limit=0",
        "limit=101",
        "before=-1",
        "after=x",
    ] {
        let response = app
            .get(
                &format!("/api/v1/chats/{chat}/messages?{query}"),
                &alice.access,
            )
            .await;
        assert_error(response, 400, "validation_failed").await;
    }
    for query in ["after=-1", "limit=0"] {
        let response = app
            .get(
                &format!("/api/v1/chats/{chat}/events?{query}"),
                &alice.access,
            )
            .await;
        assert_error(response, 400, "validation_failed").await;
    }
}
api_test!(bad_history_queries_are_400);

async fn the_event_log_replays_every_change_in_order(app: TestApp) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let chat = create_group(&app, &alice, "log", &[]).await;
    let message = send(&app, &alice, &chat, "first").await;
    let id = message["id"].as_str().expect("id");
    let path = format!("/api/v1/chats/{chat}/messages/{id}");
    call(
        &app,
        Method::PATCH,
        &path,
        &alice,
        Some(json!({"body": "edited"})),
    )
    .await;
    call(
        &app,
        Method::POST,
        &format!("/api/v1/chats/{chat}/members"),
        &alice,
        Some(json!({"user_ids": [bob.id]})),
    )
    .await;
    call(&app, Method::DELETE, &path, &alice, None).await;

    let base = format!("/api/v1/chats/{chat}/events");
    let all = get_ok(&app, &bob, &base).await;
    let types: Vec<_> = all["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["type"].clone())
        .collect();
    assert_eq!(
        types,
        vec![
            json!("chat.created"),
            json!("message.created"),
            json!("message.updated"),
            json!("member.added"),
            json!("message.deleted")
        ]
    );
    assert_eq!(seqs(&all), vec![1, 2, 3, 4, 5]);
    assert_eq!(all["next_cursor"], json!(null));
    let created = &all["items"][1];
    assert_eq!(created["chat_id"], chat.as_str());
    assert_eq!(created["data"]["id"], message["id"]);
    // A deleted message's text is not replayable: its earlier entries carry the
    // tombstone too.
    assert_eq!(created["data"]["body"], json!(null));
    assert!(created["data"]["deleted_at"].is_string());
    assert_eq!(
        all["items"][3]["data"],
        json!({"user_id": bob.id, "role": "member", "actor_id": alice.id}),
        "alice added bob"
    );
    assert_eq!(all["items"][4]["data"]["body"], json!(null));
    // Paging: next_cursor is the highest seq, passed as `after`.
    let first = get_ok(&app, &bob, &format!("{base}?limit=2")).await;
    assert_eq!(seqs(&first), vec![1, 2]);
    assert_eq!(first["next_cursor"], json!(2));
    let rest = get_ok(&app, &bob, &format!("{base}?after=2&limit=10")).await;
    assert_eq!(seqs(&rest), vec![3, 4, 5]);
    let past = get_ok(&app, &bob, &format!("{base}?after=99")).await;
    assert_eq!(past["items"], json!([]));
}
api_test!(the_event_log_replays_every_change_in_order);
