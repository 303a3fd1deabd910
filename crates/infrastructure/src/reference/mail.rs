//! [`MailTokenRepository`] and [`MailOutbox`] of the reference store.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use confab_application::RepositoryError;
use confab_application::ports::{
    MailOutbox, MailTokenRepository, NewMailToken, OutgoingMail, PasswordHash, QueuedMail,
    TokenHash, TokenPurpose, UserWriteError,
};
use confab_domain::{Email, SessionId, User, UserId};
use uuid::Uuid;

use super::state::{State, StoredMail, StoredMailToken};
use super::{ReferenceStore, violated};

impl State {
    fn store_token(&mut self, token: NewMailToken) -> Result<(), RepositoryError> {
        if self.mail_tokens.contains_key(&token.hash) {
            return Err(violated("email_tokens.token_hash is unique"));
        }
        self.mail_tokens.insert(
            token.hash,
            StoredMailToken {
                user_id: token.user_id,
                purpose: token.purpose,
                email: token.email,
                created_at: token.now,
                expires_at: token.expires_at,
                used: false,
            },
        );
        Ok(())
    }

    pub(super) fn enqueue(&mut self, mails: Vec<OutgoingMail>, now: DateTime<Utc>) {
        for mail in mails {
            self.outbox.push(StoredMail {
                id: Uuid::now_v7(),
                mail,
                due: now,
                attempts: 0,
                done: false,
            });
        }
    }

    /// The usable token of `purpose` with this hash, if any.
    fn usable_token(
        &self,
        hash: &TokenHash,
        purpose: TokenPurpose,
        now: DateTime<Utc>,
    ) -> Option<StoredMailToken> {
        self.mail_tokens
            .get(hash)
            .filter(|t| t.purpose == purpose && !t.used && t.expires_at > now)
            .cloned()
    }
}

#[async_trait]
impl MailTokenRepository for ReferenceStore {
    async fn issue(
        &self,
        token: NewMailToken,
        mails: Vec<OutgoingMail>,
    ) -> Result<(), RepositoryError> {
        let mut state = self.lock()?;
        let now = token.now;
        state.store_token(token)?;
        state.enqueue(mails, now);
        Ok(())
    }

    async fn request_email_change(
        &self,
        token: NewMailToken,
        mails: Vec<OutgoingMail>,
    ) -> Result<User, UserWriteError> {
        let mut state = self.lock()?;
        let (id, email, now) = (token.user_id, token.email.clone(), token.now);
        if state
            .users
            .values()
            .any(|row| row.user.id != id && row.user.email.normalized() == email.normalized())
        {
            return Err(UserWriteError::EmailTaken);
        }
        if !state.users.contains_key(&id) {
            return Err(UserWriteError::NotFound);
        }
        state.store_token(token)?;
        state.enqueue(mails, now);
        let row = state.users.get_mut(&id).ok_or(UserWriteError::NotFound)?;
        row.user.pending_email = Some(email);
        row.user.updated_at = now;
        Ok(row.user.clone())
    }

    async fn latest_issued(
        &self,
        user_id: UserId,
        purpose: TokenPurpose,
    ) -> Result<Option<DateTime<Utc>>, RepositoryError> {
        Ok(self
            .lock()?
            .mail_tokens
            .values()
            .filter(|t| t.user_id == user_id && t.purpose == purpose)
            .map(|t| t.created_at)
            .max())
    }

    async fn confirm_email(
        &self,
        hash: &TokenHash,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, UserWriteError> {
        let mut state = self.lock()?;
        let Some(token) = state.usable_token(hash, TokenPurpose::Verify, now) else {
            return Ok(None);
        };
        // A disabled account's link changes nothing, as in the SQL adapter.
        let Some(user) = state
            .users
            .get(&token.user_id)
            .map(|row| row.user.clone())
            .filter(|user| user.disabled_at.is_none())
        else {
            return Ok(None);
        };
        let address = token.email.normalized();
        let is_pending = user
            .pending_email
            .as_ref()
            .is_some_and(|pending| pending.normalized() == address);
        let new_email: Option<Email> = if user.email.normalized() == address {
            None
        } else if is_pending {
            if state
                .users
                .values()
                .any(|row| row.user.id != user.id && row.user.email.normalized() == address)
            {
                return Err(UserWriteError::EmailTaken);
            }
            Some(token.email.clone())
        } else {
            return Ok(None);
        };
        if let Some(stored) = state.mail_tokens.get_mut(hash) {
            stored.used = true;
        }
        let row = state
            .users
            .get_mut(&token.user_id)
            .ok_or(UserWriteError::NotFound)?;
        if let Some(email) = new_email {
            row.user.email = email;
            row.user.pending_email = None;
        }
        row.user.email_verified = true;
        row.user.updated_at = now;
        Ok(Some(row.user.clone()))
    }

    async fn reset_password(
        &self,
        hash: &TokenHash,
        password_hash: PasswordHash,
        now: DateTime<Utc>,
    ) -> Result<Option<(UserId, Vec<SessionId>)>, RepositoryError> {
        let mut state = self.lock()?;
        let Some(token) = state.usable_token(hash, TokenPurpose::Reset, now) else {
            return Ok(None);
        };
        let user_id = token.user_id;
        let Some(row) = state
            .users
            .get_mut(&user_id)
            .filter(|row| row.user.disabled_at.is_none())
        else {
            return Ok(None);
        };
        row.password_hash = password_hash;
        for stored in state.mail_tokens.values_mut() {
            if stored.user_id == user_id && stored.purpose == TokenPurpose::Reset {
                stored.used = true;
            }
        }
        let revoked = state.revoke_sessions(user_id, None, now);
        Ok(Some((user_id, revoked)))
    }
}

#[async_trait]
impl MailOutbox for ReferenceStore {
    async fn claim(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<QueuedMail>, RepositoryError> {
        let mut state = self.lock()?;
        let mut claimed = Vec::new();
        for stored in state.outbox.iter_mut().filter(|m| !m.done && m.due <= now) {
            if claimed.len() as u64 >= limit {
                break;
            }
            stored.due = lease_until;
            claimed.push(QueuedMail {
                id: stored.id,
                mail: stored.mail.clone(),
                attempts: stored.attempts,
            });
        }
        Ok(claimed)
    }

    async fn mark_sent(&self, id: Uuid, _now: DateTime<Utc>) -> Result<(), RepositoryError> {
        let mut state = self.lock()?;
        if let Some(stored) = state.outbox.iter_mut().find(|m| m.id == id) {
            stored.done = true;
            stored.attempts += 1;
        }
        Ok(())
    }

    async fn mark_failed(
        &self,
        id: Uuid,
        _error: &str,
        _now: DateTime<Utc>,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), RepositoryError> {
        let mut state = self.lock()?;
        if let Some(stored) = state.outbox.iter_mut().find(|m| m.id == id) {
            stored.attempts += 1;
            match retry_at {
                Some(at) => stored.due = at,
                None => stored.done = true,
            }
        }
        Ok(())
    }

    async fn pending(&self) -> Result<u64, RepositoryError> {
        Ok(self.lock()?.outbox.iter().filter(|m| !m.done).count() as u64)
    }
}

impl ReferenceStore {
    /// Every mail queued so far, oldest first (tests read links from them).
    ///
    /// # Panics
    /// When a panic under the lock poisoned the store.
    pub fn queued_mails(&self) -> Vec<OutgoingMail> {
        self.lock()
            .expect("reference store")
            .outbox
            .iter()
            .map(|stored| stored.mail.clone())
            .collect()
    }
}
