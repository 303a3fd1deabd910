//! `/auth`: register, login, refresh rotation and reuse detection, logout, and the
//! bearer check on protected routes.

use chrono::TimeDelta;
use reqwest::Method;
use serde_json::{Value, json};

use crate::api_test;
use crate::helpers::{PASSWORD, TestApp, assert_error, user_from};

async fn registration_returns_my_profile_and_tokens(app: TestApp) {
    let response = app
        .send_json(
            Method::POST,
            "/api/v1/auth/register",
            None,
            &json!({"username": "Alice_01", "email": "Alice@Example.com", "password": PASSWORD,
                    "display_name": "Alice", "device_name": "laptop"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.expect("json");
    let user = &body["user"];
    assert_eq!(user["username"], "alice_01");
    assert_eq!(user["email"], "Alice@Example.com");
    assert_eq!(user["display_name"], "Alice");
    assert_eq!(user["bio"], Value::Null);
    assert_eq!(user["is_private"], false);
    let created = user["created_at"].as_str().expect("created_at");
    assert!(created.ends_with('Z') && created.len() == 24, "{created}");
    let tokens = &body["tokens"];
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 900);
    let access = tokens["access_token"].as_str().expect("access");
    let me: Value = app
        .get("/api/v1/me", access)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(me["id"], user["id"]);
}
api_test!(registration_returns_my_profile_and_tokens);

async fn taken_username_and_email_are_409(app: TestApp) {
    app.register("alice").await;
    let again = |username: &str, email: &str| json!({"username": username, "email": email, "password": PASSWORD});
    let response = app
        .send_json(
            Method::POST,
            "/api/v1/auth/register",
            None,
            &again("ALICE", "other@example.com"),
        )
        .await;
    assert_error(response, 409, "username_taken").await;
    let response = app
        .send_json(
            Method::POST,
            "/api/v1/auth/register",
            None,
            &again("alice2", "ALICE@example.COM"),
        )
        .await;
    assert_error(response, 409, "email_taken").await;
}
api_test!(taken_username_and_email_are_409);

async fn invalid_registration_names_every_field(app: TestApp) {
    let response = app
        .send_json(
            Method::POST,
            "/api/v1/auth/register",
            None,
            &json!({"username": "a!", "email": "nope", "password": "short"}),
        )
        .await;
    let body = assert_error(response, 422, "validation_failed").await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["username", "email", "password"]);
}
api_test!(invalid_registration_names_every_field);

async fn login_works_with_username_or_email_in_any_case(app: TestApp) {
    let alice = app.register("alice").await;
    for login in ["alice", "ALICE", "alice@example.com", "Alice@Example.COM"] {
        let signed_in = app.login(login, PASSWORD).await;
        assert_eq!(signed_in.id, alice.id, "{login}");
    }
}
api_test!(login_works_with_username_or_email_in_any_case);

async fn wrong_password_and_unknown_user_look_the_same(app: TestApp) {
    app.register("alice").await;
    for (login, password) in [
        ("alice", "wrong password"),
        ("nobody", PASSWORD),
        ("alice", "x"),
    ] {
        let response = app
            .send_json(
                Method::POST,
                "/api/v1/auth/login",
                None,
                &json!({"login": login, "password": password}),
            )
            .await;
        let body = assert_error(response, 401, "invalid_credentials").await;
        assert!(body.get("errors").is_none());
    }
}
api_test!(wrong_password_and_unknown_user_look_the_same);

async fn refresh(app: &TestApp, token: &str) -> reqwest::Response {
    app.send_json(
        Method::POST,
        "/api/v1/auth/refresh",
        None,
        &json!({"refresh_token": token}),
    )
    .await
}

async fn refresh_rotates_and_reuse_revokes_the_session(app: TestApp) {
    let alice = app.register("alice").await;
    let response = refresh(&app, &alice.refresh).await;
    assert_eq!(response.status(), 200);
    let rotated = user_from(response).await;
    assert_ne!(rotated.refresh, alice.refresh);
    assert_eq!(app.get("/api/v1/me", &rotated.access).await.status(), 200);

    // Replaying the spent token is theft: the whole session dies.
    assert_error(
        refresh(&app, &alice.refresh).await,
        401,
        "invalid_refresh_token",
    )
    .await;
    assert_error(
        refresh(&app, &rotated.refresh).await,
        401,
        "invalid_refresh_token",
    )
    .await;
    let me = app.get("/api/v1/me", &rotated.access).await;
    assert_error(me, 401, "unauthorized").await;
    assert_error(refresh(&app, "garbage").await, 401, "invalid_refresh_token").await;
}
api_test!(refresh_rotates_and_reuse_revokes_the_session);

async fn logout_revokes_the_current_session_only(app: TestApp) {
    let phone = app.register("alice").await;
    let laptop = app.login("alice", PASSWORD).await;
    let response = app
        .request(Method::POST, "/api/v1/auth/logout", Some(&phone.access))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 204);
    assert_error(
        app.get("/api/v1/me", &phone.access).await,
        401,
        "unauthorized",
    )
    .await;
    assert_error(
        refresh(&app, &phone.refresh).await,
        401,
        "invalid_refresh_token",
    )
    .await;
    assert_eq!(app.get("/api/v1/me", &laptop.access).await.status(), 200);
}
api_test!(logout_revokes_the_current_session_only);

async fn protected_routes_need_a_valid_unexpired_token(app: TestApp) {
    let alice = app.register("alice").await;
    let anonymous = app
        .request(Method::GET, "/api/v1/me", None)
        .send()
        .await
        .expect("send");
    assert_error(anonymous, 401, "unauthorized").await;
    for token in ["garbage", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."] {
        assert_error(app.get("/api/v1/me", token).await, 401, "unauthorized").await;
    }
    let basic = app
        .request(Method::GET, "/api/v1/sessions", None)
        .header("authorization", "Basic YWxpY2U6cHc=")
        .send()
        .await
        .expect("send");
    assert_error(basic, 401, "unauthorized").await;
    app.clock.advance(TimeDelta::minutes(16));
    assert_error(
        app.get("/api/v1/me", &alice.access).await,
        401,
        "unauthorized",
    )
    .await;
}
api_test!(protected_routes_need_a_valid_unexpired_token);
