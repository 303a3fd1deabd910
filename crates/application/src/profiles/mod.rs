//! Profiles: reading and editing my own, viewing others' under the privacy rules,
//! and searching users by name prefix.

mod avatar;
mod errors;
mod field_update;
mod patch;
mod search;
mod service;

use std::sync::Arc;

pub use errors::{AvatarError, GetUserError, ProfileError, SearchUsersError, UpdateProfileError};
pub use field_update::FieldUpdate;
pub use patch::ProfilePatch;

use crate::email::EmailService;
use crate::ports::{AvatarRepository, Clock, PasswordHasher, UploadRepository, UserRepository};

/// The profile use cases. Cheap to clone: it only holds shared ports.
#[derive(Clone)]
pub struct ProfileService {
    users: Arc<dyn UserRepository>,
    hasher: Arc<dyn PasswordHasher>,
    clock: Arc<dyn Clock>,
    /// Uploads, to check that an avatar is an image of mine.
    uploads: Arc<dyn UploadRepository>,
    /// Who has which avatar.
    avatars: Arc<dyn AvatarRepository>,
    /// When set, a new email waits as `pending_email` until its link is used.
    email_changes: Option<EmailService>,
}

impl ProfileService {
    /// Wires the service to its ports; the hasher checks the password an email
    /// change requires.
    pub fn new(
        users: Arc<dyn UserRepository>,
        hasher: Arc<dyn PasswordHasher>,
        clock: Arc<dyn Clock>,
        uploads: Arc<dyn UploadRepository>,
        avatars: Arc<dyn AvatarRepository>,
    ) -> Self {
        Self {
            users,
            hasher,
            clock,
            uploads,
            avatars,
            email_changes: None,
        }
    }

    /// Makes an email change wait for confirmation: `PATCH /me` with a new address
    /// sets `pending_email` and mails it a link (and the old address a notice).
    #[must_use]
    pub fn with_email_changes(mut self, email: EmailService) -> Self {
        self.email_changes = Some(email);
        self
    }
}
