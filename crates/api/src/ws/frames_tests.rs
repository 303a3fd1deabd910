//! Unit tests of frame parsing and rendering.

use serde_json::{Value, json};
use uuid::Uuid;

use super::{ClientFrame, FrameError, PingFrame, ReadFrame, TypingFrame, parse};
use crate::dto::bounds::BoundedInt;
use crate::error::ErrorCode;

fn code_of(text: &str) -> ErrorCode {
    parse(text).expect_err("refused").code
}

#[test]
fn known_frames_parse() {
    let chat = Uuid::now_v7();
    assert_eq!(
        parse(r#"{"type":"ping"}"#),
        Ok(ClientFrame::Ping(PingFrame {}))
    );
    let typing = json!({"type": "typing", "chat_id": chat}).to_string();
    assert!(
        matches!(parse(&typing), Ok(ClientFrame::Typing(TypingFrame { chat_id })) if chat_id == chat)
    );
    let read = json!({"type": "read", "chat_id": chat, "seq": 4, "extra": true}).to_string();
    assert!(matches!(
        parse(&read),
        Ok(ClientFrame::Read(ReadFrame {
            seq: BoundedInt(4),
            ..
        }))
    ));
    let send =
        json!({"type": "message.send", "chat_id": chat, "body": "hi", "client_message_id": "k"});
    let Ok(ClientFrame::Send(frame)) = parse(&send.to_string()) else {
        panic!("a send frame");
    };
    assert_eq!(frame.body.as_ref().map(|b| b.0.as_str()), Some("hi"));
    assert_eq!(frame.reply_to(), None);
    assert_eq!(frame.attachment_ids, None);
    let file = Uuid::now_v7();
    let files = json!({"type": "message.send", "chat_id": chat, "client_message_id": "k",
        "attachment_ids": [file]});
    let Ok(ClientFrame::Send(frame)) = parse(&files.to_string()) else {
        panic!("a send frame of files only");
    };
    assert!(frame.body.is_none());
    assert_eq!(frame.attachment_ids, Some(vec![file]));
}

#[test]
fn attachment_ids_must_be_uuids() {
    let chat = Uuid::now_v7();
    for bad in [json!("x"), json!(["not-a-uuid"]), json!([1])] {
        let frame = json!({"type": "message.send", "chat_id": chat, "client_message_id": "k",
            "attachment_ids": bad});
        assert_eq!(code_of(&frame.to_string()), ErrorCode::ValidationFailed);
    }
}

#[test]
fn each_mistake_has_its_code() {
    assert_eq!(code_of("not json"), ErrorCode::InvalidFrame);
    assert_eq!(code_of("[1,2]"), ErrorCode::InvalidFrame);
    assert_eq!(code_of(r#"{"type":7}"#), ErrorCode::InvalidFrame);
    assert_eq!(code_of(r#"{"type":"dance"}"#), ErrorCode::UnknownType);
    assert_eq!(code_of(r#"{"type":"typing"}"#), ErrorCode::ValidationFailed);
    assert_eq!(
        code_of(r#"{"type":"typing","chat_id":"nope"}"#),
        ErrorCode::ValidationFailed
    );
    let negative = json!({"type": "read", "chat_id": Uuid::now_v7(), "seq": -1}).to_string();
    assert_eq!(code_of(&negative), ErrorCode::ValidationFailed);
}

#[test]
fn a_refused_send_carries_its_client_message_id() {
    let bad_body = json!({"type": "message.send", "chat_id": Uuid::now_v7(),
        "client_message_id": "k-9", "body": 7});
    let error = parse(&bad_body.to_string()).expect_err("a body that is no string");
    assert_eq!(error.code, ErrorCode::ValidationFailed);
    assert_eq!(error.client_message_id.as_deref(), Some("k-9"));
    let missing_key = json!({"type": "message.send", "chat_id": Uuid::now_v7(), "body": "x"});
    let error = parse(&missing_key.to_string()).expect_err("no key");
    assert_eq!(error.client_message_id, None);
}

#[test]
fn error_frames_have_type_code_detail() {
    let frame: Value = serde_json::from_str(
        &FrameError::new(ErrorCode::RateLimited, "slow down")
            .for_message(Some("k".into()))
            .to_frame(),
    )
    .expect("json");
    assert_eq!(
        frame,
        json!({"type": "error", "code": "rate_limited", "detail": "slow down", "client_message_id": "k"})
    );
    let plain: Value =
        serde_json::from_str(&FrameError::new(ErrorCode::UnknownType, "x").to_frame())
            .expect("json");
    assert!(plain.get("client_message_id").is_none());
}

#[test]
fn refusals_repeat_at_most_64_characters_of_the_frame() {
    let long = "t".repeat(60_000);
    let unknown = parse(&json!({"type": long}).to_string()).expect_err("unknown");
    assert_eq!(unknown.code, ErrorCode::UnknownType);
    assert!(unknown.detail.chars().count() < 100, "{}", unknown.detail);
    let bad_id = json!({"type": "typing", "chat_id": long}).to_string();
    let error = parse(&bad_id).expect_err("not a UUID");
    assert_eq!(error.detail, "`chat_id` is required and must be a UUID");
    let bad_seq = json!({"type": "read", "chat_id": Uuid::now_v7(), "seq": long}).to_string();
    let error = parse(&bad_seq).expect_err("not a number");
    assert_eq!(
        error.detail,
        "`seq` is required and must be a whole number, 0 or more"
    );
    // A key no valid send could carry is not repeated; a valid-length one is.
    let long_key = json!({"type": "message.send", "chat_id": Uuid::now_v7(),
        "client_message_id": long, "body": 7});
    let error = parse(&long_key.to_string()).expect_err("a body that is no string");
    assert_eq!(error.detail, "`body` must be a string");
    assert_eq!(error.client_message_id, None);
    let key = "k".repeat(64);
    let error = FrameError::new(ErrorCode::RateLimited, "x").for_message(Some(key.clone()));
    assert_eq!(error.client_message_id, Some(key));
}

#[test]
fn pong_is_just_its_type() {
    assert_eq!(super::pong(), r#"{"type":"pong"}"#);
}

/// One of each client frame type (two `message.send`s: with and without a reply).
pub(crate) fn every_client_frame() -> Vec<ClientFrame> {
    use super::SendFrame;
    use crate::dto::text::{BodyText, ClientMessageIdText};

    let chat_id = Uuid::now_v7();
    let send = |key: &str, reply_to_id| {
        ClientFrame::Send(SendFrame {
            chat_id,
            body: Some(BodyText("hi".to_owned())),
            client_message_id: ClientMessageIdText(key.to_owned()),
            reply_to_id,
            attachment_ids: None,
        })
    };
    vec![
        ClientFrame::Ping(PingFrame {}),
        ClientFrame::Typing(TypingFrame { chat_id }),
        ClientFrame::Read(ReadFrame {
            chat_id,
            seq: BoundedInt(9),
        }),
        send("k-1", Some(Uuid::now_v7())),
        send("k-2", None),
    ]
}

/// The documented client frame types and the parser agree: what the schema types
/// serialize (the documented shape, with `type`) parses back into the same value.
#[test]
fn every_client_frame_type_round_trips_through_the_parser() {
    use poem_openapi::types::ToJSON;

    for frame in every_client_frame() {
        let text = frame.to_json_string();
        assert_eq!(parse(&text), Ok(frame), "{text}");
    }
}
