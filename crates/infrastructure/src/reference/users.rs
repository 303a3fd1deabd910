//! [`UserRepository`] of the reference store.

use std::collections::HashSet;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use confab_application::RepositoryError;
use confab_application::ports::{
    NewUser, PasswordHash, ProfileChanges, StoredCredentials, UserRepository, UserWriteError,
};
use confab_domain::{Email, SessionId, User, UserId, Username};

use super::state::{State, StoredUser, limit_of};
use super::{ReferenceStore, violated};

impl State {
    /// The clash a write of `username` and `email` by account `id` would cause with
    /// another account (the unique keys of the SQL schema).
    fn clash(
        &self,
        id: UserId,
        username: Option<&Username>,
        email: Option<&Email>,
    ) -> Option<UserWriteError> {
        let others = || self.users.values().filter(|row| row.user.id != id);
        if let Some(username) = username
            && others().any(|row| &row.user.username == username)
        {
            return Some(UserWriteError::UsernameTaken);
        }
        if let Some(email) = email
            && others().any(|row| row.user.email.normalized() == email.normalized())
        {
            return Some(UserWriteError::EmailTaken);
        }
        None
    }

    /// Stores a new account, refusing what the SQL schema's keys would refuse.
    pub(super) fn insert_user(
        &mut self,
        new: NewUser,
        is_admin: bool,
    ) -> Result<User, UserWriteError> {
        if self.users.contains_key(&new.id) {
            return Err(violated("users.id is unique").into());
        }
        if let Some(clash) = self.clash(new.id, Some(&new.username), Some(&new.email)) {
            return Err(clash);
        }
        let user = User {
            id: new.id,
            username: new.username,
            email: new.email,
            email_verified: false,
            pending_email: None,
            display_name: new.display_name,
            bio: None,
            location: None,
            birth_date: None,
            is_private: false,
            created_at: new.now,
            updated_at: new.now,
            is_admin,
            disabled_at: None,
            avatar: None,
        };
        let row = StoredUser {
            user: user.clone(),
            password_hash: new.password_hash,
            deleted_at: None,
            erased_at: None,
        };
        self.users.insert(user.id, row);
        Ok(user)
    }
}

/// Writes the requested changes into `user`.
fn apply(user: &mut User, changes: ProfileChanges) {
    if let Some(username) = changes.username {
        user.username = username;
    }
    if let Some(email) = changes.email {
        // A different address (not only different case) is not verified yet.
        if email.normalized() != user.email.normalized() {
            user.email_verified = false;
        }
        user.email = email;
    }
    if let Some(display_name) = changes.display_name {
        user.display_name = display_name;
    }
    if let Some(bio) = changes.bio {
        user.bio = bio;
    }
    if let Some(location) = changes.location {
        user.location = location;
    }
    if let Some(birth_date) = changes.birth_date {
        user.birth_date = birth_date;
    }
    if let Some(is_private) = changes.is_private {
        user.is_private = is_private;
    }
}

/// Whether `user` matches a lower-cased search prefix by username or display name.
fn matches_prefix(user: &User, prefix: &str) -> bool {
    user.username.as_str().starts_with(prefix)
        || user
            .display_name
            .as_ref()
            .is_some_and(|name| name.as_str().to_lowercase().starts_with(prefix))
}

#[async_trait]
impl UserRepository for ReferenceStore {
    async fn insert(&self, new: NewUser) -> Result<User, UserWriteError> {
        self.lock()?.insert_user(new, false)
    }

    async fn get(&self, id: UserId) -> Result<Option<User>, RepositoryError> {
        Ok(self.lock()?.users.get(&id).map(|row| row.user.clone()))
    }

    async fn find_credentials(
        &self,
        login: &str,
    ) -> Result<Option<StoredCredentials>, RepositoryError> {
        let key = login.trim().to_lowercase();
        // Usernames cannot contain `@` and addresses must, so one field decides.
        let by_email = key.contains('@');
        let state = self.lock()?;
        let found = state.users.values().find(|row| {
            // A deleted account's username and email no longer sign in.
            if row.deleted_at.is_some() {
                false
            } else if by_email {
                row.user.email.normalized() == key
            } else {
                row.user.username.as_str() == key
            }
        });
        Ok(found.map(|row| StoredCredentials {
            user: row.user.clone(),
            password_hash: row.password_hash.clone(),
        }))
    }

    async fn password_hash(&self, id: UserId) -> Result<Option<PasswordHash>, RepositoryError> {
        Ok(self
            .lock()?
            .users
            .get(&id)
            .map(|row| row.password_hash.clone()))
    }

    async fn update_profile(
        &self,
        id: UserId,
        changes: ProfileChanges,
        now: DateTime<Utc>,
    ) -> Result<User, UserWriteError> {
        let mut state = self.lock()?;
        if !state.users.contains_key(&id) {
            return Err(UserWriteError::NotFound);
        }
        if let Some(clash) = state.clash(id, changes.username.as_ref(), changes.email.as_ref()) {
            return Err(clash);
        }
        let row = state.users.get_mut(&id).ok_or(UserWriteError::NotFound)?;
        apply(&mut row.user, changes);
        row.user.updated_at = now;
        Ok(row.user.clone())
    }

    async fn change_password(
        &self,
        id: UserId,
        hash: PasswordHash,
        keep: SessionId,
        now: DateTime<Utc>,
    ) -> Result<Vec<SessionId>, RepositoryError> {
        let mut state = self.lock()?;
        if let Some(row) = state.users.get_mut(&id) {
            row.password_hash = hash;
        }
        Ok(state.revoke_sessions(id, Some(keep), now))
    }

    async fn search(
        &self,
        prefix: &str,
        after_username: Option<&str>,
        limit: u64,
    ) -> Result<Vec<User>, RepositoryError> {
        let state = self.lock()?;
        let mut found: Vec<User> = state
            .users
            .values()
            .filter(|row| row.deleted_at.is_none())
            .map(|row| &row.user)
            .filter(|user| matches_prefix(user, prefix))
            .filter(|user| after_username.is_none_or(|after| user.username.as_str() > after))
            .cloned()
            .collect();
        found.sort_by(|a, b| a.username.as_str().cmp(b.username.as_str()));
        found.truncate(limit_of(limit));
        Ok(found)
    }

    async fn existing(&self, ids: &[UserId]) -> Result<Vec<UserId>, RepositoryError> {
        let state = self.lock()?;
        let mut seen = HashSet::new();
        Ok(ids
            .iter()
            .copied()
            .filter(|id| state.users.contains_key(id) && seen.insert(*id))
            .collect())
    }
}
