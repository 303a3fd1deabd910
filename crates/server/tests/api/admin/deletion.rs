//! Deleting an account (`DELETE /me`, `DELETE /admin/users/{id}`): at once, every
//! session is revoked (sockets 4401), and the username and email stop signing in.

use reqwest::Method;
use serde_json::json;

use super::{admin, get_json};
use crate::api_test;
use crate::helpers::{PASSWORD, TestApp, TestUser, assert_error};
use crate::ws::client::Socket;

async fn delete_me(app: &TestApp, user: &TestUser, password: &str) -> reqwest::Response {
    app.send_json(
        Method::DELETE,
        "/api/v1/me",
        Some(&user.access),
        &json!({"current_password": password}),
    )
    .await
}

async fn admin_delete(app: &TestApp, id: &str, token: &str) -> reqwest::Response {
    app.send_json(
        Method::DELETE,
        &format!("/api/v1/admin/users/{id}"),
        Some(token),
        &json!({}),
    )
    .await
}

async fn login(app: &TestApp, login: &str) -> reqwest::Response {
    app.send_json(
        Method::POST,
        "/api/v1/auth/login",
        None,
        &json!({"login": login, "password": PASSWORD}),
    )
    .await
}

/// The deleted account's tokens, username and email are all refused.
async fn assert_gone(app: &TestApp, user: &TestUser, name: &str) {
    super::assert_tokens_refused(app, user).await;
    // Signing in says nothing about the account having existed.
    assert_error(login(app, name).await, 401, "invalid_credentials").await;
    let email = format!("{name}@example.com");
    assert_error(login(app, &email).await, 401, "invalid_credentials").await;
}

async fn deleting_my_account_needs_my_password_and_ends_every_session(app: TestApp) {
    let alice = app.register("alice").await;
    let other_device = app.login("alice", PASSWORD).await;
    let (mut socket, _) = Socket::ready(&app, &other_device.access).await;

    assert_error(
        delete_me(&app, &alice, "wrong password").await,
        403,
        "invalid_password",
    )
    .await;
    assert_eq!(app.get("/api/v1/me", &alice.access).await.status(), 200);

    assert_eq!(delete_me(&app, &alice, PASSWORD).await.status(), 204);
    let frame = socket.closed().await.expect("a close frame");
    assert_eq!(u16::from(frame.code), 4401);
    assert_gone(&app, &other_device, "alice").await;
    assert_gone(&app, &alice, "alice").await;
    // The token no longer authenticates, so a second try cannot reach the account.
    assert_error(delete_me(&app, &alice, PASSWORD).await, 401, "unauthorized").await;
}
api_test!(deleting_my_account_needs_my_password_and_ends_every_session);

async fn the_last_admin_cannot_delete_their_account(app: TestApp) {
    let root = admin(&app, "root").await;
    assert_error(delete_me(&app, &root, PASSWORD).await, 409, "last_admin").await;
    assert_eq!(app.get("/api/v1/me", &root.access).await.status(), 200);
    let other = admin(&app, "other").await;
    assert_eq!(delete_me(&app, &root, PASSWORD).await.status(), 204);
    assert_gone(&app, &root, "root").await;
    // Self-deletion is not an admin action: the audit log stays empty of it.
    let audit = get_json(&app, "/api/v1/admin/audit", &other.access).await;
    assert!(
        audit["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|entry| entry["action"] != "user.delete"),
        "{audit}"
    );
}
api_test!(the_last_admin_cannot_delete_their_account);

async fn admins_delete_accounts_once_with_an_audit_entry(app: TestApp) {
    let root = admin(&app, "root").await;
    let alice = app.register("alice").await;
    let (mut socket, _) = Socket::ready(&app, &alice.access).await;

    assert_eq!(
        admin_delete(&app, &alice.id, &root.access).await.status(),
        204
    );
    let frame = socket.closed().await.expect("a close frame");
    assert_eq!(u16::from(frame.code), 4401);
    assert_gone(&app, &alice, "alice").await;
    let audit = get_json(&app, "/api/v1/admin/audit", &root.access).await;
    assert_eq!(audit["items"][0]["action"], "user.delete");
    assert_eq!(audit["items"][0]["admin_id"], root.id.as_str());
    assert_eq!(audit["items"][0]["target"], format!("user:{}", alice.id));

    // Deleting twice, or acting on the deleted account, finds nothing.
    let again = admin_delete(&app, &alice.id, &root.access).await;
    assert_error(again, 404, "user_not_found").await;
    let enable = app
        .send_json(
            Method::POST,
            &format!("/api/v1/admin/users/{}/enable", alice.id),
            Some(&root.access),
            &json!({}),
        )
        .await;
    assert_error(enable, 404, "user_not_found").await;
    let nobody = uuid::Uuid::now_v7().to_string();
    let unknown = admin_delete(&app, &nobody, &root.access).await;
    assert_error(unknown, 404, "user_not_found").await;

    // The list says which accounts are deleted, not merely disabled.
    let listed = get_json(&app, "/api/v1/admin/users", &root.access).await;
    let items = listed["items"].as_array().expect("items");
    let row = |id: &str| items.iter().find(|u| u["id"] == id).expect("listed");
    assert!(row(&alice.id)["deleted_at"].as_str().is_some());
    assert!(row(&alice.id)["disabled_at"].as_str().is_some());
    assert_eq!(row(&root.id)["deleted_at"], serde_json::Value::Null);
}
api_test!(admins_delete_accounts_once_with_an_audit_entry);

async fn an_admin_cannot_delete_their_own_account_through_the_admin_route(app: TestApp) {
    let root = admin(&app, "root").await;
    let _other = admin(&app, "other").await;
    let response = admin_delete(&app, &root.id, &root.access).await;
    assert_error(response, 409, "cannot_target_self").await;
    assert_eq!(app.get("/api/v1/me", &root.access).await.status(), 200);
}
api_test!(an_admin_cannot_delete_their_own_account_through_the_admin_route);

async fn non_admins_cannot_delete_others(app: TestApp) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let response = admin_delete(&app, &bob.id, &alice.access).await;
    assert_error(response, 403, "forbidden").await;
    assert_eq!(login(&app, "bob").await.status(), 200);
}
api_test!(non_admins_cannot_delete_others);
