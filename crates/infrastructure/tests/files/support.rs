//! Stores to run the contract on, and small helpers to write and read whole objects.

use std::sync::Arc;

use bytes::Bytes;
use confab_application::ports::{ByteRange, DownloadHeaders, ObjectStore, StoreError};
use futures_util::TryStreamExt;

/// A directory under the system temp dir, removed when dropped.
pub(crate) struct ScratchDir(pub(crate) std::path::PathBuf);

impl ScratchDir {
    pub(crate) fn new() -> Self {
        Self(std::env::temp_dir().join(format!("confab-store-{}", uuid::Uuid::now_v7())))
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The headers the tests store objects with.
pub(crate) fn headers() -> DownloadHeaders {
    DownloadHeaders {
        content_type: "text/plain".to_owned(),
        content_disposition: "attachment; filename=\"notes.txt\"".to_owned(),
    }
}

/// Writes `chunks` under `key` and finishes.
pub(crate) async fn put(store: &dyn ObjectStore, key: &str, chunks: &[&[u8]]) {
    let mut writer = store.writer(key, &headers()).await.expect("writer");
    for chunk in chunks {
        writer
            .write(Bytes::copy_from_slice(chunk))
            .await
            .expect("write");
    }
    writer.finish().await.expect("finish");
}

/// The bytes `range` of `key`, with the range the store says it served and the
/// object's size.
pub(crate) async fn read(
    store: &dyn ObjectStore,
    key: &str,
    range: Option<ByteRange>,
) -> Result<(Vec<u8>, Option<(u64, u64)>, u64), StoreError> {
    let object = store.get(key, range).await?;
    let chunks: Vec<Bytes> = object.body.try_collect().await?;
    Ok((chunks.concat(), object.range, object.size))
}

/// A key of its own for each test (the S3 bucket may be shared).
pub(crate) fn key(name: &str) -> String {
    format!("tests/{}/{name}", uuid::Uuid::now_v7())
}

/// Runs a contract test on one store.
pub(crate) type Store = Arc<dyn ObjectStore>;

/// Every key the store lists under `prefix`, sorted (the port sets no order).
pub(crate) async fn listed(store: &dyn ObjectStore, prefix: &str) -> Vec<String> {
    use futures_util::TryStreamExt;
    let mut keys: Vec<String> = store.list(prefix).try_collect().await.expect("list");
    keys.sort();
    keys
}
