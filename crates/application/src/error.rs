//! Errors shared by every port and use case: storage failures and field validation.

use std::error::Error as StdError;

use confab_domain::ValueError;
use thiserror::Error;

/// A storage adapter failed in a way no caller can act on (connection lost, SQL
/// error, corrupt row). The source is kept for the logs, never shown to clients.
#[derive(Debug, Error)]
#[error("storage failure")]
pub struct RepositoryError(#[source] Box<dyn StdError + Send + Sync + 'static>);

impl RepositoryError {
    /// Wraps any adapter error.
    pub fn new(source: impl StdError + Send + Sync + 'static) -> Self {
        Self(Box::new(source))
    }

    /// Describes a state the adapter found and cannot explain (e.g. a corrupt row).
    pub fn corrupt(what: impl Into<String>) -> Self {
        Self(what.into().into())
    }
}

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

    /// Parses one field, remembering the failure under `field` and returning `None`.
    pub fn check<T>(&mut self, field: &'static str, parsed: Result<T, ValueError>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(error) => {
                self.0.push(FieldError {
                    field,
                    message: error.to_string(),
                });
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
