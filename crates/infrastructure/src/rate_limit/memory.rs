//! The in-memory limiter: governor's keyed GCRA, for a single node.

use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use confab_application::ports::{RateDecision, RateLimitError, RateLimiter};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DashMapStateStore;
use governor::{Quota, RateLimiter as Governor};

use super::{RatePolicy, retry_after_seconds};

/// Every this many hits, keys whose bucket is full again are forgotten, so memory
/// stays bounded by the recently active keys however many clients come and go.
const SWEEP_EVERY: u64 = 1024;

type KeyedGovernor<C> = Governor<String, DashMapStateStore<String>, C, StateInformationMiddleware>;

/// Counts requests per key in this process only.
pub struct InMemoryRateLimiter<C: Clock = DefaultClock> {
    policy: RatePolicy,
    governor: KeyedGovernor<C>,
    hits: AtomicU64,
}

impl<C: Clock> std::fmt::Debug for InMemoryRateLimiter<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InMemoryRateLimiter")
            .field("policy", &self.policy)
            .field("keys", &self.governor.len())
            .finish_non_exhaustive()
    }
}

impl InMemoryRateLimiter {
    /// A limiter applying `policy` to each key separately.
    pub fn new(policy: RatePolicy) -> Self {
        Self::with_clock(policy, DefaultClock::default())
    }
}

impl<C: Clock> InMemoryRateLimiter<C> {
    /// A limiter on an explicit clock (tests use governor's fake clock).
    pub fn with_clock(policy: RatePolicy, clock: C) -> Self {
        let quota = Quota::with_period(policy.replenish_interval())
            .unwrap_or_else(|| Quota::per_second(policy.burst()))
            .allow_burst(policy.burst());
        let governor = KeyedGovernor::new(quota, DashMapStateStore::default(), clock);
        Self {
            policy,
            governor,
            hits: AtomicU64::new(0),
        }
    }

    /// How many keys are held right now.
    pub fn tracked_keys(&self) -> usize {
        self.governor.len()
    }

    /// Forgets keys whose bucket has refilled (also done every 1024 hits).
    pub fn sweep(&self) {
        self.governor.retain_recent();
        self.governor.shrink_to_fit();
    }

    fn decide(&self, key: &str) -> RateDecision {
        if self.hits.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.sweep();
        }
        let limit = self.policy.limit();
        match self.governor.check_key(&key.to_owned()) {
            Ok(state) => RateDecision {
                allowed: true,
                limit,
                remaining: state.remaining_burst_capacity(),
                retry_after_seconds: 0,
            },
            Err(not_until) => RateDecision {
                allowed: false,
                limit,
                remaining: 0,
                retry_after_seconds: retry_after_seconds(
                    not_until.wait_time_from(self.governor.clock().now()),
                ),
            },
        }
    }
}

#[async_trait]
impl<C: Clock + Send + Sync> RateLimiter for InMemoryRateLimiter<C>
where
    C::Instant: Send + Sync,
{
    async fn hit(&self, key: &str) -> Result<RateDecision, RateLimitError> {
        Ok(self.decide(key))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use governor::clock::FakeRelativeClock;

    use super::*;

    fn limiter(policy: RatePolicy) -> (InMemoryRateLimiter<FakeRelativeClock>, FakeRelativeClock) {
        let clock = FakeRelativeClock::default();
        (
            InMemoryRateLimiter::with_clock(policy, clock.clone()),
            clock,
        )
    }

    #[tokio::test]
    async fn burst_is_allowed_then_refused_with_retry_after() {
        let (limiter, _) = limiter(RatePolicy::per_minute(3).expect("enabled"));
        let mut remaining = Vec::new();
        for _ in 0..3 {
            let decision = limiter.hit("ip-1").await.expect("in memory");
            assert!(decision.allowed);
            assert_eq!(decision.limit, 3);
            remaining.push(decision.remaining);
        }
        assert_eq!(remaining, [2, 1, 0]);
        let refused = limiter.hit("ip-1").await.expect("in memory");
        assert!(!refused.allowed);
        assert_eq!(refused.remaining, 0);
        assert_eq!(refused.retry_after_seconds, 20, "one token per 20 s");
        assert!(
            limiter.hit("ip-2").await.expect("in memory").allowed,
            "keys are separate"
        );
    }

    #[tokio::test]
    async fn tokens_come_back_at_the_policy_rate() {
        let (limiter, clock) = limiter(RatePolicy::per_second(10, 2).expect("enabled"));
        assert!(limiter.hit("u").await.expect("ok").allowed);
        assert!(limiter.hit("u").await.expect("ok").allowed);
        assert!(!limiter.hit("u").await.expect("ok").allowed);
        clock.advance(Duration::from_millis(100));
        assert!(
            limiter.hit("u").await.expect("ok").allowed,
            "one token after 100 ms"
        );
        assert!(!limiter.hit("u").await.expect("ok").allowed);
    }

    #[tokio::test]
    async fn sweeping_forgets_refilled_keys() {
        let (limiter, clock) = limiter(RatePolicy::per_second(10, 5).expect("enabled"));
        for i in 0..100 {
            limiter.hit(&format!("user-{i}")).await.expect("ok");
        }
        assert_eq!(limiter.tracked_keys(), 100);
        clock.advance(Duration::from_secs(1));
        limiter.hit("recent").await.expect("ok");
        limiter.sweep();
        assert_eq!(
            limiter.tracked_keys(),
            1,
            "only the key still refilling stays"
        );
    }
}
