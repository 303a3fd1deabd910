//! Changing who is in a group and their roles. Each write locks the chat row and runs
//! its guard first, so its checks and its log entries cannot interleave with another
//! writer.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use confab_application::RepositoryError;
use confab_application::ports::{
    AddMembersWriteError, Guard, GuardedWriteError, LockedChat, Refusal, Removal,
};
use confab_domain::{
    ChatId, EventPayload, LoggedEvent, MAX_GROUP_MEMBERS, MemberChange, MemberRole, UserId,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder,
};

use super::authorized;
use crate::persistence::chat_guard::Locked;
use crate::persistence::chat_log::log;
use crate::persistence::chat_queries::{member_count, unknown_users};
use crate::persistence::entities::{chat_events, chat_members, chats, messages};
use crate::persistence::storage;

/// Takes the next seq and logs a `member.*` entry built by `kind`.
async fn log_member(
    txn: &DatabaseTransaction,
    chat_id: ChatId,
    now: DateTime<Utc>,
    kind: fn(MemberChange) -> EventPayload,
    change: MemberChange,
) -> Result<LoggedEvent, RepositoryError> {
    log(txn, chat_id, now, |_| kind(change))
        .await?
        .ok_or_else(|| RepositoryError::corrupt("chat vanished under its lock"))
}

async fn set_member_role(
    txn: &DatabaseTransaction,
    chat_id: ChatId,
    user_id: UserId,
    role: MemberRole,
) -> Result<(), RepositoryError> {
    chat_members::Entity::update_many()
        .col_expr(chat_members::Column::Role, Expr::value(role.as_str()))
        .filter(chat_members::Column::ChatId.eq(chat_id.as_uuid()))
        .filter(chat_members::Column::UserId.eq(user_id.as_uuid()))
        .exec(txn)
        .await
        .map_err(storage)?;
    Ok(())
}

pub(super) async fn add_members(
    db: &DatabaseConnection,
    chat_id: ChatId,
    user_ids: &[UserId],
    now: DateTime<Utc>,
    guard: &Guard<'_, LockedChat>,
) -> Result<Vec<LoggedEvent>, AddMembersWriteError> {
    let txn = crate::persistence::begin_write(db).await.map_err(storage)?;
    authorized::<AddMembersWriteError>(&txn, chat_id, guard, None).await?;
    let mut seen = HashSet::new();
    let wanted: Vec<UserId> = user_ids
        .iter()
        .copied()
        .filter(|id| seen.insert(*id))
        .collect();
    let unknown = unknown_users(&txn, &wanted).await?;
    if !unknown.is_empty() {
        return Err(AddMembersWriteError::UserNotFound(unknown));
    }
    let existing: HashSet<_> = chat_members::Entity::find()
        .filter(chat_members::Column::ChatId.eq(chat_id.as_uuid()))
        .all(&txn)
        .await
        .map_err(storage)?
        .into_iter()
        .map(|member| UserId::from(member.user_id))
        .collect();
    let new: Vec<UserId> = wanted
        .into_iter()
        .filter(|id| !existing.contains(id))
        .collect();
    if existing.len() + new.len() > MAX_GROUP_MEMBERS {
        return Err(AddMembersWriteError::GroupFull);
    }
    let mut events = Vec::with_capacity(new.len());
    for user_id in new {
        let role = Some(MemberRole::Member);
        let event = log_member(
            &txn,
            chat_id,
            now,
            EventPayload::MemberAdded,
            MemberChange {
                user_id,
                role,
                actor_id: Some(guard.actor),
            },
        )
        .await?;
        chat_members::Entity::insert(chat_members::ActiveModel {
            chat_id: Set(chat_id.as_uuid()),
            user_id: Set(user_id.as_uuid()),
            role: Set(role.map(|r| r.as_str().to_owned())),
            last_read_seq: Set(event.seq.get()),
            joined_at: Set(now),
            joined_seq: Set(event.seq.get()),
        })
        .exec_without_returning(&txn)
        .await
        .map_err(storage)?;
        events.push(event);
    }
    txn.commit().await.map_err(storage)?;
    Ok(events)
}

/// Deletes the chat with everything in it (without relying on cascades, so it works
/// whatever the connection's foreign-key setting).
async fn delete_chat(txn: &DatabaseTransaction, chat_id: ChatId) -> Result<(), RepositoryError> {
    let id = chat_id.as_uuid();
    chat_events::Entity::delete_many()
        .filter(chat_events::Column::ChatId.eq(id))
        .exec(txn)
        .await
        .map_err(storage)?;
    messages::Entity::delete_many()
        .filter(messages::Column::ChatId.eq(id))
        .exec(txn)
        .await
        .map_err(storage)?;
    chat_members::Entity::delete_many()
        .filter(chat_members::Column::ChatId.eq(id))
        .exec(txn)
        .await
        .map_err(storage)?;
    chats::Entity::delete_by_id(id)
        .exec(txn)
        .await
        .map_err(storage)?;
    Ok(())
}

/// The member who inherits the group: the longest-standing admin, else member.
async fn successor(
    txn: &DatabaseTransaction,
    chat_id: ChatId,
    leaving: UserId,
) -> Result<Option<UserId>, RepositoryError> {
    for role in [MemberRole::Admin, MemberRole::Member] {
        let found = chat_members::Entity::find()
            .filter(chat_members::Column::ChatId.eq(chat_id.as_uuid()))
            .filter(chat_members::Column::UserId.ne(leaving.as_uuid()))
            .filter(chat_members::Column::Role.eq(role.as_str()))
            .order_by_asc(chat_members::Column::JoinedSeq)
            .order_by_asc(chat_members::Column::UserId)
            .one(txn)
            .await
            .map_err(storage)?;
        if let Some(member) = found {
            return Ok(Some(member.user_id.into()));
        }
    }
    Ok(None)
}

pub(super) async fn remove_member(
    db: &DatabaseConnection,
    chat_id: ChatId,
    user_id: UserId,
    now: DateTime<Utc>,
    guard: &Guard<'_, LockedChat>,
) -> Result<Removal, GuardedWriteError> {
    let txn = crate::persistence::begin_write(db).await.map_err(storage)?;
    let locked: Locked =
        authorized::<GuardedWriteError>(&txn, chat_id, guard, Some(user_id)).await?;
    let role = locked.state.target.ok_or(Refusal::TargetNotMember)?.role;
    if member_count(&txn, chat_id.as_uuid()).await? <= 1 {
        delete_chat(&txn, chat_id).await?;
        txn.commit().await.map_err(storage)?;
        return Ok(Removal {
            events: Vec::new(),
            chat_deleted: true,
        });
    }
    let mut events = Vec::new();
    if role == Some(MemberRole::Owner)
        && let Some(heir) = successor(&txn, chat_id, user_id).await?
    {
        set_member_role(&txn, chat_id, heir, MemberRole::Owner).await?;
        // The hand-over is part of the removal, so it carries the removal's actor.
        let change = MemberChange {
            user_id: heir,
            role: Some(MemberRole::Owner),
            actor_id: Some(guard.actor),
        };
        events.push(log_member(&txn, chat_id, now, EventPayload::MemberUpdated, change).await?);
    }
    chat_members::Entity::delete_by_id((chat_id.as_uuid(), user_id.as_uuid()))
        .exec(&txn)
        .await
        .map_err(storage)?;
    let change = MemberChange {
        user_id,
        role,
        actor_id: Some(guard.actor),
    };
    events.push(log_member(&txn, chat_id, now, EventPayload::MemberRemoved, change).await?);
    txn.commit().await.map_err(storage)?;
    Ok(Removal {
        events,
        chat_deleted: false,
    })
}

pub(super) async fn set_role(
    db: &DatabaseConnection,
    chat_id: ChatId,
    user_id: UserId,
    role: MemberRole,
    now: DateTime<Utc>,
    guard: &Guard<'_, LockedChat>,
) -> Result<Vec<LoggedEvent>, GuardedWriteError> {
    let txn = crate::persistence::begin_write(db).await.map_err(storage)?;
    let locked: Locked =
        authorized::<GuardedWriteError>(&txn, chat_id, guard, Some(user_id)).await?;
    let target = locked.state.target.ok_or(Refusal::TargetNotMember)?;
    if target.role == Some(role) {
        return Ok(Vec::new());
    }
    let old_owners: Vec<UserId> = if role == MemberRole::Owner {
        chat_members::Entity::find()
            .filter(chat_members::Column::ChatId.eq(chat_id.as_uuid()))
            .filter(chat_members::Column::Role.eq(MemberRole::Owner.as_str()))
            .all(&txn)
            .await
            .map_err(storage)?
            .into_iter()
            .map(|m| UserId::from(m.user_id))
            .collect()
    } else {
        Vec::new()
    };
    let mut events = Vec::new();
    for (user_id, role) in std::iter::once((user_id, role))
        .chain(old_owners.into_iter().map(|old| (old, MemberRole::Admin)))
    {
        set_member_role(&txn, chat_id, user_id, role).await?;
        let change = MemberChange {
            user_id,
            role: Some(role),
            actor_id: Some(guard.actor),
        };
        events.push(log_member(&txn, chat_id, now, EventPayload::MemberUpdated, change).await?);
    }
    txn.commit().await.map_err(storage)?;
    Ok(events)
}
