//! What refusals say: the field and the rule in plain words, never an internal type
//! name or a regex, and never more than 64 characters of the input.

use reqwest::Method;
use serde_json::{Value, json};

use crate::api_test;
use crate::chats::support::{call, create_group};
use crate::helpers::{TestApp, assert_error};

/// The longest run of the input an error may repeat.
const MAX_ECHO: usize = 64;

/// Fails when `body` names an internal type, quotes a regex or repeats more than
/// [`MAX_ECHO`] characters of `input`.
fn assert_plain(body: &Value, input: &str) {
    let text = body.to_string();
    for internal in [
        "integer_int64",
        "string_",
        "optional_",
        "verification failed",
        "pattern(",
        "\\\\S",
        "occurred while",
    ] {
        assert!(!text.contains(internal), "`{internal}` in {text}");
    }
    let chars: Vec<char> = input.chars().collect();
    if chars.len() > MAX_ECHO {
        for window in chars.windows(MAX_ECHO + 1) {
            let run: String = window.iter().collect();
            assert!(
                !text.contains(&run),
                "echoes more than {MAX_ECHO} characters: {text}"
            );
        }
    }
}

/// Asserts `400 validation_failed` naming `field` in plain words.
async fn assert_bad_parameter(response: reqwest::Response, field: &str, input: &str) -> String {
    let body = assert_error(response, 400, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], field, "{body}");
    assert_plain(&body, input);
    body["errors"][0]["message"]
        .as_str()
        .expect("message")
        .to_owned()
}

async fn limit_errors_state_the_rule_in_plain_words(app: TestApp) {
    let alice = app.register("alice").await;
    let chat = create_group(&app, &alice, "Team", &[]).await;
    for list in [
        "/api/v1/chats?".to_owned(),
        "/api/v1/sessions?".to_owned(),
        "/api/v1/users?q=a&".to_owned(),
        format!("/api/v1/chats/{chat}/messages?"),
        format!("/api/v1/chats/{chat}/events?"),
    ] {
        for limit in ["0", "101", "x", "1.5", "99999999999999999999"] {
            let response = app
                .get(&format!("{list}limit={limit}"), &alice.access)
                .await;
            let message = assert_bad_parameter(response, "limit", limit).await;
            assert!(message.contains("from 1 to 100"), "{list}: {message}");
        }
    }
    for seq in ["-1", "abc"] {
        let response = app
            .get(
                &format!("/api/v1/chats/{chat}/messages?before={seq}"),
                &alice.access,
            )
            .await;
        assert_bad_parameter(response, "before", seq).await;
    }
}
api_test!(limit_errors_state_the_rule_in_plain_words);

async fn search_errors_quote_no_regex(app: TestApp) {
    let alice = app.register("alice").await;
    let long = "q".repeat(65);
    for q in ["", "%20%20", long.as_str()] {
        let response = app
            .get(&format!("/api/v1/users?q={q}"), &alice.access)
            .await;
        assert_bad_parameter(response, "q", q).await;
    }
    let response = app.get("/api/v1/users", &alice.access).await;
    assert_bad_parameter(response, "q", "").await;
    for cursor in ["Not A Cursor!", "zz"] {
        let response = app
            .get(&format!("/api/v1/users?q=a&cursor={cursor}"), &alice.access)
            .await;
        assert_plain(&assert_error(response, 400, "invalid_cursor").await, cursor);
        let response = app
            .get(&format!("/api/v1/sessions?cursor={cursor}"), &alice.access)
            .await;
        assert_plain(&assert_error(response, 400, "invalid_cursor").await, cursor);
    }
}
api_test!(search_errors_quote_no_regex);

async fn malformed_values_in_bodies_are_named_in_plain_words(app: TestApp) {
    let alice = app.register("alice").await;
    let long_id = "x".repeat(2000);
    let created = call(
        &app,
        Method::POST,
        "/api/v1/chats",
        &alice,
        Some(json!({"type": "group", "name": "Team", "member_ids": ["x", long_id]})),
    )
    .await;
    let body = assert_error(created, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "member_ids[0]", "{body}");
    assert_eq!(body["errors"][1]["field"], "member_ids[1]", "{body}");
    assert_plain(&body, &long_id);
    let chat = create_group(&app, &alice, "Team", &[]).await;
    let reply = call(
        &app,
        Method::POST,
        &format!("/api/v1/chats/{chat}/messages"),
        &alice,
        Some(json!({"body": "hi", "reply_to_id": "zzz"})),
    )
    .await;
    let body = assert_error(reply, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "reply_to_id", "{body}");
    assert_plain(&body, "");
    let huge = call(
        &app,
        Method::POST,
        &format!("/api/v1/chats/{chat}/read"),
        &alice,
        Some(serde_json::from_str(r#"{"seq": 18446744073709551615}"#).expect("json")),
    )
    .await;
    let body = assert_error(huge, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "seq", "{body}");
    assert_plain(&body, "");
}
api_test!(malformed_values_in_bodies_are_named_in_plain_words);

async fn error_details_echo_at_most_64_characters_of_input(app: TestApp) {
    let content_type = format!("text/{}", "y".repeat(4000));
    let response = app
        .request(Method::POST, "/api/v1/auth/login", None)
        .header("content-type", &content_type)
        .body("{}")
        .send()
        .await
        .expect("send");
    assert_plain(
        &assert_error(response, 415, "unsupported_media_type").await,
        &content_type,
    );
    let alice = app.register("alice").await;
    let unknown: Vec<String> = (0..40)
        .map(|n| format!("01900000-0000-7000-8000-{n:012}"))
        .collect();
    let response = call(
        &app,
        Method::POST,
        "/api/v1/chats",
        &alice,
        Some(json!({"type": "group", "name": "Team", "member_ids": unknown})),
    )
    .await;
    let body = assert_error(response, 404, "user_not_found").await;
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.chars().count() < 200),
        "{body}"
    );
}
api_test!(error_details_echo_at_most_64_characters_of_input);
