//! `GET /api/v1/ws`: authenticate (header or `?access_token=`), then upgrade.

use confab_application::accounts::Authenticated;
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use poem::Request;
use poem::http::StatusCode;
use poem::web::websocket::{WebSocket, WebSocketConfig, WebSocketStream, WebSocketUpgraded};
use poem_openapi::auth::ApiKey;
use poem_openapi::{OpenApi, SecurityScheme, Tags as DeriveTags};

use super::Gateway;
use super::connection::serve;
use crate::error::{ApiError, ErrorCode, Outcomes, Refused};
use crate::security::{BearerAuth, authenticate_token};

/// A plain HTTP request to the WebSocket route (`400 validation_failed`).
#[derive(Debug)]
pub struct NotAnUpgrade;

impl From<NotAnUpgrade> for ApiError {
    fn from(_: NotAnUpgrade) -> Self {
        Self::new(
            ErrorCode::ValidationFailed,
            "This route only accepts a WebSocket upgrade request.",
        )
        .with_status(StatusCode::BAD_REQUEST)
    }
}

impl Outcomes for NotAnUpgrade {
    fn samples() -> Vec<Self> {
        vec![Self]
    }
}

/// The largest frame a client may send; a bigger one ends the connection.
const MAX_FRAME_BYTES: usize = 64 * 1024;

/// The read buffer each socket allocates up front.
const READ_BUFFER_BYTES: usize = 4 * 1024;

/// The socket handler poem runs after the upgrade.
pub(super) type BoxedCallback =
    Box<dyn FnOnce(WebSocketStream) -> BoxFuture<'static, ()> + Send + Sync>;

#[derive(DeriveTags)]
enum ApiTags {
    /// The realtime WebSocket: one socket per client for all its chats.
    Realtime,
}

/// `?access_token=<access_token>`, for browsers, which cannot set headers on a
/// WebSocket. Checked exactly like the bearer header; never logged.
#[derive(SecurityScheme)]
#[oai(
    ty = "api_key",
    key_name = "access_token",
    key_in = "query",
    checker = "authenticate_query",
    rename = "access_token"
)]
pub(super) struct QueryToken(Authenticated);

async fn authenticate_query(req: &Request, key: ApiKey) -> poem::Result<Authenticated> {
    authenticate_token(req, &key.key).await
}

/// The bearer header, or the query parameter.
#[derive(SecurityScheme)]
pub(super) enum SocketAuth {
    /// `Authorization: Bearer <access_token>`.
    Bearer(BearerAuth),
    /// `?access_token=<access_token>`.
    Query(QueryToken),
}

impl SocketAuth {
    const fn caller(&self) -> Authenticated {
        match self {
            Self::Bearer(bearer) => *bearer.caller(),
            Self::Query(QueryToken(auth)) => *auth,
        }
    }
}

/// The WebSocket endpoint.
pub struct WsApi {
    gateway: Gateway,
}

impl WsApi {
    /// Serves sockets through `gateway`.
    pub fn new(gateway: Gateway) -> Self {
        Self { gateway }
    }
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Realtime")]
impl WsApi {
    /// Open the realtime WebSocket
    ///
    /// Authenticate with `Authorization: Bearer <access_token>`, or with
    /// `?access_token=` where headers cannot be set (browsers); a missing, bad or
    /// revoked token is `401 unauthorized` before the upgrade. Frames are JSON text.
    /// First `{"type":"ready","user_id","session_id","chats":[{"chat_id","last_seq"}]}`,
    /// then every logged event above those heads, per chat in `seq` order, as
    /// `{"type","chat_id","seq","data"}` (the objects of `GET /chats/{id}/events`;
    /// `read.updated` and `typing` have no `seq`). Client frames: `ping`, `typing`
    /// `{chat_id}`, `read` `{chat_id, seq}`, `message.send` `{chat_id, body,
    /// client_message_id, reply_to_id?}`; a bad frame is answered with
    /// `{"type":"error","code","detail"}` and the socket stays open. Close codes: 4401
    /// session revoked, 4008 slow consumer (reconnect and catch up), 4000 heartbeat
    /// timeout, 1011 server error, 1012 node shutting down. Every frame with its JSON
    /// Schema: `/asyncapi.json` (AsyncAPI 3.0). See docs/realtime.md.
    #[oai(path = "/ws", method = "get", operation_id = "openWebSocket")]
    // poem-openapi requires operations to be async, even one that only upgrades.
    #[allow(clippy::unused_async)]
    async fn connect(
        &self,
        auth: SocketAuth,
        websocket: Option<WebSocket>,
    ) -> Result<WebSocketUpgraded<BoxedCallback>, Refused<NotAnUpgrade>> {
        let Some(websocket) = websocket else {
            return Err(NotAnUpgrade.into());
        };
        // The largest legitimate frame is a `message.send` of `MessageBody::MAX_LEN` characters; a
        // 64 KiB cap keeps a client from making the server buffer megabytes. Clients
        // send little, so a 4 KiB read buffer (tungstenite allocates and zero-fills
        // 128 KiB per socket by default) cuts an idle socket from about 131 KB to
        // about 7 KB and the fan-out CPU spent zeroing it (docs/benchmarks.md).
        let limits = WebSocketConfig::default()
            .read_buffer_size(READ_BUFFER_BYTES)
            .max_message_size(Some(MAX_FRAME_BYTES))
            .max_frame_size(Some(MAX_FRAME_BYTES));
        let websocket = websocket.config(limits);
        let gateway = self.gateway.clone();
        let caller = auth.caller();
        let callback: BoxedCallback =
            Box::new(move |stream| serve(stream, gateway, caller).boxed());
        Ok(websocket.on_upgrade(callback))
    }
}
