//! Errors shared by every port and use case: storage failures and field validation.

use std::error::Error as StdError;

use confab_domain::ValueError;
use thiserror::Error;

use crate::ports::{HashError, TokenError};

/// A storage adapter failed in a way no caller can act on (connection lost, SQL
/// error, corrupt row). The source is kept for the logs, never shown to clients.
#[derive(Debug, Error)]
#[error("{}", if *.unavailable { "storage unavailable" } else { "storage failure" })]
pub struct RepositoryError {
    #[source]
    source: Box<dyn StdError + Send + Sync + 'static>,
    unavailable: bool,
}

impl RepositoryError {
    /// Wraps any adapter error.
    pub fn new(source: impl StdError + Send + Sync + 'static) -> Self {
        Self {
            source: Box::new(source),
            unavailable: false,
        }
    }

    /// Wraps an adapter error that means the store cannot be reached right now
    /// (refused or lost connection, no connection free in time, a server shutting
    /// down): the same request may well succeed in a moment.
    pub fn unavailable(source: impl StdError + Send + Sync + 'static) -> Self {
        Self {
            source: Box::new(source),
            unavailable: true,
        }
    }

    /// Describes a state the adapter found and cannot explain (e.g. a corrupt row).
    pub fn corrupt(what: impl Into<String>) -> Self {
        Self {
            source: what.into().into(),
            unavailable: false,
        }
    }

    /// Whether the store could not be reached (worth a retry), rather than failing.
    pub const fn is_unavailable(&self) -> bool {
        self.unavailable
    }

    /// Whether `error` or anything in its source chain is an unavailable store: how
    /// the edges tell "try again shortly" from an internal failure, whatever use-case
    /// error wraps it.
    pub fn in_chain_is_unavailable(error: &(dyn StdError + 'static)) -> bool {
        let mut next = Some(error);
        while let Some(current) = next {
            if current
                .downcast_ref::<Self>()
                .is_some_and(Self::is_unavailable)
            {
                return true;
            }
            next = current.source();
        }
        false
    }
}

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
    /// The object store failed.
    #[error("object store failed")]
    Store(#[from] crate::ports::StoreError),
    /// Storage contradicts itself, e.g. a live session whose user is gone.
    #[error("inconsistent state: {0}")]
    Inconsistent(&'static str),
}

/// Lets `?` turn every port failure into the `Internal` variant of a use-case error.
macro_rules! internal_conversions {
    ($($error:ty),+ $(,)?) => {$(
        impl From<$crate::error::InternalError> for $error {
            fn from(error: $crate::error::InternalError) -> Self {
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

/// One refused input field: the JSON field name and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The JSON field, e.g. `username`.
    pub field: &'static str,
    /// A human sentence, e.g. `must be at least 3 characters`.
    pub message: String,
}

/// Every refused field of one request, gathered so a client can fix them all at once.
#[derive(Debug, Clone, PartialEq, Eq, Default, Error)]
#[error("validation failed: {}", .0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    /// A single refused field.
    pub fn single(field: &'static str, message: impl Into<String>) -> Self {
        Self(vec![FieldError {
            field,
            message: message.into(),
        }])
    }

    /// Remembers a refusal of `field` that no value object states (a rule over
    /// a whole list, say).
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push(FieldError {
            field,
            message: message.into(),
        });
    }

    /// Parses one field, remembering the failure under `field` and returning `None`.
    pub fn check<T>(&mut self, field: &'static str, parsed: Result<T, ValueError>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(error) => {
                self.add(field, error.to_string());
                None
            }
        }
    }

    /// `Ok(value)` when no field failed, else the collected errors.
    pub fn finish<T>(self, value: impl FnOnce() -> Option<T>) -> Result<T, Self> {
        if self.0.is_empty() {
            value().ok_or(self)
        } else {
            Err(self)
        }
    }

    /// Whether any field failed.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
