//! The system clock. Tests use `testing::ManualClock` (with `test-support`).

use chrono::{DateTime, Utc};
use confab_application::ports::Clock;
use confab_domain::to_millis;

/// The real time, truncated to milliseconds (the precision confab stores).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        to_millis(Utc::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_clock_has_millisecond_precision() {
        let now = SystemClock.now();
        assert_eq!(now.timestamp_subsec_nanos() % 1_000_000, 0);
        assert!((Utc::now() - now).num_seconds().abs() < 5);
    }
}
