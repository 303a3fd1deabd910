//! [`UploadRepository`] of the reference store.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use confab_application::RepositoryError;
use confab_application::ports::{UploadInsertError, UploadRepository};
use confab_domain::{Upload, UploadId, UserId};

use super::state::State;
use super::{ReferenceStore, violated};

#[async_trait]
impl UploadRepository for ReferenceStore {
    async fn insert(&self, upload: &Upload, quota: u64) -> Result<(), UploadInsertError> {
        let mut state = self.lock()?;
        if !state.users.contains_key(&upload.owner_id) {
            return Err(violated("uploads.owner_id references users").into());
        }
        if state.uploads.contains_key(&upload.id) {
            return Err(violated("uploads.id is unique").into());
        }
        if usage_in(&state, upload.owner_id).saturating_add(upload.size) > quota {
            return Err(UploadInsertError::QuotaExceeded);
        }
        state.uploads.insert(upload.id, upload.clone());
        Ok(())
    }

    async fn usage(&self, owner: UserId) -> Result<u64, RepositoryError> {
        let state = self.lock()?;
        Ok(usage_in(&state, owner))
    }

    async fn readable(
        &self,
        id: UploadId,
        reader: UserId,
        now: DateTime<Utc>,
    ) -> Result<Option<Upload>, RepositoryError> {
        let state = self.lock()?;
        let Some(upload) = state.uploads.get(&id) else {
            return Ok(None);
        };
        if state.is_avatar(id) {
            return Ok(Some(upload.clone()));
        }
        let Some(message_id) = upload.message_id else {
            return Ok((upload.owner_id == reader).then(|| upload.clone()));
        };
        let visible = state.chats.values().any(|chat| {
            chat.live_message(message_id, now).is_some_and(|message| {
                !message.is_deleted()
                    && (upload.owner_id == reader || chat.member(reader).is_some())
            })
        });
        Ok(visible.then(|| upload.clone()))
    }

    async fn set_thumbnail(&self, id: UploadId, key: &str) -> Result<(), RepositoryError> {
        if let Some(upload) = self.lock()?.uploads.get_mut(&id) {
            upload.thumbnail_key = Some(key.to_owned());
        }
        Ok(())
    }

    async fn delete(&self, id: UploadId) -> Result<(), RepositoryError> {
        let mut state = self.lock()?;
        state.uploads.remove(&id);
        state.forget_avatar(id);
        Ok(())
    }
}

fn usage_in(state: &State, owner: UserId) -> u64 {
    state
        .uploads
        .values()
        .filter(|upload| upload.owner_id == owner)
        .map(|upload| upload.size)
        .sum()
}
