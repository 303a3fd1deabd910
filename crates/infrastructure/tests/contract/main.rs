//! Repository contract tests: each written once and run against SQLite and PostgreSQL.

mod support;

mod chats;
mod messages;
mod sessions;
mod users;
