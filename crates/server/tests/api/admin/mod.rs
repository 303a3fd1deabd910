//! `/admin` routes, the registration policy and `confab admin`: admins are made with
//! the real binary (`confab admin …` as a process on the test's database).

mod chats;
mod cli;
mod deletion;
mod erasure;
mod guard;
mod invites;
mod users;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

use crate::helpers::{TestApp, TestUser};

/// Runs `confab args…` on the app's database, writing `stdin` to it.
pub(super) async fn confab(app: &TestApp, args: &[&str], stdin: &str) -> Output {
    let url = app.database_url().to_owned();
    let args: Vec<String> = args.iter().map(|&a| a.to_owned()).collect();
    let stdin = stdin.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut child = Command::new(env!("CARGO_BIN_EXE_confab"))
            .args(&args)
            .env("DATABASE_URL", url)
            .env("RUST_LOG", "warn")
            .env("CONFAB_JWT_SECRET", "cli-secret-cli-secret-cli-secret-cli!")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start confab");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin.as_bytes())
            .expect("write stdin");
        child.wait_with_output().expect("confab ran")
    })
    .await
    .expect("joined")
}

/// Registers `name` and makes it an admin with `confab admin set-admin`.
pub(super) async fn admin(app: &TestApp, name: &str) -> TestUser {
    let user = app.register(name).await;
    let output = confab(app, &["admin", "set-admin", name, "true"], "").await;
    assert!(output.status.success(), "{output:?}");
    user
}

/// `GET path` as `token`, expecting 200, as JSON.
pub(super) async fn get_json(app: &TestApp, path: &str, token: &str) -> Value {
    let response = app.get(path, token).await;
    assert_eq!(response.status(), 200, "GET {path}");
    response.json().await.expect("json")
}

/// Every token of `user` is refused: the access token (401) and the refresh token.
pub(super) async fn assert_tokens_refused(app: &TestApp, user: &TestUser) {
    use crate::helpers::assert_error;
    assert_error(
        app.get("/api/v1/me", &user.access).await,
        401,
        "unauthorized",
    )
    .await;
    let refresh = app
        .send_json(
            reqwest::Method::POST,
            "/api/v1/auth/refresh",
            None,
            &serde_json::json!({"refresh_token": user.refresh}),
        )
        .await;
    assert_error(refresh, 401, "invalid_refresh_token").await;
}
