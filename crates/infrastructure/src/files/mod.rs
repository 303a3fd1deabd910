//! The [`ObjectStore`] port on the `object_store` crate: a local directory for a
//! single node, S3 (or any S3-compatible store) for several, memory for tests.
//!
//! One adapter ([`adapter`]) speaks to all three; the modules here only build the
//! backend and say how downloads leave the node (streamed by confab, or through a
//! presigned URL).

mod adapter;
mod local;
mod memory;
mod range;
mod s3;

use std::sync::Arc;

use confab_application::ports::{ObjectStore, StoreError};

pub use s3::S3Settings;

/// Objects kept in memory, gone when the process ends (tests, demos).
pub fn memory() -> Arc<dyn ObjectStore> {
    memory::store()
}

/// Objects as files under `dir` (created when missing). A write goes to a staging
/// file beside its target and is renamed into place on `finish`, so a half-written
/// upload is never visible under its key.
pub fn local(dir: &std::path::Path) -> Result<Arc<dyn ObjectStore>, StoreError> {
    local::store(dir)
}

/// Objects in an S3 bucket; downloads are presigned URLs the client is sent to.
pub fn s3(settings: S3Settings) -> Result<Arc<dyn ObjectStore>, StoreError> {
    s3::store(settings)
}
