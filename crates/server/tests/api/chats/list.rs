//! `GET /chats`: my chats by last activity, cursor pages, unread counts.

use chrono::TimeDelta;
use serde_json::{Value, json};

use super::support::{create_direct, create_group, get_ok, send};
use crate::api_test;
use crate::helpers::{TestApp, assert_error};

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["id"].as_str().expect("id").to_owned())
        .collect()
}

async fn chats_are_listed_by_last_activity_in_cursor_pages(app: TestApp) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    // The test clock stands still unless moved: one second between steps.
    let tick = || app.clock.advance(TimeDelta::seconds(1));
    let first = create_direct(&app, &alice, &bob).await;
    tick();
    let second = create_group(&app, &alice, "two", &[&bob]).await;
    tick();
    let third = create_group(&app, &alice, "three", &[]).await;
    tick();
    // A message moves the oldest chat to the top.
    send(&app, &bob, &first, "ping").await;
    let all = get_ok(&app, &alice, "/api/v1/chats").await;
    assert_eq!(
        ids(&all),
        vec![first.clone(), third.clone(), second.clone()]
    );
    assert_eq!(all["next_cursor"], json!(null));

    let page1 = get_ok(&app, &alice, "/api/v1/chats?limit=2").await;
    assert_eq!(ids(&page1), vec![first.clone(), third.clone()]);
    let cursor = page1["next_cursor"].as_str().expect("more pages");
    let page2 = get_ok(
        &app,
        &alice,
        &format!("/api/v1/chats?limit=2&cursor={cursor}"),
    )
    .await;
    assert_eq!(ids(&page2), vec![second.clone()]);
    assert_eq!(page2["next_cursor"], json!(null));

    // List items: no members, but peer, my_role, last_message and unread_count.
    let direct = &all["items"][0];
    assert!(direct.get("members").is_none(), "{direct}");
    assert_eq!(direct["peer"]["user_id"], bob.id.as_str());
    assert_eq!(direct["my_role"], json!(null));
    assert_eq!(direct["last_message"]["body"], "ping");
    assert_eq!(direct["unread_count"], 1);
    let group = &all["items"][2];
    assert_eq!(group["peer"], json!(null));
    assert_eq!(group["my_role"], "owner");
    assert_eq!(group["member_count"], 2);
    // Bob only sees his two chats.
    assert_eq!(ids(&get_ok(&app, &bob, "/api/v1/chats").await).len(), 2);
}
api_test!(chats_are_listed_by_last_activity_in_cursor_pages);

async fn bad_list_parameters_are_refused(app: TestApp) {
    let alice = app.register("alice").await;
    for query in ["limit=0", "limit=101", "limit=-1"] {
        let response = app
            .get(&format!("/api/v1/chats?{query}"), &alice.access)
            .await;
        assert_error(response, 400, "validation_failed").await;
    }
    for cursor in ["garbage", "1.2.3", "1.000000000.zz"] {
        let response = app
            .get(&format!("/api/v1/chats?cursor={cursor}"), &alice.access)
            .await;
        assert_error(response, 400, "invalid_cursor").await;
    }
}
api_test!(bad_list_parameters_are_refused);
