//! Changing a chat's own settings (name, message lifetime) and members' read positions.

use chrono::{DateTime, Utc};
use confab_application::RepositoryError;
use confab_application::ports::{ChatChanges, Guard, GuardedWriteError, LockedChat};
use confab_domain::{ChatId, EventPayload, LoggedEvent, MessageTtl, Seq, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::authorized;
use crate::persistence::chat_log::{append, take_seq};
use crate::persistence::chat_queries::{load_chat, snapshot};
use crate::persistence::entities::{chat_members, chats};
use crate::persistence::message_repository::purge::purge_chat_expired;
use crate::persistence::storage;

pub(super) async fn update(
    db: &DatabaseConnection,
    chat_id: ChatId,
    changes: ChatChanges,
    now: DateTime<Utc>,
    guard: &Guard<'_, LockedChat>,
) -> Result<Option<LoggedEvent>, GuardedWriteError> {
    let txn = crate::persistence::begin_write(db).await.map_err(storage)?;
    let chat = authorized::<GuardedWriteError>(&txn, chat_id, guard, None)
        .await?
        .chat;
    let name = changes.name.filter(|name| chat.name.as_ref() != Some(name));
    let ttl = changes.message_ttl.filter(|ttl| chat.message_ttl != *ttl);
    if name.is_none() && ttl.is_none() {
        return Ok(None);
    }
    let mut update = chats::Entity::update_many().filter(chats::Column::Id.eq(chat_id.as_uuid()));
    if let Some(name) = name {
        update = update.col_expr(chats::Column::Name, Expr::value(name.as_str()));
    }
    if let Some(ttl) = ttl {
        // Messages already expired under the old TTL must stay gone, even if the new
        // TTL is longer or none: delete them for good now, as the reaper would have,
        // before the expiry filter starts using the new value.
        if let Some(old) = chat.message_ttl {
            purge_chat_expired(&txn, chat_id.as_uuid(), old, now).await?;
        }
        let seconds = ttl.map(MessageTtl::seconds);
        update = update.col_expr(chats::Column::MessageTtlSeconds, Expr::value(seconds));
    }
    update.exec(&txn).await.map_err(storage)?;
    let taken = take_seq(&txn, chat_id.as_uuid(), now).await?;
    let seq = taken
        .map(|row| Seq::new(row.last_seq))
        .transpose()
        .map_err(RepositoryError::new)?
        .ok_or_else(|| RepositoryError::corrupt("chat vanished under its lock"))?;
    let after = snapshot(&txn, chat_id.as_uuid())
        .await?
        .ok_or_else(|| RepositoryError::corrupt("chat vanished under its lock"))?;
    let event = append(&txn, chat_id, seq, now, EventPayload::ChatUpdated(after)).await?;
    txn.commit().await.map_err(storage)?;
    Ok(Some(event))
}

pub(super) async fn mark_read(
    db: &DatabaseConnection,
    chat_id: ChatId,
    user_id: UserId,
    seq: Seq,
) -> Result<Option<Seq>, RepositoryError> {
    let Some(chat) = load_chat(db, chat_id.as_uuid()).await? else {
        return Ok(None);
    };
    let target = Ord::min(seq.get(), chat.last_seq);
    // Forward only, decided by the database: a concurrent lower mark cannot win.
    let result = chat_members::Entity::update_many()
        .col_expr(chat_members::Column::LastReadSeq, Expr::value(target))
        .filter(chat_members::Column::ChatId.eq(chat_id.as_uuid()))
        .filter(chat_members::Column::UserId.eq(user_id.as_uuid()))
        .filter(chat_members::Column::LastReadSeq.lt(target))
        .exec(db)
        .await
        .map_err(storage)?;
    if result.rows_affected == 0 {
        return Ok(None);
    }
    Seq::new(target).map(Some).map_err(RepositoryError::new)
}
