//! Writing a chat's log: taking the next seq and storing the entry, always inside the
//! caller's transaction, so a change and its entry commit (or vanish) together.
//!
//! The seq comes from `UPDATE chats SET last_seq = last_seq + 1 … RETURNING`: on
//! PostgreSQL the update holds the chat row's lock until commit, so concurrent writers
//! to one chat queue up and each sees the previous one's seq; SQLite has one writer
//! (and confab one pooled connection). Either way no seq is skipped or taken twice.

use chrono::{DateTime, Utc};
use confab_application::RepositoryError;
use confab_domain::{ChatId, EventPayload, LoggedEvent, Message, Seq};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
};
use uuid::Uuid;

use super::entities::{chat_events, chats};
use super::storage;

// Reading entries back, each message entry with its message as stored now.
pub(super) mod replay;

/// Locks the chat row for the rest of the transaction without changing it
/// (`SELECT … FOR UPDATE` on PostgreSQL; SQLite has a single writer anyway), so
/// checks made afterwards (member count, current owner, message state) cannot race
/// another writer. `None` when the chat does not exist.
pub(super) async fn lock_chat<C: ConnectionTrait>(
    txn: &C,
    chat_id: Uuid,
) -> Result<Option<chats::Model>, RepositoryError> {
    chats::Entity::find_by_id(chat_id)
        .lock_exclusive()
        .one(txn)
        .await
        .map_err(storage)
}

/// Takes the chat's next seq and marks the chat active at `now`. Returns the chat
/// row as updated (its `last_seq` is the new seq), `None` when the chat is gone.
/// (Sends take their seqs for a whole batch at once, in `send_batch`.)
pub(super) async fn take_seq<C: ConnectionTrait>(
    txn: &C,
    chat_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<chats::Model>, RepositoryError> {
    let rows = chats::Entity::update_many()
        .col_expr(
            chats::Column::LastSeq,
            Expr::col(chats::Column::LastSeq).add(1),
        )
        .col_expr(chats::Column::LastActivityAt, Expr::value(now))
        .filter(chats::Column::Id.eq(chat_id))
        .exec_with_returning(txn)
        .await
        .map_err(storage)?;
    Ok(rows.into_iter().next())
}

fn to_json(payload: &EventPayload) -> Result<String, RepositoryError> {
    serde_json::to_string(payload).map_err(RepositoryError::new)
}

/// The `payload` of an entry about a message: nothing. The message is in its
/// `messages` row (`message_id` names it, `kind` says which event), and a reader
/// builds the event from that row, so a send stores its body once and a delete
/// has no earlier entries to rewrite. An empty string rather than NULL because the
/// column is NOT NULL, and SQLite could only drop that by rebuilding the table.
pub(super) const NO_PAYLOAD: &str = "";

/// The row that stores `entry`; a batch of sends inserts many at once.
pub(super) fn entry_row(entry: &LoggedEvent) -> Result<chat_events::ActiveModel, RepositoryError> {
    let message = entry.payload.message();
    let payload = match message {
        Some(_) => NO_PAYLOAD.to_owned(),
        None => to_json(&entry.payload)?,
    };
    Ok(chat_events::ActiveModel {
        chat_id: Set(entry.chat_id.as_uuid()),
        seq: Set(entry.seq.get()),
        kind: Set(entry.payload.type_name().to_owned()),
        payload: Set(payload),
        created_at: Set(entry.created_at),
        message_id: Set(message.map(|m| m.id.as_uuid())),
        message_created_at: Set(message.map(|m| m.created_at)),
    })
}

/// Stores `payload` as the entry at `seq` (taken with [`take_seq`] in this transaction).
pub(super) async fn append<C: ConnectionTrait>(
    txn: &C,
    chat_id: ChatId,
    seq: Seq,
    now: DateTime<Utc>,
    payload: EventPayload,
) -> Result<LoggedEvent, RepositoryError> {
    let entry = LoggedEvent {
        chat_id,
        seq,
        created_at: now,
        payload,
    };
    chat_events::Entity::insert(entry_row(&entry)?)
        .exec_without_returning(txn)
        .await
        .map_err(storage)?;
    Ok(entry)
}

/// Takes the next seq and appends the entry `make` builds for it.
pub(super) async fn log<C: ConnectionTrait>(
    txn: &C,
    chat_id: ChatId,
    now: DateTime<Utc>,
    make: impl FnOnce(Seq) -> EventPayload,
) -> Result<Option<LoggedEvent>, RepositoryError> {
    let Some(chat) = take_seq(txn, chat_id.as_uuid(), now).await? else {
        return Ok(None);
    };
    let seq = Seq::new(chat.last_seq).map_err(RepositoryError::new)?;
    append(txn, chat_id, seq, now, make(seq)).await.map(Some)
}

/// The stored entry as a domain entry. An entry about a message (`message_id` set)
/// carries `message` as it is now, which the caller read from its `messages` row:
/// so a replayed `message.created` shows the latest edit, or the tombstone.
fn event_from_row(
    row: &chat_events::Model,
    message: Option<Message>,
) -> Result<LoggedEvent, RepositoryError> {
    let payload = match (row.message_id, message) {
        (None, _) => serde_json::from_str(&row.payload).map_err(RepositoryError::new)?,
        (Some(_), Some(message)) => message_payload(&row.kind, message)?,
        // Purge deletes a message's entries with it, in one transaction, and the
        // entries are read with their messages in one statement: an entry without
        // its message is damage, not a race.
        (Some(id), None) => {
            return Err(RepositoryError::corrupt(format!(
                "log entry {}/{} names message {id}, which is missing",
                row.chat_id, row.seq
            )));
        }
    };
    Ok(LoggedEvent {
        chat_id: row.chat_id.into(),
        seq: Seq::new(row.seq).map_err(RepositoryError::new)?,
        created_at: row.created_at,
        payload,
    })
}

/// The event of kind `kind` (a `message.*` type name) carrying `message`.
fn message_payload(kind: &str, message: Message) -> Result<EventPayload, RepositoryError> {
    EventPayload::about_message(kind, message).ok_or_else(|| {
        RepositoryError::corrupt(format!("a log entry of kind {kind:?} names a message"))
    })
}
