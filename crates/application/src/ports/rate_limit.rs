//! Rate limiting as a port: in memory on one node, in Redis across many.

use async_trait::async_trait;
use thiserror::Error;

/// The answer for one request against one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateDecision {
    /// Whether the request may proceed.
    pub allowed: bool,
    /// The configured limit (for `X-RateLimit-Limit`).
    pub limit: u32,
    /// Requests left in the current window (for `X-RateLimit-Remaining`).
    pub remaining: u32,
    /// When refused, seconds until a retry can succeed (for `Retry-After`), at least 1.
    pub retry_after_seconds: u64,
}

/// The limiter's store failed; callers let the request through rather than fail it.
#[derive(Debug, Error)]
#[error("rate limiter unavailable")]
pub struct RateLimitError(#[source] pub Box<dyn std::error::Error + Send + Sync + 'static>);

/// Counts requests per key under one policy (one instance per policy).
#[async_trait]
pub trait RateLimiter: Send + Sync {
    /// Records one request for `key` and says whether it is within the limit.
    ///
    /// # Errors
    /// [`RateLimitError`] when the shared store cannot be reached.
    async fn hit(&self, key: &str) -> Result<RateDecision, RateLimitError>;
}
