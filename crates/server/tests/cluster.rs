//! The built `confab` binary as separate processes. Two nodes on one PostgreSQL
//! database and one Redis: what is sent on one node reaches sockets on the other,
//! both ways, also across a Redis subscription loss, and a revocation on one node
//! closes sockets on the other (skipped, with a notice, unless both
//! `CONFAB_TEST_POSTGRES_URL` and `CONFAB_TEST_REDIS_URL` are set). And one node on
//! SQLite with short heartbeat settings: silent peers are dropped with 4000, live
//! ones stay until a graceful stop closes them with 1012.

use std::io::Write;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A running `confab` process, killed when dropped.
struct Node {
    child: Child,
    base: String,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Drops the test database when the test ends.
struct TestDatabase {
    admin_url: String,
    name: String,
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                if let Ok(admin) = Database::connect(&admin_url).await {
                    let _ = admin
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .await;
                }
            });
        })
        .join();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free port")
}

/// Replaces the database name of a `postgres://…/db?params` URL.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let authority = base.find("://").map_or(0, |i| i + 3);
    let path = base[authority..]
        .find('/')
        .map_or(base.len(), |i| authority + i);
    match query {
        Some(query) => format!("{}/{name}?{query}", &base[..path]),
        None => format!("{}/{name}", &base[..path]),
    }
}

async fn fresh_database(admin_url: &str) -> (TestDatabase, String) {
    let name = format!("confab_cluster_{}", uuid::Uuid::now_v7().simple());
    let admin = Database::connect(admin_url).await.expect("connect admin");
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .expect("create database");
    let url = with_database(admin_url, &name);
    (
        TestDatabase {
            admin_url: admin_url.to_owned(),
            name,
        },
        url,
    )
}

async fn start_node(vars: &[(&str, &str)]) -> Node {
    let port = free_port();
    let output = || {
        if std::env::var_os("TEST_LOG").is_some() {
            Stdio::inherit()
        } else {
            Stdio::null()
        }
    };
    let child = Command::new(env!("CARGO_BIN_EXE_confab"))
        .arg("serve")
        .envs(vars.iter().copied())
        .env("CONFAB_BIND", format!("127.0.0.1:{port}"))
        .env(
            "CONFAB_JWT_SECRET",
            "cluster-secret-cluster-secret-cluster!",
        )
        .env("CONFAB_AUTH_RATE_PER_MINUTE", "0")
        .env("CONFAB_SEND_RATE_PER_SECOND", "0")
        .stdout(output())
        .stderr(output())
        .spawn()
        .expect("start confab");
    let node = Node {
        child,
        base: format!("127.0.0.1:{port}"),
    };
    let client = reqwest::Client::new();
    for _ in 0..200 {
        let health = client
            .get(format!("http://{}/health", node.base))
            .send()
            .await;
        if health.is_ok_and(|r| r.status().is_success()) {
            return node;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("node on port {port} did not become healthy");
}

async fn post(node: &Node, path: &str, token: Option<&str>, body: &Value) -> Value {
    let mut request = reqwest::Client::new()
        .post(format!("http://{}{path}", node.base))
        .json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request");
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    response.json().await.unwrap_or(Value::Null)
}

async fn register(node: &Node, name: &str) -> (String, String) {
    let body = json!({"username": name, "email": format!("{name}@example.com"), "password": "password123"});
    let signed_in = post(node, "/api/v1/auth/register", None, &body).await;
    (
        signed_in["user"]["id"].as_str().expect("id").to_owned(),
        signed_in["tokens"]["access_token"]
            .as_str()
            .expect("token")
            .to_owned(),
    )
}

async fn socket(node: &Node, token: &str) -> Socket {
    let mut request = format!("ws://{}/api/v1/ws", node.base)
        .into_client_request()
        .expect("request");
    request.headers_mut().insert(
        "authorization",
        HeaderValue::from_str(&format!("Bearer {token}")).expect("header"),
    );
    let (mut socket, _) = connect_async(request).await.expect("upgrade");
    assert_eq!(next(&mut socket).await["type"], "ready");
    socket
}

async fn next(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a frame in time")
            .expect("open")
            .expect("no error");
        match message {
            Message::Text(text) => return serde_json::from_str(&text).expect("json"),
            Message::Close(frame) => panic!("closed: {frame:?}"),
            _ => {}
        }
    }
}

/// `CLIENT KILL TYPE pubsub`, spoken in RESP over a plain TCP connection (the
/// server crate has no Redis client; the test Redis needs no password).
async fn kill_subscribers(redis_url: &str) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = redis_url.trim_start_matches("redis://");
    let authority = rest.split('/').next().unwrap_or(rest);
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let host = if host.contains(':') {
        host.to_owned()
    } else {
        format!("{host}:6379")
    };
    let mut stream = TcpStream::connect(host).await.expect("connect to redis");
    stream
        .write_all(b"*4\r\n$6\r\nCLIENT\r\n$4\r\nKILL\r\n$4\r\nTYPE\r\n$6\r\npubsub\r\n")
        .await
        .expect("send CLIENT KILL");
    let mut reply = [0_u8; 64];
    let read = stream.read(&mut reply).await.expect("reply");
    assert!(
        reply[..read].starts_with(b":"),
        "CLIENT KILL answered {:?}",
        &reply[..read]
    );
}

fn settings() -> Option<(String, String)> {
    let postgres = std::env::var("CONFAB_TEST_POSTGRES_URL").ok();
    let redis = std::env::var("CONFAB_TEST_REDIS_URL").ok();
    if let (Some(postgres), Some(redis)) = (postgres, redis) {
        return Some((postgres, redis));
    }
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED cluster test: set CONFAB_TEST_POSTGRES_URL and CONFAB_TEST_REDIS_URL"
    );
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_deliver_each_others_events() {
    let Some((postgres, redis)) = settings() else {
        return;
    };
    let (_database, database_url) = fresh_database(&postgres).await;
    // One after the other, so the second start finds the migrations applied.
    let vars = [
        ("DATABASE_URL", database_url.as_str()),
        ("CONFAB_REDIS_URL", redis.as_str()),
    ];
    let node_a = start_node(&vars).await;
    let node_b = start_node(&vars).await;
    let (_, alice) = register(&node_a, "alice").await;
    let (bob_id, bob) = register(&node_b, "bob").await;
    let chat = post(
        &node_a,
        "/api/v1/chats",
        Some(&alice),
        &json!({"type": "group", "name": "Across", "member_ids": [bob_id]}),
    )
    .await;
    let chat_id = chat["id"].as_str().expect("chat id").to_owned();
    let mut alice_on_a = socket(&node_a, &alice).await;
    let mut bob_on_b = socket(&node_b, &bob).await;

    let path = format!("/api/v1/chats/{chat_id}/messages");
    post(&node_a, &path, Some(&alice), &json!({"body": "from A"})).await;
    let frame = next(&mut bob_on_b).await;
    assert_eq!(frame["type"], "message.created");
    assert_eq!(frame["data"]["body"], "from A");
    assert_eq!(next(&mut alice_on_a).await["data"]["body"], "from A");

    let send = json!({"type": "message.send", "chat_id": chat_id, "body": "from B", "client_message_id": "b-1"});
    bob_on_b
        .send(Message::text(send.to_string()))
        .await
        .expect("send frame");
    let frame = next(&mut alice_on_a).await;
    assert_eq!(frame["type"], "message.created");
    assert_eq!(frame["data"]["body"], "from B");
    assert_eq!(frame["seq"], 3);
    let own = next(&mut bob_on_b).await;
    assert_eq!(
        (own["type"].as_str(), own["seq"].as_i64()),
        (Some("message.created"), Some(3))
    );

    let typing = json!({"type": "typing", "chat_id": chat_id});
    bob_on_b
        .send(Message::text(typing.to_string()))
        .await
        .expect("typing frame");
    loop {
        let frame = next(&mut alice_on_a).await;
        if frame["type"] == "typing" {
            assert_eq!(frame["data"]["user_id"], bob_id.as_str());
            break;
        }
    }

    // Redis drops every subscription: what is sent meanwhile still arrives (by the
    // bus once resubscribed, or from the log after the reconnect's gap).
    kill_subscribers(&redis).await;
    post(
        &node_a,
        &path,
        Some(&alice),
        &json!({"body": "during the outage"}),
    )
    .await;
    loop {
        let frame = next(&mut bob_on_b).await;
        if frame["type"] == "message.created" {
            assert_eq!(frame["data"]["body"], "during the outage");
            assert_eq!(frame["seq"], 4);
            break;
        }
    }

    // Logging out on A closes bob's socket on B with 4401, even right after
    // another subscription loss (the gap check finds the revoked session).
    kill_subscribers(&redis).await;
    post(&node_a, "/api/v1/auth/logout", Some(&bob), &json!({})).await;
    let closed = loop {
        match tokio::time::timeout(Duration::from_secs(10), bob_on_b.next())
            .await
            .expect("closed in time")
        {
            Some(Ok(Message::Close(frame))) => break frame,
            Some(Ok(_)) => {}
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    assert_eq!(closed.map(|f| u16::from(f.code)), Some(4401));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_peers_are_dropped_live_ones_kept_until_shutdown() {
    let path = std::env::temp_dir().join(format!("confab-hb-{}.db", uuid::Uuid::now_v7()));
    let database_url = format!("sqlite://{}?mode=rwc", path.display());
    let node = start_node(&[
        ("DATABASE_URL", database_url.as_str()),
        ("CONFAB_WS_PING_SECONDS", "1"),
        ("CONFAB_WS_IDLE_TIMEOUT_SECONDS", "2"),
    ])
    .await;
    let (_, token) = register(&node, "alice").await;
    let mut silent = socket(&node, &token).await;
    let mut live = socket(&node, &token).await;
    // The live socket keeps reading, so its client answers the server's pings.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(4);
    while tokio::time::timeout_at(deadline, live.next()).await.is_ok() {}
    let closed = loop {
        match tokio::time::timeout(Duration::from_secs(5), silent.next())
            .await
            .expect("closed in time")
        {
            Some(Ok(Message::Close(frame))) => break frame,
            Some(Ok(_)) => {}
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    assert_eq!(closed.map(|f| u16::from(f.code)), Some(4000));
    live.send(Message::text(r#"{"type":"ping"}"#))
        .await
        .expect("live socket open");
    assert_eq!(next(&mut live).await["type"], "pong");
    // A graceful stop (SIGTERM) closes open sockets with 1012 so clients reconnect.
    let status = Command::new("kill")
        .arg("-TERM")
        .arg(node.child.id().to_string())
        .status()
        .expect("send SIGTERM");
    assert!(status.success());
    let closed = loop {
        match tokio::time::timeout(Duration::from_secs(10), live.next())
            .await
            .expect("closed in time")
        {
            Some(Ok(Message::Close(frame))) => break frame,
            Some(Ok(_)) => {}
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    assert_eq!(closed.map(|f| u16::from(f.code)), Some(1012));
    drop(node);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}
