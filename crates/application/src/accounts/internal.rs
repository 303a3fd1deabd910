//! The opaque cause behind every `Internal` variant of the account and profile use cases.

use thiserror::Error;

use crate::error::RepositoryError;
use crate::ports::{HashError, TokenError};

/// A failure no client can act on. Its source chain is for the logs only; the edge
/// answers a bare 500.
#[derive(Debug, Error)]
pub enum InternalError {
    /// A repository failed.
    #[error("storage failed")]
    Storage(#[from] RepositoryError),
    /// The password hasher failed.
    #[error("password hashing failed")]
    Hashing(#[from] HashError),
    /// Signing a token failed.
    #[error("token service failed")]
    Tokens(#[from] TokenError),
    /// Storage contradicts itself, e.g. a live session whose user is gone.
    #[error("inconsistent state: {0}")]
    Inconsistent(&'static str),
}

/// Lets `?` turn every port failure into the `Internal` variant of a use-case error.
macro_rules! internal_conversions {
    ($($error:ty),+ $(,)?) => {$(
        impl From<$crate::accounts::InternalError> for $error {
            fn from(error: $crate::accounts::InternalError) -> Self {
                Self::Internal(error)
            }
        }

        impl From<$crate::error::RepositoryError> for $error {
            fn from(error: $crate::error::RepositoryError) -> Self {
                Self::Internal(error.into())
            }
        }

        impl From<$crate::ports::HashError> for $error {
            fn from(error: $crate::ports::HashError) -> Self {
                Self::Internal(error.into())
            }
        }

        impl From<$crate::ports::TokenError> for $error {
            fn from(error: $crate::ports::TokenError) -> Self {
                Self::Internal(error.into())
            }
        }
    )+};
}
pub(crate) use internal_conversions;
