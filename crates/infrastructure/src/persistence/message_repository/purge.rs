//! Removing expired messages for good, in bounded batches.

use chrono::{DateTime, Utc};
use confab_application::RepositoryError;
use confab_domain::MessageTtl;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};
use uuid::Uuid;

use crate::persistence::entities::{chat_events, chats, messages};
use crate::persistence::storage;

/// Up to `batch` ids of messages expired at `now`, oldest first within each chat.
///
/// The cutoff is computed per chat in Rust rather than with date arithmetic in SQL,
/// which PostgreSQL and SQLite spell differently.
async fn expired_ids(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    batch: u64,
) -> Result<Vec<Uuid>, RepositoryError> {
    let chats_with_ttl: Vec<(Uuid, i64)> = chats::Entity::find()
        .select_only()
        .column(chats::Column::Id)
        .column(chats::Column::MessageTtlSeconds)
        .filter(chats::Column::MessageTtlSeconds.is_not_null())
        .into_tuple()
        .all(db)
        .await
        .map_err(storage)?;
    let mut ids = Vec::new();
    for (chat_id, seconds) in chats_with_ttl {
        let remaining = batch.saturating_sub(ids.len() as u64);
        if remaining == 0 {
            break;
        }
        let Ok(ttl) = MessageTtl::from_seconds(seconds) else {
            continue;
        };
        let found: Vec<Uuid> = messages::Entity::find()
            .select_only()
            .column(messages::Column::Id)
            .filter(messages::Column::ChatId.eq(chat_id))
            .filter(messages::Column::CreatedAt.lte(ttl.cutoff(now)))
            .order_by_asc(messages::Column::CreatedAt)
            .limit(remaining)
            .into_tuple()
            .all(db)
            .await
            .map_err(storage)?;
        ids.extend(found);
    }
    Ok(ids)
}

pub(super) async fn purge_expired(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    batch: u64,
) -> Result<u64, RepositoryError> {
    let ids = expired_ids(db, now, batch).await?;
    if ids.is_empty() {
        return Ok(0);
    }
    let txn = db.begin().await.map_err(storage)?;
    chat_events::Entity::delete_many()
        .filter(chat_events::Column::MessageId.is_in(ids.clone()))
        .exec(&txn)
        .await
        .map_err(storage)?;
    let deleted = messages::Entity::delete_many()
        .filter(messages::Column::Id.is_in(ids))
        .exec(&txn)
        .await
        .map_err(storage)?;
    txn.commit().await.map_err(storage)?;
    Ok(deleted.rows_affected)
}
