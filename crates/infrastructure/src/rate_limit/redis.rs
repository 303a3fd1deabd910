//! The Redis limiter: one atomic Lua token bucket per key, shared by every node.

use std::time::Duration;

use async_trait::async_trait;
use confab_application::ports::{RateDecision, RateLimitError, RateLimiter};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{RedisError, Script};
use thiserror::Error;

use super::{RatePolicy, retry_after_seconds};

/// The bucket lives in a hash `{tokens, ts}`. Redis' own clock is used so that
/// nodes with skewed clocks still agree, and the script runs atomically, so
/// concurrent hits from many nodes cannot both take the last token. The key
/// expires once the bucket would be full again, which bounds Redis' memory.
///
/// KEYS[1] = bucket; ARGV[1] = burst; ARGV[2] = microseconds per token.
/// Returns {allowed (0/1), whole tokens left, microseconds until the next token}.
const TOKEN_BUCKET: &str = r"
local burst = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = burst
  ts = now
end
tokens = math.min(burst, tokens + math.max(0, now - ts) / interval)
local allowed = 0
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  wait = math.ceil((1 - tokens) * interval)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) * interval / 1000) + 1000)
return {allowed, math.floor(tokens), wait}
";

/// Redis could not be reached when the limiter was built.
#[derive(Debug, Error)]
pub enum RedisLimiterError {
    /// The URL is invalid or the first connection failed.
    #[error("cannot connect to Redis for rate limiting")]
    Connect(#[source] RedisError),
}

/// Counts requests per key in Redis, shared by all nodes.
#[derive(Clone)]
pub struct RedisRateLimiter {
    policy: RatePolicy,
    connection: ConnectionManager,
    key_prefix: String,
    script: Script,
}

impl std::fmt::Debug for RedisRateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisRateLimiter")
            .field("policy", &self.policy)
            .field("key_prefix", &self.key_prefix)
            .finish_non_exhaustive()
    }
}

impl RedisRateLimiter {
    /// Connects to `url` and limits keys under `key_prefix` (e.g. `confab:rl:auth:`)
    /// with `policy`. Commands time out after one second so a sick Redis cannot
    /// stall requests; callers then let the request through.
    pub async fn connect(
        url: &str,
        key_prefix: impl Into<String>,
        policy: RatePolicy,
    ) -> Result<Self, RedisLimiterError> {
        let client = redis::Client::open(url).map_err(RedisLimiterError::Connect)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(1)))
            .set_response_timeout(Some(Duration::from_secs(1)))
            .set_number_of_retries(2);
        let connection = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(RedisLimiterError::Connect)?;
        Ok(Self::new(connection, key_prefix, policy))
    }

    /// A limiter on an existing connection (several policies can share one).
    pub fn new(
        connection: ConnectionManager,
        key_prefix: impl Into<String>,
        policy: RatePolicy,
    ) -> Self {
        Self {
            policy,
            connection,
            key_prefix: key_prefix.into(),
            script: Script::new(TOKEN_BUCKET),
        }
    }
}

#[async_trait]
impl RateLimiter for RedisRateLimiter {
    async fn hit(&self, key: &str) -> Result<RateDecision, RateLimitError> {
        let interval_micros = u64::try_from(self.policy.replenish_interval().as_micros())
            .unwrap_or(u64::MAX)
            .max(1);
        let mut connection = self.connection.clone();
        let (allowed, remaining, wait_micros): (i64, i64, i64) = self
            .script
            .key(format!("{}{key}", self.key_prefix))
            .arg(self.policy.limit())
            .arg(interval_micros)
            .invoke_async(&mut connection)
            .await
            .map_err(|e| RateLimitError(Box::new(e)))?;
        let allowed = allowed == 1;
        Ok(RateDecision {
            allowed,
            limit: self.policy.limit(),
            remaining: u32::try_from(remaining).unwrap_or(0),
            retry_after_seconds: if allowed {
                0
            } else {
                retry_after_seconds(Duration::from_micros(
                    u64::try_from(wait_micros).unwrap_or(0),
                ))
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::*;

    /// A limiter on `CONFAB_TEST_REDIS_URL` with a key prefix of its own, or `None`
    /// with a printed notice when the variable is unset.
    async fn limiter(test: &str, policy: RatePolicy) -> Option<RedisRateLimiter> {
        let Ok(url) = std::env::var("CONFAB_TEST_REDIS_URL") else {
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED {test}: CONFAB_TEST_REDIS_URL is not set"
            );
            return None;
        };
        let prefix = format!("confab-test:{}:", uuid::Uuid::now_v7().simple());
        Some(
            RedisRateLimiter::connect(&url, prefix, policy)
                .await
                .expect("connect"),
        )
    }

    #[tokio::test]
    async fn redis_bucket_allows_the_burst_then_refuses() {
        let policy = RatePolicy::per_minute(3).expect("enabled");
        let Some(limiter) = limiter("redis_bucket_allows_the_burst_then_refuses", policy).await
        else {
            return;
        };
        let mut remaining = Vec::new();
        for _ in 0..3 {
            let decision = limiter.hit("ip-1").await.expect("redis");
            assert!(decision.allowed);
            assert_eq!(decision.limit, 3);
            remaining.push(decision.remaining);
        }
        assert_eq!(remaining, [2, 1, 0]);
        let refused = limiter.hit("ip-1").await.expect("redis");
        assert!(!refused.allowed);
        assert!(
            (19..=20).contains(&refused.retry_after_seconds),
            "{refused:?}"
        );
        assert!(
            limiter.hit("ip-2").await.expect("redis").allowed,
            "keys are separate"
        );
    }

    #[tokio::test]
    async fn redis_bucket_is_shared_and_refills() {
        let policy = RatePolicy::per_second(20, 2).expect("enabled");
        let Some(first) = limiter("redis_bucket_is_shared_and_refills", policy).await else {
            return;
        };
        // A second limiter with the same prefix stands for another node.
        let second =
            RedisRateLimiter::new(first.connection.clone(), first.key_prefix.clone(), policy);
        assert!(first.hit("u").await.expect("redis").allowed);
        assert!(second.hit("u").await.expect("redis").allowed);
        assert!(
            !first.hit("u").await.expect("redis").allowed,
            "both nodes drew from one bucket"
        );
        tokio::time::sleep(Duration::from_millis(120)).await;
        assert!(
            second.hit("u").await.expect("redis").allowed,
            "a token came back"
        );
    }

    #[tokio::test]
    async fn concurrent_hits_never_exceed_the_burst() {
        let policy = RatePolicy::per_minute(5).expect("enabled");
        let Some(limiter) = limiter("concurrent_hits_never_exceed_the_burst", policy).await else {
            return;
        };
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let limiter = limiter.clone();
                tokio::spawn(async move { limiter.hit("hot").await.expect("redis").allowed })
            })
            .collect();
        let mut allowed = 0;
        for task in tasks {
            allowed += usize::from(task.await.expect("task"));
        }
        assert_eq!(allowed, 5);
    }

    #[tokio::test]
    async fn a_redis_error_is_reported_for_the_caller_to_fail_open() {
        let policy = RatePolicy::per_minute(5).expect("enabled");
        let test = "a_redis_error_is_reported_for_the_caller_to_fail_open";
        let Some(limiter) = limiter(test, policy).await else {
            return;
        };
        // A plain string where the bucket hash should be makes the script fail.
        let mut connection = limiter.connection.clone();
        let () = redis::cmd("SET")
            .arg(format!("{}broken", limiter.key_prefix))
            .arg("not a bucket")
            .query_async(&mut connection)
            .await
            .expect("set");
        assert!(limiter.hit("broken").await.is_err());
        assert!(limiter.hit("healthy").await.is_ok());
        let _: i64 = redis::cmd("DEL")
            .arg(format!("{}broken", limiter.key_prefix))
            .query_async(&mut connection)
            .await
            .expect("clean up");
    }
}
