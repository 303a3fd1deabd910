//! Removing expired messages for good, with every log entry about them: in bounded
//! batches by the reaper, and inside a caller's transaction when a TTL change or a
//! retry must not let an expired message become visible again.

use chrono::{DateTime, Utc};
use confab_application::RepositoryError;
use confab_domain::{MessageId, MessageTtl};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait,
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
            .filter(expired_in(chat_id, ttl, now))
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

/// The messages of `chat_id` that are expired at `now` under `ttl`: the complement
/// of `live_messages` (served by `idx_messages_chat_created`).
fn expired_in(chat_id: Uuid, ttl: MessageTtl, now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(messages::Column::ChatId.eq(chat_id))
        .add(messages::Column::CreatedAt.lte(ttl.cutoff(now)))
}

/// Deletes the messages `which` selects and every log entry about them, on `conn`
/// (the caller's transaction, so the message and its entries go together).
///
/// The entries are found with a subquery rather than a list of ids, so the number
/// of messages is not limited by how many bind parameters a statement may carry.
async fn delete_with_entries<C: ConnectionTrait>(
    conn: &C,
    which: Condition,
) -> Result<u64, RepositoryError> {
    let ids = messages::Entity::find()
        .select_only()
        .column(messages::Column::Id)
        .filter(which.clone())
        .into_query();
    chat_events::Entity::delete_many()
        .filter(chat_events::Column::MessageId.in_subquery(ids))
        .exec(conn)
        .await
        .map_err(storage)?;
    let deleted = messages::Entity::delete_many()
        .filter(which)
        .exec(conn)
        .await
        .map_err(storage)?;
    Ok(deleted.rows_affected)
}

/// Deletes every message of `chat_id` expired at `now` under `ttl`, with its log
/// entries, in the caller's transaction, in one pair of statements.
///
/// Used before a chat's TTL changes, so messages hidden under the old TTL never
/// reappear under a longer one (or none). Not batched: under the old TTL the
/// reaper has already removed everything that expired before its last run, so
/// normally only what expired since then (about one reaper period) is left, and
/// the chat row is locked by the settings change anyway.
pub(in crate::persistence) async fn purge_chat_expired<C: ConnectionTrait>(
    conn: &C,
    chat_id: Uuid,
    ttl: MessageTtl,
    now: DateTime<Utc>,
) -> Result<u64, RepositoryError> {
    delete_with_entries(conn, expired_in(chat_id, ttl, now)).await
}

/// Deletes the one (expired) message `id` with its log entries, in the caller's
/// transaction.
pub(super) async fn purge_message<C: ConnectionTrait>(
    conn: &C,
    id: MessageId,
) -> Result<u64, RepositoryError> {
    delete_with_entries(
        conn,
        Condition::all().add(messages::Column::Id.eq(id.as_uuid())),
    )
    .await
}

/// The reaper's step: deletes up to `batch` expired messages (any chats) with their
/// entries in one short transaction; returns how many were deleted.
pub(super) async fn purge_expired(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    batch: u64,
) -> Result<u64, RepositoryError> {
    let ids = expired_ids(db, now, batch).await?;
    if ids.is_empty() {
        return Ok(0);
    }
    let txn = crate::persistence::begin_write(db).await.map_err(storage)?;
    let which = Condition::all().add(messages::Column::Id.is_in(ids));
    let deleted = delete_with_entries(&txn, which).await?;
    txn.commit().await.map_err(storage)?;
    Ok(deleted)
}
