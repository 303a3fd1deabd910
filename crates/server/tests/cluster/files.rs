//! Two nodes sharing one S3 bucket (issue #14): a file uploaded through node A is
//! served by node B, as docs/files.md promises for several nodes. Runs against the
//! S3 endpoint in `CONFAB_TEST_S3_ENDPOINT` (moto_server in CI), besides the
//! PostgreSQL and Redis the other cluster tests need; skipped, with a notice, when
//! any of them is missing.

use std::fmt::Write as _;
use std::io::Write as _;

use reqwest::StatusCode;
use reqwest::header::LOCATION;
use sha2::{Digest, Sha256};

use crate::support::{Node, register, settings, start_node};

const BOUNDARY: &str = "confab-cluster-boundary-31c4";

/// The S3 endpoint under test, with a fresh bucket on it; `None`, saying so, when
/// `CONFAB_TEST_S3_ENDPOINT` is unset.
async fn fresh_bucket() -> Option<(String, String)> {
    let Some(endpoint) = std::env::var("CONFAB_TEST_S3_ENDPOINT")
        .ok()
        .map(|url| url.trim().trim_end_matches('/').to_owned())
        .filter(|url| !url.is_empty())
    else {
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED cluster S3 test: set CONFAB_TEST_S3_ENDPOINT (e.g. a moto_server)"
        );
        return None;
    };
    let bucket = format!("confab-cluster-{}", uuid::Uuid::now_v7().simple());
    // CreateBucket, unsigned: moto accepts it (confab never creates buckets).
    let created = reqwest::Client::new()
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .expect("the S3 endpoint answers");
    assert!(
        created.status().is_success(),
        "create bucket {bucket}: {}",
        created.status()
    );
    Some((endpoint, bucket))
}

/// Bytes that are no known file type, over one 5 MiB multipart part, so the upload
/// to S3 takes two parts.
fn payload() -> Vec<u8> {
    const SIZE: usize = 6 * 1024 * 1024 + 123;
    let mut bytes = Vec::with_capacity(SIZE);
    let mut block = Sha256::digest(b"confab cluster file");
    while bytes.len() < SIZE {
        bytes.extend_from_slice(&block);
        block = Sha256::digest(block);
    }
    bytes.truncate(SIZE);
    bytes
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .fold(String::new(), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

/// `POST /uploads` of `bytes` as `filename` through `node`; returns the upload id
/// and the SHA-256 the server computed.
async fn upload(node: &Node, token: &str, filename: &str, bytes: &[u8]) -> (String, String) {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; \
         filename=\"{filename}\"\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let response = reqwest::Client::new()
        .post(node.url("/api/v1/uploads"))
        .bearer_auth(token)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(body)
        .send()
        .await
        .expect("upload sent");
    assert_eq!(response.status(), StatusCode::CREATED, "upload through A");
    let upload: serde_json::Value = response.json().await.expect("json");
    (
        upload["id"].as_str().expect("id").to_owned(),
        upload["sha256"].as_str().expect("sha256").to_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_uploaded_through_one_node_is_served_by_the_other() {
    let Some((database, redis)) = settings().await else {
        return;
    };
    let Some((endpoint, bucket)) = fresh_bucket().await else {
        return;
    };
    // moto takes any credentials; a real endpoint gets the ones in the environment.
    let credential = |name: &str| std::env::var(name).unwrap_or_else(|_| "test".to_owned());
    let (key_id, secret) = (
        credential("AWS_ACCESS_KEY_ID"),
        credential("AWS_SECRET_ACCESS_KEY"),
    );
    let vars = [
        ("DATABASE_URL", database.url()),
        ("CONFAB_REDIS_URL", redis.as_str()),
        ("CONFAB_S3_BUCKET", bucket.as_str()),
        ("CONFAB_S3_ENDPOINT", endpoint.as_str()),
        ("AWS_ACCESS_KEY_ID", key_id.as_str()),
        ("AWS_SECRET_ACCESS_KEY", secret.as_str()),
    ];
    let node_a = start_node(&vars).await;
    let node_b = start_node(&vars).await;
    let (_, alice) = register(&node_a, "alice").await;
    let bytes = payload();
    let (id, sha256) = upload(&node_a, &alice, "report.bin", &bytes).await;
    assert_eq!(sha256, hex_sha256(&bytes), "node A hashed what it was sent");

    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let answer = no_redirects
        .get(node_b.url(&format!("/api/v1/files/{id}")))
        .bearer_auth(&alice)
        .send()
        .await
        .expect("download asked of B");
    assert_eq!(answer.status(), StatusCode::FOUND, "B sends to the bucket");
    let location = answer
        .headers()
        .get(LOCATION)
        .and_then(|value| value.to_str().ok())
        .expect("a Location")
        .to_owned();
    assert!(
        location.starts_with(&format!("{endpoint}/{bucket}/")),
        "a presigned URL on the shared bucket: {location}"
    );

    // The presigned URL needs no token: the store itself serves the bytes.
    let served = reqwest::get(&location).await.expect("presigned GET");
    assert_eq!(served.status(), StatusCode::OK);
    let disposition = served
        .headers()
        .get("content-disposition")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        disposition.starts_with("attachment") && disposition.contains("report.bin"),
        "the object keeps its upload's disposition: {disposition:?}"
    );
    let body = served.bytes().await.expect("body");
    assert_eq!(body.len(), bytes.len());
    assert_eq!(hex_sha256(&body), sha256, "B served the bytes sent to A");
}
