//! Running `confab` processes for the process-level tests: free ports, health
//! waits, and small HTTP and WebSocket helpers. Fresh databases come from
//! `confab_infrastructure::testing`.

use std::fmt::Write as _;
use std::io::Write;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use confab_infrastructure::testing::{POSTGRES_URL_VAR, ScratchDatabase};
use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

pub(crate) type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A running `confab` process, killed when dropped.
pub(crate) struct Node {
    child: Child,
    base: String,
}

impl Node {
    /// The process id, to signal it.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The node's HTTP URL of `path`.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.base)
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free port")
}

pub(crate) async fn start_node(vars: &[(&str, &str)]) -> Node {
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
        // Registrations mail verification links; keep them out of the source tree.
        .env(
            "CONFAB_MAIL_DIR",
            std::env::temp_dir().join("confab-cluster-mail"),
        )
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
        let health = client.get(node.url("/health")).send().await;
        if health.is_ok_and(|r| r.status().is_success()) {
            return node;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("node on port {port} did not become healthy");
}

pub(crate) async fn post(node: &Node, path: &str, token: Option<&str>, body: &Value) -> Value {
    let mut request = reqwest::Client::new().post(node.url(path)).json(body);
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

/// The status of an authenticated `DELETE` with a JSON body.
pub(crate) async fn delete(node: &Node, path: &str, token: &str, body: &Value) -> u16 {
    reqwest::Client::new()
        .delete(format!("http://{}{path}", node.base))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("request")
        .status()
        .as_u16()
}

/// The status of an authenticated `GET`.
pub(crate) async fn get_status(node: &Node, path: &str, token: &str) -> u16 {
    reqwest::Client::new()
        .get(node.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("request")
        .status()
        .as_u16()
}

pub(crate) async fn register(node: &Node, name: &str) -> (String, String) {
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

pub(crate) async fn socket(node: &Node, token: &str) -> Socket {
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

pub(crate) async fn next(socket: &mut Socket) -> Value {
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

/// Runs one Redis command, spoken in RESP over a plain TCP connection (the server
/// crate has no Redis client; the test Redis needs no password), and returns the
/// first bytes of the reply.
async fn redis_command(redis_url: &str, args: &[&str]) -> Vec<u8> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = redis_url.trim_start_matches("redis://");
    let authority = rest.split('/').next().unwrap_or(rest);
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let host = if host.contains(':') {
        host.to_owned()
    } else {
        format!("{host}:6379")
    };
    let mut command = format!("*{}\r\n", args.len());
    for arg in args {
        let _ = write!(command, "${}\r\n{arg}\r\n", arg.len());
    }
    let mut stream = TcpStream::connect(host).await.expect("connect to redis");
    stream
        .write_all(command.as_bytes())
        .await
        .expect("send a command");
    let mut reply = [0_u8; 64];
    let read = stream.read(&mut reply).await.expect("reply");
    reply[..read].to_vec()
}

/// `CLIENT KILL TYPE pubsub`: every node loses its subscription at once.
pub(crate) async fn kill_subscribers(redis_url: &str) {
    let reply = redis_command(redis_url, &["CLIENT", "KILL", "TYPE", "pubsub"]).await;
    assert!(reply.starts_with(b":"), "CLIENT KILL answered {reply:?}");
}

/// Publishes a `Gap` as if from another node: every node's sockets catch up.
pub(crate) async fn publish_gap(redis_url: &str) {
    let envelope = json!({"origin": uuid::Uuid::now_v7(), "notification": {"kind": "gap"}});
    let reply = redis_command(
        redis_url,
        &["PUBLISH", "confab:events", &envelope.to_string()],
    )
    .await;
    assert!(reply.starts_with(b":"), "PUBLISH answered {reply:?}");
}

/// A fresh PostgreSQL database (dropped when the returned value is) and the Redis
/// URL, or `None`, with a notice on stderr, unless both test variables are set.
pub(crate) async fn settings() -> Option<(ScratchDatabase, String)> {
    let postgres = std::env::var(POSTGRES_URL_VAR).ok();
    let redis = std::env::var("CONFAB_TEST_REDIS_URL").ok();
    if let (Some(postgres), Some(redis)) = (postgres, redis) {
        let database = ScratchDatabase::postgres(&postgres, "confab_cluster_")
            .await
            .expect("create a scratch database through CONFAB_TEST_POSTGRES_URL");
        return Some((database, redis));
    }
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED cluster test: set CONFAB_TEST_POSTGRES_URL and CONFAB_TEST_REDIS_URL"
    );
    None
}
