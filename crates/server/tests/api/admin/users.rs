//! `/admin/users`: listing and searching, creating, disabling and enabling accounts,
//! and what disabling does to sessions, sockets, logins and refreshes.

use reqwest::Method;
use serde_json::{Value, json};

use super::{admin, get_json};
use crate::api_test;
use crate::helpers::{PASSWORD, TestApp, assert_error};
use crate::ws::client::Socket;

async fn post(app: &TestApp, path: &str, token: &str) -> reqwest::Response {
    app.send_json(Method::POST, path, Some(token), &json!({}))
        .await
}

async fn admins_list_and_search_accounts_by_username_with_a_cursor(app: TestApp) {
    let root = admin(&app, "root").await;
    for name in ["alice", "albert", "bob"] {
        app.register(name).await;
    }
    let first = get_json(&app, "/api/v1/admin/users?limit=2", &root.access).await;
    let names: Vec<&str> = first["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|u| u["username"].as_str())
        .collect();
    assert_eq!(names, ["albert", "alice"]);
    assert_eq!(first["items"][0]["email"], "albert@example.com");
    assert_eq!(first["items"][0]["is_admin"], false);
    assert_eq!(first["items"][0]["disabled_at"], Value::Null);
    assert!(
        first["items"][0]["last_seen_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
    let cursor = first["next_cursor"].as_str().expect("a cursor");
    let rest = get_json(
        &app,
        &format!("/api/v1/admin/users?limit=2&cursor={cursor}"),
        &root.access,
    )
    .await;
    assert_eq!(rest["items"][0]["username"], "bob");
    assert_eq!(rest["items"][1]["username"], "root");
    assert_eq!(rest["next_cursor"], Value::Null);

    let found = get_json(&app, "/api/v1/admin/users?q=AL", &root.access).await;
    assert_eq!(found["items"].as_array().map(Vec::len), Some(2));
    let by_email = get_json(&app, "/api/v1/admin/users?q=bob%40ex", &root.access).await;
    assert_eq!(by_email["items"][0]["username"], "bob");
    let admins = get_json(&app, "/api/v1/admin/users?status=admin", &root.access).await;
    assert_eq!(admins["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(admins["items"][0]["is_admin"], true);

    let response = app
        .get("/api/v1/admin/users?status=sleeping", &root.access)
        .await;
    assert_eq!(response.status(), 400);
    let response = app.get("/api/v1/admin/users?limit=0", &root.access).await;
    assert_error(response, 400, "validation_failed").await;
    let response = app
        .get("/api/v1/admin/users?cursor=Bob", &root.access)
        .await;
    assert_eq!(response.status(), 400);
}
api_test!(admins_list_and_search_accounts_by_username_with_a_cursor);

async fn admins_create_accounts_that_can_sign_in(app: TestApp) {
    let root = admin(&app, "root").await;
    let body = json!({"username": "Carol", "email": "carol@example.com", "password": PASSWORD, "is_admin": true});
    let response = app
        .send_json(
            Method::POST,
            "/api/v1/admin/users",
            Some(&root.access),
            &body,
        )
        .await;
    assert_eq!(response.status(), 201);
    let carol: Value = response.json().await.expect("json");
    assert_eq!(carol["username"], "carol");
    assert_eq!(carol["is_admin"], true);
    let signed_in = app.login("carol", PASSWORD).await;
    assert_eq!(
        get_json(&app, "/api/v1/admin/stats", &signed_in.access).await["users"],
        2
    );

    let again = app
        .send_json(
            Method::POST,
            "/api/v1/admin/users",
            Some(&root.access),
            &json!({"username": "carol", "email": "carol2@example.com"}),
        )
        .await;
    assert_error(again, 409, "username_taken").await;
    let bad = app
        .send_json(
            Method::POST,
            "/api/v1/admin/users",
            Some(&root.access),
            &json!({"username": "x", "email": "nope", "password": "short"}),
        )
        .await;
    let error = assert_error(bad, 422, "validation_failed").await;
    assert_eq!(error["errors"].as_array().map(Vec::len), Some(3));

    // Without a password the account exists but no password signs it in (the
    // set-password mail is the way in).
    let response = app
        .send_json(
            Method::POST,
            "/api/v1/admin/users",
            Some(&root.access),
            &json!({"username": "dave", "email": "dave@example.com"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let login = app
        .send_json(
            Method::POST,
            "/api/v1/auth/login",
            None,
            &json!({"login": "dave", "password": PASSWORD}),
        )
        .await;
    assert_error(login, 401, "invalid_credentials").await;
}
api_test!(admins_create_accounts_that_can_sign_in);

async fn disabling_revokes_sessions_closes_sockets_and_refuses_logins_until_enabled(app: TestApp) {
    let root = admin(&app, "root").await;
    let alice = app.register("alice").await;
    let (mut socket, _) = Socket::ready(&app, &alice.access).await;

    let response = post(
        &app,
        &format!("/api/v1/admin/users/{}/disable", alice.id),
        &root.access,
    )
    .await;
    assert_eq!(response.status(), 204);
    let frame = socket.closed().await.expect("a close frame");
    assert_eq!(u16::from(frame.code), 4401);
    super::assert_tokens_refused(&app, &alice).await;
    let login = |password: &'static str| {
        let body = json!({"login": "alice", "password": password});
        let app = &app;
        async move {
            app.send_json(Method::POST, "/api/v1/auth/login", None, &body)
                .await
        }
    };
    assert_error(login(PASSWORD).await, 403, "account_disabled").await;
    // Only someone holding the password learns the account is disabled.
    assert_error(login("wrong password").await, 401, "invalid_credentials").await;
    let listed = get_json(&app, "/api/v1/admin/users?status=disabled", &root.access).await;
    assert_eq!(listed["items"][0]["username"], "alice");
    assert!(listed["items"][0]["disabled_at"].as_str().is_some());

    let response = post(
        &app,
        &format!("/api/v1/admin/users/{}/enable", alice.id),
        &root.access,
    )
    .await;
    assert_eq!(response.status(), 204);
    assert_eq!(login(PASSWORD).await.status(), 200);
    let audit = get_json(&app, "/api/v1/admin/audit", &root.access).await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(actions[..2], ["user.enable", "user.disable"]);
    assert_eq!(audit["items"][0]["admin_id"], root.id.as_str());
    assert_eq!(audit["items"][0]["target"], format!("user:{}", alice.id));
}
api_test!(disabling_revokes_sessions_closes_sockets_and_refuses_logins_until_enabled);

async fn an_admin_cannot_disable_themselves_and_unknown_users_are_404(app: TestApp) {
    let root = admin(&app, "root").await;
    let response = post(
        &app,
        &format!("/api/v1/admin/users/{}/disable", root.id),
        &root.access,
    )
    .await;
    assert_error(response, 409, "cannot_target_self").await;
    let other = admin(&app, "other").await;
    // Disabling another admin is allowed while an active admin remains.
    let response = post(
        &app,
        &format!("/api/v1/admin/users/{}/disable", other.id),
        &root.access,
    )
    .await;
    assert_eq!(response.status(), 204);
    let nobody = uuid::Uuid::now_v7();
    let response = post(
        &app,
        &format!("/api/v1/admin/users/{nobody}/disable"),
        &root.access,
    )
    .await;
    assert_error(response, 404, "user_not_found").await;
    let response = post(
        &app,
        &format!("/api/v1/admin/users/{nobody}/enable"),
        &root.access,
    )
    .await;
    assert_error(response, 404, "user_not_found").await;
    assert_eq!(
        get_json(&app, "/api/v1/me", &root.access).await["is_admin"],
        true
    );
}
api_test!(an_admin_cannot_disable_themselves_and_unknown_users_are_404);

async fn stats_count_accounts_chats_messages_and_open_sockets(app: TestApp) {
    let root = admin(&app, "root").await;
    let bob = app.register("bob").await;
    let response = app
        .send_json(
            Method::POST,
            "/api/v1/chats",
            Some(&root.access),
            &json!({"type": "direct", "member_ids": [bob.id]}),
        )
        .await;
    assert!(response.status().is_success(), "{}", response.status());
    let chat: Value = response.json().await.expect("json");
    let chat_id = chat["id"].as_str().expect("chat id");
    let response = app
        .send_json(
            Method::POST,
            &format!("/api/v1/chats/{chat_id}/messages"),
            Some(&bob.access),
            &json!({"body": "hi"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let (_socket, _) = Socket::ready(&app, &bob.access).await;
    let stats = get_json(&app, "/api/v1/admin/stats", &root.access).await;
    assert_eq!(stats["users"], 2);
    assert_eq!(stats["chats"], 1);
    assert_eq!(stats["messages"], 1);
    assert_eq!(stats["open_sockets"], 1);
    assert_eq!(stats["store_bytes"], 0);
}
api_test!(stats_count_accounts_chats_messages_and_open_sockets);

async fn an_account_created_without_a_password_is_mailed_a_set_password_link(app: TestApp) {
    let root = admin(&app, "root").await;
    let response = app
        .send_json(
            Method::POST,
            "/api/v1/admin/users",
            Some(&root.access),
            &json!({"username": "dave", "email": "dave@example.com"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let mails = app.wait_for_mails("dave@example.com", 1).await;
    assert_eq!(mails.len(), 1);
    let token = mails[0].token("reset-password");
    let set = app
        .post(
            "/api/v1/auth/password/reset",
            None,
            &json!({"token": token, "new_password": "dave's first passphrase"}),
        )
        .await;
    assert_eq!(set.status(), 204);
    app.login("dave", "dave's first passphrase").await;

    // An account created with a password gets no mail; the list shows who verified.
    let with_password =
        json!({"username": "erin", "email": "erin@example.com", "password": PASSWORD});
    let response = app
        .send_json(
            Method::POST,
            "/api/v1/admin/users",
            Some(&root.access),
            &with_password,
        )
        .await;
    assert_eq!(response.status(), 201);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        !app.mails()
            .iter()
            .any(|mail| mail.is_to("erin@example.com"))
    );
    let listed = get_json(&app, "/api/v1/admin/users?q=dave", &root.access).await;
    assert_eq!(listed["items"][0]["username"], "dave");
    assert_eq!(listed["items"][0]["email_verified"], false);
}
api_test!(an_account_created_without_a_password_is_mailed_a_set_password_link);
