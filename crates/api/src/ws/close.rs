//! Why the server closes a socket, and the close codes clients see.

use poem::web::websocket::CloseCode;

/// A reason the server closes a socket; each has its own documented close code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    /// The session was revoked (logout, `DELETE /sessions/{id}`, password change,
    /// refresh-token reuse): 4401. Do not reconnect with the same token.
    SessionRevoked,
    /// The socket's outgoing queue overflowed: 4008. Reconnect and catch up.
    SlowConsumer,
    /// The peer answered no ping within the idle timeout: 4000.
    HeartbeatTimeout,
    /// The server could not read what the socket needs: 1011. Reconnect later.
    Internal,
    /// The node is shutting down: 1012. Reconnect (to another node) and catch up.
    Restart,
}

impl CloseReason {
    /// The close code.
    pub const fn code(self) -> u16 {
        match self {
            Self::SessionRevoked => 4401,
            Self::SlowConsumer => 4008,
            Self::HeartbeatTimeout => 4000,
            Self::Internal => 1011,
            Self::Restart => 1012,
        }
    }

    /// The close frame's reason text.
    pub const fn text(self) -> &'static str {
        match self {
            Self::SessionRevoked => "session revoked",
            Self::SlowConsumer => "slow consumer: reconnect and catch up",
            Self::HeartbeatTimeout => "heartbeat timeout",
            Self::Internal => "internal error",
            Self::Restart => "server restarting",
        }
    }

    /// The code as poem spells it.
    pub const fn close_code(self) -> CloseCode {
        match self {
            Self::Internal => CloseCode::Error,
            Self::Restart => CloseCode::Restart,
            other => CloseCode::Reserved(other.code()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_documented_ones() {
        assert_eq!(CloseReason::SessionRevoked.code(), 4401);
        assert_eq!(CloseReason::SlowConsumer.code(), 4008);
        assert_eq!(u16::from(CloseReason::SessionRevoked.close_code()), 4401);
        assert_eq!(u16::from(CloseReason::Internal.close_code()), 1011);
        assert_eq!(u16::from(CloseReason::Restart.close_code()), 1012);
    }
}
