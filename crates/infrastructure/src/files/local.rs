//! The local directory: `object_store`'s `LocalFileSystem` rooted at the directory.
//! Its multipart writer writes a staging file (`<key>#<n>`) beside the target and
//! renames it into place on completion (a rename within one directory is atomic), and
//! removes the staging file on abort or drop; listings never show staging files.

use std::sync::Arc;

use confab_application::ports::{ObjectStore, StoreError};
use object_store::local::LocalFileSystem;

use super::adapter::{Downloads, StoreAdapter};

pub(super) fn store(dir: &std::path::Path) -> Result<Arc<dyn ObjectStore>, StoreError> {
    let unusable = |error: &dyn std::fmt::Display| {
        StoreError::Unavailable(format!("{}: {error}", dir.display()))
    };
    std::fs::create_dir_all(dir).map_err(|error| unusable(&error))?;
    let files = LocalFileSystem::new_with_prefix(dir).map_err(|error| unusable(&error))?;
    Ok(Arc::new(StoreAdapter::new(
        Arc::new(files),
        Downloads::Streamed,
    )))
}
