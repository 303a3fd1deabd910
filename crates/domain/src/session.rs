//! Device sessions: one per login, each with its own rotating refresh token.

use chrono::{DateTime, Utc};

use crate::ids::{SessionId, UserId};
use crate::user::DeviceName;

/// One login of a user on one device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The session's identity, carried in access tokens as `sid`.
    pub id: SessionId,
    /// Whose session it is.
    pub user_id: UserId,
    /// The device label given at login, if any.
    pub device_name: Option<DeviceName>,
    /// When the user logged in.
    pub created_at: DateTime<Utc>,
    /// When a refresh token of this session was last redeemed.
    pub last_used_at: DateTime<Utc>,
    /// When the current refresh token stops being accepted.
    pub expires_at: DateTime<Utc>,
    /// When the session was revoked (logout, theft detection, password change).
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Session {
    /// Whether requests authenticated by this session are still accepted at `now`.
    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && now < self.expires_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn session(now: DateTime<Utc>) -> Session {
        Session {
            id: SessionId::generate(),
            user_id: UserId::generate(),
            device_name: None,
            created_at: now,
            last_used_at: now,
            expires_at: now + Duration::days(30),
            revoked_at: None,
        }
    }

    #[test]
    fn a_session_is_active_until_revoked_or_expired() {
        let now = Utc::now();
        let live = session(now);
        assert!(live.is_active(now));
        assert!(!live.is_active(now + Duration::days(30)));
        let revoked = Session {
            revoked_at: Some(now),
            ..live
        };
        assert!(!revoked.is_active(now));
    }
}
