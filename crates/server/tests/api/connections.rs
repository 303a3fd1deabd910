//! Slow and idle connections: a request head must arrive within the header timeout,
//! a body within the body timeout (else 408 in the error shape), and an idle
//! keep-alive connection closes after the idle timeout. WebSockets are left alone.
//! The timeouts are set to seconds here; "in time" allows generous slack.

use std::time::Duration;

use serde_json::json;

use crate::api_test;
use crate::helpers::{TestApp, TestConfig};
use crate::raw::{PATIENCE, RawConnection, RawResponse};
use crate::ws::client::Socket;

/// Header and body timeouts of one second, idle connections closed after three.
fn short_timeouts() -> TestConfig {
    TestConfig {
        http_timeouts_seconds: Some([1, 1, 3]),
        ..TestConfig::default()
    }
}

/// Short header and body timeouts, a long idle timeout: what closes a connection
/// here is the header timeout, never the idle one.
fn long_idle() -> TestConfig {
    TestConfig {
        http_timeouts_seconds: Some([1, 1, 60]),
        ..TestConfig::default()
    }
}

const HEALTH: &[u8] = b"GET /health HTTP/1.1\r\nhost: confab\r\n\r\n";

fn assert_timed_out(response: &RawResponse) {
    response.assert_error(408, "request_timeout");
    assert_eq!(response.header("connection"), Some("close"), "{response:?}");
}

async fn a_silent_connection_is_closed_after_the_header_timeout(app: TestApp) {
    let mut connection = RawConnection::open(&app).await;
    assert!(
        connection.closed_within(PATIENCE).await,
        "a connection that sends nothing is closed, without an answer"
    );
}
api_test!(
    a_silent_connection_is_closed_after_the_header_timeout,
    short_timeouts
);

async fn a_half_sent_head_is_answered_408_and_closed(app: TestApp) {
    let mut connection = RawConnection::open(&app).await;
    connection
        .send(b"GET /health HTTP/1.1\r\nhost: confab\r\nx-slow: ")
        .await;
    assert_timed_out(&connection.response().await);
    assert!(connection.closed_within(PATIENCE).await);
}
api_test!(a_half_sent_head_is_answered_408_and_closed, short_timeouts);

async fn a_half_sent_second_request_gets_the_header_timeout_not_the_idle_one(app: TestApp) {
    let mut connection = RawConnection::open(&app).await;
    connection.send(HEALTH).await;
    assert_eq!(connection.response().await.status, 200);
    // The idle timeout is a minute; the head that started must finish within the
    // header timeout all the same.
    connection.send(b"GET /health HTTP/1.1\r\nhost: con").await;
    assert_timed_out(&connection.response().await);
    assert!(connection.closed_within(PATIENCE).await);
}
api_test!(
    a_half_sent_second_request_gets_the_header_timeout_not_the_idle_one,
    long_idle
);

async fn an_idle_keep_alive_connection_outlives_the_header_timeout_then_closes(app: TestApp) {
    let mut connection = RawConnection::open(&app).await;
    connection.send(HEALTH).await;
    assert_eq!(connection.response().await.status, 200);
    // Longer than the header timeout, shorter than the idle timeout: still usable.
    tokio::time::sleep(Duration::from_secs(2)).await;
    connection.send(HEALTH).await;
    assert_eq!(connection.response().await.status, 200);
    assert!(
        connection.closed_within(PATIENCE).await,
        "an idle connection is closed after the idle timeout, without an answer"
    );
}
api_test!(
    an_idle_keep_alive_connection_outlives_the_header_timeout_then_closes,
    short_timeouts
);

fn login_head(length: usize) -> String {
    format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nhost: confab\r\n\
         content-type: application/json\r\ncontent-length: {length}\r\n\r\n"
    )
}

async fn a_stalled_or_trickling_body_is_answered_408_and_closed(app: TestApp) {
    let body = json!({"login": "alice", "password": "correct horse battery"}).to_string();
    // Stalled: the head and a part of the body, then nothing.
    let mut stalled = RawConnection::open(&app).await;
    stalled.send(login_head(body.len()).as_bytes()).await;
    stalled.send(&body.as_bytes()[..10]).await;
    assert_timed_out(&stalled.response().await);
    assert!(stalled.closed_within(PATIENCE).await);
    // Trickling: a byte every 200 ms never finishes in time; the timeout is for the
    // whole body, not for each read.
    let mut trickling = RawConnection::open(&app).await;
    trickling.send(login_head(body.len()).as_bytes()).await;
    let response = trickling
        .trickle(body.as_bytes(), Duration::from_millis(200))
        .await;
    assert_timed_out(&response);
    assert!(trickling.closed_within(PATIENCE).await);
}
api_test!(
    a_stalled_or_trickling_body_is_answered_408_and_closed,
    short_timeouts
);

async fn a_quiet_websocket_outlives_every_http_timeout(app: TestApp) {
    let alice = app.register("alice").await;
    let (mut socket, _) = Socket::ready(&app, &alice.access).await;
    // Longer than the header, body and idle timeouts together.
    tokio::time::sleep(Duration::from_secs(5)).await;
    socket.send(&json!({"type": "ping"})).await;
    assert_eq!(socket.next().await["type"], "pong");
}
api_test!(
    a_quiet_websocket_outlives_every_http_timeout,
    short_timeouts
);
