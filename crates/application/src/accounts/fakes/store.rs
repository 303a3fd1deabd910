//! An in-memory user and session store for service tests.

use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use confab_domain::{Session, SessionId, User, UserId};

use super::lock;
use crate::error::RepositoryError;
use crate::ports::{
    NewSession, NewUser, PasswordHash, ProfileChanges, RefreshOutcome, SessionRepository,
    StoredCredentials, TokenHash, UserRepository, UserWriteError,
};

/// One stored session with its current and spent token hashes.
struct StoredSession {
    session: Session,
    current: TokenHash,
    spent: Vec<TokenHash>,
}

/// Accounts and sessions in vectors; one type so a password change can revoke sessions.
#[derive(Default)]
pub(crate) struct Store {
    users: Mutex<Vec<(User, PasswordHash)>>,
    sessions: Mutex<Vec<StoredSession>>,
}

impl Store {
    /// A copy of a stored session.
    pub(crate) fn session(&self, id: SessionId) -> Option<Session> {
        lock(&self.sessions)
            .iter()
            .find(|s| s.session.id == id)
            .map(|s| s.session.clone())
    }
}

#[async_trait]
impl UserRepository for Store {
    async fn insert(&self, new: NewUser) -> Result<User, UserWriteError> {
        let mut rows = lock(&self.users);
        if rows.iter().any(|(u, _)| u.username == new.username) {
            return Err(UserWriteError::UsernameTaken);
        }
        if rows
            .iter()
            .any(|(u, _)| u.email.normalized() == new.email.normalized())
        {
            return Err(UserWriteError::EmailTaken);
        }
        let user = User {
            id: new.id,
            username: new.username,
            email: new.email,
            display_name: new.display_name,
            bio: None,
            location: None,
            birth_date: None,
            is_private: false,
            created_at: new.now,
            updated_at: new.now,
        };
        rows.push((user.clone(), new.password_hash));
        Ok(user)
    }

    async fn get(&self, id: UserId) -> Result<Option<User>, RepositoryError> {
        Ok(lock(&self.users)
            .iter()
            .find(|(u, _)| u.id == id)
            .map(|(u, _)| u.clone()))
    }

    async fn find_credentials(
        &self,
        login: &str,
    ) -> Result<Option<StoredCredentials>, RepositoryError> {
        let key = login.to_lowercase();
        Ok(lock(&self.users)
            .iter()
            .find(|(u, _)| u.username.as_str() == key || u.email.normalized() == key)
            .map(|(user, hash)| StoredCredentials {
                user: user.clone(),
                password_hash: hash.clone(),
            }))
    }

    async fn password_hash(&self, id: UserId) -> Result<Option<PasswordHash>, RepositoryError> {
        Ok(lock(&self.users)
            .iter()
            .find(|(u, _)| u.id == id)
            .map(|(_, h)| h.clone()))
    }

    async fn update_profile(
        &self,
        id: UserId,
        changes: ProfileChanges,
        now: DateTime<Utc>,
    ) -> Result<User, UserWriteError> {
        let mut rows = lock(&self.users);
        let others = || rows.iter().filter(|(u, _)| u.id != id);
        if let Some(name) = &changes.username
            && others().any(|(u, _)| &u.username == name)
        {
            return Err(UserWriteError::UsernameTaken);
        }
        if let Some(email) = &changes.email
            && others().any(|(u, _)| u.email.normalized() == email.normalized())
        {
            return Err(UserWriteError::EmailTaken);
        }
        let (user, _) = rows
            .iter_mut()
            .find(|(u, _)| u.id == id)
            .ok_or(UserWriteError::NotFound)?;
        if let Some(v) = changes.username {
            user.username = v;
        }
        if let Some(v) = changes.email {
            user.email = v;
        }
        if let Some(v) = changes.display_name {
            user.display_name = v;
        }
        if let Some(v) = changes.bio {
            user.bio = v;
        }
        if let Some(v) = changes.location {
            user.location = v;
        }
        if let Some(v) = changes.birth_date {
            user.birth_date = v;
        }
        if let Some(v) = changes.is_private {
            user.is_private = v;
        }
        user.updated_at = now;
        Ok(user.clone())
    }

    async fn change_password(
        &self,
        id: UserId,
        hash: PasswordHash,
        keep: SessionId,
        now: DateTime<Utc>,
    ) -> Result<Vec<SessionId>, RepositoryError> {
        if let Some((_, stored)) = lock(&self.users).iter_mut().find(|(u, _)| u.id == id) {
            *stored = hash;
        }
        let mut revoked = Vec::new();
        for row in lock(&self.sessions).iter_mut() {
            let s = &mut row.session;
            if s.user_id == id && s.id != keep && s.is_active(now) {
                s.revoked_at = Some(now);
                revoked.push(s.id);
            }
        }
        Ok(revoked)
    }

    async fn search(
        &self,
        prefix: &str,
        after_username: Option<&str>,
        limit: u64,
    ) -> Result<Vec<User>, RepositoryError> {
        let mut found: Vec<User> = lock(&self.users)
            .iter()
            .map(|(u, _)| u.clone())
            .filter(|u| {
                u.username.as_str().starts_with(prefix)
                    || u.display_name
                        .as_ref()
                        .is_some_and(|d| d.as_str().to_lowercase().starts_with(prefix))
            })
            .filter(|u| after_username.is_none_or(|after| u.username.as_str() > after))
            .collect();
        found.sort_by(|a, b| a.username.as_str().cmp(b.username.as_str()));
        found.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(found)
    }

    async fn existing(&self, _ids: &[UserId]) -> Result<Vec<UserId>, RepositoryError> {
        Ok(Vec::new())
    }
}

#[async_trait]
impl SessionRepository for Store {
    async fn create(&self, new: NewSession) -> Result<Session, RepositoryError> {
        let session = Session {
            id: new.id,
            user_id: new.user_id,
            device_name: new.device_name,
            created_at: new.now,
            last_used_at: new.now,
            expires_at: new.expires_at,
            revoked_at: None,
        };
        lock(&self.sessions).push(StoredSession {
            session: session.clone(),
            current: new.refresh_token_hash,
            spent: Vec::new(),
        });
        Ok(session)
    }

    async fn get(&self, id: SessionId) -> Result<Option<Session>, RepositoryError> {
        Ok(lock(&self.sessions)
            .iter()
            .find(|s| s.session.id == id)
            .map(|s| s.session.clone()))
    }

    async fn rotate_refresh_token(
        &self,
        presented: &TokenHash,
        replacement: &TokenHash,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<RefreshOutcome, RepositoryError> {
        let mut rows = lock(&self.sessions);
        let Some(row) = rows
            .iter_mut()
            .find(|s| &s.current == presented || s.spent.contains(presented))
        else {
            return Ok(RefreshOutcome::Unknown);
        };
        if !row.session.is_active(now) {
            return Ok(RefreshOutcome::Inactive);
        }
        if &row.current != presented {
            row.session.revoked_at = Some(now);
            return Ok(RefreshOutcome::Reused {
                session_id: row.session.id,
                user_id: row.session.user_id,
            });
        }
        row.spent
            .push(std::mem::replace(&mut row.current, replacement.clone()));
        row.session.last_used_at = now;
        row.session.expires_at = expires_at;
        Ok(RefreshOutcome::Rotated(row.session.clone()))
    }

    async fn list_active(
        &self,
        user_id: UserId,
        before: Option<SessionId>,
        limit: u64,
        now: DateTime<Utc>,
    ) -> Result<Vec<Session>, RepositoryError> {
        let mut found: Vec<Session> = lock(&self.sessions)
            .iter()
            .map(|s| s.session.clone())
            .filter(|s| s.user_id == user_id && s.is_active(now))
            .filter(|s| before.is_none_or(|b| s.id < b))
            .collect();
        found.sort_by_key(|s| std::cmp::Reverse(s.id));
        found.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(found)
    }

    async fn revoke(
        &self,
        user_id: UserId,
        session_id: SessionId,
        now: DateTime<Utc>,
    ) -> Result<bool, RepositoryError> {
        let mut rows = lock(&self.sessions);
        let row = rows.iter_mut().find(|s| {
            s.session.id == session_id && s.session.user_id == user_id && s.session.is_active(now)
        });
        Ok(row.map(|s| s.session.revoked_at = Some(now)).is_some())
    }
}
