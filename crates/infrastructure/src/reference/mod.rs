//! The reference adapter: every repository port of `confab-application` in memory.
//!
//! [`ReferenceStore`] keeps users, sessions, chats, members, messages and each chat's
//! log in plain collections under one mutex. Every port method takes the lock once,
//! checks everything it may refuse before it changes anything, and so is one atomic
//! step, as each sea-orm method is one transaction. It runs through the same contract
//! tests as SQLite and PostgreSQL (`crates/infrastructure/tests/contract`), so service
//! tests can use it instead of hand-written fakes and it cannot drift from the real
//! adapters. For tests only: compiled with the `test-support` feature.

mod admin;
mod attachments;
mod avatars;
mod chats;
mod erasure;
mod mail;
mod messages;
mod sessions;
mod state;
mod stored_chat;
mod uploads;
mod users;

use std::sync::{Mutex, MutexGuard};

use confab_application::RepositoryError;
use thiserror::Error;

use state::State;

/// Every repository port (users, sessions, chats, messages, admin) on one in-memory
/// state. Share it as an `Arc<ReferenceStore>`, which coerces to each
/// `Arc<dyn …Repository>`.
#[derive(Debug, Default)]
pub struct ReferenceStore {
    state: Mutex<State>,
}

impl ReferenceStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// The state, for one whole port method.
    fn lock(&self) -> Result<MutexGuard<'_, State>, RepositoryError> {
        // A panic under the lock means a bug in this module; the state it left may be
        // half-written, so every later call fails loudly instead of reading it.
        self.state
            .lock()
            .map_err(|_| RepositoryError::corrupt("reference store poisoned by a panic"))
    }
}

/// A write a unique or foreign key of the SQL schema would refuse. Callers never
/// cause it on purpose, so, like the sea-orm adapters, the store reports it as a
/// storage failure.
#[derive(Debug, Error)]
#[error("constraint violated: {0}")]
struct ConstraintViolation(&'static str);

fn violated(constraint: &'static str) -> RepositoryError {
    RepositoryError::new(ConstraintViolation(constraint))
}
