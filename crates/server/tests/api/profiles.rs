//! `/me` and `/users`: my profile, PATCH semantics, privacy, and search.

use reqwest::Method;
use serde_json::{Value, json};

use crate::api_test;
use crate::helpers::{PASSWORD, TestApp, TestUser, assert_error};

async fn patch_me(app: &TestApp, user: &TestUser, body: &Value) -> reqwest::Response {
    app.send_json(Method::PATCH, "/api/v1/me", Some(&user.access), body)
        .await
}

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.expect("json body")
}

async fn patch_sets_clears_and_keeps_fields(app: TestApp) {
    let alice = app.register("alice").await;
    let set = patch_me(
        &app,
        &alice,
        &json!({"display_name": "Alice", "bio": "hi", "location": "Berlin",
                "birth_date": "1990-02-28", "is_private": true}),
    )
    .await;
    assert_eq!(set.status(), 200);
    let me = json_of(set).await;
    assert_eq!(me["display_name"], "Alice");
    assert_eq!(me["birth_date"], "1990-02-28");
    assert_eq!(me["is_private"], true);

    // `null` clears, absent keeps.
    let me = json_of(patch_me(&app, &alice, &json!({"bio": null})).await).await;
    assert_eq!(me["bio"], Value::Null);
    assert_eq!(me["display_name"], "Alice");
    assert_eq!(me["location"], "Berlin");
    let fetched = json_of(app.get("/api/v1/me", &alice.access).await).await;
    assert_eq!(fetched, me);
}
api_test!(patch_sets_clears_and_keeps_fields);

async fn unknown_fields_in_patch_change_nothing(app: TestApp) {
    let alice = app.register("alice").await;
    let before = json_of(app.get("/api/v1/me", &alice.access).await).await;
    let response = patch_me(
        &app,
        &alice,
        &json!({"id": "01900000-0000-7000-8000-000000000000", "created_at": "2000-01-01T00:00:00Z",
                "password_hash": "$argon2id$forged", "password": "hijacked!!", "is_admin": true}),
    )
    .await;
    assert_eq!(response.status(), 200);
    let after = json_of(response).await;
    assert_eq!(after["id"], before["id"]);
    assert_eq!(after["created_at"], before["created_at"]);
    // `is_admin` is shown but only `confab admin set-admin` changes it.
    assert_eq!(after["is_admin"], false);
    assert_eq!(before["is_admin"], false);
    app.login("alice", PASSWORD).await;
}
api_test!(unknown_fields_in_patch_change_nothing);

async fn email_change_needs_the_current_password(app: TestApp) {
    let alice = app.register("alice").await;
    app.register("bob").await;
    let missing = patch_me(&app, &alice, &json!({"email": "new@example.com"})).await;
    assert_error(missing, 403, "invalid_password").await;
    let wrong = patch_me(
        &app,
        &alice,
        &json!({"email": "new@example.com", "current_password": "wrong password"}),
    )
    .await;
    assert_error(wrong, 403, "invalid_password").await;
    let taken = patch_me(
        &app,
        &alice,
        &json!({"email": "BOB@example.com", "current_password": PASSWORD}),
    )
    .await;
    assert_error(taken, 409, "email_taken").await;
    let ok = patch_me(
        &app,
        &alice,
        &json!({"email": "new@example.com", "current_password": PASSWORD}),
    )
    .await;
    // The change waits for the new address to confirm it (see tests/api/email).
    let body = json_of(ok).await;
    assert_eq!(body["email"], "alice@example.com");
    assert_eq!(body["pending_email"], "new@example.com");
    // A case-only change is no change of address: it applies at once.
    let cased = patch_me(&app, &alice, &json!({"email": "Alice@Example.com"})).await;
    assert_eq!(json_of(cased).await["email"], "Alice@Example.com");
}
api_test!(email_change_needs_the_current_password);

async fn invalid_or_taken_profile_fields_are_refused(app: TestApp) {
    let alice = app.register("alice").await;
    app.register("bob").await;
    let taken = patch_me(&app, &alice, &json!({"username": "Bob"})).await;
    assert_error(taken, 409, "username_taken").await;
    let invalid = patch_me(
        &app,
        &alice,
        &json!({"bio": "b".repeat(501), "birth_date": "1990-02-30", "display_name": ""}),
    )
    .await;
    let body = assert_error(invalid, 422, "validation_failed").await;
    let mut fields: Vec<&str> = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    fields.sort_unstable();
    assert_eq!(fields, ["bio", "birth_date", "display_name"]);
    let wrong_type = patch_me(&app, &alice, &json!({"is_private": "yes"})).await;
    let body = assert_error(wrong_type, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "is_private");
}
api_test!(invalid_or_taken_profile_fields_are_refused);

async fn others_never_see_email_and_private_profiles_show_little(app: TestApp) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    patch_me(&app, &alice, &json!({"bio": "hello", "location": "Berlin"})).await;
    let path = format!("/api/v1/users/{}", alice.id);

    let public = json_of(app.get(&path, &bob.access).await).await;
    assert_eq!(public["username"], "alice");
    assert_eq!(public["location"], "Berlin");
    assert!(public.get("email").is_none(), "{public}");
    let own = json_of(app.get(&path, &alice.access).await).await;
    assert_eq!(own["email"], "alice@example.com");

    patch_me(&app, &alice, &json!({"is_private": true})).await;
    let private = json_of(app.get(&path, &bob.access).await).await;
    let mut keys: Vec<&String> = private.as_object().expect("object").keys().collect();
    keys.sort();
    // The avatar is shown on private profiles too (null without one).
    assert_eq!(
        keys,
        [
            "avatar_url",
            "bio",
            "display_name",
            "id",
            "is_private",
            "username"
        ]
    );
    let own = json_of(app.get(&path, &alice.access).await).await;
    assert_eq!(own["location"], "Berlin");
}
api_test!(others_never_see_email_and_private_profiles_show_little);

async fn unknown_users_are_404(app: TestApp) {
    let alice = app.register("alice").await;
    let nobody = "01900000-0000-7000-8000-000000000000";
    let response = app
        .get(&format!("/api/v1/users/{nobody}"), &alice.access)
        .await;
    assert_error(response, 404, "user_not_found").await;
    let response = app.get("/api/v1/users/not-a-uuid", &alice.access).await;
    let body = assert_error(response, 400, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "id");
}
api_test!(unknown_users_are_404);

async fn search_usernames(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let page = json_of(app.get(&format!("/api/v1/users?{query}"), token).await).await;
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("items in {page}"))
        .iter()
        .filter_map(|u| u["username"].as_str().map(str::to_owned))
        .collect()
}

async fn search_is_prefix_case_insensitive_and_literal(app: TestApp) {
    let alice = app.register("alice").await;
    let albert = app.register("albert").await;
    app.register("bob").await;
    app.register("a_b").await;
    app.register("axb").await;
    patch_me(&app, &albert, &json!({"is_private": true})).await;
    patch_me(&app, &alice, &json!({"display_name": "Zed"})).await;

    assert_eq!(
        search_usernames(&app, &alice.access, "q=AL").await,
        ["albert", "alice"]
    );
    assert_eq!(search_usernames(&app, &alice.access, "q=a_").await, ["a_b"]);
    assert_eq!(
        search_usernames(&app, &alice.access, "q=%25").await,
        Vec::<String>::new()
    );
    assert_eq!(
        search_usernames(&app, &alice.access, "q=zed").await,
        ["alice"]
    );

    let first = json_of(app.get("/api/v1/users?q=a&limit=2", &alice.access).await).await;
    assert_eq!(first["items"].as_array().map(Vec::len), Some(2));
    let cursor = first["next_cursor"].as_str().expect("cursor");
    let rest = search_usernames(&app, &alice.access, &format!("q=a&limit=2&cursor={cursor}")).await;
    assert_eq!(rest, ["alice", "axb"]);
    // A private profile appears restricted; my own shows my email.
    let page = json_of(app.get("/api/v1/users?q=al", &alice.access).await).await;
    assert!(page["items"][0].get("created_at").is_none());
    assert_eq!(page["items"][1]["email"], "alice@example.com");
}
api_test!(search_is_prefix_case_insensitive_and_literal);

async fn search_needs_a_query(app: TestApp) {
    let alice = app.register("alice").await;
    for query in ["", "q=", &format!("q={}", "a".repeat(65)), "q=a&limit=0"] {
        let response = app
            .get(&format!("/api/v1/users?{query}"), &alice.access)
            .await;
        assert_error(response, 400, "validation_failed").await;
    }
}
api_test!(search_needs_a_query);
