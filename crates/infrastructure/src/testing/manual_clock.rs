//! A clock that only moves when told to.

use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, TimeDelta, Utc};
use confab_application::ports::Clock;
use confab_domain::to_millis;

/// A clock that only moves when told to, so tests can cross token and session
/// lifetimes or message TTLs without sleeping. Shared by cloning an `Arc<ManualClock>`.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<DateTime<Utc>>,
}

impl ManualClock {
    /// A clock standing at `start` (truncated to milliseconds).
    pub fn new(start: DateTime<Utc>) -> Self {
        Self {
            now: Mutex::new(to_millis(start)),
        }
    }

    /// A clock standing at the current system time.
    pub fn starting_now() -> Self {
        Self::new(Utc::now())
    }

    /// Moves the clock to `at` (truncated to milliseconds); it may go backwards.
    pub fn set(&self, at: DateTime<Utc>) {
        *self.lock() = to_millis(at);
    }

    /// Moves the clock forward by `by` (backward when negative).
    pub fn advance(&self, by: TimeDelta) {
        let mut now = self.lock();
        *now = to_millis(*now + by);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, DateTime<Utc>> {
        // A panic while holding the lock cannot leave a half-written timestamp.
        self.now.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::starting_now()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.lock()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let start = DateTime::from_timestamp_millis(1_700_000_000_123).expect("valid");
        let clock = ManualClock::new(start + TimeDelta::nanoseconds(456));
        assert_eq!(clock.now(), start, "truncated to milliseconds");
        assert_eq!(clock.now(), start, "does not move by itself");
        clock.advance(TimeDelta::minutes(15));
        assert_eq!(clock.now(), start + TimeDelta::minutes(15));
        clock.set(start);
        assert_eq!(clock.now(), start);
    }
}
