//! `POST /uploads`: streamed, counted, hashed, sniffed; refused when too large,
//! over the quota, empty or an unreadable image.

use sha2::{Digest, Sha256};

use super::{png, upload, uploaded};
use crate::api_test;
use crate::helpers::{TestApp, TestConfig, assert_error};

async fn an_upload_is_described_by_its_bytes_not_by_the_client(app: TestApp) {
    let alice = app.register("alice").await;
    let image = png(40, 30);
    let body = uploaded(&app, &alice, "x.exe", &image).await;
    assert_eq!(body["content_type"], "image/png");
    assert_eq!(body["filename"], "x.exe");
    assert_eq!(body["size"], image.len());
    assert_eq!(body["sha256"], format!("{:x}", Sha256::digest(&image)));
    assert_eq!(
        (body["width"].clone(), body["height"].clone()),
        (40.into(), 30.into())
    );
    assert!(body["created_at"].is_string());

    let html = b"<!DOCTYPE html><html><script>alert(1)</script></html>";
    let page = uploaded(&app, &alice, "x.png", html).await;
    assert_ne!(page["content_type"], "image/png");
    assert!(page["width"].is_null() && page["height"].is_null());
}
api_test!(an_upload_is_described_by_its_bytes_not_by_the_client);

async fn a_path_in_the_file_name_is_only_a_display_name(app: TestApp) {
    let alice = app.register("alice").await;
    let body = uploaded(&app, &alice, "../../etc/passwd", b"root:x:0:0").await;
    assert_eq!(body["filename"], "passwd");
    assert_eq!(body["content_type"], "application/octet-stream");
    let hidden = uploaded(&app, &alice, "..\\..\\.bashrc", b"echo hi").await;
    assert_eq!(hidden["filename"], "bashrc");
}
api_test!(a_path_in_the_file_name_is_only_a_display_name);

async fn empty_files_and_broken_images_are_refused(app: TestApp) {
    let alice = app.register("alice").await;
    let empty = upload(&app, &alice, "empty.txt", b"").await;
    assert_error(empty, 422, "validation_failed").await;
    let whole = png(64, 64);
    let truncated = upload(&app, &alice, "cut.png", &whole[..whole.len() / 2]).await;
    let body = assert_error(truncated, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "file");
    // Nothing refused counts against the quota or can be fetched.
    let fine = uploaded(&app, &alice, "ok.txt", b"ok").await;
    assert_eq!(fine["size"], 2);
}
api_test!(empty_files_and_broken_images_are_refused);

fn small_limits() -> TestConfig {
    TestConfig {
        upload_limits: Some((1000, 1500)),
        ..TestConfig::default()
    }
}

async fn files_over_the_limit_are_refused(app: TestApp) {
    let alice = app.register("alice").await;
    uploaded(&app, &alice, "fits.bin", &[7; 1000]).await;
    // Counted while streaming: the declared length is within the framing slack.
    let over = upload(&app, &alice, "over.bin", &[7; 1001]).await;
    assert_error(over, 413, "payload_too_large").await;
    // Declared far over the limit: refused before the body is read.
    let huge = upload(&app, &alice, "huge.bin", &vec![7; 64 * 1024]).await;
    assert_error(huge, 413, "payload_too_large").await;
}
api_test!(files_over_the_limit_are_refused, small_limits);

async fn the_quota_counts_every_upload_of_the_user(app: TestApp) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    uploaded(&app, &alice, "a.bin", &[1; 800]).await;
    let second = upload(&app, &alice, "b.bin", &[2; 800]).await;
    assert_error(second, 413, "quota_exceeded").await;
    uploaded(&app, &alice, "c.bin", &[3; 700]).await;
    let full = upload(&app, &alice, "d.bin", &[4; 1]).await;
    assert_error(full, 413, "quota_exceeded").await;
    // Bob has a quota of his own.
    uploaded(&app, &bob, "b.bin", &[2; 800]).await;
}
api_test!(the_quota_counts_every_upload_of_the_user, small_limits);

async fn uploads_need_a_token_and_a_file_part(app: TestApp) {
    let alice = app.register("alice").await;
    let anonymous = app
        .request(reqwest::Method::POST, "/api/v1/uploads", None)
        .header("content-type", "multipart/form-data; boundary=x")
        .body("--x--\r\n")
        .send()
        .await
        .expect("send");
    assert_error(anonymous, 401, "unauthorized").await;
    let no_file = app
        .request(
            reqwest::Method::POST,
            "/api/v1/uploads",
            Some(&alice.access),
        )
        .header("content-type", "multipart/form-data; boundary=x")
        .body("--x\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nhi\r\n--x--\r\n")
        .send()
        .await
        .expect("send");
    assert_error(no_file, 422, "validation_failed").await;
    let json = app
        .send_json(
            reqwest::Method::POST,
            "/api/v1/uploads",
            Some(&alice.access),
            &serde_json::json!({"file": "x"}),
        )
        .await;
    assert_error(json, 415, "unsupported_media_type").await;
}
api_test!(uploads_need_a_token_and_a_file_part);
