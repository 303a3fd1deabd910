//! Refused socket frames: the text rules on `message.send`.

use serde_json::json;

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
