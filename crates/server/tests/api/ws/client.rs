//! A small WebSocket test client and the REST calls the realtime tests need.

use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

use crate::helpers::{TestApp, TestUser};

/// How long a test waits for one frame before failing.
const FRAME_WAIT: Duration = Duration::from_secs(10);

/// A connected socket.
pub(crate) struct Socket {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// `ws://…/api/v1/ws`.
pub(crate) fn ws_url(app: &TestApp) -> String {
    format!("{}/api/v1/ws", app.address.replacen("http", "ws", 1))
}

impl Socket {
    /// Connects with `Authorization: Bearer`.
    pub(crate) async fn connect(app: &TestApp, token: &str) -> Self {
        let mut request = ws_url(app).into_client_request().expect("request");
        request.headers_mut().insert(
            "authorization",
            HeaderValue::from_str(&format!("Bearer {token}")).expect("header"),
        );
        let (stream, _) = connect_async(request).await.expect("upgrade");
        Self { stream }
    }

    /// Connects and returns the `ready` frame too.
    pub(crate) async fn ready(app: &TestApp, token: &str) -> (Self, Value) {
        let mut socket = Self::connect(app, token).await;
        let ready = socket.next().await;
        assert_eq!(ready["type"], "ready", "{ready}");
        (socket, ready)
    }

    /// Wraps a stream connected some other way.
    pub(crate) fn from_stream(stream: WebSocketStream<MaybeTlsStream<TcpStream>>) -> Self {
        Self { stream }
    }

    /// Sends a JSON frame.
    pub(crate) async fn send(&mut self, frame: &Value) {
        self.send_text(&frame.to_string()).await;
    }

    /// Sends raw text.
    pub(crate) async fn send_text(&mut self, text: &str) {
        self.stream
            .send(Message::text(text.to_owned()))
            .await
            .expect("send frame");
    }

    /// The next JSON frame (control frames skipped); fails after [`FRAME_WAIT`].
    pub(crate) async fn next(&mut self) -> Value {
        self.try_next(FRAME_WAIT)
            .await
            .expect("a frame arrived in time")
    }

    /// The next JSON frame within `wait`, or `None`.
    pub(crate) async fn try_next(&mut self, wait: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let message = tokio::time::timeout_at(deadline, self.stream.next())
                .await
                .ok()??;
            match message.expect("socket error") {
                Message::Text(text) => {
                    let frame = serde_json::from_str(&text).expect("json");
                    assert_documented(&frame);
                    return Some(frame);
                }
                Message::Close(frame) => panic!("closed unexpectedly: {frame:?}"),
                _ => {}
            }
        }
    }

    /// Asserts nothing arrives for `wait`.
    pub(crate) async fn assert_silent(&mut self, wait: Duration) {
        if let Some(frame) = self.try_next(wait).await {
            panic!("unexpected frame: {frame}");
        }
    }

    /// Waits for the server's close frame and returns it.
    pub(crate) async fn closed(&mut self) -> Option<CloseFrame> {
        loop {
            let message = tokio::time::timeout(FRAME_WAIT, self.stream.next())
                .await
                .expect("closed in time");
            match message {
                Some(Ok(Message::Close(frame))) => return frame,
                Some(Ok(_)) => {}
                // A reset without a closing handshake also means closed.
                Some(Err(_)) | None => return None,
            }
        }
    }

    /// Drops the connection without a close handshake.
    pub(crate) fn drop_abruptly(self) {
        drop(self.stream);
    }
}

/// The AsyncAPI schema of each frame `type` the server sends, compiled once.
fn server_frame_validators() -> &'static HashMap<String, jsonschema::Validator> {
    static VALIDATORS: OnceLock<HashMap<String, jsonschema::Validator>> = OnceLock::new();
    VALIDATORS.get_or_init(|| {
        let document: Value =
            serde_json::from_str(&confab_api::app::asyncapi_json()).expect("asyncapi JSON");
        let messages = document["components"]["messages"]
            .as_object()
            .expect("messages");
        messages
            .values()
            .filter_map(|message| message["name"].as_str())
            .filter_map(|wire| {
                let schema = confab_api::asyncapi::payload_schema(&document, "send", wire)?;
                let validator = jsonschema::draft7::new(&schema).expect("a valid schema");
                Some((wire.to_owned(), validator))
            })
            .collect()
    })
}

/// The frame `type`s the server sends, as openapi/asyncapi.json documents them.
pub(crate) fn documented_server_frame_types() -> Vec<String> {
    let mut types: Vec<String> = server_frame_validators().keys().cloned().collect();
    types.sort();
    types
}

/// Fails unless `frame` is valid against the AsyncAPI schema of its `type`: every
/// frame any realtime test receives goes through here.
pub(crate) fn assert_documented(frame: &Value) {
    let wire = frame["type"].as_str().unwrap_or_default();
    let Some(validator) = server_frame_validators().get(wire) else {
        panic!("a server frame of an undocumented type: {frame}");
    };
    let errors: Vec<String> = validator
        .iter_errors(frame)
        .map(|e| e.to_string())
        .collect();
    assert!(
        errors.is_empty(),
        "{frame} does not match the AsyncAPI schema of `{wire}`: {errors:?}"
    );
}

/// Creates a group of `owner` with `members`; returns its id.
/// alice and bob, registered, in a group alice owns: (alice, bob, chat id).
pub(crate) async fn alice_and_bob_in_a_group(app: &TestApp) -> (TestUser, TestUser, String) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let chat = group(app, &alice.access, &[&bob.id]).await;
    (alice, bob, chat)
}

pub(crate) async fn group(app: &TestApp, owner: &str, members: &[&str]) -> String {
    let response = app
        .send_json(
            reqwest::Method::POST,
            "/api/v1/chats",
            Some(owner),
            &json!({"type": "group", "name": "Team", "member_ids": members}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.expect("chat");
    body["id"].as_str().expect("id").to_owned()
}

/// Sends `body` over REST; returns the message.
pub(crate) async fn post_message(app: &TestApp, token: &str, chat: &str, body: &str) -> Value {
    let response = app
        .send_json(
            reqwest::Method::POST,
            &format!("/api/v1/chats/{chat}/messages"),
            Some(token),
            &json!({"body": body}),
        )
        .await;
    let status = response.status();
    let message: Value = response.json().await.expect("message");
    assert_eq!(status, 201, "send: {message}");
    message
}

/// Every event of `chat` after `after`, following `next_cursor`.
pub(crate) async fn events_after(app: &TestApp, token: &str, chat: &str, after: i64) -> Vec<Value> {
    let mut events = Vec::new();
    let mut after = after;
    loop {
        let response = app
            .get(
                &format!("/api/v1/chats/{chat}/events?after={after}&limit=100"),
                token,
            )
            .await;
        assert_eq!(response.status(), 200);
        let page: Value = response.json().await.expect("page");
        events.extend(page["items"].as_array().expect("items").iter().cloned());
        match page["next_cursor"].as_i64() {
            Some(cursor) => after = cursor,
            None => return events,
        }
    }
}

/// The `last_seq` of `chat` in a `ready` frame.
pub(crate) fn head(ready: &Value, chat: &str) -> Option<i64> {
    ready["chats"]
        .as_array()
        .expect("chats")
        .iter()
        .find(|c| c["chat_id"] == chat)
        .and_then(|c| c["last_seq"].as_i64())
}
