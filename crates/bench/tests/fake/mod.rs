//! A fake confab that speaks just enough of docs/api.md for the harness's smoke plan:
//! register, login, chats, messages (send and pages), the WebSocket fan-out, and
//! uploads served back as they came.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures_util::{SinkExt, StreamExt};
use poem::http::StatusCode;
use poem::listener::{Acceptor, TcpAcceptor};
use poem::web::websocket::{Message, WebSocket};
use poem::web::{Data, Json, Path, Query};
use poem::{EndpointExt, IntoResponse, Request, Response, Route, Server, get, handler, post};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::broadcast;

/// Shared state of the fake.
#[derive(Default)]
struct State {
    users: HashMap<String, String>,
    tokens: HashMap<String, String>,
    chats: HashMap<String, Vec<String>>,
    seqs: HashMap<String, i64>,
    /// Upload id → (owner, the file part's bytes).
    files: HashMap<String, (String, Vec<u8>)>,
    next: u64,
}

struct Fake {
    state: Mutex<State>,
    events: broadcast::Sender<(String, Arc<Vec<String>>, String)>,
    /// Sabotage: never deliver the message with this seq to the last member.
    drop_seq: Option<i64>,
}

type Shared = Arc<Fake>;

/// Starts the fake on a free loopback port; returns its base URL.
pub(crate) async fn start(drop_seq: Option<i64>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let (events, _) = broadcast::channel(65_536);
    let fake = Arc::new(Fake {
        state: Mutex::default(),
        events,
        drop_seq,
    });
    let app = Route::new()
        .at("/health", get(health))
        .at("/api/v1/auth/register", post(register))
        .at("/api/v1/auth/login", post(login))
        .at("/api/v1/chats", post(create_chat))
        .at("/api/v1/chats/:id/messages", get(page).post(send))
        .at("/api/v1/ws", get(socket))
        .at("/api/v1/uploads", post(upload))
        .at("/api/v1/files/:id", get(download))
        .data(fake);
    let acceptor = TcpAcceptor::from_tokio(listener).expect("acceptor");
    assert!(!acceptor.local_addr().is_empty());
    tokio::spawn(Server::new_with_acceptor(acceptor).run(app));
    format!("http://127.0.0.1:{port}")
}

fn error(status: StatusCode, code: &str) -> Response {
    (
        status,
        Json(json!({"status": status.as_u16(), "code": code})),
    )
        .into_response()
}

fn user_of(fake: &Fake, req: &Request) -> Option<String> {
    let token = req.header("authorization")?.strip_prefix("Bearer ")?;
    fake.state.lock().expect("lock").tokens.get(token).cloned()
}

fn session(state: &mut State, id: &str, username: &str) -> Value {
    state.next += 1;
    let token = format!("t{}", state.next);
    state.tokens.insert(token.clone(), id.to_owned());
    json!({"user": {"id": id, "username": username}, "tokens": {"access_token": token}})
}

#[handler]
fn health() -> &'static str {
    "ok"
}

#[handler]
fn register(Json(body): Json<Value>, Data(fake): Data<&Shared>) -> Response {
    let name = body["username"].as_str().unwrap_or_default().to_owned();
    let mut state = fake.state.lock().expect("lock");
    if state.users.contains_key(&name) {
        return error(StatusCode::CONFLICT, "username_taken");
    }
    state.next += 1;
    let id = format!("u{}", state.next);
    state.users.insert(name.clone(), id.clone());
    (StatusCode::CREATED, Json(session(&mut state, &id, &name))).into_response()
}

#[handler]
fn login(Json(body): Json<Value>, Data(fake): Data<&Shared>) -> Response {
    let name = body["login"].as_str().unwrap_or_default().to_owned();
    let mut state = fake.state.lock().expect("lock");
    let Some(id) = state.users.get(&name).cloned() else {
        return error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    };
    Json(session(&mut state, &id, &name)).into_response()
}

#[handler]
fn create_chat(req: &Request, Json(body): Json<Value>, Data(fake): Data<&Shared>) -> Response {
    let Some(me) = user_of(fake, req) else {
        return error(StatusCode::UNAUTHORIZED, "unauthorized");
    };
    let mut members = vec![me];
    for id in body["member_ids"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if !members.iter().any(|m| m == id) {
            members.push(id.to_owned());
        }
    }
    let mut state = fake.state.lock().expect("lock");
    state.next += 1;
    let id = format!("c{}", state.next);
    state.chats.insert(id.clone(), members);
    state.seqs.insert(id.clone(), 1);
    (StatusCode::CREATED, Json(json!({"id": id}))).into_response()
}

#[handler]
fn send(
    req: &Request,
    Path(chat): Path<String>,
    Json(body): Json<Value>,
    Data(fake): Data<&Shared>,
) -> Response {
    let Some(me) = user_of(fake, req) else {
        return error(StatusCode::UNAUTHORIZED, "unauthorized");
    };
    let mut state = fake.state.lock().expect("lock");
    let Some(members) = state.chats.get(&chat).filter(|m| m.contains(&me)).cloned() else {
        return error(StatusCode::NOT_FOUND, "chat_not_found");
    };
    let seq = state.seqs.get(&chat).copied().unwrap_or(1) + 1;
    state.seqs.insert(chat.clone(), seq);
    let message =
        json!({"seq": seq, "chat_id": chat, "client_message_id": body["client_message_id"]});
    let frame = json!({"type": "message.created", "chat_id": chat, "seq": seq, "data": message});
    // Published under the lock, so every socket sees one chat's events in seq order.
    let _ = fake
        .events
        .send((chat, Arc::new(members), frame.to_string()));
    (StatusCode::CREATED, Json(message)).into_response()
}

#[derive(Deserialize)]
struct PageQuery {
    before: Option<i64>,
    limit: Option<i64>,
}

#[handler]
fn page(
    req: &Request,
    Path(chat): Path<String>,
    Query(q): Query<PageQuery>,
    Data(fake): Data<&Shared>,
) -> Response {
    if user_of(fake, req).is_none() {
        return error(StatusCode::UNAUTHORIZED, "unauthorized");
    }
    let last = fake
        .state
        .lock()
        .expect("lock")
        .seqs
        .get(&chat)
        .copied()
        .unwrap_or(1);
    let top = q.before.map_or(last, |b| (b - 1).min(last));
    let low = (top - q.limit.unwrap_or(50) + 1).max(2);
    let items: Vec<Value> = (low..=top).map(|seq| json!({"seq": seq})).collect();
    Json(json!({"items": items, "next_cursor": (low > 2).then_some(low)})).into_response()
}

/// Where the bytes of the one part of a `multipart/form-data` body lie: after the
/// part's head, before the closing delimiter (enough for the harness's own bodies).
fn file_part(body: &[u8]) -> Option<std::ops::Range<usize>> {
    let start = body.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let end = body.windows(4).rposition(|w| w == b"\r\n--")?;
    (start <= end).then_some(start..end)
}

#[handler]
fn upload(req: &Request, body: Vec<u8>, Data(fake): Data<&Shared>) -> Response {
    let Some(me) = user_of(fake, req) else {
        return error(StatusCode::UNAUTHORIZED, "unauthorized");
    };
    let Some(part) = file_part(&body) else {
        return error(StatusCode::BAD_REQUEST, "bad_request");
    };
    let mut bytes = body;
    bytes.truncate(part.end);
    bytes.drain(..part.start);
    let size = bytes.len();
    let mut state = fake.state.lock().expect("lock");
    state.next += 1;
    let id = format!("f{}", state.next);
    state.files.insert(id.clone(), (me, bytes));
    (StatusCode::CREATED, Json(json!({"id": id, "size": size}))).into_response()
}

#[handler]
fn download(req: &Request, Path(id): Path<String>, Data(fake): Data<&Shared>) -> Response {
    let me = user_of(fake, req);
    let state = fake.state.lock().expect("lock");
    match state.files.get(&id) {
        Some((owner, bytes)) if Some(owner) == me.as_ref() => bytes.clone().into_response(),
        _ => error(StatusCode::NOT_FOUND, "file_not_found"),
    }
}

#[handler]
fn socket(req: &Request, ws: WebSocket, Data(fake): Data<&Shared>) -> Response {
    let Some(me) = user_of(fake, req) else {
        return error(StatusCode::UNAUTHORIZED, "unauthorized");
    };
    let fake = Arc::clone(fake);
    let mut events = fake.events.subscribe();
    ws.on_upgrade(move |stream| async move {
        let (mut sink, mut incoming) = stream.split();
        let ready = json!({"type": "ready", "user_id": me, "session_id": "s", "chats": []});
        if sink.send(Message::Text(ready.to_string())).await.is_err() {
            return;
        }
        loop {
            tokio::select! {
                event = events.recv() => {
                    let Ok((_, members, frame)) = event else { return };
                    let seq = serde_json::from_str::<Value>(&frame).expect("own frame")["seq"].as_i64();
                    if !members.contains(&me) || (fake.drop_seq == seq && members.last() == Some(&me)) {
                        continue;
                    }
                    if sink.send(Message::Text(frame)).await.is_err() {
                        return;
                    }
                }
                message = incoming.next() => if matches!(message, None | Some(Err(_) | Ok(Message::Close(_)))) { return },
            }
        }
    })
    .into_response()
}
