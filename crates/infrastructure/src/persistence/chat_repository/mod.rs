//! [`SeaOrmChatRepository`]: chats, members and the membership side of each log.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use confab_application::RepositoryError;
use confab_application::ports::{
    AddMembersWriteError, ChatChanges, ChatListCursor, ChatRepository, DirectChat,
    DirectChatWriteError, Guard, GuardedWriteError, LockedChat, Membership, NewGroup,
    NewGroupWriteError, Refusal, Removal,
};
use confab_domain::{
    ChatId, ChatListItem, ChatSnapshot, ChatView, LoggedEvent, MemberRole, Seq, UserId,
};
use sea_orm::{DatabaseConnection, DatabaseTransaction};

use super::chat_guard::{Locked, lock_for, record_server_admin};

mod create;
mod members;
mod read;
mod settings;

/// The [`ChatRepository`] on PostgreSQL or SQLite.
#[derive(Debug, Clone)]
pub struct SeaOrmChatRepository {
    db: DatabaseConnection,
}

impl SeaOrmChatRepository {
    /// Uses the given (migrated) database.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

/// Locks the chat and runs `guard` on its members as they are now; `target` is the
/// member the write is about, if any.
async fn authorized<E: From<Refusal> + From<RepositoryError>>(
    txn: &DatabaseTransaction,
    chat_id: ChatId,
    guard: &Guard<'_, LockedChat>,
    target: Option<UserId>,
) -> Result<Locked, E> {
    let server_admin = guard.server_admin.is_some();
    let locked = lock_for(txn, chat_id.as_uuid(), guard.actor, target, server_admin)
        .await?
        .ok_or(Refusal::NotMember)?;
    guard.check(&locked.state)?;
    record_server_admin(txn, guard.server_admin).await?;
    Ok(locked)
}

#[async_trait]
impl ChatRepository for SeaOrmChatRepository {
    async fn create_group(&self, group: NewGroup) -> Result<LoggedEvent, NewGroupWriteError> {
        create::create_group(&self.db, group).await
    }

    async fn find_or_create_direct(
        &self,
        new_id: ChatId,
        a: UserId,
        b: UserId,
        now: DateTime<Utc>,
    ) -> Result<DirectChat, DirectChatWriteError> {
        create::find_or_create_direct(&self.db, new_id, (a, b), now).await
    }

    async fn membership(
        &self,
        chat_id: ChatId,
        user_id: UserId,
    ) -> Result<Option<Membership>, RepositoryError> {
        read::membership(&self.db, chat_id, user_id).await
    }

    async fn view(
        &self,
        chat_id: ChatId,
        viewer: UserId,
        now: DateTime<Utc>,
    ) -> Result<Option<ChatView>, RepositoryError> {
        read::view(&self.db, chat_id, viewer, now).await
    }

    async fn snapshot(&self, chat_id: ChatId) -> Result<Option<ChatSnapshot>, RepositoryError> {
        super::chat_queries::snapshot(&self.db, chat_id.as_uuid()).await
    }

    async fn list_for_user(
        &self,
        user_id: UserId,
        after: Option<ChatListCursor>,
        limit: u64,
        now: DateTime<Utc>,
    ) -> Result<Vec<ChatListItem>, RepositoryError> {
        read::list_for_user(&self.db, user_id, after, limit, now).await
    }

    async fn heads_for_user(&self, user_id: UserId) -> Result<Vec<(ChatId, Seq)>, RepositoryError> {
        read::heads_for_user(&self.db, user_id).await
    }

    async fn update(
        &self,
        chat_id: ChatId,
        changes: ChatChanges,
        now: DateTime<Utc>,
        guard: &Guard<'_, LockedChat>,
    ) -> Result<Option<LoggedEvent>, GuardedWriteError> {
        settings::update(&self.db, chat_id, changes, now, guard).await
    }

    async fn add_members(
        &self,
        chat_id: ChatId,
        user_ids: &[UserId],
        now: DateTime<Utc>,
        guard: &Guard<'_, LockedChat>,
    ) -> Result<Vec<LoggedEvent>, AddMembersWriteError> {
        members::add_members(&self.db, chat_id, user_ids, now, guard).await
    }

    async fn remove_member(
        &self,
        chat_id: ChatId,
        user_id: UserId,
        now: DateTime<Utc>,
        guard: &Guard<'_, LockedChat>,
    ) -> Result<Removal, GuardedWriteError> {
        members::remove_member(&self.db, chat_id, user_id, now, guard).await
    }

    async fn set_role(
        &self,
        chat_id: ChatId,
        user_id: UserId,
        role: MemberRole,
        now: DateTime<Utc>,
        guard: &Guard<'_, LockedChat>,
    ) -> Result<Vec<LoggedEvent>, GuardedWriteError> {
        members::set_role(&self.db, chat_id, user_id, role, now, guard).await
    }

    async fn mark_read(
        &self,
        chat_id: ChatId,
        user_id: UserId,
        seq: Seq,
    ) -> Result<Option<Seq>, RepositoryError> {
        settings::mark_read(&self.db, chat_id, user_id, seq).await
    }
}
