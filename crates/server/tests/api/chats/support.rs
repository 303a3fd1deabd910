//! Shared steps of the chat and message tests: creating chats, sending, reading.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser};

/// The body of a response, as JSON.
pub(crate) async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.expect("json body")
}

/// `method path` with `user`'s token and an optional JSON body.
pub(crate) async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    user: &TestUser,
    body: Option<Value>,
) -> reqwest::Response {
    let request = app.request(method, path, Some(&user.access));
    let request = match body {
        Some(body) => request.json(&body),
        None => request,
    };
    request.send().await.expect("send")
}

/// `POST /chats` as `user`, expecting `status`; returns the body.
pub(crate) async fn create_chat(app: &TestApp, user: &TestUser, body: Value, status: u16) -> Value {
    let response = call(app, Method::POST, "/api/v1/chats", user, Some(body)).await;
    assert_eq!(response.status().as_u16(), status, "create chat");
    json_of(response).await
}

/// A group named `name` created by `owner` with `members`; returns the chat id.
pub(crate) async fn create_group(
    app: &TestApp,
    owner: &TestUser,
    name: &str,
    members: &[&TestUser],
) -> String {
    let ids: Vec<&str> = members.iter().map(|m| m.id.as_str()).collect();
    let chat = create_chat(
        app,
        owner,
        json!({"type": "group", "name": name, "member_ids": ids}),
        201,
    )
    .await;
    chat["id"].as_str().expect("chat id").to_owned()
}

/// The direct chat of `a` and `b` (created by `a`); returns the chat id.
pub(crate) async fn create_direct(app: &TestApp, a: &TestUser, b: &TestUser) -> String {
    let chat = create_chat(app, a, json!({"type": "direct", "member_ids": [b.id]}), 201).await;
    chat["id"].as_str().expect("chat id").to_owned()
}

/// `user` sends `body` to `chat`, expecting 201; returns the message.
pub(crate) async fn send(app: &TestApp, user: &TestUser, chat: &str, body: &str) -> Value {
    let response = call(
        app,
        Method::POST,
        &format!("/api/v1/chats/{chat}/messages"),
        user,
        Some(json!({"body": body})),
    )
    .await;
    let status = response.status();
    let json = json_of(response).await;
    assert_eq!(status, 201, "send: {json}");
    json
}

/// `GET path` as `user`, expecting 200; returns the body.
pub(crate) async fn get_ok(app: &TestApp, user: &TestUser, path: &str) -> Value {
    let response = app.get(path, &user.access).await;
    let status = response.status();
    let json = json_of(response).await;
    assert_eq!(status, 200, "GET {path}: {json}");
    json
}

/// A group with one user per role, plus an outsider who is not a member.
pub(crate) struct RoleGroup {
    pub(crate) chat: String,
    pub(crate) owner: TestUser,
    pub(crate) admin: TestUser,
    pub(crate) member: TestUser,
    pub(crate) outsider: TestUser,
}

/// Registers owner/admin/member/outsider and builds the group "Team".
pub(crate) async fn role_group(app: &TestApp) -> RoleGroup {
    let owner = app.register("owner").await;
    let admin = app.register("admin").await;
    let member = app.register("member").await;
    let outsider = app.register("outsider").await;
    let chat = create_group(app, &owner, "Team", &[&admin, &member]).await;
    let promoted = call(
        app,
        Method::PATCH,
        &format!("/api/v1/chats/{chat}/members/{}", admin.id),
        &owner,
        Some(json!({"role": "admin"})),
    )
    .await;
    assert_eq!(promoted.status(), 200, "promote admin");
    RoleGroup {
        chat,
        owner,
        admin,
        member,
        outsider,
    }
}

/// The chat's log (its first 100 entries), in order, as `user` replays it.
pub(crate) async fn events(app: &TestApp, user: &TestUser, chat: &str) -> Vec<Value> {
    let page = get_ok(app, user, &format!("/api/v1/chats/{chat}/events?limit=100")).await;
    page["items"].as_array().expect("items").clone()
}

/// The `type`s of the chat's log, in order, as `user` replays it.
pub(crate) async fn event_types(app: &TestApp, user: &TestUser, chat: &str) -> Vec<String> {
    events(app, user, chat)
        .await
        .iter()
        .map(|e| e["type"].as_str().expect("type").to_owned())
        .collect()
}

/// The `(type, data.user_id, data.actor_id)` of the last `n` entries of the chat's
/// log: who a member change was about and who made it.
pub(crate) async fn last_member_changes(
    app: &TestApp,
    user: &TestUser,
    chat: &str,
    n: usize,
) -> Vec<(String, Value, Value)> {
    let log = events(app, user, chat).await;
    log[log.len().saturating_sub(n)..]
        .iter()
        .map(|e| {
            (
                e["type"].as_str().expect("type").to_owned(),
                e["data"]["user_id"].clone(),
                e["data"]["actor_id"].clone(),
            )
        })
        .collect()
}
