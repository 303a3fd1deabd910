//! One `#[OpenApi]` struct per resource. Handlers are thin: extract, convert, call one
//! service method, map the result.

pub mod admin;
pub mod auth;
pub mod avatars;
pub mod chats;
pub mod email;
pub mod files;
pub mod messages;
pub mod operations;
pub mod profiles;
pub mod sessions;
