//! The spec's response schemas against real answers: a flow through every REST
//! operation, each answer checked against the schema the served spec gives for its
//! operation and status. Every key sent is declared, every required key is sent,
//! and `null` appears only where the schema says `nullable`. And the other way: a
//! key the schema leaves optional must be left out of some answer in the flow, so a
//! key the server always sends cannot stay optional in the spec.

use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::{Value, json};

use crate::api_test;
use crate::helpers::{PASSWORD, TestApp};

/// What a client of the served spec sees: the spec, and every mismatch found so far.
struct Contract {
    spec: Value,
    checked: std::collections::BTreeSet<String>,
    mismatches: Vec<String>,
    seen: Seen,
}

/// Per schema title and optional key: whether some answer sent it, and whether
/// some answer left it out.
type Seen = BTreeMap<(String, String), (bool, bool)>;

impl Contract {
    async fn load(app: &TestApp) -> Self {
        let spec = app
            .client
            .get(app.url("/openapi.json"))
            .send()
            .await
            .expect("send")
            .json()
            .await
            .expect("spec");
        Self {
            spec,
            checked: std::collections::BTreeSet::new(),
            mismatches: Vec::new(),
            seen: Seen::new(),
        }
    }

    /// Sends `method template` (with `{…}` replaced by `args` in order) as `token`
    /// with `body`, expects `status`, checks the answer and returns its JSON
    /// (`Value::Null` for an empty answer).
    #[allow(clippy::too_many_arguments)]
    async fn call(
        &mut self,
        app: &TestApp,
        method: Method,
        template: &str,
        args: &[&str],
        token: Option<&str>,
        body: Option<Value>,
        status: u16,
    ) -> Value {
        let mut path = template.to_owned();
        for arg in args {
            let start = path.find('{').expect("a placeholder per argument");
            let end = start + path[start..].find('}').expect("a closed placeholder");
            path.replace_range(start..=end, arg);
        }
        let mut request = app.request(method.clone(), &path, token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.send(method, template, &path, request, status).await
    }

    /// Sends a prepared `request` for `method template` (here `path`), expects
    /// `status`, checks the answer and returns its JSON (`Value::Null` for an empty
    /// or non-JSON answer, such as a download's bytes).
    async fn send(
        &mut self,
        method: Method,
        template: &str,
        path: &str,
        request: reqwest::RequestBuilder,
        status: u16,
    ) -> Value {
        let response = request.send().await.expect("send");
        let got = response.status().as_u16();
        let is_json = response
            .headers()
            .get("content-type")
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("application/json"));
        let bytes = response.bytes().await.expect("body");
        let text = if is_json || bytes.is_empty() {
            String::from_utf8_lossy(&bytes).into_owned()
        } else {
            String::new()
        };
        assert_eq!(got, status, "{method} {path}: {text}");
        let value: Value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).expect("a JSON answer")
        };
        let route = template.split('?').next().unwrap_or(template);
        let operation = &self.spec["paths"][route][method.as_str().to_lowercase()];
        assert!(operation.is_object(), "{method} {route} is in the spec");
        let responses = &operation["responses"];
        let declared = &responses[status.to_string()];
        assert!(declared.is_object(), "{method} {route} declares {status}");
        // An error's code is one the operation lists under that status.
        if let Some(code) = value["code"].as_str().filter(|_| status >= 400) {
            let listed = declared["description"].as_str().unwrap_or_default();
            if !listed.contains(&format!("`{code}`")) {
                self.mismatches.push(format!(
                    "{method} {route} {status}: `{code}` is not among {listed:?}"
                ));
            }
        }
        match declared["content"].as_object().and_then(json_media) {
            Some(media) => {
                let schema = media["schema"].clone();
                let at = format!("{method} {route} {status}");
                let mut found = Vec::new();
                conform(&self.spec, &schema, &value, &at, &mut found, &mut self.seen);
                self.mismatches.extend(found);
            }
            None => assert!(
                text.is_empty() || !is_json,
                "{method} {route} {status} declares no body but sent {text}"
            ),
        }
        self.checked.insert(format!("{method} {route}"));
        value
    }
}

/// The JSON media type of a request body or response, if it has one.
fn json_media(content: &serde_json::Map<String, Value>) -> Option<&Value> {
    content
        .iter()
        .find(|(media_type, _)| media_type.starts_with("application/json"))
        .map(|(_, media)| media)
}

/// `schema` with `$ref`s followed.
fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.trim_start_matches("#/components/schemas/");
            resolve(spec, &spec["components"]["schemas"][name])
        }
        None => schema,
    }
}

/// Whether `schema` (or the wrapper around its single reference) allows `null`.
fn nullable(spec: &Value, schema: &Value) -> bool {
    let schema = resolve(spec, schema);
    schema["nullable"] == true
        || schema["allOf"]
            .as_array()
            .is_some_and(|all| all.iter().all(|part| nullable(spec, part)))
}

/// `schema` with its `allOf` parts merged into one: their properties, required
/// keys and type (the title of the part that has properties), as a value must
/// satisfy every part at once. `nullable` stays as the outer schema says.
fn flatten(spec: &Value, schema: &Value) -> Value {
    let Some(parts) = schema["allOf"].as_array() else {
        return schema.clone();
    };
    let mut merged = schema.clone();
    let object = merged.as_object_mut().expect("a schema object");
    object.remove("allOf");
    for part in parts {
        let part = flatten(spec, resolve(spec, part));
        for (key, value) in part.as_object().into_iter().flatten() {
            match (key.as_str(), object.get_mut(key)) {
                ("properties", Some(Value::Object(mine))) => {
                    mine.extend(value.as_object().cloned().unwrap_or_default());
                }
                ("required", Some(Value::Array(mine))) => {
                    mine.extend(value.as_array().cloned().unwrap_or_default());
                }
                ("nullable" | "description", _) => {}
                ("title", _) if part.get("properties").is_some() => {
                    object.insert(key.clone(), value.clone());
                }
                (_, None) => {
                    object.insert(key.clone(), value.clone());
                }
                _ => {}
            }
        }
    }
    merged
}

/// Records in `found` every way `value` (at `at`) departs from `schema`.
fn conform(
    spec: &Value,
    schema: &Value,
    value: &Value,
    at: &str,
    found: &mut Vec<String>,
    seen: &mut Seen,
) {
    let schema = &flatten(spec, resolve(spec, schema));
    if value.is_null() {
        if !nullable(spec, schema) {
            found.push(format!("{at}: null where the schema is not nullable"));
        }
        return;
    }
    if let Some(one) = schema["oneOf"].as_array() {
        let tag = schema["discriminator"]["propertyName"]
            .as_str()
            .and_then(|name| value[name].as_str());
        let mapped = tag.and_then(|tag| schema["discriminator"]["mapping"][tag].as_str());
        if let Some(reference) = mapped {
            conform(spec, &json!({"$ref": reference}), value, at, found, seen);
        } else {
            let fits = one.iter().any(|part| {
                let mut errors = Vec::new();
                conform(spec, part, value, at, &mut errors, &mut Seen::new());
                errors.is_empty()
            });
            if !fits {
                found.push(format!("{at}: matches no oneOf branch: {value}"));
            }
        }
        return;
    }
    match schema["type"].as_str() {
        Some("object") => {
            let Some(object) = value.as_object() else {
                found.push(format!("{at}: expected an object, got {value}"));
                return;
            };
            let properties = schema["properties"].as_object();
            for (key, item) in object {
                match properties.and_then(|p| p.get(key)) {
                    Some(property) => {
                        conform(spec, property, item, &format!("{at}.{key}"), found, seen);
                    }
                    None if schema["additionalProperties"].is_object() => {}
                    None => found.push(format!("{at}.{key}: sent but not declared")),
                }
            }
            for key in schema["required"].as_array().into_iter().flatten() {
                let key = key.as_str().unwrap_or_default();
                if !object.contains_key(key) {
                    found.push(format!("{at}.{key}: required but not sent"));
                }
            }
            let required = |key: &str| {
                schema["required"]
                    .as_array()
                    .is_some_and(|r| r.iter().any(|k| k == key))
            };
            let title = schema["title"].as_str().unwrap_or(at);
            for key in properties.into_iter().flat_map(|p| p.keys()) {
                if !required(key) {
                    let entry = seen.entry((title.to_owned(), key.clone())).or_default();
                    if object.contains_key(key) {
                        entry.0 = true;
                    } else {
                        entry.1 = true;
                    }
                }
            }
        }
        Some("array") => match value.as_array() {
            Some(items) => {
                for (index, item) in items.iter().enumerate() {
                    conform(
                        spec,
                        &schema["items"],
                        item,
                        &format!("{at}[{index}]"),
                        found,
                        seen,
                    );
                }
            }
            None => found.push(format!("{at}: expected an array, got {value}")),
        },
        Some("string") if !value.is_string() => {
            found.push(format!("{at}: expected a string, got {value}"));
        }
        Some("integer") if !(value.is_i64() || value.is_u64()) => {
            found.push(format!("{at}: expected an integer, got {value}"));
        }
        Some("boolean") if !value.is_boolean() => {
            found.push(format!("{at}: expected a boolean, got {value}"));
        }
        _ => {}
    }
}

fn id(value: &Value) -> String {
    value["id"].as_str().expect("an id").to_owned()
}

// One flow through every operation, read top to bottom; split, it would hide the order.
#[allow(clippy::too_many_lines)]
async fn every_answer_matches_its_schema_in_the_spec(app: TestApp) {
    use Method as M;
    let mut c = Contract::load(&app).await;
    let register = |name: &str| json!({"username": name, "email": format!("{name}@example.com"), "password": PASSWORD});
    let alice = c
        .call(
            &app,
            M::POST,
            "/api/v1/auth/register",
            &[],
            None,
            Some(register("alice")),
            201,
        )
        .await;
    let bob = c
        .call(
            &app,
            M::POST,
            "/api/v1/auth/register",
            &[],
            None,
            Some(register("bob")),
            201,
        )
        .await;
    let carol = c
        .call(
            &app,
            M::POST,
            "/api/v1/auth/register",
            &[],
            None,
            Some(register("carol")),
            201,
        )
        .await;
    let token = |signed_in: &Value, kind: &str| {
        signed_in["tokens"][kind]
            .as_str()
            .expect("token")
            .to_owned()
    };
    let (a, b) = (token(&alice, "access_token"), token(&bob, "access_token"));
    let (a, b) = (Some(a.as_str()), Some(b.as_str()));
    let (alice_id, bob_id, carol_id) = (id(&alice["user"]), id(&bob["user"]), id(&carol["user"]));
    let login = json!({"login": "alice", "password": PASSWORD, "device_name": "laptop"});
    c.call(
        &app,
        M::POST,
        "/api/v1/auth/login",
        &[],
        None,
        Some(login),
        200,
    )
    .await;
    let carol_refresh = json!({"refresh_token": token(&carol, "refresh_token")});
    let carol = c
        .call(
            &app,
            M::POST,
            "/api/v1/auth/refresh",
            &[],
            None,
            Some(carol_refresh),
            200,
        )
        .await;
    let carol_token = token(&carol, "access_token");
    c.call(&app, M::GET, "/api/v1/me", &[], a, None, 200).await;
    let private = json!({"is_private": true, "display_name": "Bob", "bio": null});
    c.call(&app, M::PATCH, "/api/v1/me", &[], b, Some(private), 200)
        .await;
    for user in [&alice_id, &bob_id, &carol_id] {
        c.call(&app, M::GET, "/api/v1/users/{id}", &[user], a, None, 200)
            .await;
    }
    c.call(&app, M::GET, "/api/v1/users?q=a&limit=1", &[], a, None, 200)
        .await;
    let sessions = c
        .call(&app, M::GET, "/api/v1/sessions?limit=1", &[], a, None, 200)
        .await;
    c.call(&app, M::GET, "/api/v1/chats", &[], a, None, 200)
        .await;

    let direct = json!({"type": "direct", "member_ids": [bob_id]});
    let chat = c
        .call(
            &app,
            M::POST,
            "/api/v1/chats",
            &[],
            a,
            Some(direct.clone()),
            201,
        )
        .await;
    c.call(&app, M::POST, "/api/v1/chats", &[], a, Some(direct), 200)
        .await;
    let group = json!({"type": "group", "name": "Team", "member_ids": [bob_id]});
    let group = c
        .call(&app, M::POST, "/api/v1/chats", &[], a, Some(group), 201)
        .await;
    let (chat, group) = (id(&chat), id(&group));
    let ttl = json!({"message_ttl_seconds": 3600});
    c.call(
        &app,
        M::PATCH,
        "/api/v1/chats/{id}",
        &[&group],
        a,
        Some(ttl),
        200,
    )
    .await;
    let members = json!({"user_ids": [carol_id]});
    c.call(
        &app,
        M::POST,
        "/api/v1/chats/{id}/members",
        &[&group],
        a,
        Some(members),
        200,
    )
    .await;
    let role = json!({"role": "admin"});
    let member = "/api/v1/chats/{id}/members/{user_id}";
    c.call(
        &app,
        M::PATCH,
        member,
        &[&group, &carol_id],
        a,
        Some(role),
        200,
    )
    .await;
    c.call(&app, M::DELETE, member, &[&group, &carol_id], a, None, 204)
        .await;

    let messages = "/api/v1/chats/{id}/messages";
    let send = json!({"body": "hi", "client_message_id": "c-1"});
    let first = c
        .call(
            &app,
            M::POST,
            messages,
            &[&chat],
            a,
            Some(send.clone()),
            201,
        )
        .await;
    c.call(&app, M::POST, messages, &[&chat], a, Some(send), 200)
        .await;
    let first = id(&first);
    let reply = json!({"body": "hello", "reply_to_id": first});
    let reply = id(&c
        .call(&app, M::POST, messages, &[&chat], b, Some(reply), 201)
        .await);
    let message = "/api/v1/chats/{id}/messages/{message_id}";
    let edit = json!({"body": "hi there"});
    c.call(
        &app,
        M::PATCH,
        message,
        &[&chat, &first],
        a,
        Some(edit),
        200,
    )
    .await;
    c.call(&app, M::DELETE, message, &[&chat, &reply], b, None, 204)
        .await;
    c.call(&app, M::GET, message, &[&chat, &reply], a, None, 200)
        .await;
    c.call(&app, M::GET, message, &[&chat, &first], a, None, 200)
        .await;
    let page = "/api/v1/chats/{id}/messages?limit=1";
    c.call(&app, M::GET, page, &[&chat], a, None, 200).await;
    c.call(
        &app,
        M::POST,
        "/api/v1/chats/{id}/read",
        &[&chat],
        b,
        Some(json!({"seq": 1})),
        204,
    )
    .await;
    c.call(&app, M::GET, "/api/v1/chats/{id}", &[&chat], a, None, 200)
        .await;
    c.call(&app, M::GET, "/api/v1/chats/{id}", &[&group], a, None, 200)
        .await;
    c.call(&app, M::GET, "/api/v1/chats?limit=1", &[], a, None, 200)
        .await;
    c.call(&app, M::GET, "/api/v1/chats", &[], b, None, 200)
        .await;
    c.call(
        &app,
        M::GET,
        "/api/v1/chats/{id}/events",
        &[&chat],
        a,
        None,
        200,
    )
    .await;
    c.call(
        &app,
        M::GET,
        "/api/v1/chats/{id}/events",
        &[&group],
        a,
        None,
        200,
    )
    .await;

    // Errors have their shape too, as the operation's spec gives it.
    let nobody = uuid::Uuid::now_v7().to_string();
    c.call(&app, M::GET, "/api/v1/users/{id}", &[&nobody], a, None, 404)
        .await;
    c.call(&app, M::GET, "/api/v1/chats/{id}", &[&nobody], a, None, 404)
        .await;
    // Avatars: an upload that is not an image of mine is refused; removing none is
    // fine (the files tests set one from a real upload).
    let not_mine = json!({"upload_id": nobody});
    c.call(
        &app,
        M::PUT,
        "/api/v1/me/avatar",
        &[],
        a,
        Some(not_mine),
        422,
    )
    .await;
    c.call(&app, M::DELETE, "/api/v1/me/avatar", &[], a, None, 204)
        .await;
    let empty = json!({"body": ""});
    c.call(&app, M::POST, messages, &[&chat], a, Some(empty), 422)
        .await;
    c.call(&app, M::GET, "/api/v1/me", &[], None, None, 401)
        .await;
    c.call(&app, M::GET, "/health", &[], None, None, 200).await;
    c.call(&app, M::GET, "/ready", &[], None, None, 200).await;

    let session = sessions["items"][0]["id"]
        .as_str()
        .expect("a session")
        .to_owned();
    c.call(
        &app,
        M::DELETE,
        "/api/v1/sessions/{id}",
        &[&session],
        a,
        None,
        204,
    )
    .await;
    let carol = Some(carol_token.as_str());
    let change = json!({"current_password": PASSWORD, "new_password": "another fine password"});
    c.call(
        &app,
        M::PUT,
        "/api/v1/me/password",
        &[],
        carol,
        Some(change),
        204,
    )
    .await;
    c.call(&app, M::POST, "/api/v1/auth/logout", &[], carol, None, 204)
        .await;

    // Email: a second verification link (the first went out at registration, a
    // minute ago on the test clock), confirmed; a reset asked for and used.
    app.clock.advance(chrono::TimeDelta::seconds(61));
    c.call(
        &app,
        M::POST,
        "/api/v1/auth/email/verify",
        &[],
        a,
        None,
        202,
    )
    .await;
    let verify = app
        .nth_mail("alice@example.com", 2)
        .await
        .token("verify-email");
    let confirm = json!({"token": verify});
    c.call(
        &app,
        M::POST,
        "/api/v1/auth/email/confirm",
        &[],
        None,
        Some(confirm),
        200,
    )
    .await;
    let forgot = json!({"email": "bob@example.com"});
    c.call(
        &app,
        M::POST,
        "/api/v1/auth/password/forgot",
        &[],
        None,
        Some(forgot),
        202,
    )
    .await;
    let reset_token = app
        .nth_mail("bob@example.com", 2)
        .await
        .token("reset-password");
    let reset = json!({"token": reset_token, "new_password": "a brand new password"});
    c.call(
        &app,
        M::POST,
        "/api/v1/auth/password/reset",
        &[],
        None,
        Some(reset),
        204,
    )
    .await;

    // Administration, as an admin made with `confab admin set-admin`.
    let dave = crate::admin::admin(&app, "dave").await;
    let d = Some(dave.access.as_str());
    c.call(&app, M::GET, "/api/v1/admin/users", &[], d, None, 200)
        .await;
    let erin = json!({"username": "erin", "email": "erin@example.com", "password": PASSWORD});
    let erin = c
        .call(
            &app,
            M::POST,
            "/api/v1/admin/users",
            &[],
            d,
            Some(erin),
            201,
        )
        .await;
    let erin_id = id(&erin);
    for action in ["disable", "enable"] {
        let path = format!("/api/v1/admin/users/{{id}}/{action}");
        c.call(&app, M::POST, &path, &[&erin_id], d, None, 204)
            .await;
    }
    let invite = c
        .call(
            &app,
            M::POST,
            "/api/v1/admin/invites",
            &[],
            d,
            Some(json!({})),
            201,
        )
        .await;
    c.call(&app, M::GET, "/api/v1/admin/invites", &[], d, None, 200)
        .await;
    let invite_id = id(&invite["invite"]);
    c.call(
        &app,
        M::DELETE,
        "/api/v1/admin/invites/{id}",
        &[&invite_id],
        d,
        None,
        204,
    )
    .await;
    c.call(&app, M::GET, "/api/v1/admin/chats", &[], d, None, 200)
        .await;
    let add = json!({"user_ids": [erin_id]});
    let admin_members = "/api/v1/admin/chats/{id}/members";
    c.call(&app, M::POST, admin_members, &[&group], d, Some(add), 204)
        .await;
    let admin_member = "/api/v1/admin/chats/{id}/members/{user_id}";
    c.call(
        &app,
        M::DELETE,
        admin_member,
        &[&group, &erin_id],
        d,
        None,
        204,
    )
    .await;
    let admin_message = "/api/v1/admin/chats/{id}/messages/{message_id}";
    c.call(
        &app,
        M::DELETE,
        admin_message,
        &[&chat, &first],
        d,
        None,
        204,
    )
    .await;
    c.call(&app, M::GET, "/api/v1/admin/audit", &[], d, None, 200)
        .await;
    c.call(&app, M::GET, "/api/v1/admin/stats", &[], d, None, 200)
        .await;
    c.call(
        &app,
        M::DELETE,
        "/api/v1/admin/users/{id}",
        &[&erin_id],
        d,
        None,
        204,
    )
    .await;
    let frank = app.register("frank").await;
    c.call(
        &app,
        M::DELETE,
        "/api/v1/me",
        &[],
        Some(frank.access.as_str()),
        Some(json!({"current_password": PASSWORD})),
        204,
    )
    .await;

    // Files: an upload (multipart), its download and its thumbnail.
    let image = crate::files::png(8, 4);
    let request = app
        .request(M::POST, "/api/v1/uploads", d)
        .header("content-type", crate::files::MULTIPART_TYPE)
        .body(crate::files::multipart("dot.png", &image));
    let upload = c
        .send(M::POST, "/api/v1/uploads", "/api/v1/uploads", request, 201)
        .await;
    let upload_id = id(&upload);
    let file_path = format!("/api/v1/files/{upload_id}");
    let request = app.request(M::GET, &file_path, d);
    c.send(M::GET, "/api/v1/files/{id}", &file_path, request, 200)
        .await;
    c.call(
        &app,
        M::PUT,
        "/api/v1/me/avatar",
        &[],
        d,
        Some(json!({"upload_id": upload_id})),
        200,
    )
    .await;
    c.call(&app, M::DELETE, "/api/v1/me/avatar", &[], d, None, 204)
        .await;
    let thumbnail_path = format!("{file_path}/thumbnail");
    let request = app.request(M::GET, &thumbnail_path, d);
    c.send(
        M::GET,
        "/api/v1/files/{id}/thumbnail",
        &thumbnail_path,
        request,
        200,
    )
    .await;
    let text_upload = c
        .send(
            M::POST,
            "/api/v1/uploads",
            "/api/v1/uploads",
            app.request(M::POST, "/api/v1/uploads", d)
                .header("content-type", crate::files::MULTIPART_TYPE)
                .body(crate::files::multipart("notes.txt", b"plain text")),
            201,
        )
        .await;
    assert!(text_upload["width"].is_null(), "a nullable key left null");

    // Every operation but the WebSocket upgrade and the metrics text.
    let operations: std::collections::BTreeSet<String> = c.spec["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(route, item)| {
            let methods = item.as_object().expect("a path item").keys();
            methods.map(move |method| format!("{} {route}", method.to_uppercase()))
        })
        .filter(|operation| !operation.ends_with("/ws") && !operation.ends_with("/metrics"))
        .collect();
    let missed: Vec<_> = operations.difference(&c.checked).collect();
    assert!(missed.is_empty(), "operations the flow missed: {missed:?}");
    // Keys the schema rightly leaves optional although this flow never leaves them
    // out: an event's `seq` is absent only on `typing` frames, which the WebSocket
    // alone carries.
    let optional_by_design = |title: &str, key: &str| key == "seq" && title.ends_with("Event");
    for ((title, key), (sent, left_out)) in &c.seen {
        if *sent && !left_out && !optional_by_design(title, key) {
            c.mismatches.push(format!(
                "{title}.{key}: optional in the spec but sent in every answer"
            ));
        }
    }
    assert!(
        c.mismatches.is_empty(),
        "answers that differ from the spec:\n{}",
        c.mismatches.join("\n")
    );
}
api_test!(every_answer_matches_its_schema_in_the_spec);

#[test]
fn the_checker_finds_each_kind_of_mismatch() {
    let spec = json!({"components": {"schemas": {
        "Thing": {"type": "object", "required": ["a", "b"], "properties": {
            "a": {"type": "string"},
            "b": {"type": "integer", "nullable": true},
            "c": {"allOf": [{"$ref": "#/components/schemas/Inner"}], "nullable": true}}},
        "Inner": {"type": "object", "properties": {}}}}});
    let schema = json!({"$ref": "#/components/schemas/Thing"});
    let check = |value: Value| {
        let mut found = Vec::new();
        conform(&spec, &schema, &value, "x", &mut found, &mut Seen::new());
        found
    };
    assert!(check(json!({"a": "s", "b": null, "c": null})).is_empty());
    assert!(check(json!({"a": "s", "b": 1, "c": {}})).is_empty());
    assert_eq!(check(json!({"b": 1})), ["x.a: required but not sent"]);
    assert_eq!(
        check(json!({"a": null, "b": 1})),
        ["x.a: null where the schema is not nullable"]
    );
    assert_eq!(
        check(json!({"a": "s", "b": 1, "d": 0})),
        ["x.d: sent but not declared"]
    );
    assert_eq!(
        check(json!({"a": 5, "b": 1})),
        ["x.a: expected a string, got 5"]
    );
}

#[test]
fn every_schema_example_matches_its_schema() {
    let spec: Value = serde_json::from_str(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../openapi/openapi.json"
    )))
    .expect("openapi.json is JSON");
    let mut found = Vec::new();
    let mut examples = 0;
    for (name, schema) in spec["components"]["schemas"].as_object().expect("schemas") {
        if let Some(example) = schema.get("example").filter(|e| e.is_object()) {
            examples += 1;
            let mut seen = Seen::new();
            conform(&spec, schema, example, name, &mut found, &mut seen);
        }
    }
    assert!(examples >= 14, "{examples} object examples");
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// A JSON value of the wrong type for `schema` (a number where anything else
/// belongs, else a string).
fn wrong_type(spec: &Value, schema: &Value) -> Value {
    let schema = flatten(spec, resolve(spec, schema));
    match schema["type"].as_str() {
        Some("string" | "array" | "object" | "boolean") | None => json!(12345),
        Some(_) => json!("not a number"),
    }
}

/// The one status rule for refused input, on every operation of the spec: a body
/// that is not JSON is `400 invalid_json`; a body field of the wrong type `422
/// validation_failed` naming it; a path or query parameter that does not parse `400
/// validation_failed` naming the parameter.
// One loop over the spec's operations, each probed in place.
#[allow(clippy::too_many_lines)]
async fn every_operation_refuses_input_by_the_one_status_rule(app: TestApp) {
    let spec = Contract::load(&app).await.spec;
    // An admin, so the admin routes reach their parameter checks (others get 403 first).
    let user = crate::admin::admin(&app, "alice").await;
    let some_id = uuid::Uuid::now_v7().to_string();
    let mut broken = Vec::new();
    let mut probes = 0;
    for (route, item) in spec["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("a path item") {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("a method");
            let parameters = operation["parameters"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let with_path = |bad: Option<&str>| {
                let mut path = route.clone();
                for parameter in parameters.iter().filter(|p| p["in"] == "path") {
                    let name = parameter["name"].as_str().expect("a name");
                    let value = if bad == Some(name) {
                        "not-an-id"
                    } else {
                        &some_id
                    };
                    path = path.replace(&format!("{{{name}}}"), value);
                }
                path
            };
            let mut expect = async |path: String,
                                    body: Option<&str>,
                                    status: u16,
                                    code: &str,
                                    field: Option<&str>| {
                let mut request = app.request(method.clone(), &path, Some(&user.access));
                if let Some(body) = body {
                    request = request
                        .header("content-type", "application/json")
                        .body(body.to_owned());
                }
                let response = request.send().await.expect("send");
                let got = response.status().as_u16();
                let answer: Value = response.json().await.unwrap_or(Value::Null);
                let named = field.is_none_or(|field| {
                    answer["errors"]
                        .as_array()
                        .is_some_and(|errors| errors.iter().any(|e| e["field"] == field))
                });
                let documented = operation["responses"][status.to_string()]["description"]
                    .as_str()
                    .is_some_and(|listed| listed.contains(&format!("`{code}`")));
                if got != status || answer["code"] != code || !named || !documented {
                    broken.push(format!(
                        "{method} {path} {}: expected {status} {code} naming {field:?} \
                         (and documented), got {got} {answer}",
                        body.unwrap_or("")
                    ));
                }
                probes += 1;
            };
            let body_content = operation["requestBody"]["content"].as_object();
            if body_content.is_some_and(|content| content.contains_key("multipart/form-data")) {
                expect(
                    with_path(None),
                    Some("{\"file\": 1}"),
                    415,
                    "unsupported_media_type",
                    None,
                )
                .await;
            }
            let body_schema = body_content
                .and_then(json_media)
                .map(|media| media["schema"].clone());
            if let Some(schema) = body_schema {
                expect(
                    with_path(None),
                    Some("{\"unfinished\": "),
                    400,
                    "invalid_json",
                    None,
                )
                .await;
                let schema = flatten(&spec, resolve(&spec, &schema));
                let properties = schema["properties"]
                    .as_object()
                    .cloned()
                    .unwrap_or_default();
                for (name, property) in &properties {
                    let body = json!({ name: wrong_type(&spec, property) }).to_string();
                    expect(
                        with_path(None),
                        Some(&body),
                        422,
                        "validation_failed",
                        Some(name),
                    )
                    .await;
                }
            }
            for parameter in &parameters {
                let name = parameter["name"].as_str().expect("a name");
                let schema = &parameter["schema"];
                match parameter["in"].as_str() {
                    Some("path") => {
                        expect(
                            with_path(Some(name)),
                            None,
                            400,
                            "validation_failed",
                            Some(name),
                        )
                        .await;
                    }
                    Some("query") if schema["type"] == "integer" => {
                        let path = format!("{}?{name}=x", with_path(None));
                        expect(path, None, 400, "validation_failed", Some(name)).await;
                    }
                    _ => {}
                }
            }
        }
    }
    assert!(probes > 60, "{probes} probes");
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}
api_test!(every_operation_refuses_input_by_the_one_status_rule);
