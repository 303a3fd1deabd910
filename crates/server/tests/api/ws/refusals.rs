//! Refused socket frames: text rules on `message.send`, and error frames that repeat
//! at most 64 characters of what the client sent.

use serde_json::{Value, json};

use super::client::{Socket, group};
use crate::api_test;
use crate::helpers::TestApp;

async fn a_nul_in_a_socket_send_is_validation_failed_not_internal(app: TestApp) {
    let alice = app.register("alice").await;
    let chat = group(&app, &alice.access, &[]).await;
    let (mut socket, _) = Socket::ready(&app, &alice.access).await;
    for (body, key) in [("hi\u{0}", "k-1"), ("hi", "k\u{0}2"), ("\u{1b}[2J", "k-3")] {
        socket
            .send(&json!({"type": "message.send", "chat_id": chat, "body": body, "client_message_id": key}))
            .await;
        let frame = socket.next().await;
        assert_eq!(frame["type"], "error", "{frame}");
        assert_eq!(frame["code"], "validation_failed", "{frame}");
        assert_eq!(frame["client_message_id"], key, "{frame}");
    }
    socket
        .send(&json!({"type": "message.send", "chat_id": chat, "body": "fine\n", "client_message_id": "k-4"}))
        .await;
    assert_eq!(socket.next().await["type"], "message.created");
}
api_test!(a_nul_in_a_socket_send_is_validation_failed_not_internal);

/// Fails when `frame` repeats more than 64 characters of `filler`.
fn assert_short_echo(frame: &Value, filler: char) {
    let text = frame.to_string();
    let run = filler.to_string().repeat(65);
    assert!(
        !text.contains(&run),
        "echoes the input: {} bytes",
        text.len()
    );
    assert!(text.len() < 512, "{text}");
}

async fn error_frames_echo_at_most_64_characters_of_a_bad_frame(app: TestApp) {
    let alice = app.register("alice").await;
    let chat = group(&app, &alice.access, &[]).await;
    let (mut socket, _) = Socket::ready(&app, &alice.access).await;
    // Each frame stays under the 64 KiB frame limit, so the socket stays open.
    let long = |c: char| c.to_string().repeat(60_000);
    let cases = [
        (json!({"type": long('t')}), 't', "unknown_type"),
        (
            json!({"type": "typing", "chat_id": long('c')}),
            'c',
            "validation_failed",
        ),
        (
            json!({"type": "read", "chat_id": chat, "seq": long('s')}),
            's',
            "validation_failed",
        ),
        (
            json!({"type": "message.send", "chat_id": chat, "body": 5, "client_message_id": long('k')}),
            'k',
            "validation_failed",
        ),
        (
            json!({"type": "message.send", "chat_id": chat, "body": long('b'), "client_message_id": "k"}),
            'b',
            "validation_failed",
        ),
        (
            json!({"type": "message.send", "chat_id": long('u'), "body": "x", "client_message_id": "k"}),
            'u',
            "validation_failed",
        ),
    ];
    for (frame, filler, code) in cases {
        socket.send(&frame).await;
        let answer = socket.next().await;
        assert_eq!(answer["type"], "error", "{answer}");
        assert_eq!(answer["code"], code, "{answer}");
        assert_short_echo(&answer, filler);
    }
    socket.send(&json!({"type": "ping"})).await;
    assert_eq!(socket.next().await["type"], "pong");
}
api_test!(error_frames_echo_at_most_64_characters_of_a_bad_frame);
