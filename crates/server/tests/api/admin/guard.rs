//! Admins only: every `/admin` route answers others `403 forbidden` before looking
//! anything up, so it tells nothing about what exists.

use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

use super::admin;
use crate::api_test;
use crate::helpers::{TestApp, assert_error};

/// Every admin route, with ids that exist for nothing.
fn routes() -> Vec<(Method, String)> {
    let nobody = Uuid::now_v7();
    vec![
        (Method::GET, "/api/v1/admin/users".to_owned()),
        (Method::POST, "/api/v1/admin/users".to_owned()),
        (
            Method::POST,
            format!("/api/v1/admin/users/{nobody}/disable"),
        ),
        (Method::POST, format!("/api/v1/admin/users/{nobody}/enable")),
        (Method::DELETE, format!("/api/v1/admin/users/{nobody}")),
        (Method::POST, "/api/v1/admin/invites".to_owned()),
        (Method::GET, "/api/v1/admin/invites".to_owned()),
        (Method::DELETE, format!("/api/v1/admin/invites/{nobody}")),
        (Method::GET, "/api/v1/admin/audit".to_owned()),
        (Method::GET, "/api/v1/admin/stats".to_owned()),
        (Method::GET, "/api/v1/admin/chats".to_owned()),
        (
            Method::POST,
            format!("/api/v1/admin/chats/{nobody}/members"),
        ),
        (
            Method::DELETE,
            format!("/api/v1/admin/chats/{nobody}/members/{nobody}"),
        ),
        (
            Method::DELETE,
            format!("/api/v1/admin/chats/{nobody}/messages/{nobody}"),
        ),
    ]
}

async fn non_admins_get_403_forbidden_on_every_admin_route(app: TestApp) {
    let alice = app.register("alice").await;
    let body = json!({"username": "mallory", "email": "m@example.com", "password": "correct horse battery", "user_ids": []});
    for (method, path) in routes() {
        let response = app
            .send_json(method.clone(), &path, Some(&alice.access), &body)
            .await;
        let error = assert_error(response, 403, "forbidden").await;
        assert!(
            error["detail"]
                .as_str()
                .is_some_and(|d| d.contains("admin")),
            "{method} {path}: {error}"
        );
        let anonymous = app.send_json(method.clone(), &path, None, &body).await;
        assert_error(anonymous, 401, "unauthorized").await;
    }
    let me: serde_json::Value = app
        .get("/api/v1/me", &alice.access)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(me["is_admin"], false);
}
api_test!(non_admins_get_403_forbidden_on_every_admin_route);

async fn an_admin_who_lost_the_role_is_refused_at_once(app: TestApp) {
    let root = admin(&app, "root").await;
    admin(&app, "alice").await;
    assert_eq!(
        app.get("/api/v1/admin/stats", &root.access).await.status(),
        200
    );
    let output = super::confab(&app, &["admin", "set-admin", "root", "false"], "").await;
    assert!(output.status.success(), "{output:?}");
    let response = app.get("/api/v1/admin/stats", &root.access).await;
    assert_error(response, 403, "forbidden").await;
}
api_test!(an_admin_who_lost_the_role_is_refused_at_once);

async fn the_admin_request_examples_succeed_as_sent(app: TestApp) {
    let root = admin(&app, "root").await;
    let spec: serde_json::Value = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .expect("spec")
        .json()
        .await
        .expect("json");
    for (path, schema) in [
        ("/api/v1/admin/users", "CreateUser"),
        ("/api/v1/admin/invites", "CreateInvite"),
    ] {
        let body = spec["components"]["schemas"][schema]["example"].clone();
        assert!(body.is_object(), "{schema} has an example");
        let response = app
            .send_json(Method::POST, path, Some(&root.access), &body)
            .await;
        assert_eq!(response.status(), 201, "{schema}");
    }
}
api_test!(the_admin_request_examples_succeed_as_sent);
