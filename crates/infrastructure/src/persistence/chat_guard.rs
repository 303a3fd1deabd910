//! Locking a chat for a write on a member's behalf and reading, after the lock, the
//! members the write's guard judges.
//!
//! Order matters on PostgreSQL: under READ COMMITTED each statement sees the data
//! committed when it starts, and a statement that waited for a row lock still sees
//! the rest of the database as it was before it waited. So the member rows are read
//! by a statement of their own that starts only once the chat's lock is held: every
//! write that changed the members before (and so held the lock first) has committed
//! by then and is seen. SQLite has one writer, so any order would do there.
//!
//! A server admin acting through `/admin/chats/…` need not be a member: the guard
//! sees them with their role if they are one, else with role `None`, and once the
//! rule passed [`record_server_admin`] stores the audit entry in the same transaction.

use confab_application::RepositoryError;
use confab_application::ports::{LockedChat, NewAuditEntry};
use confab_domain::permissions::Actor;
use confab_domain::{Chat, UserId};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::admin_repository::insert_audit;
use super::chat_log::lock_chat;
use super::chat_queries::{chat_from_row, role_from_row};
use super::entities::chat_members;
use super::storage;

/// A chat locked for the rest of the transaction, with the acting member.
pub(super) struct Locked {
    /// The chat as it was when locked.
    pub(super) chat: Chat,
    /// What the guard sees.
    pub(super) state: LockedChat,
}

/// Locks `chat_id` and reads `actor` (and `target`, if any) as members. `None` when the
/// chat is gone or `actor` is not a member of it (unless `server_admin`: then only
/// when the chat is gone).
pub(super) async fn lock_for<C: ConnectionTrait>(
    txn: &C,
    chat_id: uuid::Uuid,
    actor: UserId,
    target: Option<UserId>,
    server_admin: bool,
) -> Result<Option<Locked>, RepositoryError> {
    let Some(row) = lock_chat(txn, chat_id).await? else {
        return Ok(None);
    };
    let wanted: Vec<uuid::Uuid> = std::iter::once(actor)
        .chain(target)
        .map(|id| id.as_uuid())
        .collect();
    let members = chat_members::Entity::find()
        .filter(chat_members::Column::ChatId.eq(chat_id))
        .filter(chat_members::Column::UserId.is_in(wanted))
        .all(txn)
        .await
        .map_err(storage)?;
    let as_actor = |user_id: UserId| -> Result<Option<Actor>, RepositoryError> {
        members
            .iter()
            .find(|member| member.user_id == user_id.as_uuid())
            .map(|member| {
                Ok(Actor {
                    user_id,
                    role: role_from_row(member.role.as_deref())?,
                })
            })
            .transpose()
    };
    let acting = match as_actor(actor)? {
        Some(member) => member,
        None if server_admin => Actor {
            user_id: actor,
            role: None,
        },
        None => return Ok(None),
    };
    let chat = chat_from_row(row)?;
    let state = LockedChat {
        kind: chat.kind,
        actor: acting,
        target: target.map(as_actor).transpose()?.flatten(),
    };
    Ok(Some(Locked { chat, state }))
}

/// Stores a server admin's audit entry in the write's transaction (nothing for a
/// member acting on their own behalf).
pub(super) async fn record_server_admin<C: ConnectionTrait>(
    txn: &C,
    audit: Option<&NewAuditEntry>,
) -> Result<(), RepositoryError> {
    match audit {
        Some(entry) => insert_audit(txn, entry.clone()).await,
        None => Ok(()),
    }
}
