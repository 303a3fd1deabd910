//! The error edge: poem's own rejections in the error shape, body limits, and rate
//! limits with their headers.

use reqwest::Method;
use serde_json::{Value, json};

use crate::api_test;
use crate::helpers::{PASSWORD, TestApp, TestConfig, assert_error, spawn_app_with};
use crate::raw::{RawConnection, RawResponse};

async fn unknown_routes_are_404_in_the_error_shape(app: TestApp) {
    for path in ["/nowhere", "/api/v1/nothing/here", "/api/v2/me"] {
        let response = app
            .request(Method::GET, path, None)
            .send()
            .await
            .expect("send");
        assert_error(response, 404, "not_found").await;
    }
}
api_test!(unknown_routes_are_404_in_the_error_shape);

async fn wrong_methods_are_405_with_allow(app: TestApp) {
    let response = app
        .request(Method::PUT, "/api/v1/me", None)
        .send()
        .await
        .expect("send");
    let allow = response
        .headers()
        .get("allow")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_error(response, 405, "method_not_allowed").await;
    assert_eq!(allow, "GET, PATCH, DELETE, HEAD");
    let response = app
        .request(Method::GET, "/api/v1/auth/login", None)
        .send()
        .await
        .expect("send");
    assert_eq!(response.headers()["allow"], "POST");
    assert_error(response, 405, "method_not_allowed").await;
}
api_test!(wrong_methods_are_405_with_allow);

async fn post_raw(
    app: &TestApp,
    path: &str,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    app.request(Method::POST, path, None)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("send")
}

async fn malformed_bodies_are_400_or_422_never_500(app: TestApp) {
    let login = "/api/v1/auth/login";
    let json_type = "application/json";
    assert_error(
        post_raw(&app, login, json_type, "{\"login\": ").await,
        400,
        "invalid_json",
    )
    .await;
    assert_error(
        post_raw(&app, login, json_type, "").await,
        400,
        "invalid_json",
    )
    .await;
    assert_error(
        post_raw(&app, login, json_type, "[1, 2]").await,
        400,
        "invalid_json",
    )
    .await;
    let missing = post_raw(&app, login, json_type, r#"{"login": "alice"}"#).await;
    let body = assert_error(missing, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "password");
    assert_eq!(body["errors"][0]["message"], "is required");
    let wrong_type = post_raw(&app, login, json_type, r#"{"login": 5, "password": "x"}"#).await;
    let body = assert_error(wrong_type, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "login");
    let text = post_raw(&app, login, "text/plain", "login=alice").await;
    assert_error(text, 415, "unsupported_media_type").await;
    let none = app
        .request(Method::POST, login, None)
        .body("{}")
        .send()
        .await
        .expect("send");
    assert_error(none, 415, "unsupported_media_type").await;
}
api_test!(malformed_bodies_are_400_or_422_never_500);

async fn unknown_fields_in_bodies_are_ignored(app: TestApp) {
    let response = app
        .send_json(
            Method::POST,
            "/api/v1/auth/register",
            None,
            &json!({"username": "alice", "email": "alice@example.com", "password": PASSWORD,
                    "is_private": true, "id": "01900000-0000-7000-8000-000000000000", "role": "admin"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["user"]["is_private"], false);
    assert_ne!(body["user"]["id"], "01900000-0000-7000-8000-000000000000");
}
api_test!(unknown_fields_in_bodies_are_ignored);

fn assert_too_large(response: &RawResponse) {
    response.assert_error(413, "payload_too_large");
}

async fn bodies_over_one_mebibyte_are_413(app: TestApp) {
    const LIMIT: usize = 1024 * 1024;
    let request = |framing: String| {
        format!(
            "POST /api/v1/auth/login HTTP/1.1\r\nhost: {}\r\n\
             content-type: application/json\r\n{framing}\r\n",
            app.address.trim_start_matches("http://")
        )
    };
    // A declared length over the limit is refused before the body arrives: only a
    // part of it is ever sent.
    let mut declared = request(format!("content-length: {}\r\n", LIMIT + 1)).into_bytes();
    declared.extend(std::iter::repeat_n(b'a', 64 * 1024));
    assert_too_large(&RawConnection::open(&app).await.exchange(&declared).await);
    // Without a Content-Length (chunked), the limit still holds: one chunk announced
    // larger than the limit, of which one byte more than the limit is sent.
    let mut chunked = request("transfer-encoding: chunked\r\n".to_owned()).into_bytes();
    chunked.extend(format!("{:x}\r\n", 2 * LIMIT).into_bytes());
    chunked.extend(std::iter::repeat_n(b'a', LIMIT + 1));
    assert_too_large(&RawConnection::open(&app).await.exchange(&chunked).await);
}
api_test!(bodies_over_one_mebibyte_are_413);

async fn request_ids_are_echoed_or_generated(app: TestApp) {
    let response = app
        .request(Method::GET, "/health", None)
        .header("x-request-id", "trace-me-123")
        .send()
        .await
        .expect("send");
    assert_eq!(response.headers()["x-request-id"], "trace-me-123");
    let response = app
        .request(Method::GET, "/nowhere", None)
        .send()
        .await
        .expect("send");
    let generated = response.headers()["x-request-id"].to_str().expect("ascii");
    assert_eq!(generated.len(), 36, "{generated}");
}
api_test!(request_ids_are_echoed_or_generated);

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_routes_are_rate_limited_per_client_ip() {
    let app = spawn_app_with(TestConfig {
        auth_rate_per_minute: 3,
        trust_proxy: true,
        ..TestConfig::default()
    })
    .await;
    let login = |ip: &'static str| {
        app.request(Method::POST, "/api/v1/auth/login", None)
            .header("x-forwarded-for", format!("10.9.9.9, {ip}"))
            .json(&json!({"login": "nobody", "password": "whatever1"}))
            .send()
    };
    for remaining in ["2", "1", "0"] {
        let response = login("192.0.2.1").await.expect("send");
        assert_eq!(header(&response, "x-ratelimit-limit").as_deref(), Some("3"));
        assert_eq!(
            header(&response, "x-ratelimit-remaining").as_deref(),
            Some(remaining)
        );
        assert_error(response, 401, "invalid_credentials").await;
    }
    let refused = login("192.0.2.1").await.expect("send");
    let retry_after: u64 = header(&refused, "retry-after")
        .and_then(|v| v.parse().ok())
        .expect("Retry-After in seconds");
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(
        header(&refused, "x-ratelimit-remaining").as_deref(),
        Some("0")
    );
    assert_error(refused, 429, "rate_limited").await;
    // Another client (by the rightmost X-Forwarded-For entry) has its own budget.
    let other = login("192.0.2.2").await.expect("send");
    assert_error(other, 401, "invalid_credentials").await;
    // Unlimited routes carry no rate-limit headers.
    let health = app
        .request(Method::GET, "/health", None)
        .send()
        .await
        .expect("send");
    assert!(header(&health, "x-ratelimit-limit").is_none());
}
