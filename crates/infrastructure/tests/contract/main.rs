//! Repository contract tests: each written once and run against SQLite, PostgreSQL
//! and the in-memory reference store.

mod support;

mod admin;
mod avatars;
mod chats;
mod erasure;
mod mail_tokens;
mod messages;
mod sessions;
mod uploads;
mod users;
