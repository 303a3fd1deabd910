//! Rate limits at the edge, through the `RateLimiter` port: login/register/refresh per
//! client IP (a `transform` on those operations), and a reusable per-user limit that a
//! handler checks once it knows the user (message sends). Every response of a limited
//! route carries `X-RateLimit-Limit` / `X-RateLimit-Remaining`; a refusal is
//! `429 rate_limited` with `Retry-After`. A failing limiter lets requests through.

use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use confab_application::ports::{RateDecision, RateLimiter};
use confab_domain::UserId;
use poem::http::{HeaderMap, HeaderValue};
use poem::web::RemoteAddr;
use poem::{Addr, Endpoint, EndpointExt, IntoResponse, Request, Response};
use poem_openapi::error::ParsePathError;

use super::errors::to_api_error;
use crate::error::ApiError;

/// `X-RateLimit-Limit`.
pub const LIMIT_HEADER: &str = "x-ratelimit-limit";
/// `X-RateLimit-Remaining`.
pub const REMAINING_HEADER: &str = "x-ratelimit-remaining";

/// The send budget's key for `user`: REST sends and WebSocket `message.send` frames
/// share it.
pub fn send_rate_key(user: UserId) -> String {
    format!("send:{user}")
}

/// One rate-limit policy, or none (`0` in the configuration turns a limit off).
#[derive(Clone, Default)]
pub struct RateLimit {
    limiter: Option<Arc<dyn RateLimiter>>,
}

impl RateLimit {
    /// A limit enforced by `limiter`.
    pub fn new(limiter: Arc<dyn RateLimiter>) -> Self {
        Self {
            limiter: Some(limiter),
        }
    }

    /// No limit.
    pub fn off() -> Self {
        Self { limiter: None }
    }

    /// Counts one request for `key`. `Ok(None)` when the limit is off or the limiter
    /// failed (logged; failing open keeps logins working when Redis is down);
    /// `Err` with a 429 when refused.
    pub async fn check(&self, key: &str) -> Result<Option<RateDecision>, (ApiError, RateDecision)> {
        let Some(limiter) = &self.limiter else {
            return Ok(None);
        };
        match limiter.hit(key).await {
            Ok(decision) if decision.allowed => Ok(Some(decision)),
            Ok(decision) => Err((
                ApiError::rate_limited(decision.retry_after_seconds),
                decision,
            )),
            Err(error) => {
                tracing::warn!(error = %error, "rate limiter failed; letting the request through");
                Ok(None)
            }
        }
    }

    /// Counts one request for `key` on a route wrapped in [`rate_limit_headers`]: the
    /// decision is kept in `slot` so the headers reach the response.
    pub async fn check_into(&self, slot: &RateSlot, key: &str) -> Result<(), ApiError> {
        match self.check(key).await {
            Ok(decision) => {
                slot.set(decision);
                Ok(())
            }
            Err((error, decision)) => {
                slot.set(Some(decision));
                Err(error)
            }
        }
    }
}

/// Adds the `X-RateLimit-*` headers of `decision`.
pub fn set_headers(headers: &mut HeaderMap, decision: &RateDecision) {
    headers.insert(LIMIT_HEADER, HeaderValue::from(decision.limit));
    headers.insert(REMAINING_HEADER, HeaderValue::from(decision.remaining));
}

/// Where a handler leaves its rate decision for [`rate_limit_headers`] to publish.
#[derive(Clone, Default)]
pub struct RateSlot(Arc<Mutex<Option<RateDecision>>>);

impl RateSlot {
    fn set(&self, decision: Option<RateDecision>) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = decision;
        }
    }

    fn get(&self) -> Option<RateDecision> {
        self.0.lock().ok().and_then(|slot| *slot)
    }
}

/// `transform` for routes limited per user: gives the handler a [`RateSlot`]
/// (take it as `slot: Data<&RateSlot>` and call [`RateLimit::check_into`]) and puts
/// the decision's headers on whatever the route answers, errors included.
pub fn rate_limit_headers(ep: impl Endpoint + 'static) -> impl Endpoint {
    ep.around(|ep, mut req| async move {
        let slot = RateSlot::default();
        req.set_data(slot.clone());
        let result = ep.call(req).await;
        // A path parameter that does not parse stops the request before the handler
        // (so before any rate decision): the error layer, which knows the route,
        // names the parameter.
        if let Err(error) = &result
            && error.is::<ParsePathError>()
        {
            return result.map(IntoResponse::into_response);
        }
        let mut response = respond(result);
        if let Some(decision) = slot.get() {
            set_headers(response.headers_mut(), &decision);
        }
        Ok(response)
    })
}

/// The per-client-IP limit of the auth routes, put into request data by the app.
#[derive(Clone, Default)]
pub struct AuthRateLimit {
    /// The policy.
    pub limit: RateLimit,
    /// Whether to take the client address from `X-Forwarded-For`.
    pub trust_proxy: bool,
}

/// `transform` for login/register/refresh: limits per client IP.
pub fn per_client_ip(ep: impl Endpoint + 'static) -> impl Endpoint {
    ep.around(|ep, req| async move {
        let Some(policy) = req.data::<AuthRateLimit>().cloned() else {
            return Ok(respond(ep.call(req).await));
        };
        let key = client_ip(&req, policy.trust_proxy)
            .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
        match policy.limit.check(&format!("auth:{key}")).await {
            Ok(decision) => {
                let mut response = respond(ep.call(req).await);
                if let Some(decision) = decision {
                    set_headers(response.headers_mut(), &decision);
                }
                Ok(response)
            }
            Err((error, decision)) => {
                let mut response = error.into_response();
                set_headers(response.headers_mut(), &decision);
                Ok(response)
            }
        }
    })
}

fn respond<R: IntoResponse>(result: poem::Result<R>) -> Response {
    match result {
        Ok(output) => output.into_response(),
        Err(error) => to_api_error(&error).into_response(),
    }
}

/// The client's address: the peer, or with a trusted proxy the last (rightmost)
/// `X-Forwarded-For` entry — the one our proxy appended, which a client cannot forge.
pub fn client_ip(req: &Request, trust_proxy: bool) -> Option<IpAddr> {
    if trust_proxy {
        let forwarded = req
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|entry| entry.trim().parse::<IpAddr>().ok())
            .next_back();
        if forwarded.is_some() {
            return forwarded;
        }
    }
    match req.remote_addr() {
        RemoteAddr(Addr::SocketAddr(addr)) => Some(addr.ip()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use confab_application::ports::RateLimitError;
    use poem::error::ResponseError;

    use super::*;

    struct Fixed(Result<RateDecision, ()>);

    #[async_trait::async_trait]
    impl RateLimiter for Fixed {
        async fn hit(&self, _key: &str) -> Result<RateDecision, RateLimitError> {
            self.0
                .map_err(|()| RateLimitError(Box::new(std::io::Error::other("down"))))
        }
    }

    fn decision(allowed: bool) -> RateDecision {
        RateDecision {
            allowed,
            limit: 3,
            remaining: 0,
            retry_after_seconds: 7,
        }
    }

    #[tokio::test]
    async fn a_failing_limiter_lets_requests_through() {
        let limit = RateLimit::new(Arc::new(Fixed(Err(()))));
        assert!(matches!(limit.check("k").await, Ok(None)));
        assert!(matches!(RateLimit::off().check("k").await, Ok(None)));
    }

    #[tokio::test]
    async fn a_refusal_is_429_with_retry_after_and_reaches_the_slot() {
        let limit = RateLimit::new(Arc::new(Fixed(Ok(decision(false)))));
        let slot = RateSlot::default();
        let error = limit.check_into(&slot, "k").await.expect_err("refused");
        let response = error.as_response();
        assert_eq!(response.status(), 429);
        assert_eq!(response.headers()["retry-after"], "7");
        assert_eq!(slot.get(), Some(decision(false)));
        let allowed = RateLimit::new(Arc::new(Fixed(Ok(decision(true)))));
        allowed.check_into(&slot, "k").await.expect("allowed");
        assert_eq!(slot.get(), Some(decision(true)));
    }

    #[test]
    fn the_client_ip_comes_from_the_proxy_only_when_trusted() {
        let request = Request::builder()
            .header("x-forwarded-for", "203.0.113.9, 198.51.100.7")
            .finish();
        assert_eq!(
            client_ip(&request, true),
            Some("198.51.100.7".parse().expect("ip"))
        );
        // Without a peer address (a test request) and without trust: unknown.
        assert_eq!(client_ip(&request, false), None);
        let forged = Request::builder()
            .header("x-forwarded-for", "junk")
            .finish();
        assert_eq!(client_ip(&forged, true), None);
    }
}
