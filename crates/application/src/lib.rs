//! confab's use cases and the ports they need.
//!
//! One service per area ([`accounts`], [`profiles`], [`chats`], [`messages`],
//! [`realtime`]). Services parse raw input into domain values, decide authorization,
//! call the ports and publish events after the write has committed. They know
//! nothing of HTTP or SQL.

pub mod accounts;
pub mod admin;
pub mod chats;
pub mod email;
pub mod error;
pub mod files;
pub mod messages;
pub mod pagination;
pub mod ports;
pub mod profiles;
pub mod publish;
pub mod realtime;

pub use error::{FieldError, RepositoryError, ValidationErrors};
pub use pagination::{Page, PageLimit};
