//! `confab admin create-user` and `confab admin set-admin`, run as processes against
//! the test's database while the server serves it.

use reqwest::Method;
use serde_json::json;

use super::{confab, get_json};
use crate::api_test;
use crate::helpers::{PASSWORD, TestApp, assert_error};

async fn create_user_reads_the_password_from_stdin_and_makes_an_admin(app: TestApp) {
    let output = confab(
        &app,
        &[
            "admin",
            "create-user",
            "Root",
            "--email",
            "root@example.com",
            "--admin",
        ],
        &format!("{PASSWORD}\n"),
    )
    .await;
    assert!(output.status.success(), "{output:?}");
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(said.contains("created root, admin"), "{said}");
    assert!(
        !said.contains(PASSWORD) && !String::from_utf8_lossy(&output.stderr).contains(PASSWORD)
    );

    let root = app.login("root", PASSWORD).await;
    let me = get_json(&app, "/api/v1/me", &root.access).await;
    assert_eq!(me["is_admin"], true);
    let audit = get_json(&app, "/api/v1/admin/audit", &root.access).await;
    assert_eq!(audit["items"][0]["action"], "user.create");
    assert_eq!(audit["items"][0]["admin_id"], serde_json::Value::Null);
    assert_eq!(audit["items"][0]["target"], format!("user:{}", root.id));
}
api_test!(create_user_reads_the_password_from_stdin_and_makes_an_admin);

async fn create_user_refuses_bad_fields_and_taken_names_without_writing(app: TestApp) {
    app.register("alice").await;
    let short = confab(
        &app,
        &["admin", "create-user", "bob", "--email", "bob@example.com"],
        "short\n",
    )
    .await;
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("password"));
    let taken = confab(
        &app,
        &[
            "admin",
            "create-user",
            "alice",
            "--email",
            "other@example.com",
        ],
        &format!("{PASSWORD}\n"),
    )
    .await;
    assert!(!taken.status.success());
    assert!(String::from_utf8_lossy(&taken.stderr).contains("username is taken"));
    let response = app
        .send_json(
            Method::POST,
            "/api/v1/auth/login",
            None,
            &json!({"login": "bob", "password": "short"}),
        )
        .await;
    assert_error(response, 401, "invalid_credentials").await;
}
api_test!(create_user_refuses_bad_fields_and_taken_names_without_writing);

async fn set_admin_grants_and_takes_the_role_but_the_last_admin_keeps_it(app: TestApp) {
    let alice = app.register("alice").await;
    app.register("bob").await;
    for (args, ok) in [
        (["admin", "set-admin", "alice", "true"], true),
        (["admin", "set-admin", "alice", "false"], false),
        (["admin", "set-admin", "bob", "true"], true),
        (["admin", "set-admin", "alice", "false"], true),
        (["admin", "set-admin", "nobody", "true"], false),
        (["admin", "set-admin", "bob", "maybe"], false),
    ] {
        let output = confab(&app, &args, "").await;
        assert_eq!(output.status.success(), ok, "{args:?}: {output:?}");
    }
    let last = confab(&app, &["admin", "set-admin", "bob", "false"], "").await;
    assert!(String::from_utf8_lossy(&last.stderr).contains("last active admin"));
    let me = get_json(&app, "/api/v1/me", &alice.access).await;
    assert_eq!(me["is_admin"], false);
    let bob = app.login("bob", PASSWORD).await;
    assert_eq!(
        get_json(&app, "/api/v1/me", &bob.access).await["is_admin"],
        true
    );
}
api_test!(set_admin_grants_and_takes_the_role_but_the_last_admin_keeps_it);
