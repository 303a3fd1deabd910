//! The text rules: no stored or searched string holds a control character (message
//! bodies may hold line breaks and tabs), names hold no bidi override and something
//! visible, and every refusal is the same 422/400 on SQLite and PostgreSQL.

use reqwest::Method;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Expr, Func, Query};
use serde_json::{Value, json};

use crate::api_test;
use crate::chats::support::{call, create_group, get_ok, json_of, send};
use crate::helpers::{PASSWORD, TestApp, TestUser, assert_error, user_from};

/// Asserts a `422 validation_failed` whose `errors` name exactly `field`.
async fn assert_refused_field(response: reqwest::Response, status: u16, field: &str) {
    let body = assert_error(response, status, "validation_failed").await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, [field], "{body}");
}

async fn register(app: &TestApp, body: &Value) -> reqwest::Response {
    app.send_json(Method::POST, "/api/v1/auth/register", None, body)
        .await
}

async fn a_nul_in_any_account_field_is_refused_with_422(app: TestApp) {
    let valid = json!({"username": "alice", "email": "alice@example.com", "password": PASSWORD});
    for (field, value) in [
        ("email", "ali\u{0}ce@example.com"),
        ("display_name", "Ali\u{0}ce"),
        ("device_name", "Phone\u{0}"),
    ] {
        let mut body = valid.clone();
        body[field] = json!(value);
        assert_refused_field(register(&app, &body).await, 422, field).await;
    }
    app.register("alice").await;
    for (field, value) in [("login", "ali\u{0}ce"), ("device_name", "\u{0}")] {
        let mut body = json!({"login": "alice", "password": PASSWORD});
        body[field] = json!(value);
        let response = app
            .send_json(Method::POST, "/api/v1/auth/login", None, &body)
            .await;
        assert_refused_field(response, 422, field).await;
    }
}
api_test!(a_nul_in_any_account_field_is_refused_with_422);

async fn a_nul_in_any_profile_field_is_refused_with_422(app: TestApp) {
    let alice = app.register("alice").await;
    for (field, value) in [
        ("username", "ali\u{0}ce"),
        ("email", "new\u{0}@example.com"),
        ("display_name", "Ali\u{0}ce"),
        ("bio", "line\u{0}"),
        ("location", "\u{0}Berlin"),
    ] {
        let body = json!({field: value, "current_password": PASSWORD});
        let response = app
            .send_json(Method::PATCH, "/api/v1/me", Some(&alice.access), &body)
            .await;
        assert_refused_field(response, 422, field).await;
    }
    let me = get_ok(&app, &alice, "/api/v1/me").await;
    assert_eq!(me["bio"], Value::Null);
}
api_test!(a_nul_in_any_profile_field_is_refused_with_422);

async fn a_nul_in_any_chat_or_message_field_is_refused_with_422(app: TestApp) {
    let alice = app.register("alice").await;
    let named = call(
        &app,
        Method::POST,
        "/api/v1/chats",
        &alice,
        Some(json!({"type": "group", "name": "Te\u{0}am", "member_ids": []})),
    )
    .await;
    assert_refused_field(named, 422, "name").await;
    let chat = create_group(&app, &alice, "Team", &[]).await;
    let renamed = call(
        &app,
        Method::PATCH,
        &format!("/api/v1/chats/{chat}"),
        &alice,
        Some(json!({"name": "\u{0}"})),
    )
    .await;
    assert_refused_field(renamed, 422, "name").await;
    let messages = format!("/api/v1/chats/{chat}/messages");
    for (field, body) in [
        ("body", json!({"body": "hi\u{0}"})),
        (
            "client_message_id",
            json!({"body": "hi", "client_message_id": "k\u{0}"}),
        ),
    ] {
        let response = call(&app, Method::POST, &messages, &alice, Some(body)).await;
        assert_refused_field(response, 422, field).await;
    }
    let message = send(&app, &alice, &chat, "hello").await;
    let edited = call(
        &app,
        Method::PATCH,
        &format!("{messages}/{}", message["id"].as_str().expect("id")),
        &alice,
        Some(json!({"body": "hel\u{0}lo"})),
    )
    .await;
    assert_refused_field(edited, 422, "body").await;
    let history = get_ok(&app, &alice, &messages).await;
    assert_eq!(history["items"].as_array().map(Vec::len), Some(1));
}
api_test!(a_nul_in_any_chat_or_message_field_is_refused_with_422);

async fn a_nul_in_the_search_query_is_refused_with_400(app: TestApp) {
    let alice = app.register("alice").await;
    for q in ["a%00", "%00", "al%01i"] {
        let response = app
            .get(&format!("/api/v1/users?q={q}"), &alice.access)
            .await;
        assert_refused_field(response, 400, "q").await;
    }
}
api_test!(a_nul_in_the_search_query_is_refused_with_400);

async fn message_bodies_keep_line_breaks_and_tabs_but_no_other_control_character(app: TestApp) {
    let alice = app.register("alice").await;
    let chat = create_group(&app, &alice, "Team", &[]).await;
    let messages = format!("/api/v1/chats/{chat}/messages");
    // BEL, ESC (terminal escapes), DEL and a C1 control (CSI).
    for body in ["ding\u{7}", "\u{1b}[31mred", "x\u{7f}", "\u{9b}31m"] {
        let response = call(
            &app,
            Method::POST,
            &messages,
            &alice,
            Some(json!({"body": body})),
        )
        .await;
        assert_refused_field(response, 422, "body").await;
    }
    let text = "line one\r\nline two\n\tindented";
    assert_eq!(send(&app, &alice, &chat, text).await["body"], text);
}
api_test!(message_bodies_keep_line_breaks_and_tabs_but_no_other_control_character);

async fn names_must_show_something_and_hold_no_bidi_override(app: TestApp) {
    let alice = app.register("alice").await;
    let invisible = [
        "\u{200b}",
        "\u{200b}\u{200c}\u{200d}",
        " \u{2060}\u{feff} ",
        "\u{3164}",
    ];
    let overrides = ["abc\u{202e}", "\u{2066}x\u{2069}", "\u{202a}name"];
    for name in invisible.iter().chain(&overrides) {
        let response = app
            .send_json(
                Method::PATCH,
                "/api/v1/me",
                Some(&alice.access),
                &json!({"display_name": name}),
            )
            .await;
        assert_refused_field(response, 422, "display_name").await;
        let group = call(
            &app,
            Method::POST,
            "/api/v1/chats",
            &alice,
            Some(json!({"type": "group", "name": name, "member_ids": []})),
        )
        .await;
        assert_refused_field(group, 422, "name").await;
        let login = app
            .send_json(
                Method::POST,
                "/api/v1/auth/login",
                None,
                &json!({"login": "alice", "password": PASSWORD, "device_name": name}),
            )
            .await;
        assert_refused_field(login, 422, "device_name").await;
    }
    // Joiners inside a name that shows something are fine: emoji sequences need them.
    let family = "Zoë \u{1f469}\u{200d}\u{1f4bb}";
    let response = app
        .send_json(
            Method::PATCH,
            "/api/v1/me",
            Some(&alice.access),
            &json!({"display_name": family}),
        )
        .await;
    assert_eq!(json_of(response).await["display_name"], family);
}
api_test!(names_must_show_something_and_hold_no_bidi_override);

async fn a_password_may_hold_any_character(app: TestApp) {
    // Passwords are hashed, never stored or searched: even a NUL is fine.
    let password = "nul\u{0}bell\u{7}\u{202e}end";
    let response = register(
        &app,
        &json!({"username": "alice", "email": "alice@example.com", "password": password}),
    )
    .await;
    assert_eq!(response.status(), 201);
    let alice: TestUser = user_from(response).await;
    app.login("alice", password).await;
    let changed = app
        .send_json(
            Method::PUT,
            "/api/v1/me/password",
            Some(&alice.access),
            &json!({"current_password": password, "new_password": "\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}"}),
        )
        .await;
    assert_eq!(changed.status(), 204);
    app.login(
        "alice@example.com",
        "\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}",
    )
    .await;
}
api_test!(a_password_may_hold_any_character);

/// Replaces `from` with `to` in `table.column`, as data written before the text rules
/// existed would hold it.
async fn rewrite_stored(app: &TestApp, table: &str, column: &str, from: &str, to: &str) {
    let column = Alias::new(column);
    let update = Query::update()
        .table(Alias::new(table))
        .value(
            column.clone(),
            Func::cust(Alias::new("replace")).args([
                Expr::col(column),
                Expr::val(from),
                Expr::val(to),
            ]),
        )
        .to_owned();
    app.db.execute(&update).await.expect("rewrite stored text");
}

async fn text_stored_before_the_rules_is_still_served(app: TestApp) {
    // PostgreSQL always took every control character but NUL, SQLite took all of them:
    // rows written before the rules must stay readable.
    let alice = app.register("alice").await;
    let chat = create_group(&app, &alice, "Team", &[]).await;
    send(&app, &alice, &chat, "legacy").await;
    rewrite_stored(&app, "messages", "body", "legacy", "leg\u{1b}acy").await;
    rewrite_stored(&app, "chat_events", "payload", "legacy", "leg\\u001bacy").await;
    rewrite_stored(&app, "chats", "name", "Team", "\u{200b}").await;
    let history = get_ok(&app, &alice, &format!("/api/v1/chats/{chat}/messages")).await;
    assert_eq!(history["items"][0]["body"], "leg\u{1b}acy");
    let events = get_ok(&app, &alice, &format!("/api/v1/chats/{chat}/events")).await;
    assert_eq!(events["items"][1]["data"]["body"], "leg\u{1b}acy");
    let list = get_ok(&app, &alice, "/api/v1/chats").await;
    assert_eq!(list["items"][0]["name"], "\u{200b}");
}
api_test!(text_stored_before_the_rules_is_still_served);

async fn strings_that_are_only_hashed_or_parsed_never_reach_sql_with_a_nul(app: TestApp) {
    // A refresh token is hashed, a password verified against a hash, a cursor or an
    // id parsed into numbers before any query: each takes a NUL without a 500.
    let alice = app.register("alice").await;
    let refresh = app
        .send_json(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            &json!({"refresh_token": "tok\u{0}en"}),
        )
        .await;
    assert_error(refresh, 401, "invalid_refresh_token").await;
    let login = app
        .send_json(
            Method::POST,
            "/api/v1/auth/login",
            None,
            &json!({"login": "alice", "password": "pass\u{0}word"}),
        )
        .await;
    assert_error(login, 401, "invalid_credentials").await;
    let change = app
        .send_json(
            Method::PUT,
            "/api/v1/me/password",
            Some(&alice.access),
            &json!({"current_password": "\u{0}", "new_password": "another password"}),
        )
        .await;
    assert_error(change, 403, "invalid_password").await;
    for (path, code) in [
        ("/api/v1/chats?cursor=1.000000000.%00", "invalid_cursor"),
        ("/api/v1/sessions?cursor=%00", "invalid_cursor"),
        ("/api/v1/users?q=a&cursor=%00", "invalid_cursor"),
        // A path id that is not a UUID is a refused parameter.
        ("/api/v1/users/%00", "validation_failed"),
        ("/api/v1/chats/%00", "validation_failed"),
    ] {
        let response = app.get(path, &alice.access).await;
        assert_error(response, 400, code).await;
    }
}
api_test!(strings_that_are_only_hashed_or_parsed_never_reach_sql_with_a_nul);
