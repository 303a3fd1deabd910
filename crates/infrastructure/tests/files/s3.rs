//! The S3 store against a real endpoint (`CONFAB_TEST_S3_ENDPOINT`): a bucket of
//! its own per test, and the presigned URLs clients are sent to.

use std::time::Duration;

use confab_application::ports::{Delivery, ObjectStore};
use confab_infrastructure::files::{self, S3Settings};

use crate::support::{Store, headers, key, put};

/// A fresh bucket on the test endpoint, and the store on it.
pub(crate) struct Bucket {
    pub(crate) store: Store,
    pub(crate) name: String,
    pub(crate) endpoint: String,
}

impl Bucket {
    /// `None` (saying so) when `CONFAB_TEST_S3_ENDPOINT` is unset.
    pub(crate) async fn create() -> Option<Self> {
        let Some(endpoint) = std::env::var("CONFAB_TEST_S3_ENDPOINT")
            .ok()
            .filter(|url| !url.trim().is_empty())
        else {
            eprintln!("skipped: CONFAB_TEST_S3_ENDPOINT unset");
            return None;
        };
        let endpoint = endpoint.trim().trim_end_matches('/').to_owned();
        let name = format!("confab-test-{}", uuid::Uuid::now_v7().simple());
        // CreateBucket, unsigned: moto accepts it (the store itself never creates
        // buckets, so the adapter has no call for it).
        let created = reqwest::Client::new()
            .put(format!("{endpoint}/{name}"))
            .send()
            .await
            .expect("the S3 endpoint answers");
        assert!(
            created.status().is_success(),
            "create bucket {name}: {}",
            created.status()
        );
        let store = files::s3(S3Settings {
            bucket: name.clone(),
            endpoint: Some(endpoint.clone()),
            region: None,
        })
        .expect("S3 store");
        Some(Self {
            store,
            name,
            endpoint,
        })
    }
}

/// The presigned URL of `key`, valid for `valid_for`.
async fn presigned(store: &dyn ObjectStore, key: &str, valid_for: Duration) -> String {
    match store.delivery(key, valid_for).await.expect("delivery") {
        Delivery::Redirect(url) => url,
        Delivery::Stream => panic!("S3 downloads are presigned URLs"),
    }
}

#[tokio::test]
async fn presigned_urls_serve_the_object_with_its_download_headers() {
    let Some(bucket) = Bucket::create().await else {
        return;
    };
    let key = key("presigned");
    put(&*bucket.store, &key, &[b"signed ", b"bytes"]).await;
    let url = presigned(&*bucket.store, &key, Duration::from_mins(5)).await;
    // Path-style with an endpoint: no wildcard DNS needed.
    assert!(
        url.starts_with(&format!("{}/{}/{key}?", bucket.endpoint, bucket.name)),
        "{url}"
    );
    let response = reqwest::get(&url).await.expect("GET the presigned URL");
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    let expected = headers();
    assert_eq!(header("content-type"), Some(expected.content_type));
    assert_eq!(
        header("content-disposition"),
        Some(expected.content_disposition)
    );
    assert_eq!(
        response.bytes().await.expect("body").as_ref(),
        b"signed bytes"
    );
}

/// moto (5.2) checks neither the signature nor the expiry of a presigned URL (an
/// expired or altered URL still answers 200), so what can be checked here is that
/// the URL carries a SigV4 signature and the validity asked for; AWS and MinIO
/// enforce both.
#[tokio::test]
async fn presigned_urls_are_signed_for_the_validity_asked() {
    let Some(bucket) = Bucket::create().await else {
        return;
    };
    let key = key("short-lived");
    put(&*bucket.store, &key, &[b"soon gone"]).await;
    for (valid_for, expires) in [
        (Duration::from_mins(5), "300"),
        (Duration::from_secs(30), "30"),
    ] {
        let url = presigned(&*bucket.store, &key, valid_for).await;
        let query: Vec<(String, String)> = reqwest::Url::parse(&url)
            .expect("a URL")
            .query_pairs()
            .map(|(name, value)| (name.into_owned(), value.into_owned()))
            .collect();
        let param = |name: &str| {
            query
                .iter()
                .find(|(found, _)| found == name)
                .map(|(_, value)| value.as_str())
        };
        assert_eq!(param("X-Amz-Algorithm"), Some("AWS4-HMAC-SHA256"), "{url}");
        assert_eq!(param("X-Amz-Expires"), Some(expires), "{url}");
        assert!(
            param("X-Amz-Signature").is_some_and(|sig| sig.len() == 64),
            "{url}"
        );
        assert!(
            !url.contains("test:test") && !url.contains("Secret"),
            "{url}"
        );
    }
}
