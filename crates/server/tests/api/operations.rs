//! Operations: health, readiness, metrics, docs, the spec, and the binary's CLI.

use reqwest::Method;
use serde_json::Value;

use crate::api_test;
use crate::helpers::{TestApp, assert_error};

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    app.request(Method::GET, path, None)
        .send()
        .await
        .expect("send")
}

async fn health_and_readiness_follow_the_database(app: TestApp) {
    assert_eq!(get(&app, "/health").await.status(), 200);
    let ready = get(&app, "/ready").await;
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.json::<Value>().await.expect("json")["status"], "ok");
    app.db.close_by_ref().await.expect("close the pool");
    assert_error(get(&app, "/ready").await, 503, "service_unavailable").await;
    assert_eq!(get(&app, "/health").await.status(), 200);
}
api_test!(health_and_readiness_follow_the_database);

async fn an_unreachable_database_answers_503_with_retry_after(app: TestApp) {
    let alice = app.register("alice").await;
    assert_eq!(app.get("/api/v1/me", &alice.access).await.status(), 200);
    app.db.close_by_ref().await.expect("close the pool");
    // The session check on a protected route, and a public route.
    let me = app.get("/api/v1/me", &alice.access).await;
    assert_eq!(
        me.headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("5")
    );
    let body = assert_error(me, 503, "service_unavailable").await;
    let detail = body["detail"].as_str().expect("detail");
    assert!(
        !detail.to_lowercase().contains("pool"),
        "no internals: {detail}"
    );
    let login = app
        .send_json(
            Method::POST,
            "/api/v1/auth/login",
            None,
            &serde_json::json!({"login": "alice", "password": crate::helpers::PASSWORD}),
        )
        .await;
    assert_error(login, 503, "service_unavailable").await;
}
api_test!(an_unreachable_database_answers_503_with_retry_after);

async fn metrics_label_requests_by_route_template(app: TestApp) {
    let alice = app.register("alice").await;
    let path = format!("/api/v1/users/{}", alice.id);
    assert_eq!(app.get(&path, &alice.access).await.status(), 200);
    let text = get(&app, "/metrics").await.text().await.expect("text");
    assert!(
        text.lines()
            .any(|line| line.starts_with("http_requests_total")
                && line.contains(r#"route="/api/v1/users/{id}""#)
                && line.contains(r#"status="200""#)
                && line.contains(r#"method="GET""#)),
        "{text}"
    );
    assert!(!text.contains(&alice.id), "raw ids must not become labels");
    assert!(
        text.contains("http_request_duration_seconds_bucket"),
        "{text}"
    );
    assert!(text.contains("ws_open_sockets"), "{text}");
    assert!(text.contains("events_published_total"), "{text}");
}
api_test!(metrics_label_requests_by_route_template);

async fn made_up_methods_share_one_metrics_label(app: TestApp) {
    for i in 0..20 {
        let method = Method::from_bytes(format!("BREW{i}").as_bytes()).expect("a token");
        let response = app
            .request(method, "/health", None)
            .send()
            .await
            .expect("send");
        assert_error(response, 405, "method_not_allowed").await;
    }
    let text = get(&app, "/metrics").await.text().await.expect("text");
    assert!(!text.contains("BREW"), "a label per made-up method: {text}");
    assert!(
        text.lines()
            .any(|line| line.starts_with("http_requests_total")
                && line.contains(r#"method="other""#)
                && line.contains(r#"route="/health""#)
                && line.contains(r#"status="405""#)),
        "{text}"
    );
}
api_test!(made_up_methods_share_one_metrics_label);

#[tokio::test]
async fn docs_and_spec_are_served() {
    let app = crate::helpers::spawn_app().await;
    let docs = get(&app, "/docs").await;
    assert_eq!(docs.status(), 200);
    let html = docs.text().await.expect("html");
    assert!(html.contains("SwaggerUIBundle"), "Swagger UI");
    // The bundle is inlined: no script or stylesheet is fetched from elsewhere.
    assert!(
        !html.contains("<script src="),
        "assets must be bundled, not from a CDN"
    );
    assert!(
        !html.contains("<link rel=\"stylesheet\""),
        "assets must be bundled"
    );
    // Swagger UI's "Authorize" offers the bearer scheme only (the query token is for
    // browsers opening the WebSocket), while the spec itself keeps both.
    let start = html.find("let spec = ").expect("the embedded spec") + "let spec = ".len();
    let shown = serde_json::Deserializer::from_str(&html[start..])
        .into_iter::<Value>()
        .next()
        .expect("a document")
        .expect("JSON");
    let schemes = shown["components"]["securitySchemes"]
        .as_object()
        .expect("schemes");
    assert_eq!(schemes.keys().collect::<Vec<_>>(), ["bearer"]);
    let served: Value = get(&app, "/openapi.json").await.json().await.expect("json");
    assert_eq!(
        served["components"]["securitySchemes"]["access_token"]["type"],
        "apiKey"
    );
    let committed: Value = serde_json::from_str(&committed_spec()).expect("openapi.json is JSON");
    assert!(
        served == committed,
        "regenerate with `cargo run -p confab -- openapi > openapi/openapi.json`"
    );
}

#[tokio::test]
async fn redoc_is_served_offline_and_the_docs_compressed() {
    let app = crate::helpers::spawn_app().await;
    let redoc = get(&app, "/redoc").await;
    assert_eq!(redoc.status(), 200);
    let policy = redoc
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(policy.contains("script-src 'sha256-"), "{policy}");
    let html = redoc.text().await.expect("html");
    assert!(html.contains("Redoc.init"), "ReDoc");
    assert!(!html.contains("<script src="), "the bundle is inlined");
    assert!(
        !html.contains("<link"),
        "no stylesheet or font from elsewhere"
    );
    assert!(!html.contains("fonts.googleapis.com"), "no web font");
    let served: Value = get(&app, "/openapi.json").await.json().await.expect("json");
    assert!(
        html.contains(&served["info"]["description"].as_str().expect("text")[..40]),
        "the finished spec is shown"
    );
    for path in ["/docs", "/redoc", "/openapi.json"] {
        let plain = get(&app, path).await;
        assert!(plain.headers().get("content-encoding").is_none(), "{path}");
        let plain_len = plain.bytes().await.expect("body").len();
        let gzipped = app
            .request(Method::GET, path, None)
            .header("accept-encoding", "gzip")
            .send()
            .await
            .expect("send");
        assert_eq!(
            gzipped
                .headers()
                .get("content-encoding")
                .and_then(|v| v.to_str().ok()),
            Some("gzip"),
            "{path}"
        );
        let gzipped_len = gzipped.bytes().await.expect("body").len();
        assert!(
            gzipped_len * 3 < plain_len,
            "{path}: {gzipped_len} bytes gzipped of {plain_len}"
        );
    }
}

#[test]
fn committed_spec_equals_confab_openapi_output() {
    let printed = printed_document("openapi");
    let committed = committed_spec();
    // Not `assert_eq!`: the documents are too long to print usefully.
    assert!(
        printed == committed,
        "openapi/openapi.json is stale: run `cargo run -p confab -- openapi > openapi/openapi.json`"
    );
}

#[test]
fn help_lists_every_subcommand() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_confab"))
        .arg("--help")
        .output()
        .expect("run confab --help");
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).expect("utf-8");
    for command in ["serve", "migrate", "openapi", "asyncapi", "seed-demo"] {
        assert!(help.contains(command), "{help}");
    }
}

#[tokio::test]
async fn the_asyncapi_document_is_served_as_committed_and_as_confab_asyncapi_prints_it() {
    let committed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../openapi/asyncapi.json"
    ))
    .expect("read openapi/asyncapi.json");
    let stale = "openapi/asyncapi.json is stale: run \
                 `cargo run -p confab -- asyncapi > openapi/asyncapi.json`";
    assert!(printed_document("asyncapi") == committed, "{stale}");
    let app = crate::helpers::spawn_app().await;
    let response = get(&app, "/asyncapi.json").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/json")
    );
    let served = response.text().await.expect("text");
    assert!(format!("{served}\n") == committed, "{stale}");
    let document: Value = serde_json::from_str(&served).expect("JSON");
    assert_eq!(document["asyncapi"], "3.0.0");
    assert_eq!(document["channels"]["socket"]["address"], "/api/v1/ws");
}

/// What `confab SUBCOMMAND` prints, with a database URL that cannot be reached: the
/// documents need none.
fn printed_document(subcommand: &str) -> String {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_confab"))
        .arg(subcommand)
        .env("DATABASE_URL", "postgres://nowhere.invalid/none")
        .output()
        .expect("run confab");
    assert!(output.status.success(), "confab {subcommand}");
    String::from_utf8(output.stdout).expect("utf-8")
}

fn committed_spec() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../openapi/openapi.json"
    ))
    .expect("read openapi/openapi.json")
}

#[test]
fn serve_is_the_default_logs_no_tokens_and_stops_on_sigterm() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let dir = std::env::temp_dir().join(format!("confab-serve-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_confab"))
        .current_dir(&dir)
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/c.db?mode=rwc", dir.display()),
        )
        .env("CONFAB_BIND", "127.0.0.1:0")
        .env("RUST_LOG", "info")
        .env("CONFAB_LOG_FORMAT", "json")
        .stderr(Stdio::piped())
        .spawn()
        .expect("start confab");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let listening = lines
        .by_ref()
        .map_while(Result::ok)
        .find(|line| line.contains("confab is listening"))
        .expect("a listening log line");
    let line: Value = serde_json::from_str(&listening).expect("JSON log lines");
    let port = line["port"].as_u64().expect("the port in the log line");
    // A browser-style WebSocket token in the query must never reach the logs.
    let port = u16::try_from(port).expect("a port");
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let request = "GET /api/v1/me?access_token=SECRET-TOKEN-123 HTTP/1.1\r\n\
                   Host: x\r\nConnection: close\r\n\r\n";
    std::io::Write::write_all(&mut stream, request.as_bytes()).expect("send");
    let mut answer = String::new();
    std::io::Read::read_to_string(&mut stream, &mut answer).expect("read");
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let started = Instant::now();
    let exit = loop {
        if let Some(exit) = child.try_wait().expect("wait") {
            break exit;
        }
        assert!(started.elapsed() < Duration::from_secs(15), "no shutdown");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "{exit}");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(
        rest.iter().any(|l| l.contains("confab stopped")),
        "{rest:?}"
    );
    assert!(
        rest.iter().any(|l| l.contains("/api/v1/me")),
        "logged: {rest:?}"
    );
    assert!(
        !rest.iter().any(|l| l.contains("SECRET-TOKEN-123")),
        "{rest:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The `example` of the component schema `name` in the served spec.
fn spec_example(spec: &Value, name: &str) -> Value {
    spec["components"]["schemas"][name]["example"].clone()
}

// The examples in the order a user sends them; split, the order would be hidden.
#[allow(clippy::too_many_lines)]
async fn the_spec_examples_succeed_as_sent_in_order(app: TestApp) {
    let spec: Value = get(&app, "/openapi.json").await.json().await.expect("spec");
    let send_example = |method: Method, path: String, token: Option<String>, name: &str| {
        let body = spec_example(&spec, name);
        assert!(body.is_object(), "{name} has an example");
        let app = &app;
        async move { app.send_json(method, &path, token.as_deref(), &body).await }
    };
    let registered = send_example(
        Method::POST,
        "/api/v1/auth/register".into(),
        None,
        "Register",
    )
    .await;
    assert_eq!(registered.status(), 201);
    let logged_in = send_example(Method::POST, "/api/v1/auth/login".into(), None, "Login").await;
    assert_eq!(logged_in.status(), 200);
    let tokens: Value = logged_in.json().await.expect("json");
    // The one placeholder: the refresh token no example can know.
    let mut refresh = spec_example(&spec, "Refresh");
    assert!(refresh["refresh_token"].is_string(), "{refresh}");
    refresh["refresh_token"] = tokens["tokens"]["refresh_token"].clone();
    let refreshed = app
        .send_json(Method::POST, "/api/v1/auth/refresh", None, &refresh)
        .await;
    assert_eq!(refreshed.status(), 200);
    let tokens: Value = refreshed.json().await.expect("json");
    let access = tokens["tokens"]["access_token"].as_str().map(str::to_owned);
    let updated = send_example(
        Method::PATCH,
        "/api/v1/me".into(),
        access.clone(),
        "UpdateMe",
    )
    .await;
    assert_eq!(updated.status(), 200);
    let me: Value = updated.json().await.expect("json");
    assert_eq!(
        me["display_name"],
        spec_example(&spec, "UpdateMe")["display_name"]
    );
    let changed = send_example(
        Method::PUT,
        "/api/v1/me/password".into(),
        access.clone(),
        "ChangePassword",
    )
    .await;
    assert_eq!(changed.status(), 204);
    let created = send_example(
        Method::POST,
        "/api/v1/chats".into(),
        access.clone(),
        "CreateChat",
    )
    .await;
    assert_eq!(created.status(), 201);
    let chat: Value = created.json().await.expect("json");
    let chat_id = chat["id"].as_str().expect("chat id").to_owned();
    let renamed = send_example(
        Method::PATCH,
        format!("/api/v1/chats/{chat_id}"),
        access.clone(),
        "UpdateChat",
    )
    .await;
    assert_eq!(renamed.status(), 200);
    let members = format!("/api/v1/chats/{chat_id}/members");
    let added = send_example(Method::POST, members.clone(), access.clone(), "AddMembers").await;
    assert_eq!(added.status(), 200);
    // A role change needs a second member, which no example can name.
    let bob = app.register("bob").await;
    let body = serde_json::json!({"user_ids": [bob.id]});
    let joined = app
        .send_json(Method::POST, &members, access.as_deref(), &body)
        .await;
    assert_eq!(joined.status(), 200);
    let promoted = send_example(
        Method::PATCH,
        format!("{members}/{}", bob.id),
        access.clone(),
        "ChangeRole",
    )
    .await;
    assert_eq!(promoted.status(), 200);
    let messages = format!("/api/v1/chats/{chat_id}/messages");
    let sent = send_example(
        Method::POST,
        messages.clone(),
        access.clone(),
        "SendMessage",
    )
    .await;
    assert_eq!(sent.status(), 201);
    let first: Value = sent.json().await.expect("json");
    let retried = send_example(
        Method::POST,
        messages.clone(),
        access.clone(),
        "SendMessage",
    )
    .await;
    assert_eq!(retried.status(), 200);
    let again: Value = retried.json().await.expect("json");
    assert_eq!(again["id"], first["id"]);
    let message_id = first["id"].as_str().expect("message id");
    let message = format!("{messages}/{message_id}");
    let edited = send_example(Method::PATCH, message, access.clone(), "EditMessage").await;
    assert_eq!(edited.status(), 200);
    let read = format!("/api/v1/chats/{chat_id}/read");
    let marked = send_example(Method::POST, read, access, "MarkRead").await;
    assert_eq!(marked.status(), 204);
}

#[test]
fn every_request_body_has_an_example() {
    let spec: Value = serde_json::from_str(&committed_spec()).expect("JSON");
    let mut missing = Vec::new();
    for (route, item) in spec["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            let Some(content) = operation["requestBody"]["content"].as_object() else {
                continue;
            };
            for media in content.values() {
                let schema = &media["schema"];
                let name = schema["$ref"]
                    .as_str()
                    .and_then(|r| r.strip_prefix("#/components/schemas/"));
                let example = match name {
                    Some(name) => &spec["components"]["schemas"][name]["example"],
                    None => &schema["example"],
                };
                if !example.is_object() {
                    missing.push(format!("{method} {route}"));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "request bodies without an example: {missing:?}"
    );
}
api_test!(the_spec_examples_succeed_as_sent_in_order);
