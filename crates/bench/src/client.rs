//! A small HTTP client for the parts of the confab API the scenarios use.

use std::time::Duration;

use reqwest::{Client, Method, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// Why an API call failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ApiError {
    /// The request never got an HTTP answer (connect, timeout, broken pipe).
    #[error("transport: {0}")]
    Transport(#[source] reqwest::Error),
    /// The server answered with an unexpected status; `code` is the error body's code.
    #[error("HTTP {status} {code}")]
    Status {
        /// The HTTP status.
        status: StatusCode,
        /// The `code` of the error body, or `-` when there was none.
        code: String,
    },
    /// The body did not have the shape docs/api.md promises.
    #[error("unexpected body: {0}")]
    Decode(#[source] reqwest::Error),
}

impl ApiError {
    /// A short label for grouping errors in the report (`429 rate_limited`, `transport`).
    pub(crate) fn label(&self) -> String {
        match self {
            ApiError::Transport(_) => "transport".to_owned(),
            ApiError::Status { status, code } => format!("{} {code}", status.as_u16()),
            ApiError::Decode(_) => "decode".to_owned(),
        }
    }
}

/// A user the harness registered, with the access token of its session.
#[derive(Debug, Clone)]
pub(crate) struct Account {
    /// The user's id.
    pub(crate) id: String,
    /// The login name.
    pub(crate) username: String,
    /// Bearer token for REST and WebSocket.
    pub(crate) token: String,
}

/// The part of a message the harness reads.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Message {
    /// Position in the chat's log.
    pub(crate) seq: i64,
}

/// One page of `GET /chats/{id}/messages`.
#[derive(Debug, Deserialize)]
pub(crate) struct MessagePage {
    /// Messages, ascending by seq.
    pub(crate) items: Vec<Message>,
}

#[derive(Deserialize)]
struct AuthBody {
    user: UserBody,
    tokens: TokensBody,
}

#[derive(Deserialize)]
struct UserBody {
    id: String,
    username: String,
}

#[derive(Deserialize)]
struct TokensBody {
    access_token: String,
}

#[derive(Deserialize)]
struct ChatBody {
    id: String,
}

#[derive(Deserialize)]
struct UploadBody {
    id: String,
}

#[derive(Deserialize)]
struct ErrorBody {
    code: Option<String>,
}

/// Password every harness user gets; the users exist only for benchmarking.
pub(crate) const PASSWORD: &str = "bench-password-123";

/// The API client: one connection pool shared by all tasks of a run.
#[derive(Clone)]
pub(crate) struct Api {
    http: Client,
    base: String,
}

impl Api {
    /// A client for the server at `base` (e.g. `http://127.0.0.1:8080`).
    pub(crate) fn new(base: &str) -> Result<Self, ApiError> {
        let http = Client::builder()
            .timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(1024)
            // Below confab's idle timeout (CONFAB_HTTP_IDLE_TIMEOUT_SECONDS, 60 s), so
            // the pool never picks a connection the server is closing at that moment.
            .pool_idle_timeout(Duration::from_secs(50))
            .tcp_nodelay(true)
            .build()
            .map_err(ApiError::Transport)?;
        Ok(Self {
            http,
            base: format!("{}/api/v1", base.trim_end_matches('/')),
        })
    }

    /// The server's base URL, as given (without `/api/v1`).
    pub(crate) fn server(&self) -> &str {
        self.base.trim_end_matches("/api/v1")
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Result<T, ApiError> {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.map_err(ApiError::Transport)?;
        checked(response)
            .await?
            .json::<T>()
            .await
            .map_err(ApiError::Decode)
    }

    /// `GET /health`: the server is up.
    pub(crate) async fn health(&self) -> Result<(), ApiError> {
        let url = format!("{}/health", self.server());
        let response = self
            .http
            .get(url)
            .send()
            .await
            .map_err(ApiError::Transport)?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(ApiError::Status {
                status: response.status(),
                code: "-".to_owned(),
            })
        }
    }

    /// `POST /auth/register`; the session it opens is the account's token.
    pub(crate) async fn register(&self, username: &str) -> Result<Account, ApiError> {
        let body = json!({
            "username": username,
            "email": format!("{username}@bench.invalid"),
            "password": PASSWORD,
            "device_name": "confab-bench",
        });
        let auth: AuthBody = self
            .call(Method::POST, "/auth/register", None, Some(body))
            .await?;
        Ok(account(auth))
    }

    /// `POST /auth/login` with the harness password.
    pub(crate) async fn login(&self, username: &str) -> Result<Account, ApiError> {
        let body = json!({"login": username, "password": PASSWORD, "device_name": "confab-bench"});
        let auth: AuthBody = self
            .call(Method::POST, "/auth/login", None, Some(body))
            .await?;
        Ok(account(auth))
    }

    /// `POST /chats` for a direct chat between `me` and `other`; returns the chat id.
    pub(crate) async fn direct_chat(&self, me: &Account, other: &str) -> Result<String, ApiError> {
        let body = json!({"type": "direct", "member_ids": [other]});
        let chat: ChatBody = self
            .call(Method::POST, "/chats", Some(&me.token), Some(body))
            .await?;
        Ok(chat.id)
    }

    /// `POST /chats` for a group owned by `owner`; returns the chat id.
    pub(crate) async fn group_chat(
        &self,
        owner: &Account,
        name: &str,
        members: &[String],
    ) -> Result<String, ApiError> {
        let body = json!({"type": "group", "name": name, "member_ids": members});
        let chat: ChatBody = self
            .call(Method::POST, "/chats", Some(&owner.token), Some(body))
            .await?;
        Ok(chat.id)
    }

    /// `POST /chats/{id}/messages`.
    pub(crate) async fn send(
        &self,
        token: &str,
        chat_id: &str,
        body: &str,
        client_message_id: &str,
    ) -> Result<Message, ApiError> {
        let body = json!({"body": body, "client_message_id": client_message_id});
        self.call(
            Method::POST,
            &format!("/chats/{chat_id}/messages"),
            Some(token),
            Some(body),
        )
        .await
    }

    /// `POST /uploads` of `bytes` as the one multipart part `file` named `file_name`;
    /// returns the upload's id.
    pub(crate) async fn upload(
        &self,
        token: &str,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<String, ApiError> {
        const BOUNDARY: &str = "confab-bench-boundary-5e0b";
        let head = format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; \
             filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        );
        let tail = format!("\r\n--{BOUNDARY}--\r\n");
        let mut body = Vec::with_capacity(head.len() + bytes.len() + tail.len());
        body.extend_from_slice(head.as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(tail.as_bytes());
        let response = self
            .http
            .post(format!("{}/uploads", self.base))
            .bearer_auth(token)
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(body)
            .send()
            .await
            .map_err(ApiError::Transport)?;
        let upload: UploadBody = checked(response)
            .await?
            .json()
            .await
            .map_err(ApiError::Decode)?;
        Ok(upload.id)
    }

    /// `GET /files/{id}` (following a redirect to the object store), the body read
    /// chunk by chunk as it arrives and compared with `expected`; whether every byte,
    /// and no more, matched.
    pub(crate) async fn download_matches(
        &self,
        token: &str,
        id: &str,
        expected: &[u8],
    ) -> Result<bool, ApiError> {
        let response = self
            .http
            .get(format!("{}/files/{id}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .map_err(ApiError::Transport)?;
        let mut response = checked(response).await?;
        let mut offset = 0;
        let mut same = true;
        while let Some(chunk) = response.chunk().await.map_err(ApiError::Transport)? {
            let end = offset + chunk.len();
            same &= expected.get(offset..end) == Some(&chunk[..]);
            offset = end;
        }
        Ok(same && offset == expected.len())
    }

    /// `GET /chats/{id}/messages`, the newest page or the page before `before`.
    pub(crate) async fn history(
        &self,
        token: &str,
        chat_id: &str,
        before: Option<i64>,
        limit: u32,
    ) -> Result<MessagePage, ApiError> {
        let path = match before {
            Some(seq) => format!("/chats/{chat_id}/messages?before={seq}&limit={limit}"),
            None => format!("/chats/{chat_id}/messages?limit={limit}"),
        };
        self.call(Method::GET, &path, Some(token), None).await
    }
}

/// The response when its status is a success, else [`ApiError::Status`] with the
/// error body's `code`.
async fn checked(response: reqwest::Response) -> Result<reqwest::Response, ApiError> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    // The error body is informative only; a broken one still reports the status.
    let code = response
        .json::<ErrorBody>()
        .await
        .ok()
        .and_then(|body| body.code)
        .unwrap_or_else(|| "-".to_owned());
    Err(ApiError::Status { status, code })
}

fn account(auth: AuthBody) -> Account {
    Account {
        id: auth.user.id,
        username: auth.user.username,
        token: auth.tokens.access_token,
    }
}
