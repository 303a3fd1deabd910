//! Writes racing a change of membership or role, on PostgreSQL.
//!
//! Each test lines two requests up behind a lock on the chat row that the test
//! itself holds: first the owner's change (a removal, a demotion, a hand-over), then
//! the write of the member it affects. PostgreSQL queues row-lock waiters in order,
//! so when the test lets go the change commits first and the write runs second,
//! every time. The write must then be judged on the members as the change left them:
//! refused, with nothing stored. (Before writes re-checked under the lock, each of
//! these writes was allowed on what it had read before waiting.) SQLite has one
//! writer and one pooled connection, so the race cannot happen there and these tests
//! run on PostgreSQL only.

use std::time::{Duration, Instant};

use reqwest::{Method, RequestBuilder, Response};
use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};
use serde_json::{Value, json};

use crate::chats::support::{RoleGroup, event_types, json_of, role_group, send};
use crate::helpers::{TestApp, TestUser};

/// How many connections of this database wait for a lock.
async fn lock_waiters(app: &TestApp) -> i64 {
    let row = app
        .db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT count(*) AS waiting FROM pg_stat_activity \
             WHERE datname = current_database() AND wait_event_type = 'Lock'",
        ))
        .await
        .expect("read pg_stat_activity")
        .expect("one row");
    row.try_get("", "waiting").expect("count")
}

async fn until_lock_waiters(app: &TestApp, wanted: i64) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while lock_waiters(app).await < wanted {
        assert!(
            Instant::now() < deadline,
            "no request waited for the chat's lock"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Sends `requests` one after the other while the test holds `chat`'s row lock,
/// each only once the previous one waits for that lock, then lets go: they run
/// in the order given. Returns their responses in that order.
async fn one_after_the_other(
    app: &TestApp,
    chat: &str,
    requests: Vec<RequestBuilder>,
) -> Vec<Response> {
    let holder = app.db.begin().await.expect("begin");
    holder
        .execute_unprepared(&format!(
            "SELECT id FROM chats WHERE id = '{chat}' FOR UPDATE"
        ))
        .await
        .expect("lock the chat row");
    let mut pending = Vec::new();
    for (queued, request) in (1..).zip(requests) {
        pending.push(tokio::spawn(request.send()));
        until_lock_waiters(app, queued).await;
    }
    holder.commit().await.expect("let go");
    let mut responses = Vec::new();
    for request in pending {
        responses.push(request.await.expect("task").expect("response"));
    }
    responses
}

fn as_user(
    app: &TestApp,
    method: Method,
    path: &str,
    user: &TestUser,
    body: Option<Value>,
) -> RequestBuilder {
    let request = app.request(method, path, Some(&user.access));
    match body {
        Some(body) => request.json(&body),
        None => request,
    }
}

fn demote(app: &TestApp, group: &RoleGroup) -> RequestBuilder {
    as_user(
        app,
        Method::PATCH,
        &format!("/api/v1/chats/{}/members/{}", group.chat, group.admin.id),
        &group.owner,
        Some(json!({"role": "member"})),
    )
}

/// Runs `change` then `write` as above; `write` must answer `status` with `code`,
/// and the log must end with exactly the entries `change` wrote.
async fn change_then_refused_write(
    app: &TestApp,
    group: &RoleGroup,
    change: RequestBuilder,
    write: RequestBuilder,
    status: u16,
    code: &str,
    change_logs: &[&str],
) {
    let before = event_types(app, &group.owner, &group.chat).await;
    let mut responses = one_after_the_other(app, &group.chat, vec![change, write]).await;
    let written = responses.pop().expect("write");
    let changed = responses.pop().expect("change");
    assert!(
        changed.status().is_success(),
        "the change: {}",
        changed.status()
    );
    assert_eq!(written.status().as_u16(), status, "the racing write");
    assert_eq!(json_of(written).await["code"], code);
    let after = event_types(app, &group.owner, &group.chat).await;
    assert_eq!(
        &after[before.len()..],
        change_logs,
        "only the change is logged"
    );
}

macro_rules! postgres_test {
    ($name:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            if let Some(app) = $crate::helpers::spawn_postgres_app(stringify!($name)).await {
                super::$name(app).await;
            }
        }
    };
}

pub(crate) async fn send_after_removal_is_refused(app: TestApp) {
    let group = role_group(&app).await;
    let remove = as_user(
        &app,
        Method::DELETE,
        &format!("/api/v1/chats/{}/members/{}", group.chat, group.member.id),
        &group.owner,
        None,
    );
    let send_message = as_user(
        &app,
        Method::POST,
        &format!("/api/v1/chats/{}/messages", group.chat),
        &group.member,
        Some(json!({"body": "still here?"})),
    );
    change_then_refused_write(
        &app,
        &group,
        remove,
        send_message,
        404,
        "chat_not_found",
        &["member.removed"],
    )
    .await;
}

pub(crate) async fn edit_after_removal_is_refused(app: TestApp) {
    let group = role_group(&app).await;
    let message = send(&app, &group.member, &group.chat, "first draft").await;
    let remove = as_user(
        &app,
        Method::DELETE,
        &format!("/api/v1/chats/{}/members/{}", group.chat, group.member.id),
        &group.owner,
        None,
    );
    let edit = as_user(
        &app,
        Method::PATCH,
        &format!(
            "/api/v1/chats/{}/messages/{}",
            group.chat,
            message["id"].as_str().expect("id")
        ),
        &group.member,
        Some(json!({"body": "second draft"})),
    );
    change_then_refused_write(
        &app,
        &group,
        remove,
        edit,
        404,
        "chat_not_found",
        &["member.removed"],
    )
    .await;
}

pub(crate) async fn delete_after_demotion_is_refused(app: TestApp) {
    let group = role_group(&app).await;
    let message = send(&app, &group.member, &group.chat, "keep me").await;
    let delete = as_user(
        &app,
        Method::DELETE,
        &format!(
            "/api/v1/chats/{}/messages/{}",
            group.chat,
            message["id"].as_str().expect("id")
        ),
        &group.admin,
        None,
    );
    let demotion = demote(&app, &group);
    change_then_refused_write(
        &app,
        &group,
        demotion,
        delete,
        403,
        "forbidden",
        &["member.updated"],
    )
    .await;
}

pub(crate) async fn adding_after_demotion_is_refused(app: TestApp) {
    let group = role_group(&app).await;
    let add = as_user(
        &app,
        Method::POST,
        &format!("/api/v1/chats/{}/members", group.chat),
        &group.admin,
        Some(json!({"user_ids": [group.outsider.id]})),
    );
    let demotion = demote(&app, &group);
    change_then_refused_write(
        &app,
        &group,
        demotion,
        add,
        403,
        "forbidden",
        &["member.updated"],
    )
    .await;
}

pub(crate) async fn removing_after_demotion_is_refused(app: TestApp) {
    let group = role_group(&app).await;
    let remove = as_user(
        &app,
        Method::DELETE,
        &format!("/api/v1/chats/{}/members/{}", group.chat, group.member.id),
        &group.admin,
        None,
    );
    let demotion = demote(&app, &group);
    change_then_refused_write(
        &app,
        &group,
        demotion,
        remove,
        403,
        "forbidden",
        &["member.updated"],
    )
    .await;
}

pub(crate) async fn role_change_after_handing_over_is_refused(app: TestApp) {
    let group = role_group(&app).await;
    let hand_over = as_user(
        &app,
        Method::PATCH,
        &format!("/api/v1/chats/{}/members/{}", group.chat, group.admin.id),
        &group.owner,
        Some(json!({"role": "owner"})),
    );
    let promote = as_user(
        &app,
        Method::PATCH,
        &format!("/api/v1/chats/{}/members/{}", group.chat, group.member.id),
        &group.owner,
        Some(json!({"role": "admin"})),
    );
    change_then_refused_write(
        &app,
        &group,
        hand_over,
        promote,
        403,
        "forbidden",
        &["member.updated", "member.updated"],
    )
    .await;
}

pub(crate) async fn ttl_after_demotion_is_refused(app: TestApp) {
    let group = role_group(&app).await;
    let ttl = as_user(
        &app,
        Method::PATCH,
        &format!("/api/v1/chats/{}", group.chat),
        &group.admin,
        Some(json!({"message_ttl_seconds": 3600})),
    );
    let demotion = demote(&app, &group);
    change_then_refused_write(
        &app,
        &group,
        demotion,
        ttl,
        403,
        "forbidden",
        &["member.updated"],
    )
    .await;
}

mod on_postgres {
    postgres_test!(send_after_removal_is_refused);
    postgres_test!(edit_after_removal_is_refused);
    postgres_test!(delete_after_demotion_is_refused);
    postgres_test!(adding_after_demotion_is_refused);
    postgres_test!(removing_after_demotion_is_refused);
    postgres_test!(role_change_after_handing_over_is_refused);
    postgres_test!(ttl_after_demotion_is_refused);
}
