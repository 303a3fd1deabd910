//! [`AdminRepository`] of the reference store.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use confab_application::RepositoryError;
use confab_application::ports::{
    AdminChatView, AdminRepository, AdminUserView, AdminWriteError, AuditEntry, ChatListCursor,
    Invite, InvitedInsertError, NewAuditEntry, NewInvite, NewUser, OutgoingMail, StoredCounts,
    TokenHash, UserStatus, UserWriteError,
};
use confab_domain::{InviteId, SessionId, User, UserId};
use uuid::Uuid;

use super::ReferenceStore;
use super::state::{State, limit_of};

impl State {
    /// Appends an admin action to the audit log.
    pub(super) fn log(&mut self, entry: NewAuditEntry) {
        self.audit.push(AuditEntry {
            id: Uuid::now_v7(),
            admin_id: entry.admin_id,
            action: entry.action.as_str().to_owned(),
            target: entry.target,
            at: entry.at,
        });
    }

    /// Refuses taking `user` out of the active admins when it is the last one.
    fn keep_an_admin(&self, user: UserId) -> Result<(), AdminWriteError> {
        let mut active = self
            .users
            .values()
            .filter(|row| row.user.is_admin && row.user.disabled_at.is_none());
        match (active.next(), active.next()) {
            (Some(only), None) if only.user.id == user => Err(AdminWriteError::LastAdmin),
            _ => Ok(()),
        }
    }

    /// An account admins may act on: a deleted one is not found.
    fn user(&self, id: UserId) -> Result<&User, AdminWriteError> {
        self.users
            .get(&id)
            .filter(|row| row.deleted_at.is_none())
            .map(|row| &row.user)
            .ok_or(AdminWriteError::UserNotFound)
    }

    fn last_seen(&self) -> HashMap<UserId, DateTime<Utc>> {
        let mut seen: HashMap<UserId, DateTime<Utc>> = HashMap::new();
        for session in self.sessions.values() {
            let at = seen.entry(session.user_id).or_insert(session.last_used_at);
            *at = (*at).max(session.last_used_at);
        }
        seen
    }
}

fn matches(user: &User, prefix: &str, status: Option<UserStatus>) -> bool {
    let by_prefix = prefix.is_empty()
        || user.username.as_str().starts_with(prefix)
        || user.email.normalized().starts_with(prefix);
    let by_status = match status {
        None => true,
        Some(UserStatus::Active) => user.disabled_at.is_none(),
        Some(UserStatus::Disabled) => user.disabled_at.is_some(),
        Some(UserStatus::Admin) => user.is_admin,
    };
    by_prefix && by_status
}

#[async_trait]
impl AdminRepository for ReferenceStore {
    async fn create_user(
        &self,
        user: NewUser,
        is_admin: bool,
        audit: NewAuditEntry,
    ) -> Result<User, UserWriteError> {
        let mut state = self.lock()?;
        let user = state.insert_user(user, is_admin)?;
        state.log(audit);
        Ok(user)
    }

    async fn set_admin(
        &self,
        user: UserId,
        is_admin: bool,
        audit: NewAuditEntry,
    ) -> Result<User, AdminWriteError> {
        let mut state = self.lock()?;
        if state.user(user)?.is_admin && !is_admin {
            state.keep_an_admin(user)?;
        }
        let row = state
            .users
            .get_mut(&user)
            .ok_or(AdminWriteError::UserNotFound)?;
        row.user.is_admin = is_admin;
        let updated = row.user.clone();
        state.log(audit);
        Ok(updated)
    }

    async fn disable_user(
        &self,
        user: UserId,
        audit: NewAuditEntry,
    ) -> Result<Vec<SessionId>, AdminWriteError> {
        let mut state = self.lock()?;
        let found = state.user(user)?;
        if found.is_admin && found.disabled_at.is_none() {
            state.keep_an_admin(user)?;
        }
        let now = audit.at;
        if let Some(row) = state.users.get_mut(&user) {
            row.user.disabled_at.get_or_insert(now);
        }
        let revoked = state.revoke_sessions(user, None, now);
        state.log(audit);
        Ok(revoked)
    }

    async fn delete_user(
        &self,
        user: UserId,
        audit: Option<NewAuditEntry>,
        now: DateTime<Utc>,
    ) -> Result<Vec<SessionId>, AdminWriteError> {
        let mut state = self.lock()?;
        let found = state.user(user)?;
        if found.is_admin && found.disabled_at.is_none() {
            state.keep_an_admin(user)?;
        }
        if let Some(row) = state.users.get_mut(&user) {
            row.deleted_at = Some(now);
            row.user.disabled_at.get_or_insert(now);
        }
        let revoked = state.revoke_sessions(user, None, now);
        if let Some(audit) = audit {
            state.log(audit);
        }
        Ok(revoked)
    }

    async fn enable_user(&self, user: UserId, audit: NewAuditEntry) -> Result<(), AdminWriteError> {
        let mut state = self.lock()?;
        state.user(user)?;
        let row = state
            .users
            .get_mut(&user)
            .ok_or(AdminWriteError::UserNotFound)?;
        row.user.disabled_at = None;
        state.log(audit);
        Ok(())
    }

    async fn list_users(
        &self,
        prefix: &str,
        status: Option<UserStatus>,
        after_username: Option<&str>,
        limit: u64,
    ) -> Result<Vec<AdminUserView>, RepositoryError> {
        let state = self.lock()?;
        let seen = state.last_seen();
        let mut found: Vec<AdminUserView> = state
            .users
            .values()
            .filter(|row| matches(&row.user, prefix, status))
            .filter(|row| after_username.is_none_or(|after| row.user.username.as_str() > after))
            .map(|row| AdminUserView {
                user: row.user.clone(),
                last_seen_at: seen.get(&row.user.id).copied(),
                deleted_at: row.deleted_at,
            })
            .collect();
        found.sort_by(|a, b| a.user.username.as_str().cmp(b.user.username.as_str()));
        found.truncate(limit_of(limit));
        Ok(found)
    }

    async fn find_by_username(&self, username: &str) -> Result<Option<User>, RepositoryError> {
        let state = self.lock()?;
        Ok(state
            .users
            .values()
            .find(|row| row.user.username.as_str() == username)
            .map(|row| row.user.clone()))
    }

    async fn create_invite(
        &self,
        invite: NewInvite,
        audit: NewAuditEntry,
        mails: Vec<OutgoingMail>,
    ) -> Result<Invite, RepositoryError> {
        let mut state = self.lock()?;
        state.enqueue(mails, invite.created_at);
        let stored = Invite {
            id: invite.id,
            email: invite.email,
            created_by: Some(invite.created_by),
            created_at: invite.created_at,
            expires_at: invite.expires_at,
            used_at: None,
            used_by: None,
            revoked_at: None,
        };
        state
            .invites
            .insert(invite.id, (stored.clone(), invite.token_hash));
        state.log(audit);
        Ok(stored)
    }

    async fn list_invites(
        &self,
        before: Option<InviteId>,
        limit: u64,
    ) -> Result<Vec<Invite>, RepositoryError> {
        let state = self.lock()?;
        Ok(state
            .invites
            .values()
            .rev()
            .map(|(invite, _)| invite)
            .filter(|invite| before.is_none_or(|before| invite.id < before))
            .take(limit_of(limit))
            .cloned()
            .collect())
    }

    async fn list_chats(
        &self,
        prefix: &str,
        after: Option<ChatListCursor>,
        limit: u64,
    ) -> Result<Vec<AdminChatView>, RepositoryError> {
        let state = self.lock()?;
        let mut chats: Vec<_> = state
            .chats
            .values()
            .filter(|chat| chat.comes_after(after))
            .filter(|chat| {
                prefix.is_empty()
                    || chat
                        .chat
                        .name
                        .as_ref()
                        .is_some_and(|name| name.as_str().to_lowercase().starts_with(prefix))
            })
            .collect();
        // Newest activity first, ties by id, descending: the SQL keyset's order.
        chats.sort_by_key(|chat| std::cmp::Reverse((chat.chat.last_activity_at, chat.chat.id)));
        chats.truncate(limit_of(limit));
        Ok(chats
            .into_iter()
            .map(|chat| AdminChatView {
                chat: chat.chat.clone(),
                member_count: chat.members.len() as u64,
            })
            .collect())
    }

    async fn revoke_invite(
        &self,
        id: InviteId,
        audit: NewAuditEntry,
    ) -> Result<bool, RepositoryError> {
        let mut state = self.lock()?;
        let Some((invite, _)) = state.invites.get_mut(&id) else {
            return Ok(false);
        };
        if invite.used_at.is_some() || invite.revoked_at.is_some() {
            return Ok(false);
        }
        invite.revoked_at = Some(audit.at);
        state.log(audit);
        Ok(true)
    }

    async fn insert_invited(
        &self,
        user: NewUser,
        token_hash: &TokenHash,
    ) -> Result<User, InvitedInsertError> {
        let mut state = self
            .lock()
            .map_err(|e| InvitedInsertError::User(e.into()))?;
        let now = user.now;
        let usable = state.invites.values().find_map(|(invite, hash)| {
            (hash == token_hash
                && invite.used_at.is_none()
                && invite.revoked_at.is_none()
                && invite.expires_at > now)
                .then_some(invite.id)
        });
        let Some(id) = usable else {
            return Err(InvitedInsertError::InviteUnusable);
        };
        let stored = state.insert_user(user, false)?;
        if let Some((invite, _)) = state.invites.get_mut(&id) {
            invite.used_at = Some(now);
            invite.used_by = Some(stored.id);
        }
        Ok(stored)
    }

    async fn list_audit(
        &self,
        before: Option<Uuid>,
        limit: u64,
    ) -> Result<Vec<AuditEntry>, RepositoryError> {
        let state = self.lock()?;
        let mut entries: Vec<AuditEntry> = state
            .audit
            .iter()
            .filter(|entry| before.is_none_or(|before| entry.id < before))
            .cloned()
            .collect();
        entries.sort_by_key(|entry| std::cmp::Reverse(entry.id));
        entries.truncate(limit_of(limit));
        Ok(entries)
    }

    async fn counts(&self) -> Result<StoredCounts, RepositoryError> {
        let state = self.lock()?;
        let count = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
        Ok(StoredCounts {
            users: count(state.users.len()),
            chats: count(state.chats.len()),
            messages: count(state.chats.values().map(|chat| chat.messages.len()).sum()),
        })
    }
}
