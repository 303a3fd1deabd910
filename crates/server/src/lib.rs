//! The confab server: configuration, composition root, CLI and startup. The binary
//! (`main.rs`) only parses the command line and calls in here; integration tests use
//! [`startup::Application`] directly.

pub mod admin_cli;
pub mod cli;
pub mod config;
pub mod http;
pub mod realtime_wiring;
pub mod seed;
pub mod seed_chats;
pub mod startup;
pub mod telemetry;
pub mod variables;
pub mod wiring;
