//! A raw HTTP/1.1 client over TCP, for what an HTTP client library will not do:
//! half-sent heads, stalled bodies, garbage request lines, and watching when the
//! server closes the connection.

use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};

use crate::helpers::TestApp;

/// How long a test waits for an answer or a close that should come.
pub(crate) const PATIENCE: Duration = Duration::from_secs(10);

/// One open connection and what it has received so far.
pub(crate) struct RawConnection {
    stream: TcpStream,
    received: Vec<u8>,
}

/// A parsed response: status, headers (names lower-cased) and the JSON body, if any.
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Value,
}

impl RawResponse {
    /// The first value of header `name` (lower case).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Asserts the error shape with `status` and `code`, served as JSON.
    pub(crate) fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "{self:?}");
        assert!(
            self.header("content-type")
                .is_some_and(|t| t.starts_with("application/json")),
            "{self:?}"
        );
        assert_eq!(self.body["status"], status, "{self:?}");
        assert_eq!(self.body["code"], code, "{self:?}");
        assert!(
            self.body["title"].as_str().is_some_and(|t| !t.is_empty()),
            "{self:?}"
        );
        assert!(self.body["detail"].as_str().is_some(), "{self:?}");
    }
}

impl RawConnection {
    /// Connects to the app.
    pub(crate) async fn open(app: &TestApp) -> Self {
        let address = app.address.trim_start_matches("http://");
        let stream = TcpStream::connect(address).await.expect("connect");
        Self {
            stream,
            received: Vec::new(),
        }
    }

    /// Writes `bytes`; a server that already closed makes this fail, which tests
    /// that expect a close check with [`closed_within`](Self::closed_within).
    pub(crate) async fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).await.expect("write");
    }

    /// Writes `bytes` while reading, and returns the first complete response: a
    /// server that answers before reading everything (and then closes) would make a
    /// client that writes first see a reset instead of the answer.
    pub(crate) async fn exchange(&mut self, bytes: &[u8]) -> RawResponse {
        let (mut reader, mut writer) = self.stream.split();
        let received = &mut self.received;
        let write = async {
            let _ = writer.write_all(bytes).await;
        };
        let read = read_response(&mut reader, received, Instant::now() + PATIENCE);
        let ((), response) = tokio::join!(write, read);
        response.expect("a complete response in time")
    }

    /// Writes `bytes` one at a time, `every` apart, while reading; returns the first
    /// complete response (which may come before everything was written).
    pub(crate) async fn trickle(&mut self, bytes: &[u8], every: Duration) -> RawResponse {
        let (mut reader, mut writer) = self.stream.split();
        let received = &mut self.received;
        let write = async {
            for byte in bytes {
                if writer.write_all(std::slice::from_ref(byte)).await.is_err() {
                    return;
                }
                tokio::time::sleep(every).await;
            }
        };
        let read = read_response(&mut reader, received, Instant::now() + PATIENCE);
        tokio::pin!(read);
        tokio::select! {
            response = &mut read => response,
            // All written: the answer may still be on its way.
            () = write => read.await,
        }
        .expect("a complete response in time")
    }

    /// The next complete response within [`PATIENCE`].
    pub(crate) async fn response(&mut self) -> RawResponse {
        read_response(
            &mut self.stream,
            &mut self.received,
            Instant::now() + PATIENCE,
        )
        .await
        .expect("a complete response in time")
    }

    /// Waits up to `wait` for the server to close the connection. `true` when it
    /// closed (end of stream or reset) without sending anything more.
    pub(crate) async fn closed_within(&mut self, wait: Duration) -> bool {
        let deadline = Instant::now() + wait;
        let mut buffer = [0_u8; 1024];
        loop {
            match timeout_at(deadline, self.stream.read(&mut buffer)).await {
                Err(_) => return false,
                Ok(Ok(0) | Err(_)) => return self.received.is_empty(),
                Ok(Ok(read)) => self.received.extend_from_slice(&buffer[..read]),
            }
        }
    }
}

/// Reads until `received` holds a complete `Content-Length` response, then removes
/// it from `received`. `None` at the deadline or when the server closes first.
async fn read_response(
    reader: &mut (impl AsyncReadExt + Unpin),
    received: &mut Vec<u8>,
    deadline: Instant,
) -> Option<RawResponse> {
    let mut buffer = vec![0_u8; 16 * 1024];
    loop {
        if let Some((response, length)) = parse_response(received) {
            received.drain(..length);
            return Some(response);
        }
        match timeout_at(deadline, reader.read(&mut buffer)).await {
            Ok(Ok(read)) if read > 0 => received.extend_from_slice(&buffer[..read]),
            _ => return None,
        }
    }
}

/// A complete response at the start of `bytes`, and how many bytes it took.
fn parse_response(bytes: &[u8]) -> Option<(RawResponse, usize)> {
    let head_end = bytes.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = std::str::from_utf8(&bytes[..head_end]).expect("an ASCII head");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()?
        .split(' ')
        .nth(1)?
        .parse()
        .expect("status code");
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .map_or(0, |(_, value)| value.parse().expect("content-length"));
    let body = bytes.get(head_end..head_end + length)?;
    let body = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
    };
    Some((
        RawResponse {
            status,
            headers,
            body,
        },
        head_end + length,
    ))
}
