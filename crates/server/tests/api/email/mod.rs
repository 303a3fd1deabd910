//! Email flows over HTTP with the mail directory: verification, email change,
//! password reset. Mails are read back from the `.eml` files the server writes.

mod reset;
mod smtp;

use std::time::{Duration, Instant};

use chrono::TimeDelta;
use reqwest::Method;
use serde_json::{Value, json};

use crate::api_test;
use crate::helpers::{PASSWORD, TestApp, assert_error};

/// One mail as written to the directory: its headers and decoded text.
pub(crate) struct ReadMail {
    pub(crate) raw: String,
}

impl ReadMail {
    /// The `token` of the link to `page` (`verify-email`, `reset-password`).
    pub(crate) fn token(&self, page: &str) -> String {
        self.link_value(page, "token")
    }

    /// The value of `parameter` in the link to `page` (e.g. `register`, `invite`).
    pub(crate) fn link_value(&self, page: &str, parameter: &str) -> String {
        let decoded = decode_quoted_printable(&self.raw);
        let marker = format!("/{page}?{parameter}=");
        let start = decoded
            .find(&marker)
            .unwrap_or_else(|| panic!("no {page} link in {decoded}"))
            + marker.len();
        decoded[start..]
            .chars()
            .take_while(char::is_ascii_hexdigit)
            .collect()
    }

    /// Whether the mail went to `address`.
    pub(crate) fn is_to(&self, address: &str) -> bool {
        self.raw
            .lines()
            .any(|line| line.starts_with("To: ") && line.contains(address))
    }
}

/// Undoes quoted-printable soft line breaks and `=3D`, enough to read links.
fn decode_quoted_printable(raw: &str) -> String {
    raw.replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=")
}

impl TestApp {
    /// Every mail written so far, oldest first.
    pub(crate) fn mails(&self) -> Vec<ReadMail> {
        let Ok(entries) = std::fs::read_dir(&self.mail_dir) else {
            return Vec::new();
        };
        let mut paths: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "eml"))
            .collect();
        paths.sort();
        paths
            .into_iter()
            .map(|path| ReadMail {
                raw: std::fs::read_to_string(path).expect("read mail"),
            })
            .collect()
    }

    /// Waits (up to 10 s) until `count` mails went to `address`; returns them.
    pub(crate) async fn wait_for_mails(&self, address: &str, count: usize) -> Vec<ReadMail> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let mails: Vec<_> = self
                .mails()
                .into_iter()
                .filter(|mail| mail.is_to(address))
                .collect();
            if mails.len() >= count {
                return mails;
            }
            assert!(
                Instant::now() < deadline,
                "{count} mails to {address} did not arrive ({} did)",
                mails.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits for the `n`th (1-based) mail to `address`.
    pub(crate) async fn nth_mail(&self, address: &str, n: usize) -> ReadMail {
        self.wait_for_mails(address, n)
            .await
            .into_iter()
            .nth(n - 1)
            .expect("mail")
    }

    pub(crate) async fn post(
        &self,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> reqwest::Response {
        self.send_json(Method::POST, path, token, body).await
    }

    pub(crate) async fn me(&self, token: &str) -> Value {
        let response = self.get("/api/v1/me", token).await;
        assert_eq!(response.status(), 200);
        response.json().await.expect("json")
    }
}

async fn registration_mails_a_verification_link_that_works_once(app: TestApp) {
    let alice = app.register("alice").await;
    let me = app.me(&alice.access).await;
    assert_eq!(me["email_verified"], false);
    assert_eq!(me["pending_email"], Value::Null);
    let mail = app.nth_mail("alice@example.com", 1).await;
    assert!(
        mail.raw.contains("Subject: Confirm your email address"),
        "{}",
        mail.raw
    );
    let token = mail.token("verify-email");
    assert_eq!(token.len(), 64);
    let confirmed = app
        .post("/api/v1/auth/email/confirm", None, &json!({"token": token}))
        .await;
    assert_eq!(confirmed.status(), 200);
    let body: Value = confirmed.json().await.expect("json");
    assert_eq!(body["email_verified"], true);
    assert_eq!(app.me(&alice.access).await["email_verified"], true);
    let again = app
        .post("/api/v1/auth/email/confirm", None, &json!({"token": token}))
        .await;
    assert_error(again, 400, "invalid_token").await;
}
api_test!(registration_mails_a_verification_link_that_works_once);

async fn verification_mails_are_limited_to_one_a_minute(app: TestApp) {
    let alice = app.register("alice").await;
    app.nth_mail("alice@example.com", 1).await;
    let refused = app
        .post("/api/v1/auth/email/verify", Some(&alice.access), &json!({}))
        .await;
    assert!(refused.headers().contains_key("retry-after"));
    assert_error(refused, 429, "rate_limited").await;
    app.clock.advance(TimeDelta::seconds(61));
    let accepted = app
        .post("/api/v1/auth/email/verify", Some(&alice.access), &json!({}))
        .await;
    assert_eq!(accepted.status(), 202);
    let mails = app.wait_for_mails("alice@example.com", 2).await;
    // Both links work until one is used: each is its own token.
    let second = mails[1].token("verify-email");
    assert_ne!(second, mails[0].token("verify-email"));
    let confirmed = app
        .post(
            "/api/v1/auth/email/confirm",
            None,
            &json!({"token": second}),
        )
        .await;
    assert_eq!(confirmed.status(), 200);
}
api_test!(verification_mails_are_limited_to_one_a_minute);

async fn bad_tokens_are_refused_and_change_nothing(app: TestApp) {
    let alice = app.register("alice").await;
    let unknown = "f".repeat(64);
    for token in ["garbage", "", unknown.as_str(), &"A".repeat(64)] {
        let confirm = app
            .post("/api/v1/auth/email/confirm", None, &json!({"token": token}))
            .await;
        assert_error(confirm, 400, "invalid_token").await;
        let reset = app
            .post(
                "/api/v1/auth/password/reset",
                None,
                &json!({"token": token, "new_password": "another good password"}),
            )
            .await;
        assert_error(reset, 400, "invalid_token").await;
    }
    assert_eq!(app.me(&alice.access).await["email_verified"], false);
    app.login("alice", PASSWORD).await;
    // A verification token is not a reset token.
    let token = app
        .nth_mail("alice@example.com", 1)
        .await
        .token("verify-email");
    let reset = app
        .post(
            "/api/v1/auth/password/reset",
            None,
            &json!({"token": token, "new_password": "another good password"}),
        )
        .await;
    assert_error(reset, 400, "invalid_token").await;
    app.login("alice", PASSWORD).await;
}
api_test!(bad_tokens_are_refused_and_change_nothing);

async fn an_email_change_waits_for_the_new_address_to_confirm_it(app: TestApp) {
    let alice = app.register("alice").await;
    app.nth_mail("alice@example.com", 1).await;
    let patched = app
        .send_json(
            Method::PATCH,
            "/api/v1/me",
            Some(&alice.access),
            &json!({"email": "alice@new.example.com", "current_password": PASSWORD}),
        )
        .await;
    assert_eq!(patched.status(), 200);
    let body: Value = patched.json().await.expect("json");
    assert_eq!(body["email"], "alice@example.com");
    assert_eq!(body["pending_email"], "alice@new.example.com");
    let notice = app.nth_mail("alice@example.com", 2).await;
    assert!(notice.raw.contains("alice@new.example.com"));
    assert!(!notice.raw.contains("token="), "the notice carries no link");
    let token = app
        .nth_mail("alice@new.example.com", 1)
        .await
        .token("verify-email");
    let confirmed = app
        .post("/api/v1/auth/email/confirm", None, &json!({"token": token}))
        .await;
    assert_eq!(confirmed.status(), 200);
    let me = app.me(&alice.access).await;
    assert_eq!(me["email"], "alice@new.example.com");
    assert_eq!(me["pending_email"], Value::Null);
    assert_eq!(me["email_verified"], true);
    app.login("alice@new.example.com", PASSWORD).await;
}
api_test!(an_email_change_waits_for_the_new_address_to_confirm_it);

async fn a_header_injection_in_an_address_is_refused(app: TestApp) {
    let alice = app.register("alice").await;
    for address in [
        "alice@example.com\r\nBcc: all@example.com",
        "a\n@example.com",
    ] {
        let forgot = app
            .post(
                "/api/v1/auth/password/forgot",
                None,
                &json!({"email": address}),
            )
            .await;
        assert_error(forgot, 422, "validation_failed").await;
        let patched = app
            .send_json(
                Method::PATCH,
                "/api/v1/me",
                Some(&alice.access),
                &json!({"email": address, "current_password": PASSWORD}),
            )
            .await;
        assert_error(patched, 422, "validation_failed").await;
    }
    assert_eq!(app.me(&alice.access).await["pending_email"], Value::Null);
}
api_test!(a_header_injection_in_an_address_is_refused);

fn verified_email_required() -> crate::helpers::TestConfig {
    crate::helpers::TestConfig {
        require_verified_email: true,
        ..crate::helpers::TestConfig::default()
    }
}

async fn unverified_accounts_cannot_send_or_create_chats_when_required(app: TestApp) {
    use crate::chats::support::{call, create_direct, send};
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let refused = call(
        &app,
        Method::POST,
        "/api/v1/chats",
        &alice,
        Some(json!({"type": "direct", "member_ids": [bob.id]})),
    )
    .await;
    assert_error(refused, 403, "email_unverified").await;
    let token = app
        .nth_mail("alice@example.com", 1)
        .await
        .token("verify-email");
    let confirmed = app
        .post("/api/v1/auth/email/confirm", None, &json!({"token": token}))
        .await;
    assert_eq!(confirmed.status(), 200);
    let chat = create_direct(&app, &alice, &bob).await;
    send(&app, &alice, &chat, "hello").await;
    let bob_sends = call(
        &app,
        Method::POST,
        &format!("/api/v1/chats/{chat}/messages"),
        &bob,
        Some(json!({"body": "hi"})),
    )
    .await;
    assert_error(bob_sends, 403, "email_unverified").await;
}
api_test!(
    unverified_accounts_cannot_send_or_create_chats_when_required,
    verified_email_required
);
