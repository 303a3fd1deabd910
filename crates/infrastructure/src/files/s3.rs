//! S3 and S3-compatible stores (MinIO, moto): `object_store`'s `AmazonS3`. Objects
//! keep their download headers, and clients fetch them through presigned URLs.

use std::sync::Arc;

use confab_application::ports::{ObjectStore, StoreError};
use object_store::aws::AmazonS3Builder;

use super::adapter::{Downloads, StoreAdapter};

/// Where the bucket is. Credentials come from the usual `AWS_*` variables
/// (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Settings {
    /// The bucket (it must exist).
    pub bucket: String,
    /// An S3-compatible endpoint such as `http://minio:9000`; `None` = AWS itself.
    /// With an endpoint, URLs are path-style (`<endpoint>/<bucket>/<key>`), which
    /// MinIO and moto serve without wildcard DNS.
    pub endpoint: Option<String>,
    /// The region; `None` = `AWS_REGION`, else `us-east-1`.
    pub region: Option<String>,
}

pub(super) fn store(settings: S3Settings) -> Result<Arc<dyn ObjectStore>, StoreError> {
    let mut builder = AmazonS3Builder::from_env().with_bucket_name(&settings.bucket);
    if let Some(region) = settings.region {
        builder = builder.with_region(region);
    }
    if let Some(endpoint) = settings.endpoint {
        builder = builder
            .with_allow_http(endpoint.starts_with("http://"))
            .with_virtual_hosted_style_request(false)
            .with_endpoint(endpoint);
    }
    let bucket = Arc::new(
        builder
            .build()
            .map_err(|error| StoreError::Unavailable(format!("S3 settings: {error}")))?,
    );
    Ok(Arc::new(StoreAdapter::new(
        Arc::clone(&bucket) as _,
        Downloads::Presigned(bucket),
    )))
}
