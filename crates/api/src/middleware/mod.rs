//! The layers around every route: request ids and access log, metrics, the
//! error-shaping layer, the URI limit, the body limit and timeout, the security
//! headers, and the rate limits of limited routes.

pub mod body_limit;
pub mod body_timeout;
pub mod errors;
pub mod metrics;
pub mod rate_limit;
pub mod request_id;
pub mod routes;
pub mod security_headers;
pub mod uri_limit;
