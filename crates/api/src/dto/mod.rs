//! Wire types (`#[derive(Object)]`), separate from domain types, with `From`
//! conversions at the boundary.

pub mod accounts;
pub mod admin;
pub mod avatars;
pub mod bounds;
pub mod chat_requests;
pub mod chats;
pub mod common;
pub mod email;
pub mod events;
pub mod files;
pub mod messages;
pub mod nullable;
mod patterns;
pub mod profiles;
pub mod schema_ref;
pub mod text;
