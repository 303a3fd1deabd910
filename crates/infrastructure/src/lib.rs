//! confab's adapters: the ports of `confab-application` implemented with sea-orm,
//! argon2, jsonwebtoken, Redis and tokio, and (for tests, with `test-support`) in
//! memory by the `reference` store.

pub mod clock;
pub mod events;
pub mod files;
pub mod jobs;
pub mod mail;
pub mod media;
pub mod persistence;
pub mod rate_limit;
#[cfg(feature = "test-support")]
pub mod reference;
pub mod security;
pub mod session_cache;
#[cfg(feature = "test-support")]
pub mod testing;
