//! Disappearing messages: expiry by the chat's TTL, with the test clock.

use chrono::TimeDelta;
use reqwest::Method;
use serde_json::{Value, json};

use crate::api_test;
use crate::chats::support::{call, create_direct, get_ok, send};
use crate::helpers::{TestApp, assert_error};

async fn expired_messages_are_never_returned(app: TestApp) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let chat = create_direct(&app, &alice, &bob).await;
    let old = send(&app, &bob, &chat, "before the ttl").await;
    app.clock.advance(TimeDelta::seconds(30));
    let set = call(
        &app,
        Method::PATCH,
        &format!("/api/v1/chats/{chat}"),
        &alice,
        Some(json!({"message_ttl_seconds": 60})),
    )
    .await;
    assert_eq!(set.status(), 200);
    let young = send(&app, &bob, &chat, "after the ttl").await;
    let chat_path = format!("/api/v1/chats/{chat}");
    assert_eq!(get_ok(&app, &alice, &chat_path).await["unread_count"], 2);

    // 61 s after the first message: it is gone (counted from created_at, also for
    // messages sent before the TTL was set), the second one is not.
    app.clock.advance(TimeDelta::seconds(31));
    let old_path = format!("{chat_path}/messages/{}", old["id"].as_str().expect("id"));
    assert_error(
        app.get(&old_path, &alice.access).await,
        404,
        "message_not_found",
    )
    .await;
    let page = get_ok(&app, &alice, &format!("{chat_path}/messages")).await;
    let ids: Vec<_> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|m| m["id"].clone())
        .collect();
    assert_eq!(ids, vec![young["id"].clone()]);
    let events = get_ok(&app, &alice, &format!("{chat_path}/events")).await;
    let event_seqs: Vec<_> = events["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["seq"].clone())
        .collect();
    assert!(!event_seqs.contains(&old["seq"]), "{event_seqs:?}");
    let view = get_ok(&app, &alice, &chat_path).await;
    assert_eq!(view["unread_count"], 1);
    assert_eq!(view["last_message"]["id"], young["id"]);

    // Later still, everything has expired.
    app.clock.advance(TimeDelta::seconds(60));
    let view = get_ok(&app, &alice, &chat_path).await;
    assert_eq!(view["unread_count"], 0);
    assert_eq!(view["last_message"], json!(null));
    let page = get_ok(&app, &alice, &format!("{chat_path}/messages")).await;
    assert_eq!(page["items"], json!([]));
}
api_test!(expired_messages_are_never_returned);

async fn pages_skip_expired_messages_each_live_one_exactly_once(app: TestApp) {
    let alice = app.register("alice").await;
    let chat = crate::chats::support::create_group(&app, &alice, "ttl", &[]).await;
    let path = format!("/api/v1/chats/{chat}");
    let ttl = json!({"message_ttl_seconds": 60});
    assert_eq!(
        call(&app, Method::PATCH, &path, &alice, Some(ttl))
            .await
            .status(),
        200
    );
    for i in 0..5 {
        send(&app, &alice, &chat, &format!("old{i}")).await;
    }
    app.clock.advance(TimeDelta::seconds(40));
    let mut young = Vec::new();
    for i in 0..5 {
        young.push(send(&app, &alice, &chat, &format!("new{i}")).await["seq"].clone());
    }
    app.clock.advance(TimeDelta::seconds(21));
    // Backward from the newest page, then forward from 0, two at a time.
    for (start, param) in [("", "before"), ("&after=0", "after")] {
        let mut seen = Vec::new();
        let mut query = start.to_owned();
        loop {
            let page = get_ok(&app, &alice, &format!("{path}/messages?limit=2{query}")).await;
            for item in page["items"].as_array().expect("items") {
                seen.push(item["seq"].clone());
            }
            match page["next_cursor"].as_i64() {
                Some(cursor) => query = format!("&{param}={cursor}"),
                None => break,
            }
        }
        seen.sort_by_key(Value::as_i64);
        assert_eq!(seen, young, "walking by {param}");
    }
}
api_test!(pages_skip_expired_messages_each_live_one_exactly_once);
