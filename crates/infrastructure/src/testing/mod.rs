//! Test support: scratch databases and a hand-driven clock.
//!
//! Only compiled with the `test-support` feature, which only test builds turn on.
//! Panics freely: a test that cannot get what it needs has nothing else to do.

mod manual_clock;
mod scratch;

pub use manual_clock::ManualClock;
pub use scratch::{POSTGRES_URL_VAR, ScratchDatabase, with_database};
