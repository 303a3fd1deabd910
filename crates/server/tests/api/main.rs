//! API tests: the real `confab` server on port 0 with a fresh database per test,
//! driven over HTTP. One test binary for the whole API.
//!
//! Adding tests for another area (chats, messages, ws): create `tests/api/<area>.rs`,
//! add `mod <area>;` below, write `async fn some_behaviour(app: TestApp)` and put
//! `api_test!(some_behaviour);` after it to run it on SQLite and PostgreSQL. Use
//! `app.register("alice")` for signed-in users, `app.clock` to move time, and
//! `helpers::assert_error` to check the error shape.

mod helpers;

mod admin;
mod auth;
mod chats;
mod connections;
mod contract;
mod email;
mod error_messages;
mod errors;
mod files;
mod headers;
mod messages;
mod operations;
mod profiles;
mod races;
mod raw;
mod rejections;
mod sessions;
mod text;
mod web;
mod ws;
