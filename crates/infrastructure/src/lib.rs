//! confab's adapters: the ports of `confab-application` implemented with sea-orm,
//! argon2, jsonwebtoken, Redis and tokio.

pub mod persistence;
