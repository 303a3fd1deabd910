//! The pages mailed links open, before the web client exists.

use serde_json::json;

use crate::api_test;
use crate::helpers::{PASSWORD, TestApp};

async fn the_link_pages_are_script_free_forms_that_work(app: TestApp) {
    app.register("alice").await;
    let token = app
        .nth_mail("alice@example.com", 1)
        .await
        .token("verify-email");
    let page = app
        .client
        .get(app.url(&format!("/verify-email?token={token}")))
        .send()
        .await
        .expect("get");
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .to_owned();
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(
        page.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("text/html")
    );
    let html = page.text().await.expect("html");
    assert!(html.contains(&token) && !html.contains("<script"), "{html}");
    // Opening the page spent nothing; sending the form does.
    let sent = app
        .client
        .post(app.url("/verify-email"))
        .form(&[("token", token.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(sent.status(), 200);
    assert!(
        sent.text()
            .await
            .expect("html")
            .contains("alice@example.com is confirmed")
    );
    let again = app
        .client
        .post(app.url("/verify-email"))
        .form(&[("token", token.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(again.status(), 400);

    let evil = app
        .client
        .get(app.url("/reset-password?token=%22%3E%3Cscript%3Ex%3C/script%3E"))
        .send()
        .await
        .expect("get");
    assert!(!evil.text().await.expect("html").contains("<script>"));
    app.post(
        "/api/v1/auth/password/forgot",
        None,
        &json!({"email": "alice@example.com"}),
    )
    .await;
    let token = app
        .nth_mail("alice@example.com", 2)
        .await
        .token("reset-password");
    let reset = app
        .client
        .post(app.url("/reset-password"))
        .form(&[
            ("token", token.as_str()),
            ("new_password", "a brand new passphrase"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(reset.status(), 200);
    app.login("alice", "a brand new passphrase").await;
    assert_ne!(PASSWORD, "a brand new passphrase");
}
api_test!(the_link_pages_are_script_free_forms_that_work);
