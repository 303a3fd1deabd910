//! confab's adapters: the ports of `confab-application` implemented with sea-orm,
//! argon2, jsonwebtoken, Redis and tokio.

pub mod clock;
pub mod events;
pub mod jobs;
pub mod persistence;
pub mod rate_limit;
pub mod security;
#[cfg(feature = "test-support")]
pub mod testing;
