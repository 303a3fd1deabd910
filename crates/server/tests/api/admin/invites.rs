//! `CONFAB_REGISTRATION` and `/admin/invites`: closed servers refuse registration,
//! invite-only servers take each unused, unexpired, unrevoked invite once.

use chrono::TimeDelta;
use reqwest::Method;
use serde_json::{Value, json};

use super::{admin, confab, get_json};
use crate::api_test;
use crate::helpers::{PASSWORD, TestApp, TestConfig, assert_error, user_from};

fn invite_only() -> TestConfig {
    TestConfig {
        registration: Some("invite"),
        ..TestConfig::default()
    }
}

fn closed() -> TestConfig {
    TestConfig {
        registration: Some("closed"),
        ..TestConfig::default()
    }
}

async fn register(app: &TestApp, name: &str, invite_token: Option<&str>) -> reqwest::Response {
    app.send_json(
        Method::POST,
        "/api/v1/auth/register",
        None,
        &json!({"username": name, "email": format!("{name}@example.com"), "password": PASSWORD, "invite_token": invite_token}),
    )
    .await
}

async fn create_invite(app: &TestApp, token: &str, body: &Value) -> Value {
    let response = app
        .send_json(Method::POST, "/api/v1/admin/invites", Some(token), body)
        .await;
    assert_eq!(response.status(), 201);
    response.json().await.expect("json")
}

/// An admin on a server where nobody may register: made with `confab admin`.
async fn shell_admin(app: &TestApp) -> crate::helpers::TestUser {
    let output = confab(
        app,
        &[
            "admin",
            "create-user",
            "root",
            "--email",
            "root@example.com",
            "--admin",
        ],
        &format!("{PASSWORD}\n"),
    )
    .await;
    assert!(output.status.success(), "{output:?}");
    app.login("root", PASSWORD).await
}

async fn a_closed_server_refuses_registration_but_admins_create_accounts(app: TestApp) {
    let response = register(&app, "alice", None).await;
    assert_error(response, 403, "registration_closed").await;
    let root = shell_admin(&app).await;
    let invite = create_invite(&app, &root.access, &json!({})).await;
    let token = invite["token"].as_str().expect("token");
    let response = register(&app, "alice", Some(token)).await;
    assert_error(response, 403, "registration_closed").await;
    let response = app
        .send_json(
            Method::POST,
            "/api/v1/admin/users",
            Some(&root.access),
            &json!({"username": "alice", "email": "alice@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(response.status(), 201);
    app.login("alice", PASSWORD).await;
}
api_test!(
    a_closed_server_refuses_registration_but_admins_create_accounts,
    closed
);

async fn an_invite_only_server_takes_each_invite_once(app: TestApp) {
    let root = shell_admin(&app).await;
    assert_error(register(&app, "alice", None).await, 403, "invite_required").await;
    let forged = "0".repeat(64);
    assert_error(
        register(&app, "alice", Some(&forged)).await,
        403,
        "invite_required",
    )
    .await;

    let invite = create_invite(&app, &root.access, &json!({"email": "alice@example.com"})).await;
    assert_eq!(invite["invite"]["email"], "alice@example.com");
    assert_eq!(invite["invite"]["used_at"], Value::Null);
    let token = invite["token"].as_str().expect("token").to_owned();
    // A refused account leaves the invite unspent.
    let bad = app
        .send_json(
            Method::POST,
            "/api/v1/auth/register",
            None,
            &json!({"username": "root", "email": "x@example.com", "password": PASSWORD, "invite_token": token}),
        )
        .await;
    assert_error(bad, 409, "username_taken").await;
    let response = register(&app, "alice", Some(&token)).await;
    assert_eq!(response.status(), 201);
    let alice = user_from(response).await;
    assert_error(
        register(&app, "bob", Some(&token)).await,
        403,
        "invite_required",
    )
    .await;

    let listed = get_json(&app, "/api/v1/admin/invites", &root.access).await;
    assert_eq!(listed["items"][0]["used_by"], alice.id.as_str());
    assert!(listed["items"][0]["used_at"].as_str().is_some());
    assert!(listed["items"][0].get("token").is_none());
    // The invite is spent: it cannot be revoked any more.
    let id = listed["items"][0]["id"].as_str().expect("id");
    let response = app
        .request(
            Method::DELETE,
            &format!("/api/v1/admin/invites/{id}"),
            Some(&root.access),
        )
        .send()
        .await
        .expect("send");
    assert_error(response, 404, "invite_not_found").await;
}
api_test!(an_invite_only_server_takes_each_invite_once, invite_only);

async fn revoked_and_expired_invites_are_refused(app: TestApp) {
    let root = shell_admin(&app).await;
    let revoked = create_invite(&app, &root.access, &json!({})).await;
    let id = revoked["invite"]["id"].as_str().expect("id");
    let response = app
        .request(
            Method::DELETE,
            &format!("/api/v1/admin/invites/{id}"),
            Some(&root.access),
        )
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 204);
    let token = revoked["token"].as_str().expect("token");
    assert_error(
        register(&app, "alice", Some(token)).await,
        403,
        "invite_required",
    )
    .await;

    let short = create_invite(&app, &root.access, &json!({"expires_in_seconds": 3600})).await;
    let week = create_invite(&app, &root.access, &json!({})).await;
    let expires_at = week["invite"]["expires_at"].as_str().expect("expires_at");
    let created_at = week["invite"]["created_at"].as_str().expect("created_at");
    let span = chrono::DateTime::parse_from_rfc3339(expires_at).expect("ts")
        - chrono::DateTime::parse_from_rfc3339(created_at).expect("ts");
    assert_eq!(span, TimeDelta::days(7));
    app.clock.advance(TimeDelta::hours(2));
    // The access token expired with the hours that passed.
    let root = app.login("root", PASSWORD).await;
    let token = short["token"].as_str().expect("token");
    assert_error(
        register(&app, "alice", Some(token)).await,
        403,
        "invite_required",
    )
    .await;
    let token = week["token"].as_str().expect("token");
    assert_eq!(register(&app, "alice", Some(token)).await.status(), 201);

    for bad in [json!({"expires_in_seconds": 59}), json!({"email": "nope"})] {
        let response = app
            .send_json(
                Method::POST,
                "/api/v1/admin/invites",
                Some(&root.access),
                &bad,
            )
            .await;
        assert_error(response, 422, "validation_failed").await;
    }
    let audit = get_json(&app, "/api/v1/admin/audit?limit=2", &root.access).await;
    assert_eq!(audit["items"][0]["action"], "invite.create");
    let cursor = audit["next_cursor"].as_str().expect("more");
    let older = get_json(
        &app,
        &format!("/api/v1/admin/audit?cursor={cursor}"),
        &root.access,
    )
    .await;
    let actions: Vec<&str> = older["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(actions, ["invite.revoke", "invite.create", "user.create"]);
}
api_test!(revoked_and_expired_invites_are_refused, invite_only);

async fn an_open_server_ignores_invite_tokens(app: TestApp) {
    let root = admin(&app, "root").await;
    let invite = create_invite(&app, &root.access, &json!({})).await;
    let token = invite["token"].as_str().expect("token");
    assert_eq!(register(&app, "alice", Some(token)).await.status(), 201);
    assert_eq!(
        register(&app, "bob", Some(&"f".repeat(64))).await.status(),
        201
    );
}
api_test!(an_open_server_ignores_invite_tokens);

async fn an_invite_made_for_an_address_is_mailed_with_its_registration_link(app: TestApp) {
    let root = shell_admin(&app).await;
    let invite = create_invite(
        &app,
        &root.access,
        &json!({"email": "dave@example.com", "expires_in_seconds": 172_800}),
    )
    .await;
    let mail = app.nth_mail("dave@example.com", 1).await;
    let token = mail.link_value("register", "invite");
    assert_eq!(token, invite["token"].as_str().expect("token"));
    assert!(mail.raw.contains("root invited you"), "{}", mail.raw);
    assert!(mail.raw.contains("2 days"), "{}", mail.raw);
    let response = register(&app, "dave", Some(&token)).await;
    assert_eq!(response.status(), 201);
}
api_test!(
    an_invite_made_for_an_address_is_mailed_with_its_registration_link,
    invite_only
);
