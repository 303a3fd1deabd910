//! `openapi/asyncapi.json`: the AsyncAPI 3.0 document of `GET /api/v1/ws`, built from
//! the same Rust types that (de)serialize the frames. The frame unions
//! ([`ServerFrame`], [`EventDto`], [`ClientFrame`]) register their schemas into a
//! poem-openapi [`Registry`], exactly as the REST operations do for the OpenAPI
//! document, so both documents share one definition of `Event`, `Message`, … Each
//! union's discriminator mapping lists its frames: one AsyncAPI message and one
//! operation per frame `type` follow from it, so a new variant appears here without
//! anything else to edit.
//!
//! Operations take the server's point of view (the application this document
//! describes): `send` is a frame the server sends, `receive` one a client sends.

mod json_schema;

use std::collections::BTreeMap;

use poem_openapi::registry::{MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use serde_json::{Map, Value, json};

use crate::dto::events::EventDto;
use crate::ws::{ClientFrame, ServerFrame};

/// The one channel: the socket.
const CHANNEL: &str = "socket";

/// What each client frame may be answered with on the same socket (by wire `type`).
const REPLIES: &[(&str, &[&str])] = &[
    ("ping", &["pong"]),
    ("typing", &["error"]),
    ("read", &["error"]),
    ("message.send", &["message.created", "error"]),
];

/// Who sends a frame, in AsyncAPI's words for the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Send,
    Receive,
}

impl Action {
    const fn word(self) -> &'static str {
        match self {
            Self::Send => "send",
            Self::Receive => "receive",
        }
    }
}

/// One frame `type` of one union.
#[derive(Debug)]
struct Frame {
    /// The wire value of `type`.
    wire: String,
    /// The message key: the frame object's schema name (`ReadyFrame`, `TypingEvent`).
    key: String,
    /// The payload schema: the object with its `type` (`ServerFrame_ReadyFrame`).
    payload: String,
    /// The frame object's description.
    description: Option<&'static str>,
    action: Action,
}

/// The document, pretty-printed, exactly as `/asyncapi.json` serves it and
/// `openapi/asyncapi.json` holds it.
pub fn document_json(version: &str) -> String {
    serde_json::to_string_pretty(&document(version)).unwrap_or_default()
}

/// The document as JSON.
pub fn document(version: &str) -> Value {
    let mut registry = Registry::new();
    ServerFrame::register(&mut registry);
    EventDto::register(&mut registry);
    ClientFrame::register(&mut registry);
    let mut frames = Vec::new();
    for (union, action) in [
        (ServerFrame::name(), Action::Send),
        (EventDto::name(), Action::Send),
        (ClientFrame::name(), Action::Receive),
    ] {
        frames.extend(union_frames(&registry.schemas, &union, action));
    }
    json!({
        "asyncapi": "3.0.0",
        "info": {
            "title": "confab realtime",
            "version": version,
            "description": "The confab WebSocket, `GET /api/v1/ws`: one socket per client for \
                all its chats, JSON text frames discriminated by `type`. Operations take the \
                server's point of view: `send` is a frame the server sends, `receive` one a \
                client sends. The schemas are the ones `openapi/openapi.json` uses for the \
                same objects (events, messages, chats). See docs/realtime.md.",
        },
        "defaultContentType": "application/json",
        "channels": { CHANNEL: channel(&frames) },
        "operations": operations(&frames),
        "components": {
            "messages": frames
                .iter()
                .map(|frame| (frame.key.clone(), message(frame)))
                .collect::<Map<_, _>>(),
            "schemas": registry
                .schemas
                .iter()
                .map(|(name, schema)| (name.clone(), schema_json(schema)))
                .collect::<Map<_, _>>(),
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "`Authorization: Bearer <access_token>` on the upgrade \
                        request; a missing, bad or revoked token is `401 unauthorized` before \
                        the upgrade.",
                },
                "accessToken": {
                    "type": "httpApiKey",
                    "name": "access_token",
                    "in": "query",
                    "description": "`?access_token=<access_token>`, for browsers, which cannot \
                        set headers on a WebSocket; checked like the header, never logged.",
                },
            },
        },
    })
}

/// A standalone JSON Schema (draft 7) for the payload of the frame of wire `type`
/// `wire` that the server sends (`action` `send`) or receives (`receive`), with the
/// document's schemas beside it so its references resolve; `None` when the document
/// has no such frame. For validating frames in tests and clients.
pub fn payload_schema(document: &Value, action: &str, wire: &str) -> Option<Value> {
    let message = document["operations"]
        .as_object()?
        .values()
        .filter(|operation| operation["action"] == action)
        .filter_map(|operation| operation["messages"][0]["$ref"].as_str())
        .filter_map(|reference| document["components"]["messages"].get(schema_name(reference)))
        .find(|message| message["name"] == wire)?;
    Some(json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$ref": message["payload"]["$ref"],
        "components": { "schemas": document["components"]["schemas"] },
    }))
}

/// The frames of the discriminated union `union`, in its variant order.
fn union_frames(schemas: &BTreeMap<String, MetaSchema>, union: &str, action: Action) -> Vec<Frame> {
    let Some(discriminator) = schemas.get(union).and_then(|s| s.discriminator.as_ref()) else {
        return Vec::new();
    };
    discriminator
        .mapping
        .iter()
        .map(|(wire, reference)| {
            let payload = schema_name(reference).to_owned();
            // The wrapper is `allOf: [{type}, {$ref: the frame object}]`.
            let object = schemas
                .get(&payload)
                .and_then(|wrapper| {
                    wrapper.all_of.iter().find_map(|part| match part {
                        MetaSchemaRef::Reference(name) => Some(name.clone()),
                        MetaSchemaRef::Inline(_) => None,
                    })
                })
                .unwrap_or_else(|| payload.clone());
            Frame {
                wire: wire.clone(),
                description: schemas.get(&object).and_then(|s| s.description),
                key: object,
                payload,
                action,
            }
        })
        .collect()
}

/// `Name` of `#/components/schemas/Name`.
fn schema_name(reference: &str) -> &str {
    reference.rsplit('/').next().unwrap_or(reference)
}

fn schema_json(schema: &MetaSchema) -> Value {
    json_schema::convert(serde_json::to_value(schema).unwrap_or_default())
}

fn message_ref(key: &str) -> Value {
    json!({ "$ref": format!("#/channels/{CHANNEL}/messages/{key}") })
}

fn channel(frames: &[Frame]) -> Value {
    json!({
        "address": "/api/v1/ws",
        "title": "The realtime socket",
        "description": "First `ready` (every chat of mine with its `last_seq`), then every \
            logged event above those heads, per chat in `seq` order, and the unlogged \
            `read.updated` and `typing`. A refused client frame gets an `error` frame and the \
            socket stays open. Close codes: 4401 session revoked, 4008 slow consumer \
            (reconnect and catch up with `GET /api/v1/chats/{id}/events?after=`), 4000 \
            heartbeat timeout, 1011 server error, 1012 node shutting down.",
        "messages": frames
            .iter()
            .map(|frame| {
                (frame.key.clone(), json!({ "$ref": format!("#/components/messages/{}", frame.key) }))
            })
            .collect::<Map<_, _>>(),
        "bindings": {
            "ws": {
                "method": "GET",
                "query": {
                    "type": "object",
                    "properties": {
                        "access_token": {
                            "type": "string",
                            "description": "The access token, where headers cannot be set.",
                        },
                    },
                },
                "bindingVersion": "0.1.0",
            },
        },
    })
}

fn message(frame: &Frame) -> Value {
    let mut message = json!({
        "name": frame.wire,
        "title": format!("`{}`", frame.wire),
        "payload": { "$ref": format!("#/components/schemas/{}", frame.payload) },
    });
    if let Some(description) = frame.description {
        message["description"] = Value::from(description);
    }
    message
}

fn operations(frames: &[Frame]) -> Map<String, Value> {
    let security = json!([
        { "$ref": "#/components/securitySchemes/bearer" },
        { "$ref": "#/components/securitySchemes/accessToken" },
    ]);
    frames
        .iter()
        .map(|frame| {
            let mut operation = json!({
                "action": frame.action.word(),
                "channel": { "$ref": format!("#/channels/{CHANNEL}") },
                "summary": format!("{} `{}`", frame.action.word(), frame.wire),
                "messages": [message_ref(&frame.key)],
                "security": security,
            });
            if let Some(reply) = reply(frames, frame) {
                operation["reply"] = reply;
            }
            (format!("{}{}", frame.action.word(), frame.key), operation)
        })
        .collect()
}

/// The reply of a client frame: the server frames it may be answered with.
fn reply(frames: &[Frame], frame: &Frame) -> Option<Value> {
    if frame.action != Action::Receive {
        return None;
    }
    let (_, answers) = REPLIES.iter().find(|(wire, _)| *wire == frame.wire)?;
    let messages: Vec<Value> = answers
        .iter()
        .filter_map(|answer| {
            frames
                .iter()
                .find(|f| f.action == Action::Send && f.wire == *answer)
        })
        .map(|f| message_ref(&f.key))
        .collect();
    Some(json!({
        "channel": { "$ref": format!("#/channels/{CHANNEL}") },
        "messages": messages,
    }))
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
