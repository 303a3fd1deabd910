//! Time as a port, so expiry and token lifetimes can be tested without sleeping.

use chrono::{DateTime, Utc};

/// The source of "now".
pub trait Clock: Send + Sync {
    /// The current instant, truncated to milliseconds (the precision confab stores).
    fn now(&self) -> DateTime<Utc>;
}
