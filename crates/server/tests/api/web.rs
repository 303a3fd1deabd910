//! The web client (confab-web) mounted at `/`: its pages and files are served with a
//! strict policy, its page routes reload into the client, and it never answers for
//! the API or the operations routes.

use reqwest::{Method, StatusCode};

use crate::api_test;
use crate::helpers::{TestApp, assert_error};

/// `GET path` without a token.
async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    app.request(Method::GET, path, None)
        .send()
        .await
        .expect("send")
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no {name} on {}", response.url()))
}

async fn the_client_and_its_page_routes_are_served_with_a_strict_policy(app: TestApp) {
    let index = get(&app, "/").await;
    assert_eq!(index.status(), StatusCode::OK);
    assert_eq!(header(&index, "content-type"), "text/html; charset=utf-8");
    let policy = header(&index, "content-security-policy").to_owned();
    assert!(policy.contains("script-src 'self';"), "{policy}");
    assert!(policy.contains("style-src 'self';"), "{policy}");
    assert!(!policy.contains("unsafe"), "{policy}");
    assert_eq!(header(&index, "x-frame-options"), "DENY");
    assert_eq!(header(&index, "x-content-type-options"), "nosniff");
    let etag = header(&index, "etag").to_owned();
    let page = index.text().await.expect("body");
    assert!(
        page.contains("<script type=\"module\" src=\"/web/main.js\">"),
        "{page}"
    );

    for route in [
        "/login",
        "/register",
        "/chats",
        "/chats/0190a1b2-0000-7000-8000-000000000000",
        "/new",
        "/profile",
        "/sessions",
        "/forgot-password",
        "/admin",
        "/admin/invites",
    ] {
        let response = get(&app, route).await;
        assert_eq!(response.status(), StatusCode::OK, "{route}");
        assert_eq!(response.text().await.expect("body"), page, "{route}");
    }

    let script = get(&app, "/web/main.js").await;
    assert_eq!(script.status(), StatusCode::OK);
    assert_eq!(
        header(&script, "content-type"),
        "text/javascript; charset=utf-8"
    );

    let again = app
        .request(Method::GET, "/", None)
        .header("if-none-match", &etag)
        .send()
        .await
        .expect("send");
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
}
api_test!(the_client_and_its_page_routes_are_served_with_a_strict_policy);

async fn the_client_never_answers_for_the_api_or_operations_routes(app: TestApp) {
    for (path, status, content_type) in [
        ("/api/v1/me", 401, "application/json"),
        ("/api/v1/nowhere", 404, "application/json"),
        ("/health", 200, "application/json"),
        ("/openapi.json", 200, "application/json"),
        ("/metrics", 200, "text/plain"),
        ("/docs", 200, "text/html"),
    ] {
        let response = get(&app, path).await;
        assert_eq!(response.status().as_u16(), status, "{path}");
        assert!(
            header(&response, "content-type").starts_with(content_type),
            "{path}"
        );
        let body = response.text().await.expect("body");
        assert!(!body.contains("/web/main.js"), "{path} served the client");
    }
    // Paths that are neither a file nor a page of the client: the API's 404.
    for path in ["/nowhere", "/web/missing.js", "/chats/a/b", "/profile/x"] {
        let response = get(&app, path).await;
        assert_error(response, 404, "not_found").await;
    }
    // The client is read-only.
    let response = app
        .request(Method::POST, "/chats", None)
        .send()
        .await
        .expect("send");
    assert_error(response, 404, "not_found").await;
}
api_test!(the_client_never_answers_for_the_api_or_operations_routes);

async fn the_client_s_requests_are_labelled_by_template_in_metrics(app: TestApp) {
    for path in [
        "/chats/0190a1b2-0000-7000-8000-000000000000",
        "/web/main.js",
    ] {
        assert_eq!(get(&app, path).await.status(), StatusCode::OK, "{path}");
    }
    let text = get(&app, "/metrics").await.text().await.expect("text");
    for route in ["/chats/{id}", "/web/{file}"] {
        assert!(
            text.lines()
                .any(|line| line.starts_with("http_requests_total")
                    && line.contains(&format!("route=\"{route}\""))
                    && line.contains("status=\"200\"")),
            "{route}: {text}"
        );
    }
    assert!(!text.contains("0190a1b2"), "raw ids must not become labels");
}
api_test!(the_client_s_requests_are_labelled_by_template_in_metrics);

/// The links in mails (`/verify-email?token=…`, `/reset-password?token=…`) open the
/// client, which shows a form and spends the token only when it is sent (through
/// the API); the paths answer nothing else.
async fn the_mailed_links_open_the_client(app: TestApp) {
    app.register("alice").await;
    let token = app
        .nth_mail("alice@example.com", 1)
        .await
        .token("verify-email");
    let index = get(&app, "/").await.text().await.expect("body");
    for link in [
        format!("/verify-email?token={token}"),
        "/reset-password?token=%22%3E%3Cscript%3Ex%3C/script%3E".to_owned(),
    ] {
        let page = get(&app, &link).await;
        assert_eq!(page.status(), StatusCode::OK, "{link}");
        assert!(!header(&page, "content-security-policy").contains("unsafe"));
        // The page is the client's index, whatever the token: nothing echoed.
        assert_eq!(page.text().await.expect("body"), index, "{link}");
    }
    for path in ["/verify-email", "/reset-password"] {
        let response = app
            .request(Method::POST, path, None)
            .form(&[("token", token.as_str())])
            .send()
            .await
            .expect("send");
        assert_error(response, 404, "not_found").await;
    }
    // Opening the link spent nothing: the token still confirms the address.
    let confirmed = app
        .post(
            "/api/v1/auth/email/confirm",
            None,
            &serde_json::json!({ "token": token }),
        )
        .await;
    assert_eq!(confirmed.status(), StatusCode::OK);
}
api_test!(the_mailed_links_open_the_client);
