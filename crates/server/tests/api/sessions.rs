//! `/sessions` and `/me/password`: listing, revoking, and what a password change does.

use reqwest::Method;
use serde_json::{Value, json};

use crate::api_test;
use crate::helpers::{PASSWORD, TestApp, assert_error};

async fn sessions_are_listed_newest_first_with_current_marked(app: TestApp) {
    let first = app.register("alice").await;
    let response = app
        .send_json(
            Method::POST,
            "/api/v1/auth/login",
            None,
            &json!({"login": "alice", "password": PASSWORD, "device_name": "phone"}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let page: Value = app
        .get("/api/v1/sessions", &first.access)
        .await
        .json()
        .await
        .expect("json");
    let items = page["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["device_name"], "phone");
    assert_eq!(items[0]["current"], false);
    assert_eq!(items[1]["device_name"], Value::Null);
    assert_eq!(items[1]["current"], true);
    assert_eq!(page["next_cursor"], Value::Null);
    assert!(
        items[0]["last_used_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );

    let first_page: Value = app
        .get("/api/v1/sessions?limit=1", &first.access)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(first_page["items"].as_array().map(Vec::len), Some(1));
    let cursor = first_page["next_cursor"].as_str().expect("a cursor");
    let second_page: Value = app
        .get(
            &format!("/api/v1/sessions?limit=1&cursor={cursor}"),
            &first.access,
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(second_page["items"][0]["current"], true);
    assert_eq!(second_page["next_cursor"], Value::Null);
}
api_test!(sessions_are_listed_newest_first_with_current_marked);

async fn bad_list_parameters_are_400(app: TestApp) {
    let alice = app.register("alice").await;
    for query in ["limit=0", "limit=101", "limit=abc"] {
        let response = app
            .get(&format!("/api/v1/sessions?{query}"), &alice.access)
            .await;
        assert_error(response, 400, "validation_failed").await;
    }
    let response = app
        .get("/api/v1/sessions?cursor=bogus", &alice.access)
        .await;
    // A cursor that is not a session id this list handed out, like any list's.
    let body = assert_error(response, 400, "invalid_cursor").await;
    assert_eq!(body["errors"][0]["field"], "cursor");
}
api_test!(bad_list_parameters_are_400);

async fn delete(app: &TestApp, path: &str, token: &str) -> reqwest::Response {
    app.request(Method::DELETE, path, Some(token))
        .send()
        .await
        .expect("send")
}

async fn session_id_of(app: &TestApp, token: &str) -> String {
    let page: Value = app
        .get("/api/v1/sessions", token)
        .await
        .json()
        .await
        .expect("json");
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|s| s["current"] == true)
        .and_then(|s| s["id"].as_str())
        .expect("current session")
        .to_owned()
}

async fn a_revoked_session_is_rejected_at_once(app: TestApp) {
    let phone = app.register("alice").await;
    let laptop = app.login("alice", PASSWORD).await;
    let laptop_session = session_id_of(&app, &laptop.access).await;
    let response = delete(
        &app,
        &format!("/api/v1/sessions/{laptop_session}"),
        &phone.access,
    )
    .await;
    assert_eq!(response.status(), 204);
    assert_error(
        app.get("/api/v1/me", &laptop.access).await,
        401,
        "unauthorized",
    )
    .await;
    assert_eq!(app.get("/api/v1/me", &phone.access).await.status(), 200);
    // Gone already: a second revoke is a 404.
    let again = delete(
        &app,
        &format!("/api/v1/sessions/{laptop_session}"),
        &phone.access,
    )
    .await;
    assert_error(again, 404, "session_not_found").await;
}
api_test!(a_revoked_session_is_rejected_at_once);

async fn someone_elses_session_is_not_found(app: TestApp) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let bobs = session_id_of(&app, &bob.access).await;
    let response = delete(&app, &format!("/api/v1/sessions/{bobs}"), &alice.access).await;
    assert_error(response, 404, "session_not_found").await;
    assert_eq!(app.get("/api/v1/me", &bob.access).await.status(), 200);
    let response = delete(&app, "/api/v1/sessions/not-a-uuid", &alice.access).await;
    let body = assert_error(response, 400, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "id");
}
api_test!(someone_elses_session_is_not_found);

async fn revoking_the_current_session_logs_out(app: TestApp) {
    let alice = app.register("alice").await;
    let mine = session_id_of(&app, &alice.access).await;
    let response = delete(&app, &format!("/api/v1/sessions/{mine}"), &alice.access).await;
    assert_eq!(response.status(), 204);
    assert_error(
        app.get("/api/v1/me", &alice.access).await,
        401,
        "unauthorized",
    )
    .await;
}
api_test!(revoking_the_current_session_logs_out);

async fn change_password(
    app: &TestApp,
    token: &str,
    current: &str,
    new: &str,
) -> reqwest::Response {
    app.send_json(
        Method::PUT,
        "/api/v1/me/password",
        Some(token),
        &json!({"current_password": current, "new_password": new}),
    )
    .await
}

async fn password_change_revokes_my_other_sessions(app: TestApp) {
    let phone = app.register("alice").await;
    let laptop = app.login("alice", PASSWORD).await;
    let wrong = change_password(&app, &phone.access, "not my password", "brand new secret").await;
    assert_error(wrong, 403, "invalid_password").await;
    let short = change_password(&app, &phone.access, PASSWORD, "short").await;
    let body = assert_error(short, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "new_password");

    let done = change_password(&app, &phone.access, PASSWORD, "brand new secret").await;
    assert_eq!(done.status(), 204);
    assert_eq!(app.get("/api/v1/me", &phone.access).await.status(), 200);
    assert_error(
        app.get("/api/v1/me", &laptop.access).await,
        401,
        "unauthorized",
    )
    .await;
    let old = app
        .send_json(
            Method::POST,
            "/api/v1/auth/login",
            None,
            &json!({"login": "alice", "password": PASSWORD}),
        )
        .await;
    assert_error(old, 401, "invalid_credentials").await;
    app.login("alice", "brand new secret").await;
}
api_test!(password_change_revokes_my_other_sessions);
