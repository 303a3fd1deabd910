//! Errors of the realtime use cases.

use thiserror::Error;

use crate::error::{InternalError, internal_conversions};

/// Why a typing notice was refused.
#[derive(Debug, Error)]
pub enum TypingError {
    /// No such chat, or the caller is not a member.
    #[error("chat not found")]
    ChatNotFound,
    /// Storage failed.
    #[error("internal error")]
    Internal(#[source] InternalError),
}

/// Why the gateway could not read what a socket needs (heads, the log, a snapshot).
#[derive(Debug, Error)]
pub enum RealtimeError {
    /// Storage failed.
    #[error("realtime storage read failed")]
    Internal(#[source] InternalError),
}

internal_conversions!(TypingError, RealtimeError);
