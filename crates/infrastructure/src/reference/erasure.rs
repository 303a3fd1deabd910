//! The erasure job's storage, with the SQL adapters' semantics: the work left is
//! read from the state itself, so every call is idempotent.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use confab_application::RepositoryError;
use confab_application::ports::{ErasureRepository, RELEASED_NAME_PREFIX, released_name};
use confab_domain::{ChatId, ChatKind, DisplayName, Email, LoggedEvent, Message, UserId, Username};

use super::ReferenceStore;
use super::messages::tombstone;
use super::state::limit_of;

#[async_trait]
impl ErasureRepository for ReferenceStore {
    async fn next_to_erase(&self) -> Result<Option<UserId>, RepositoryError> {
        let state = self.lock()?;
        Ok(state
            .users
            .values()
            .filter(|row| row.erased_at.is_none())
            .filter_map(|row| row.deleted_at.map(|at| (at, row.user.id)))
            .min()
            .map(|(_, id)| id))
    }

    async fn blank_profile(
        &self,
        user: UserId,
        display_name: &DisplayName,
        now: DateTime<Utc>,
    ) -> Result<bool, RepositoryError> {
        let mut state = self.lock()?;
        let tokens = state.mail_tokens.len();
        state.mail_tokens.retain(|_, token| token.user_id != user);
        let tokens_deleted = state.mail_tokens.len() != tokens;
        let Some(row) = state
            .users
            .get_mut(&user)
            .filter(|row| row.erased_at.is_none())
        else {
            return Ok(tokens_deleted);
        };
        let profile = &mut row.user;
        let blank = profile.display_name.as_ref() == Some(display_name)
            && profile.bio.is_none()
            && profile.location.is_none()
            && profile.birth_date.is_none()
            && profile.pending_email.is_none()
            && profile.avatar.is_none()
            && profile.is_private;
        if !blank {
            profile.display_name = Some(display_name.clone());
            profile.bio = None;
            profile.location = None;
            profile.birth_date = None;
            profile.pending_email = None;
            profile.avatar = None;
            profile.is_private = true;
            profile.updated_at = now;
        }
        Ok(!blank || tokens_deleted)
    }

    async fn tombstone_messages(
        &self,
        user: UserId,
        now: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<LoggedEvent>, RepositoryError> {
        let mut state = self.lock()?;
        let limit = limit_of(limit);
        let live_by = |message: &&Message| message.author_id == user && !message.is_deleted();
        // Chats in id order, as the SQL adapters lock them.
        let chats: Vec<ChatId> = state
            .chats
            .iter()
            .filter(|(_, chat)| chat.messages.values().any(|m| live_by(&m)))
            .map(|(id, _)| *id)
            .collect();
        let mut entries = Vec::new();
        for chat_id in chats {
            let left = limit.saturating_sub(entries.len());
            let messages: Vec<Message> = state
                .chats
                .get(&chat_id)
                .map(|chat| {
                    chat.live_messages(now)
                        .filter(live_by)
                        .take(left)
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            for message in messages {
                entries.push(tombstone(&mut state, message, now)?.entry);
            }
        }
        Ok(entries)
    }

    async fn groups_of(&self, user: UserId, limit: u64) -> Result<Vec<ChatId>, RepositoryError> {
        let state = self.lock()?;
        Ok(state
            .chats
            .iter()
            .filter(|(_, chat)| chat.chat.kind == ChatKind::Group && chat.member(user).is_some())
            .map(|(id, _)| *id)
            .take(limit_of(limit))
            .collect())
    }

    async fn delete_uploads(&self, user: UserId, limit: u64) -> Result<u64, RepositoryError> {
        let mut state = self.lock()?;
        if let Some(row) = state.users.get_mut(&user) {
            row.user.avatar = None;
        }
        let owned: Vec<_> = state
            .uploads
            .values()
            .filter(|upload| upload.owner_id == user)
            .map(|upload| upload.id)
            .take(limit_of(limit))
            .collect();
        for id in &owned {
            state.uploads.remove(id);
        }
        Ok(u64::try_from(owned.len()).unwrap_or(u64::MAX))
    }

    async fn mark_erased(&self, user: UserId, now: DateTime<Utc>) -> Result<(), RepositoryError> {
        let mut state = self.lock()?;
        if let Some(row) = state.users.get_mut(&user) {
            row.erased_at.get_or_insert(now);
        }
        Ok(())
    }

    async fn release_names(
        &self,
        deleted_before: DateTime<Utc>,
        limit: u64,
    ) -> Result<u64, RepositoryError> {
        let mut state = self.lock()?;
        let mut released = 0;
        for row in state
            .users
            .values_mut()
            .filter(|row| row.erased_at.is_some())
            .filter(|row| row.deleted_at.is_some_and(|at| at < deleted_before))
            .filter(|row| !row.user.username.as_str().starts_with(RELEASED_NAME_PREFIX))
            .take(limit_of(limit))
        {
            let name = released_name(row.user.id);
            row.user.username = Username::from_stored(name.clone());
            row.user.email = Email::from_stored(name);
            released += 1;
        }
        Ok(released)
    }
}
