//! Creating chats: groups, and the one direct chat of a pair.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use confab_application::RepositoryError;
use confab_application::ports::{DirectChat, DirectChatWriteError, NewGroup, NewGroupWriteError};
use confab_domain::{
    ChatId, ChatKind, EventPayload, LoggedEvent, MAX_GROUP_MEMBERS, MemberRole, Seq, UserId,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter,
};

use crate::persistence::chat_log::append;
use crate::persistence::chat_queries::{snapshot, unknown_users};
use crate::persistence::entities::{chat_members, chats};
use crate::persistence::{is_unique_violation, storage};

/// The chat row of a new chat whose log starts with `chat.created` at seq 1.
fn chat_row(
    id: ChatId,
    kind: ChatKind,
    name: Option<String>,
    direct_key: Option<String>,
    now: DateTime<Utc>,
) -> chats::ActiveModel {
    chats::ActiveModel {
        id: Set(id.as_uuid()),
        kind: Set(kind.as_str().to_owned()),
        name: Set(name),
        direct_key: Set(direct_key),
        created_at: Set(now),
        last_seq: Set(Seq::FIRST.get()),
        last_activity_at: Set(now),
        message_ttl_seconds: Set(None),
    }
}

/// A first member, who joined at seq 1 and has read up to it.
fn first_member(
    chat_id: ChatId,
    user_id: UserId,
    role: Option<MemberRole>,
    now: DateTime<Utc>,
) -> chat_members::ActiveModel {
    chat_members::ActiveModel {
        chat_id: Set(chat_id.as_uuid()),
        user_id: Set(user_id.as_uuid()),
        role: Set(role.map(|r| r.as_str().to_owned())),
        last_read_seq: Set(Seq::FIRST.get()),
        joined_at: Set(now),
        joined_seq: Set(Seq::FIRST.get()),
    }
}

/// Inserts the members and logs `chat.created` with the snapshot.
async fn finish_creation(
    txn: &DatabaseTransaction,
    chat_id: ChatId,
    members: Vec<chat_members::ActiveModel>,
    now: DateTime<Utc>,
) -> Result<LoggedEvent, RepositoryError> {
    chat_members::Entity::insert_many(members)
        .exec_without_returning(txn)
        .await
        .map_err(storage)?;
    let created = snapshot(txn, chat_id.as_uuid())
        .await?
        .ok_or_else(|| RepositoryError::corrupt("chat vanished while being created"))?;
    append(
        txn,
        chat_id,
        Seq::FIRST,
        now,
        EventPayload::ChatCreated(created),
    )
    .await
}

pub(super) async fn create_group(
    db: &DatabaseConnection,
    group: NewGroup,
) -> Result<LoggedEvent, NewGroupWriteError> {
    let mut everyone = vec![group.owner];
    everyone.extend(&group.members);
    let mut seen = HashSet::new();
    everyone.retain(|id| seen.insert(*id));
    if everyone.len() > MAX_GROUP_MEMBERS {
        return Err(NewGroupWriteError::GroupFull);
    }
    let txn = crate::persistence::begin_write(db).await.map_err(storage)?;
    let unknown = unknown_users(&txn, &everyone).await?;
    if !unknown.is_empty() {
        return Err(NewGroupWriteError::UserNotFound(unknown));
    }
    let name = Some(group.name.as_str().to_owned());
    chats::Entity::insert(chat_row(group.id, ChatKind::Group, name, None, group.now))
        .exec_without_returning(&txn)
        .await
        .map_err(storage)?;
    let members = everyone
        .iter()
        .map(|&user_id| {
            let role = if user_id == group.owner {
                MemberRole::Owner
            } else {
                MemberRole::Member
            };
            first_member(group.id, user_id, Some(role), group.now)
        })
        .collect();
    let event = finish_creation(&txn, group.id, members, group.now).await?;
    txn.commit().await.map_err(storage)?;
    Ok(event)
}

/// The unique key of a pair's direct chat: both ids, smaller first.
fn direct_key(a: UserId, b: UserId) -> String {
    let (low, high) = if a <= b { (a, b) } else { (b, a) };
    format!("{low}:{high}")
}

/// The existing direct chat with `key`, as a result that created nothing.
async fn existing_direct(
    db: &DatabaseConnection,
    key: &str,
) -> Result<Option<DirectChat>, RepositoryError> {
    let found = chats::Entity::find()
        .filter(chats::Column::DirectKey.eq(key))
        .one(db)
        .await
        .map_err(storage)?;
    let Some(row) = found else {
        return Ok(None);
    };
    Ok(snapshot(db, row.id).await?.map(|snapshot| DirectChat {
        snapshot,
        created: None,
    }))
}

pub(super) async fn find_or_create_direct(
    db: &DatabaseConnection,
    new_id: ChatId,
    (a, b): (UserId, UserId),
    now: DateTime<Utc>,
) -> Result<DirectChat, DirectChatWriteError> {
    let key = direct_key(a, b);
    if let Some(existing) = existing_direct(db, &key).await? {
        return Ok(existing);
    }
    let txn = crate::persistence::begin_write(db).await.map_err(storage)?;
    // `a` is the caller, so an unknown id here is `b`'s.
    if let Some(&missing) = unknown_users(&txn, &[a, b]).await?.first() {
        return Err(DirectChatWriteError::UserNotFound(missing));
    }
    let inserted = chats::Entity::insert(chat_row(
        new_id,
        ChatKind::Direct,
        None,
        Some(key.clone()),
        now,
    ))
    .exec_without_returning(&txn)
    .await;
    if let Err(error) = inserted {
        if !is_unique_violation(&error) {
            return Err(storage(error).into());
        }
        // A concurrent call created the pair's chat first: that one is the answer.
        txn.rollback().await.map_err(storage)?;
        return existing_direct(db, &key).await?.ok_or_else(|| {
            RepositoryError::corrupt("direct chat key taken but no chat found").into()
        });
    }
    let members = vec![
        first_member(new_id, a, None, now),
        first_member(new_id, b, None, now),
    ];
    let event = finish_creation(&txn, new_id, members, now).await?;
    txn.commit().await.map_err(storage)?;
    let EventPayload::ChatCreated(snapshot) = event.payload.clone() else {
        return Err(RepositoryError::corrupt("chat.created without a snapshot").into());
    };
    Ok(DirectChat {
        snapshot,
        created: Some(event),
    })
}
