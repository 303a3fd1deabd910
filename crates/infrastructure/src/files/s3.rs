//! S3 and S3-compatible stores (MinIO, moto): `object_store`'s `AmazonS3`. Objects
//! keep their download headers, and clients fetch them through presigned URLs.

use std::sync::Arc;

use confab_application::ports::{ObjectStore, StoreError};
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};

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

impl S3Settings {
    /// The origin (`scheme://host[:port]`) of the bucket's presigned URLs, which
    /// are path-style: the endpoint's, or AWS's regional one for the region the
    /// client resolves (`CONFAB_S3_REGION`, else `AWS_REGION`, else `us-east-1`).
    pub fn download_origin(&self) -> String {
        if let Some(endpoint) = &self.endpoint {
            let (scheme, rest) = endpoint.split_once("://").unwrap_or(("https", endpoint));
            let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
            return format!("{scheme}://{authority}");
        }
        let region = self.region.clone().unwrap_or_else(|| {
            AmazonS3Builder::from_env()
                .get_config_value(&AmazonS3ConfigKey::Region)
                .unwrap_or_else(|| "us-east-1".to_owned())
        });
        format!("https://s3.{region}.amazonaws.com")
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(endpoint: Option<&str>, region: Option<&str>) -> S3Settings {
        S3Settings {
            bucket: "confab".to_owned(),
            endpoint: endpoint.map(str::to_owned),
            region: region.map(str::to_owned),
        }
    }

    #[test]
    fn downloads_come_from_the_endpoints_origin_or_the_regions() {
        let minio = settings(Some("https://minio.example.com:9000/storage"), None);
        assert_eq!(minio.download_origin(), "https://minio.example.com:9000");
        let moto = settings(Some("http://127.0.0.1:5000"), None);
        assert_eq!(moto.download_origin(), "http://127.0.0.1:5000");
        let aws = settings(None, Some("eu-west-1"));
        assert_eq!(aws.download_origin(), "https://s3.eu-west-1.amazonaws.com");
    }
}
