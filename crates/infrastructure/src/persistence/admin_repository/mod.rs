//! What admins do, stored with sea-orm: accounts (role, disabled), invites, the audit
//! log and counts. Each admin write stores its audit entry in the same transaction.

mod chat_list;
mod erasure;
mod invites;
mod rows;

use std::sync::Arc;

use async_trait::async_trait;
use confab_application::RepositoryError;
use confab_application::ports::{
    AdminChatView, AdminRepository, AdminUserView, AdminWriteError, AuditEntry, ChatListCursor,
    ErasureRepository, Invite, InvitedInsertError, NewAuditEntry, NewInvite, NewUser, OutgoingMail,
    StoredCounts, TokenHash, UserStatus, UserWriteError,
};
use confab_domain::{ChatId, DisplayName, InviteId, LoggedEvent, SessionId, User, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};
use tokio::sync::Notify;
use uuid::Uuid;

use super::entities::{admin_audit, chats, messages, sessions, users};
use super::session_repository::revoke_sessions;
use super::storage;
use super::user_repository::{new_row, prefix_range, to_user, write_error};
pub(super) use rows::insert_audit;
use rows::{last_seen, to_audit};

/// [`AdminRepository`] on PostgreSQL or SQLite.
#[derive(Debug, Clone)]
pub struct SeaOrmAdminRepository {
    db: DatabaseConnection,
    queued: Option<Arc<Notify>>,
    deleted: Option<Arc<Notify>>,
}

impl SeaOrmAdminRepository {
    /// A repository using `db` (see [`super::connect`]).
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            db,
            queued: None,
            deleted: None,
        }
    }

    /// Also wakes `queued` after an invite that queued mail commits, so this node's
    /// outbox worker sends at once instead of at its next poll.
    #[must_use]
    pub fn waking(mut self, queued: Arc<Notify>) -> Self {
        self.queued = Some(queued);
        self
    }

    /// Also wakes `deleted` after an account deletion commits, so this node's
    /// erasure job starts on it at once instead of at its next poll.
    #[must_use]
    pub fn waking_eraser(mut self, deleted: Arc<Notify>) -> Self {
        self.deleted = Some(deleted);
        self
    }
}

/// Locks the rows of every active admin (`FOR UPDATE` on PostgreSQL, in id order so
/// two transactions cannot deadlock; SQLite has a single writer anyway) and returns
/// their ids: a check "another admin remains" made afterwards cannot race.
async fn lock_active_admins(txn: &DatabaseTransaction) -> Result<Vec<Uuid>, RepositoryError> {
    users::Entity::find()
        .select_only()
        .column(users::Column::Id)
        .filter(users::Column::IsAdmin.eq(true))
        .filter(users::Column::DisabledAt.is_null())
        .order_by_asc(users::Column::Id)
        .lock_exclusive()
        .into_tuple()
        .all(txn)
        .await
        .map_err(storage)
}

/// Refuses a change that takes `user` out of the active admins when it is the last.
async fn keep_an_admin(txn: &DatabaseTransaction, user: Uuid) -> Result<(), AdminWriteError> {
    let admins = lock_active_admins(txn).await?;
    if admins == [user] {
        return Err(AdminWriteError::LastAdmin);
    }
    Ok(())
}

/// An account admins may act on: a deleted one is not found.
async fn find_user(txn: &DatabaseTransaction, id: Uuid) -> Result<users::Model, AdminWriteError> {
    users::Entity::find_by_id(id)
        .filter(users::Column::DeletedAt.is_null())
        .one(txn)
        .await
        .map_err(storage)?
        .ok_or(AdminWriteError::UserNotFound)
}

async fn commit(txn: DatabaseTransaction) -> Result<(), RepositoryError> {
    txn.commit().await.map_err(storage)
}

#[async_trait]
impl AdminRepository for SeaOrmAdminRepository {
    async fn create_user(
        &self,
        user: NewUser,
        is_admin: bool,
        audit: NewAuditEntry,
    ) -> Result<User, UserWriteError> {
        let txn = crate::persistence::begin_write(&self.db)
            .await
            .map_err(storage)?;
        let stored = new_row(user, is_admin)
            .insert(&txn)
            .await
            .map_err(write_error)?;
        insert_audit(&txn, audit).await?;
        commit(txn).await?;
        Ok(to_user(stored))
    }

    async fn set_admin(
        &self,
        user: UserId,
        is_admin: bool,
        audit: NewAuditEntry,
    ) -> Result<User, AdminWriteError> {
        let txn = crate::persistence::begin_write(&self.db)
            .await
            .map_err(storage)?;
        let id = user.as_uuid();
        let row = find_user(&txn, id).await?;
        if !is_admin && row.is_admin {
            keep_an_admin(&txn, id).await?;
        }
        users::Entity::update_many()
            .col_expr(users::Column::IsAdmin, Expr::value(is_admin))
            .filter(users::Column::Id.eq(id))
            .exec(&txn)
            .await
            .map_err(storage)?;
        insert_audit(&txn, audit).await?;
        let row = find_user(&txn, id).await?;
        commit(txn).await?;
        Ok(to_user(row))
    }

    async fn disable_user(
        &self,
        user: UserId,
        audit: NewAuditEntry,
    ) -> Result<Vec<SessionId>, AdminWriteError> {
        let txn = crate::persistence::begin_write(&self.db)
            .await
            .map_err(storage)?;
        let id = user.as_uuid();
        let row = find_user(&txn, id).await?;
        if row.is_admin && row.disabled_at.is_none() {
            keep_an_admin(&txn, id).await?;
        }
        let now = audit.at;
        users::Entity::update_many()
            .col_expr(users::Column::DisabledAt, Expr::value(now))
            .filter(users::Column::Id.eq(id))
            .filter(users::Column::DisabledAt.is_null())
            .exec(&txn)
            .await
            .map_err(storage)?;
        let all = Condition::all().add(sessions::Column::UserId.eq(id));
        let revoked = revoke_sessions(&txn, all, now).await?;
        insert_audit(&txn, audit).await?;
        commit(txn).await?;
        Ok(revoked)
    }

    async fn delete_user(
        &self,
        user: UserId,
        audit: Option<NewAuditEntry>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<SessionId>, AdminWriteError> {
        let txn = crate::persistence::begin_write(&self.db)
            .await
            .map_err(storage)?;
        let id = user.as_uuid();
        let row = find_user(&txn, id).await?;
        if row.is_admin && row.disabled_at.is_none() {
            keep_an_admin(&txn, id).await?;
        }
        // Disabled as well, so every check that keeps a disabled account out (a new
        // session, a refresh, a reset mail, the admin guard) keeps this one out too.
        users::Entity::update_many()
            .col_expr(users::Column::DeletedAt, Expr::value(now))
            .col_expr(
                users::Column::DisabledAt,
                Expr::value(row.disabled_at.unwrap_or(now)),
            )
            .filter(users::Column::Id.eq(id))
            .exec(&txn)
            .await
            .map_err(storage)?;
        let all = Condition::all().add(sessions::Column::UserId.eq(id));
        let revoked = revoke_sessions(&txn, all, now).await?;
        if let Some(audit) = audit {
            insert_audit(&txn, audit).await?;
        }
        commit(txn).await?;
        if let Some(deleted) = &self.deleted {
            deleted.notify_one();
        }
        Ok(revoked)
    }

    async fn enable_user(&self, user: UserId, audit: NewAuditEntry) -> Result<(), AdminWriteError> {
        let txn = crate::persistence::begin_write(&self.db)
            .await
            .map_err(storage)?;
        let id = user.as_uuid();
        find_user(&txn, id).await?;
        users::Entity::update_many()
            .col_expr(
                users::Column::DisabledAt,
                Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
            )
            .filter(users::Column::Id.eq(id))
            .exec(&txn)
            .await
            .map_err(storage)?;
        insert_audit(&txn, audit).await?;
        commit(txn).await?;
        Ok(())
    }

    async fn list_users(
        &self,
        prefix: &str,
        status: Option<UserStatus>,
        after_username: Option<&str>,
        limit: u64,
    ) -> Result<Vec<AdminUserView>, RepositoryError> {
        let matches = (!prefix.is_empty()).then(|| {
            Condition::any()
                .add(prefix_range(users::Column::Username, prefix))
                .add(prefix_range(users::Column::EmailNormalized, prefix))
        });
        let rows = users::Entity::find()
            .apply_if(matches, QueryFilter::filter)
            .apply_if(status, |query, status| match status {
                UserStatus::Active => query.filter(users::Column::DisabledAt.is_null()),
                UserStatus::Disabled => query.filter(users::Column::DisabledAt.is_not_null()),
                UserStatus::Admin => query.filter(users::Column::IsAdmin.eq(true)),
            })
            .apply_if(after_username, |query, after| {
                query.filter(users::Column::Username.gt(after))
            })
            .order_by_asc(users::Column::Username)
            .limit(limit)
            .all(&self.db)
            .await
            .map_err(storage)?;
        let ids: Vec<Uuid> = rows.iter().map(|row| row.id).collect();
        let seen = last_seen(&self.db, &ids).await?;
        Ok(rows
            .into_iter()
            .map(|row| AdminUserView {
                last_seen_at: seen.get(&row.id).copied(),
                deleted_at: row.deleted_at,
                user: to_user(row),
            })
            .collect())
    }

    async fn list_chats(
        &self,
        prefix: &str,
        after: Option<ChatListCursor>,
        limit: u64,
    ) -> Result<Vec<AdminChatView>, RepositoryError> {
        chat_list::list(&self.db, prefix, after, limit).await
    }

    async fn find_by_username(&self, username: &str) -> Result<Option<User>, RepositoryError> {
        users::Entity::find()
            .filter(users::Column::Username.eq(username))
            .one(&self.db)
            .await
            .map_err(storage)
            .map(|row| row.map(to_user))
    }

    async fn create_invite(
        &self,
        invite: NewInvite,
        audit: NewAuditEntry,
        mails: Vec<OutgoingMail>,
    ) -> Result<Invite, RepositoryError> {
        let mailed = !mails.is_empty();
        let invite = invites::create(&self.db, invite, audit, mails).await?;
        if mailed && let Some(queued) = &self.queued {
            queued.notify_one();
        }
        Ok(invite)
    }

    async fn list_invites(
        &self,
        before: Option<InviteId>,
        limit: u64,
    ) -> Result<Vec<Invite>, RepositoryError> {
        invites::list(&self.db, before, limit).await
    }

    async fn revoke_invite(
        &self,
        id: InviteId,
        audit: NewAuditEntry,
    ) -> Result<bool, RepositoryError> {
        invites::revoke(&self.db, id, audit).await
    }

    async fn insert_invited(
        &self,
        user: NewUser,
        token_hash: &TokenHash,
    ) -> Result<User, InvitedInsertError> {
        invites::insert_invited(&self.db, user, token_hash).await
    }

    async fn list_audit(
        &self,
        before: Option<Uuid>,
        limit: u64,
    ) -> Result<Vec<AuditEntry>, RepositoryError> {
        admin_audit::Entity::find()
            .apply_if(before, |query, before| {
                query.filter(admin_audit::Column::Id.lt(before))
            })
            .order_by_desc(admin_audit::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await
            .map_err(storage)
            .map(|rows| rows.into_iter().map(to_audit).collect())
    }

    async fn counts(&self) -> Result<StoredCounts, RepositoryError> {
        let db = &self.db;
        Ok(StoredCounts {
            users: users::Entity::find().count(db).await.map_err(storage)?,
            chats: chats::Entity::find().count(db).await.map_err(storage)?,
            messages: messages::Entity::find().count(db).await.map_err(storage)?,
        })
    }
}

#[async_trait]
impl ErasureRepository for SeaOrmAdminRepository {
    async fn next_to_erase(&self) -> Result<Option<UserId>, RepositoryError> {
        erasure::next_to_erase(&self.db).await
    }

    async fn blank_profile(
        &self,
        user: UserId,
        display_name: &DisplayName,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool, RepositoryError> {
        erasure::blank_profile(&self.db, user, display_name, now).await
    }

    async fn tombstone_messages(
        &self,
        user: UserId,
        now: chrono::DateTime<chrono::Utc>,
        limit: u64,
    ) -> Result<Vec<LoggedEvent>, RepositoryError> {
        erasure::tombstone_messages(&self.db, user, now, limit).await
    }

    async fn groups_of(&self, user: UserId, limit: u64) -> Result<Vec<ChatId>, RepositoryError> {
        erasure::groups_of(&self.db, user, limit).await
    }

    async fn delete_uploads(&self, user: UserId, limit: u64) -> Result<u64, RepositoryError> {
        erasure::delete_uploads(&self.db, user, limit).await
    }

    async fn mark_erased(
        &self,
        user: UserId,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), RepositoryError> {
        erasure::mark_erased(&self.db, user, now).await
    }

    async fn release_names(
        &self,
        deleted_before: chrono::DateTime<chrono::Utc>,
        limit: u64,
    ) -> Result<u64, RepositoryError> {
        erasure::release_names(&self.db, deleted_before, limit).await
    }
}
