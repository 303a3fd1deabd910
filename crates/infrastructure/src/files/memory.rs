//! The in-memory store: `object_store`'s `InMemory`, streamed by confab.

use std::sync::Arc;

use confab_application::ports::ObjectStore;
use object_store::memory::InMemory;

use super::adapter::{Downloads, StoreAdapter};

pub(super) fn store() -> Arc<dyn ObjectStore> {
    Arc::new(StoreAdapter::new(
        Arc::new(InMemory::new()),
        Downloads::Streamed,
    ))
}
