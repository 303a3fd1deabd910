//! Security headers: on every response (JSON, errors, HTML), a script policy
//! without `unsafe-inline` on `/docs`, and `Cache-Control: no-store` where tokens
//! travel.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use reqwest::Method;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::api_test;
use crate::helpers::{PASSWORD, TestApp};

fn header<'a>(response: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

fn assert_security_headers(response: &reqwest::Response) {
    let url = response.url().path().to_owned();
    assert_eq!(
        header(response, "x-content-type-options"),
        Some("nosniff"),
        "{url}"
    );
    assert_eq!(
        header(response, "referrer-policy"),
        Some("no-referrer"),
        "{url}"
    );
    assert_eq!(header(response, "x-frame-options"), Some("DENY"), "{url}");
}

async fn every_response_carries_the_security_headers(app: TestApp) {
    let alice = app.register("alice").await;
    for (method, path, token, status) in [
        (Method::GET, "/health", None, 200),
        (Method::GET, "/api/v1/me", Some(alice.access.as_str()), 200),
        (Method::GET, "/api/v1/me", None, 401),
        (Method::GET, "/nowhere", None, 404),
        (Method::PUT, "/api/v1/me", None, 405),
        (Method::GET, "/docs", None, 200),
        (Method::GET, "/openapi.json", None, 200),
        (Method::GET, "/asyncapi.json", None, 200),
    ] {
        let response = app.request(method, path, token).send().await.expect("send");
        assert_eq!(response.status(), status, "{path}");
        assert_security_headers(&response);
    }
}
api_test!(every_response_carries_the_security_headers);

/// The bodies of the page's inline `<script>` elements: each runs from its opening
/// tag to the first `</script`, as an HTML parser reads script data.
fn inline_scripts(html: &str) -> Vec<&str> {
    let mut scripts = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find("<script") {
        let start = open + rest[open..].find('>').expect("a tag end") + 1;
        let length = rest[start..].find("</script").expect("a closing tag");
        scripts.push(&rest[start..start + length]);
        rest = &rest[start + length..];
    }
    scripts
}

async fn the_docs_page_allows_only_its_own_scripts(app: TestApp) {
    let response = app
        .request(Method::GET, "/docs", None)
        .send()
        .await
        .expect("send");
    assert_security_headers(&response);
    let policy = header(&response, "content-security-policy")
        .expect("a Content-Security-Policy on /docs")
        .to_owned();
    let html = response.text().await.expect("html");
    let script_src = policy
        .split(';')
        .map(str::trim)
        .find(|directive| directive.starts_with("script-src "))
        .unwrap_or_else(|| panic!("a script-src directive: {policy}"));
    assert!(!script_src.contains("unsafe-inline"), "{policy}");
    assert!(!script_src.contains('*'), "{policy}");
    let scripts = inline_scripts(&html);
    assert!(!scripts.is_empty(), "Swagger UI runs inline scripts");
    for script in scripts {
        let hash = STANDARD.encode(Sha256::digest(script.as_bytes()));
        assert!(
            script_src.contains(&format!("'sha256-{hash}'")),
            "each inline script is allowed by its hash: {policy}"
        );
    }
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(policy.contains("object-src 'none'") || policy.contains("default-src 'none'"));
}
api_test!(the_docs_page_allows_only_its_own_scripts);

async fn responses_with_tokens_are_not_stored(app: TestApp) {
    let register = app
        .send_json(
            Method::POST,
            "/api/v1/auth/register",
            None,
            &json!({"username": "alice", "email": "alice@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(register.status(), 201);
    assert_eq!(header(&register, "cache-control"), Some("no-store"));
    let login = app
        .send_json(
            Method::POST,
            "/api/v1/auth/login",
            None,
            &json!({"login": "alice", "password": PASSWORD}),
        )
        .await;
    assert_eq!(login.status(), 200);
    assert_eq!(header(&login, "cache-control"), Some("no-store"));
    let refresh_token =
        login.json::<serde_json::Value>().await.expect("json")["tokens"]["refresh_token"]
            .as_str()
            .expect("refresh token")
            .to_owned();
    let refresh = app
        .send_json(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            &json!({"refresh_token": refresh_token}),
        )
        .await;
    assert_eq!(refresh.status(), 200);
    assert_eq!(header(&refresh, "cache-control"), Some("no-store"));
}
api_test!(responses_with_tokens_are_not_stored);
