//! Service tests: each use case run against the reference adapter (every repository
//! port in memory, held to the same contract tests as SQLite and PostgreSQL), the
//! real hasher and token service, a hand-driven clock and the in-process bus. A test
//! asserts what a client could observe: answers, stored state, and what was published.

mod support;

mod accounts;
mod admin;
mod chats;
mod email;
mod messages;
mod profiles;
mod realtime;
