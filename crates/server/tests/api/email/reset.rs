//! Forgot and reset: no enumeration, single-use links, every session revoked.

use std::time::Duration;

use chrono::TimeDelta;
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, TransactionTrait};
use serde_json::{Value, json};

use crate::api_test;
use crate::helpers::{PASSWORD, TestApp, assert_error};
use crate::ws::client::Socket;

const NEW_PASSWORD: &str = "a brand new passphrase";

async fn forgot(app: &TestApp, email: &str) -> (u16, Value) {
    let response = app
        .post(
            "/api/v1/auth/password/forgot",
            None,
            &json!({"email": email}),
        )
        .await;
    let status = response.status().as_u16();
    (status, response.json().await.expect("json"))
}

async fn a_reset_link_sets_the_password_once_and_signs_out_everywhere(app: TestApp) {
    let alice = app.register("alice").await;
    let phone = app.login("alice", PASSWORD).await;
    let (mut socket, _) = Socket::ready(&app, &phone.access).await;
    assert_eq!(forgot(&app, "ALICE@example.com").await.0, 202);
    let mail = app
        .wait_for_mails("alice@example.com", 2)
        .await
        .into_iter()
        .find(|mail| mail.raw.contains("reset-password"))
        .expect("a reset mail");
    assert!(mail.raw.contains("expires in 1 hour"), "{}", mail.raw);
    let token = mail.token("reset-password");
    let weak = app
        .post(
            "/api/v1/auth/password/reset",
            None,
            &json!({"token": token, "new_password": "short"}),
        )
        .await;
    let body = assert_error(weak, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "new_password");
    let reset = app
        .post(
            "/api/v1/auth/password/reset",
            None,
            &json!({"token": token, "new_password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(reset.status(), 204);
    let frame = socket.closed().await.expect("a close frame");
    assert_eq!(u16::from(frame.code), 4401);
    for old in [&alice.access, &phone.access] {
        assert_error(app.get("/api/v1/me", old).await, 401, "unauthorized").await;
    }
    let old_password = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"login": "alice", "password": PASSWORD}),
        )
        .await;
    assert_error(old_password, 401, "invalid_credentials").await;
    app.login("alice", NEW_PASSWORD).await;
    let again = app
        .post(
            "/api/v1/auth/password/reset",
            None,
            &json!({"token": token, "new_password": "yet another passphrase"}),
        )
        .await;
    assert_error(again, 400, "invalid_token").await;
    app.login("alice", NEW_PASSWORD).await;
}
api_test!(a_reset_link_sets_the_password_once_and_signs_out_everywhere);

async fn a_reset_link_expires_after_an_hour(app: TestApp) {
    app.register("alice").await;
    forgot(&app, "alice@example.com").await;
    let mails = app.wait_for_mails("alice@example.com", 2).await;
    let token = mails[1].token("reset-password");
    app.clock.advance(TimeDelta::minutes(61));
    let late = app
        .post(
            "/api/v1/auth/password/reset",
            None,
            &json!({"token": token, "new_password": NEW_PASSWORD}),
        )
        .await;
    assert_error(late, 400, "invalid_token").await;
    app.login("alice", PASSWORD).await;
}
api_test!(a_reset_link_expires_after_an_hour);

async fn forgot_answers_alike_for_known_and_unknown_addresses(app: TestApp) {
    app.register("alice").await;
    app.nth_mail("alice@example.com", 1).await;
    let known = forgot(&app, "alice@example.com").await;
    let unknown = forgot(&app, "nobody@example.com").await;
    assert_eq!(known.0, 202);
    assert_eq!(known, unknown);
    app.wait_for_mails("alice@example.com", 2).await;
    // A second request within the minute sends nothing more, and says the same.
    assert_eq!(forgot(&app, "alice@example.com").await, unknown);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.wait_for_mails("alice@example.com", 2).await.len(), 2);
    assert!(
        app.mails()
            .iter()
            .all(|mail| !mail.is_to("nobody@example.com"))
    );
}
api_test!(forgot_answers_alike_for_known_and_unknown_addresses);

/// Holds the server's database so that no lookup can run until the returned
/// transaction ends: on SQLite by taking its one pooled connection, on PostgreSQL by
/// locking the accounts table against reads too.
async fn hold_the_accounts(app: &TestApp) -> DatabaseTransaction {
    let hold = app.db.begin().await.expect("a transaction");
    if app.db.get_database_backend() == DbBackend::Postgres {
        hold.execute_unprepared("LOCK TABLE users IN ACCESS EXCLUSIVE MODE")
            .await
            .expect("lock users");
    }
    hold
}

/// `forgot`, failing instead of hanging should the answer wait for the database.
async fn forgot_answered_without_the_database(app: &TestApp, email: &str) -> (u16, Value) {
    tokio::time::timeout(Duration::from_secs(30), forgot(app, email))
        .await
        .unwrap_or_else(|_| panic!("forgot for {email} waited for the account lookup"))
}

/// Neither the answer nor its timing may tell whether an account has the address.
/// Rather than compare times, this checks the work behind the answer: none, for
/// either address, since the answer is given while no account can be looked up;
/// the lookup and the mail come after it, and only the known address gets one.
async fn forgot_answers_before_looking_the_address_up(app: TestApp) {
    app.register("alice").await;
    app.wait_for_mails("alice@example.com", 1).await;
    let hold = hold_the_accounts(&app).await;
    let unknown = forgot_answered_without_the_database(&app, "nobody@example.com").await;
    let known = forgot_answered_without_the_database(&app, "alice@example.com").await;
    assert_eq!(known.0, 202);
    assert_eq!(known, unknown, "the same answer for both");
    hold.rollback().await.expect("release");

    // Released, the work runs: a reset link for alice (after her verification
    // mail), nothing for the unknown address.
    let reset = app.nth_mail("alice@example.com", 2).await;
    assert!(reset.raw.contains("reset-password"), "{}", reset.raw);
    let to_nobody = app
        .mails()
        .into_iter()
        .filter(|mail| mail.is_to("nobody@example.com"))
        .count();
    assert_eq!(to_nobody, 0);
}
api_test!(forgot_answers_before_looking_the_address_up);

async fn a_disabled_accounts_links_change_nothing(app: TestApp) {
    let root = crate::admin::admin(&app, "root").await;
    let alice = app.register("alice").await;
    assert_eq!(forgot(&app, "alice@example.com").await.0, 202);
    let mails = app.wait_for_mails("alice@example.com", 2).await;
    let verify = mails[0].token("verify-email");
    let reset = mails[1].token("reset-password");
    let disable = app
        .post(
            &format!("/api/v1/admin/users/{}/disable", alice.id),
            Some(&root.access),
            &json!({}),
        )
        .await;
    assert_eq!(disable.status(), 204);

    let refused = app
        .post(
            "/api/v1/auth/password/reset",
            None,
            &json!({"token": reset, "new_password": NEW_PASSWORD}),
        )
        .await;
    assert_error(refused, 400, "invalid_token").await;
    let refused = app
        .post(
            "/api/v1/auth/email/confirm",
            None,
            &json!({"token": verify}),
        )
        .await;
    assert_error(refused, 400, "invalid_token").await;
    // Forgot answers as always but mails nothing to a disabled account.
    assert_eq!(forgot(&app, "alice@example.com").await.0, 202);
    app.clock.advance(TimeDelta::minutes(2));
    assert_eq!(forgot(&app, "alice@example.com").await.0, 202);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let to_alice = app
        .mails()
        .into_iter()
        .filter(|mail| mail.is_to("alice@example.com"))
        .count();
    assert_eq!(to_alice, 2);

    let enable = app
        .post(
            &format!("/api/v1/admin/users/{}/enable", alice.id),
            Some(&root.access),
            &json!({}),
        )
        .await;
    assert_eq!(enable.status(), 204);
    // The password is the old one and the address still unverified.
    let back = app.login("alice", PASSWORD).await;
    assert_eq!(app.me(&back.access).await["email_verified"], false);
}
api_test!(a_disabled_accounts_links_change_nothing);
