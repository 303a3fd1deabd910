//! Rate limiters: a token bucket per key, in memory for one node or in Redis so
//! every node shares the counters.

mod memory;
mod redis;

use std::num::NonZeroU32;
use std::time::Duration;

pub use memory::InMemoryRateLimiter;
pub use redis::{RedisLimiterError, RedisRateLimiter};

/// A token bucket: up to `burst` requests at once, refilled by one token every
/// `replenish_interval`. The burst is also what `X-RateLimit-Limit` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RatePolicy {
    burst: NonZeroU32,
    replenish_interval: Duration,
}

impl RatePolicy {
    /// `n` requests per minute, all of which may come at once (the auth routes).
    /// `None` when `n` is 0, which means "no limit" in confab's configuration.
    pub fn per_minute(n: u32) -> Option<Self> {
        let burst = NonZeroU32::new(n)?;
        Some(Self {
            burst,
            replenish_interval: Duration::from_mins(1) / burst.get(),
        })
    }

    /// `n` requests per second on average with bursts of up to `burst` (message
    /// sends). `None` when `n` is 0 (no limit); a `burst` below 1 counts as 1.
    pub fn per_second(n: u32, burst: u32) -> Option<Self> {
        let rate = NonZeroU32::new(n)?;
        Some(Self {
            burst: NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN),
            replenish_interval: Duration::from_secs(1) / rate.get(),
        })
    }

    /// The most requests allowed at once.
    pub const fn limit(&self) -> u32 {
        self.burst.get()
    }

    /// How long the bucket takes to regain one token.
    pub const fn replenish_interval(&self) -> Duration {
        self.replenish_interval
    }

    fn burst(&self) -> NonZeroU32 {
        self.burst
    }
}

/// Whole seconds until a refused request may succeed, rounded up, at least 1
/// (the `Retry-After` contract).
fn retry_after_seconds(wait: Duration) -> u64 {
    let whole = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    whole.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_spread_the_rate_over_the_period() {
        let auth = RatePolicy::per_minute(30).expect("enabled");
        assert_eq!(auth.limit(), 30);
        assert_eq!(auth.replenish_interval(), Duration::from_secs(2));
        let send = RatePolicy::per_second(10, 30).expect("enabled");
        assert_eq!(send.limit(), 30);
        assert_eq!(send.replenish_interval(), Duration::from_millis(100));
        assert_eq!(RatePolicy::per_second(5, 0).map(|p| p.limit()), Some(1));
    }

    #[test]
    fn zero_rate_means_no_limiter() {
        assert_eq!(RatePolicy::per_minute(0), None);
        assert_eq!(RatePolicy::per_second(0, 30), None);
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_seconds(Duration::ZERO), 1);
        assert_eq!(retry_after_seconds(Duration::from_millis(100)), 1);
        assert_eq!(retry_after_seconds(Duration::from_secs(2)), 2);
        assert_eq!(retry_after_seconds(Duration::from_millis(2001)), 3);
    }
}
