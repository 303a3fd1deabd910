//! WebSocket client for `GET /api/v1/ws`: connect with a bearer token, read frames.

use std::time::Duration;

use futures_util::StreamExt;
use serde::Deserialize;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// An open, authenticated socket.
pub(crate) type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Why a socket could not be used.
#[derive(Debug, thiserror::Error)]
pub(crate) enum WsError {
    /// The handshake or a read failed (refused, 401 before upgrade, reset).
    #[error("websocket: {0}")]
    Protocol(#[from] tungstenite::Error),
    /// The token could not be put in a header.
    #[error("access token is not a valid header value")]
    BadToken,
    /// The server closed the socket or sent nothing in time.
    #[error("no {0} frame within the time limit")]
    Timeout(&'static str),
    /// A frame was not the JSON docs/realtime.md describes.
    #[error("unexpected frame: {0}")]
    Frame(#[from] serde_json::Error),
    /// The first frame was not `ready`.
    #[error("first frame was `{0}`, not `ready`")]
    NotReady(String),
}

/// The fields of a server frame the harness reads; everything else is skipped.
#[derive(Debug, Deserialize)]
pub(crate) struct Frame {
    /// `ready`, `message.created`, ...
    #[serde(rename = "type")]
    pub(crate) kind: String,
    /// The chat of an event.
    #[serde(default)]
    pub(crate) chat_id: Option<String>,
    /// The event's seq (absent on unlogged events).
    #[serde(default)]
    pub(crate) seq: Option<i64>,
    /// The event's data, read only for messages.
    #[serde(default)]
    pub(crate) data: Option<FrameData>,
}

/// The part of an event's data the harness reads.
#[derive(Debug, Deserialize)]
pub(crate) struct FrameData {
    /// The message's `client_message_id`, set by the harness on every send.
    #[serde(default)]
    pub(crate) client_message_id: Option<String>,
}

/// Turns `http://host:port` into the socket URL `ws://host:port/api/v1/ws`.
pub(crate) fn socket_url(base: &str) -> String {
    let base = base.trim_end_matches('/');
    let rest = base
        .strip_prefix("http://")
        .map_or_else(|| base.to_owned(), |rest| format!("ws://{rest}"));
    format!("{rest}/api/v1/ws")
}

/// Opens a socket with the `Authorization` header and waits for its `ready` frame.
pub(crate) async fn connect(url: &str, token: &str) -> Result<Socket, WsError> {
    let mut request = url.into_client_request()?;
    let header =
        HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| WsError::BadToken)?;
    request.headers_mut().insert("authorization", header);
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await?;
    let first = next_frame(&mut socket, Duration::from_secs(30), "ready").await?;
    if first.kind != "ready" {
        return Err(WsError::NotReady(first.kind));
    }
    Ok(socket)
}

/// Reads the next JSON text frame, skipping pings and pongs, within `limit`.
pub(crate) async fn next_frame(
    socket: &mut Socket,
    limit: Duration,
    what: &'static str,
) -> Result<Frame, WsError> {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let message = tokio::time::timeout_at(deadline, socket.next())
            .await
            .map_err(|_| WsError::Timeout(what))?
            .ok_or(WsError::Timeout(what))??;
        match message {
            Message::Text(text) => return Ok(serde_json::from_str(text.as_str())?),
            Message::Close(_) => return Err(WsError::Timeout(what)),
            Message::Binary(_) | Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_url_swaps_the_scheme_and_adds_the_path() {
        assert_eq!(
            socket_url("http://127.0.0.1:8080/"),
            "ws://127.0.0.1:8080/api/v1/ws"
        );
    }

    #[test]
    fn frames_parse_with_and_without_seq() {
        let event: Frame = serde_json::from_str(
            r#"{"type":"message.created","chat_id":"c","seq":7,"data":{"client_message_id":"m1","body":"x"}}"#,
        )
        .expect("valid frame");
        assert_eq!(event.seq, Some(7));
        assert_eq!(
            event.data.and_then(|d| d.client_message_id).as_deref(),
            Some("m1")
        );
        let pong: Frame = serde_json::from_str(r#"{"type":"pong"}"#).expect("valid frame");
        assert_eq!(pong.seq, None);
    }
}
