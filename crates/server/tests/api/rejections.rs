//! What the HTTP layer refuses before any handler runs (a URI or head too long, too
//! many header fields, bytes that are not HTTP) still answers in the error shape,
//! with the security headers, on the wire as a raw client sees it.

use crate::api_test;
use crate::helpers::TestApp;
use crate::raw::{RawConnection, RawResponse};

fn assert_refused(response: &RawResponse, status: u16, code: &str) {
    response.assert_error(status, code);
    assert_eq!(
        response.header("x-content-type-options"),
        Some("nosniff"),
        "{response:?}"
    );
}

async fn refuse(app: &TestApp, request: &[u8]) -> RawResponse {
    RawConnection::open(app).await.exchange(request).await
}

async fn a_long_uri_is_414_in_the_error_shape(app: TestApp) {
    let path = format!("/health?pad={}", "a".repeat(9000));
    let request = format!("GET {path} HTTP/1.1\r\nhost: confab\r\n\r\n");
    assert_refused(&refuse(&app, request.as_bytes()).await, 414, "uri_too_long");
    // Past the 64 KiB head limit, the URI alone makes the head too large.
    let path = format!("/health?{}", "a".repeat(70_000));
    let request = format!("GET {path} HTTP/1.1\r\nhost: confab\r\n\r\n");
    assert_refused(
        &refuse(&app, request.as_bytes()).await,
        431,
        "headers_too_large",
    );
}
api_test!(a_long_uri_is_414_in_the_error_shape);

async fn too_many_or_too_large_header_fields_are_431_in_the_error_shape(app: TestApp) {
    let many = "x-field: many\r\n".repeat(150);
    let request = format!("GET /health HTTP/1.1\r\nhost: confab\r\n{many}\r\n");
    assert_refused(
        &refuse(&app, request.as_bytes()).await,
        431,
        "headers_too_large",
    );
    let huge = "b".repeat(70_000);
    let request = format!("GET /health HTTP/1.1\r\nhost: confab\r\nx-huge: {huge}\r\n\r\n");
    assert_refused(
        &refuse(&app, request.as_bytes()).await,
        431,
        "headers_too_large",
    );
}
api_test!(too_many_or_too_large_header_fields_are_431_in_the_error_shape);

async fn bytes_that_are_not_http_are_400_in_the_error_shape(app: TestApp) {
    for garbage in [
        &b"NOT HTTP AT ALL\r\n\r\n"[..],
        b"GET /health HTTP/1.1\r\nno colon here\r\n\r\n",
        b"GET /health HTTP/1.1\r\nhost: confab\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
    ] {
        let response = refuse(&app, garbage).await;
        assert_refused(&response, 400, "bad_request");
        assert_eq!(response.header("connection"), Some("close"), "{response:?}");
    }
}
api_test!(bytes_that_are_not_http_are_400_in_the_error_shape);
