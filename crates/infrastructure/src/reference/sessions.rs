//! [`SessionRepository`] of the reference store.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use confab_application::RepositoryError;
use confab_application::ports::{NewSession, RefreshOutcome, SessionRepository, TokenHash};
use confab_domain::{Session, SessionId, UserId};

use super::state::{StoredToken, limit_of};
use super::{ReferenceStore, violated};

#[async_trait]
impl SessionRepository for ReferenceStore {
    async fn create(&self, new: NewSession) -> Result<Option<Session>, RepositoryError> {
        let mut state = self.lock()?;
        let Some(account) = state.users.get(&new.user_id) else {
            return Err(violated("sessions.user_id references users"));
        };
        if account.user.disabled_at.is_some() {
            return Ok(None);
        }
        if state.sessions.contains_key(&new.id) {
            return Err(violated("sessions.id is unique"));
        }
        if state.refresh_tokens.contains_key(&new.refresh_token_hash) {
            return Err(violated("refresh_tokens.token_hash is unique"));
        }
        let session = Session {
            id: new.id,
            user_id: new.user_id,
            device_name: new.device_name,
            created_at: new.now,
            last_used_at: new.now,
            expires_at: new.expires_at,
            revoked_at: None,
        };
        state.sessions.insert(session.id, session.clone());
        let token = StoredToken {
            session_id: session.id,
            spent: false,
        };
        state.refresh_tokens.insert(new.refresh_token_hash, token);
        Ok(Some(session))
    }

    async fn get(&self, id: SessionId) -> Result<Option<Session>, RepositoryError> {
        Ok(self.lock()?.sessions.get(&id).cloned())
    }

    async fn rotate_refresh_token(
        &self,
        presented: &TokenHash,
        replacement: &TokenHash,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<RefreshOutcome, RepositoryError> {
        let mut guard = self.lock()?;
        // Split the borrow: the session and the token table change together.
        let state = &mut *guard;
        let Some(token) = state.refresh_tokens.get(presented).copied() else {
            return Ok(RefreshOutcome::Unknown);
        };
        let Some(session) = state.sessions.get_mut(&token.session_id) else {
            return Ok(RefreshOutcome::Unknown);
        };
        if session.revoked_at.is_some() || session.expires_at <= now {
            return Ok(RefreshOutcome::Inactive);
        }
        if token.spent {
            // A spent token presented again: someone replayed it, so the session goes.
            session.revoked_at = Some(now);
            return Ok(RefreshOutcome::Reused {
                session_id: session.id,
                user_id: session.user_id,
            });
        }
        if state.refresh_tokens.contains_key(replacement) {
            return Err(violated("refresh_tokens.token_hash is unique"));
        }
        let spent = StoredToken {
            spent: true,
            ..token
        };
        state.refresh_tokens.insert(presented.clone(), spent);
        let fresh = StoredToken {
            session_id: session.id,
            spent: false,
        };
        state.refresh_tokens.insert(replacement.clone(), fresh);
        session.last_used_at = now;
        session.expires_at = expires_at;
        Ok(RefreshOutcome::Rotated(session.clone()))
    }

    async fn list_active(
        &self,
        user_id: UserId,
        before: Option<SessionId>,
        limit: u64,
        now: DateTime<Utc>,
    ) -> Result<Vec<Session>, RepositoryError> {
        // Session ids are UUIDv7, so id order is creation order.
        let state = self.lock()?;
        Ok(state
            .sessions
            .values()
            .rev()
            .filter(|s| s.user_id == user_id && s.revoked_at.is_none() && s.expires_at > now)
            .filter(|s| before.is_none_or(|before| s.id < before))
            .take(limit_of(limit))
            .cloned()
            .collect())
    }

    async fn revoke(
        &self,
        user_id: UserId,
        session_id: SessionId,
        now: DateTime<Utc>,
    ) -> Result<bool, RepositoryError> {
        let mut state = self.lock()?;
        let session = state
            .sessions
            .get_mut(&session_id)
            .filter(|s| s.user_id == user_id && s.revoked_at.is_none() && s.expires_at > now);
        Ok(session.map(|s| s.revoked_at = Some(now)).is_some())
    }
}
