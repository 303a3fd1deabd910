//! The AsyncAPI document: every frame type is in it, and its schemas accept what the
//! frame types serialize.

use serde_json::Value;

use super::document;

fn names_of(document: &Value, action: &str) -> Vec<String> {
    let operations = document["operations"].as_object().expect("operations");
    operations
        .values()
        .filter(|operation| operation["action"] == action)
        .map(|operation| {
            let reference = operation["messages"][0]["$ref"].as_str().expect("ref");
            let key = reference.rsplit('/').next().expect("key");
            document["components"]["messages"][key]["name"]
                .as_str()
                .expect("name")
                .to_owned()
        })
        .collect()
}

#[test]
fn every_server_frame_and_event_type_is_a_message_the_server_sends() {
    let document = document("0");
    let mut sent = names_of(&document, "send");
    sent.sort();
    let mut expected = vec![
        "ready",
        "pong",
        "error",
        "message.created",
        "message.updated",
        "message.deleted",
        "chat.created",
        "chat.updated",
        "member.added",
        "member.removed",
        "member.updated",
        "read.updated",
        "typing",
    ];
    expected.sort_unstable();
    assert_eq!(sent, expected);
}

#[test]
fn every_client_frame_type_is_a_message_the_server_receives() {
    let document = document("0");
    let mut received = names_of(&document, "receive");
    received.sort();
    assert_eq!(received, ["message.send", "ping", "read", "typing"]);
}

#[test]
fn every_reference_resolves() {
    let document = document("0");
    let mut missing = Vec::new();
    collect_missing(&document, &document, &mut missing);
    assert!(missing.is_empty(), "unresolved: {missing:?}");
}

fn collect_missing(root: &Value, node: &Value, missing: &mut Vec<String>) {
    match node {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref") {
                let pointer = reference.trim_start_matches('#');
                if root.pointer(pointer).is_none() {
                    missing.push(reference.clone());
                }
            }
            map.values().for_each(|v| collect_missing(root, v, missing));
        }
        Value::Array(list) => list.iter().for_each(|v| collect_missing(root, v, missing)),
        _ => {}
    }
}

#[test]
fn no_open_api_only_keyword_is_left() {
    let text = super::document_json("0");
    for keyword in ["\"nullable\"", "\"example\"", "\"propertyName\""] {
        assert!(!text.contains(keyword), "{keyword} in the document");
    }
}

/// Whether `frame` is valid against the document's schema of its `type`.
fn check(action: &str, frame: &Value) {
    let document = document("0");
    let wire = frame["type"].as_str().expect("a type");
    let schema = super::payload_schema(&document, action, wire)
        .unwrap_or_else(|| panic!("no {action} message `{wire}`"));
    let validator = jsonschema::draft7::new(&schema).expect("a valid schema");
    let errors: Vec<String> = validator
        .iter_errors(frame)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{frame}: {errors:?}");
}

#[test]
fn what_the_frame_types_serialize_validates_against_the_document() {
    use poem_openapi::types::ToJSON;
    use uuid::Uuid;

    use crate::error::ErrorCode;
    use crate::ws::{ChatHead, FrameError, ReadyFrame, ServerFrame};

    let chat_id = Uuid::now_v7();
    let ready = ServerFrame::Ready(ReadyFrame {
        user_id: Uuid::now_v7(),
        session_id: Uuid::now_v7(),
        chats: vec![ChatHead {
            chat_id,
            last_seq: 3,
        }],
    });
    check("send", &ready.to_json().expect("json"));
    check(
        "send",
        &serde_json::from_str(&crate::ws::frames::pong()).expect("json"),
    );
    for error in [
        FrameError::new(ErrorCode::UnknownType, "Unknown frame type `x`."),
        FrameError::new(ErrorCode::RateLimited, "slow").for_message(Some("k".to_owned())),
    ] {
        check(
            "send",
            &serde_json::from_str(&error.to_frame()).expect("json"),
        );
    }
    for frame in crate::ws::frames::tests::every_client_frame() {
        check("receive", &frame.to_json().expect("json"));
    }
}

#[test]
fn frames_the_parser_refuses_are_invalid_against_the_document() {
    let document = document("0");
    let chat = uuid::Uuid::now_v7().to_string();
    for (wire, frame) in [
        ("typing", serde_json::json!({"type": "typing"})),
        (
            "read",
            serde_json::json!({"type": "read", "chat_id": chat, "seq": -1}),
        ),
        (
            "message.send",
            serde_json::json!({"type": "message.send", "chat_id": chat, "body": "x"}),
        ),
        ("ping", serde_json::json!({"type": "pong"})),
    ] {
        let schema = super::payload_schema(&document, "receive", wire).expect("a schema");
        let validator = jsonschema::draft7::new(&schema).expect("a valid schema");
        assert!(!validator.is_valid(&frame), "{frame} passed as `{wire}`");
        assert!(
            crate::ws::frames::parse(&frame.to_string()).is_err(),
            "{frame}"
        );
    }
}
