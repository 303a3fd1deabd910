//! [`AvatarRepository`] of the reference store.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use confab_application::RepositoryError;
use confab_application::ports::AvatarRepository;
use confab_domain::{UploadId, User, UserId};

use super::state::State;
use super::{ReferenceStore, violated};

impl State {
    /// Whether upload `id` is some user's avatar.
    pub(super) fn is_avatar(&self, id: UploadId) -> bool {
        self.users.values().any(|row| row.user.avatar == Some(id))
    }

    /// What `ON DELETE SET NULL` does when upload `id`'s row goes.
    pub(super) fn forget_avatar(&mut self, id: UploadId) {
        for row in self.users.values_mut() {
            if row.user.avatar == Some(id) {
                row.user.avatar = None;
            }
        }
    }
}

#[async_trait]
impl AvatarRepository for ReferenceStore {
    async fn set_avatar(
        &self,
        user: UserId,
        avatar: Option<UploadId>,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, RepositoryError> {
        let mut state = self.lock()?;
        if let Some(id) = avatar
            && !state.uploads.contains_key(&id)
        {
            return Err(violated("users.avatar_upload_id references uploads"));
        }
        let Some(row) = state.users.get_mut(&user) else {
            return Ok(None);
        };
        row.user.avatar = avatar;
        row.user.updated_at = now;
        Ok(Some(row.user.clone()))
    }
}
