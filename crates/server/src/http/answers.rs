//! The answers the connection layer writes itself, as bytes, for requests poem
//! never sees: a head that did not arrive in time (408), and the error-shaped answer
//! that replaces the bare head hyper writes when a head does not parse (400, 431).
//! They carry the error shape and the security headers like every other answer, and
//! `Connection: close`: the connection ends after them.

use std::fmt::Write as _;
use std::time::Duration;

use confab_api::error::{ApiError, ErrorCode};
use confab_api::middleware::security_headers::SECURITY_HEADERS;
use poem::error::ResponseError;

use super::{MAX_HEAD_BYTES, MAX_HEADER_FIELDS};

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

/// The answer to write instead of `bytes`, when `bytes` is one of hyper's bare
/// error heads (hyper's `Server::on_error`: status 400, 414 or 431 with
/// `content-length: 0` and no content type, written when a head does not parse).
/// Every answer of our own to those statuses has a JSON body, so only hyper's match.
pub(super) fn instead_of_bare_head(bytes: &[u8]) -> Option<Vec<u8>> {
    let head = std::str::from_utf8(bytes).ok()?.to_ascii_lowercase();
    let status = head.strip_prefix("http/1.1 ")?.get(..3)?;
    let bare = head.ends_with("\r\n\r\n")
        && head.contains("\r\ncontent-length: 0\r\n")
        && !head.contains("\r\ncontent-type:");
    if !bare {
        return None;
    }
    let error = match status {
        "400" => ApiError::new(ErrorCode::BadRequest, "The request is not valid HTTP/1.1."),
        "414" => ApiError::new(ErrorCode::UriTooLong, "The request URI is too long."),
        "431" => ApiError::new(
            ErrorCode::HeadersTooLarge,
            format!(
                "The request head exceeds {} KiB or {MAX_HEADER_FIELDS} header fields.",
                MAX_HEAD_BYTES / 1024
            ),
        ),
        _ => return None,
    };
    Some(render(&error))
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
    fn bare_error_heads_of_hyper_become_error_shaped_answers() {
        let bare = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n\
                     date: Wed, 02 Dec 2026 15:44:51 GMT\r\n\r\n";
        let (head, body) = parts(&instead_of_bare_head(bare).expect("replaced"));
        assert!(head.starts_with("HTTP/1.1 431 "), "{head}");
        assert!(head.contains("\r\nconnection: close"), "{head}");
        assert!(
            head.contains("\r\nx-content-type-options: nosniff"),
            "{head}"
        );
        assert_eq!(body["code"], "headers_too_large");
        assert_eq!(body["status"], 431);
    }

    #[test]
    fn answers_with_a_body_or_other_statuses_pass_untouched() {
        for head in [
            &b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 0\r\n\r\n"[..],
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 10\r\n\r\n",
            b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n",
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n{}",
            b"{\"status\": 400}",
        ] {
            assert_eq!(instead_of_bare_head(head), None, "{head:?}");
        }
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
