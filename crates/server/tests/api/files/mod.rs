//! `/uploads` and `/files`: what an upload stores and refuses, and who may
//! download it with which headers.

mod attachments;
mod avatars;
mod downloads;
mod lifecycle;
mod uploads;

use std::io::Cursor;

use image::{DynamicImage, ImageFormat};
use reqwest::Method;
use serde_json::Value;

use crate::helpers::{TestApp, TestUser};

const BOUNDARY: &str = "confab-test-boundary-7d1f";

/// The `Content-Type` of a [`multipart`] body.
pub(crate) const MULTIPART_TYPE: &str = "multipart/form-data; boundary=confab-test-boundary-7d1f";

/// A `multipart/form-data` body with one part `file` named `filename`, claiming a
/// type the server must ignore.
pub(crate) fn multipart(filename: &str, bytes: &[u8]) -> Vec<u8> {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; \
         filename=\"{filename}\"\r\nContent-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// `POST /uploads` of `bytes` as `filename`.
pub(super) async fn upload(
    app: &TestApp,
    user: &TestUser,
    filename: &str,
    bytes: &[u8],
) -> reqwest::Response {
    app.request(Method::POST, "/api/v1/uploads", Some(&user.access))
        .header("content-type", MULTIPART_TYPE)
        .body(multipart(filename, bytes))
        .send()
        .await
        .expect("send")
}

/// Uploads `bytes` expecting 201; returns the upload.
pub(crate) async fn uploaded(
    app: &TestApp,
    user: &TestUser,
    filename: &str,
    bytes: &[u8],
) -> Value {
    let response = upload(app, user, filename, bytes).await;
    assert_eq!(response.status().as_u16(), 201, "upload {filename}");
    response.json().await.expect("json")
}

/// A PNG of `width` × `height` pixels.
pub(crate) fn png(width: u32, height: u32) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    DynamicImage::new_rgb8(width, height)
        .write_to(&mut out, ImageFormat::Png)
        .expect("encode png");
    out.into_inner()
}

/// The id of an upload.
pub(crate) fn id_of(upload: &Value) -> &str {
    upload["id"].as_str().expect("upload id")
}
