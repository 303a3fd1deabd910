//! The answers the connection layer writes itself, as bytes, for requests poem
//! never sees: a head that did not arrive in time (408). They carry the error shape and the security headers like every other answer, and
//! `Connection: close`: the connection ends after them.

use std::fmt::Write as _;
use std::time::Duration;

use confab_api::error::{ApiError, ErrorCode};
use confab_api::middleware::security_headers::SECURITY_HEADERS;
use poem::error::ResponseError;

/// `408 request_timeout`: the head did not arrive within `header_timeout`.
pub(super) fn head_timed_out(header_timeout: Duration) -> Vec<u8> {
    render(&ApiError::new(
        ErrorCode::RequestTimeout,
        format!(
            "The request head did not arrive within {} s.",
            header_timeout.as_secs()
        ),
    ))
}

/// `error` as a whole HTTP/1.1 response.
fn render(error: &ApiError) -> Vec<u8> {
    let status = error.status();
    let body = error.json();
    let mut head = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\ndate: {}\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or_default(),
        body.len(),
        chrono::Utc::now().format("%a, %d %b %Y %H:%M:%S GMT"),
    );
    for (name, value) in SECURITY_HEADERS {
        let _ = write!(head, "{name}: {value}\r\n");
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body.as_bytes());
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(bytes: &[u8]) -> (String, serde_json::Value) {
        let text = String::from_utf8(bytes.to_vec()).expect("utf-8");
        let (head, body) = text.split_once("\r\n\r\n").expect("a head");
        (
            head.to_owned(),
            serde_json::from_str(body).expect("a JSON body"),
        )
    }

    #[test]
    fn the_head_timeout_answer_is_a_408_in_the_error_shape() {
        let (head, body) = parts(&head_timed_out(Duration::from_secs(10)));
        assert!(
            head.starts_with("HTTP/1.1 408 Request Timeout\r\n"),
            "{head}"
        );
        assert_eq!(body["code"], "request_timeout");
        assert!(body["detail"].as_str().is_some_and(|d| d.contains("10 s")));
    }
}
