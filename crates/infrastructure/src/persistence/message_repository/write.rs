//! Sending, editing and deleting messages, each with its log entry in one transaction.

use chrono::{DateTime, Utc};
use confab_application::RepositoryError;
use confab_application::ports::{
    DeleteWriteError, EditWriteError, Guard, LockedMessage, MessageWritten, NewMessage, Refusal,
    SendOutcome, SendWriteError,
};
use confab_domain::{
    Chat, ChatId, ClientMessageId, EventPayload, Message, MessageBody, MessageId, Seq, UserId,
};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QuerySelect, TransactionTrait,
};

use super::purge::purge_message;
use crate::persistence::chat_guard::lock_for;
use crate::persistence::chat_log::{append, lock_chat, log, redact, take_seq_as_member};
use crate::persistence::chat_queries::{chat_from_row, live_messages, message_from_row};
use crate::persistence::entities::messages;
use crate::persistence::{is_unique_violation, storage};

/// The message `author` already sent in `chat_id` under `key`, if any.
async fn sent_before<C: ConnectionTrait>(
    conn: &C,
    chat_id: ChatId,
    author: UserId,
    key: &ClientMessageId,
) -> Result<Option<Message>, RepositoryError> {
    messages::Entity::find()
        .filter(messages::Column::ChatId.eq(chat_id.as_uuid()))
        .filter(messages::Column::AuthorId.eq(author.as_uuid()))
        .filter(messages::Column::ClientMessageId.eq(key.as_str()))
        .one(conn)
        .await
        .map_err(storage)?
        .map(message_from_row)
        .transpose()
}

fn row_of(message: &Message) -> messages::ActiveModel {
    messages::ActiveModel {
        id: Set(message.id.as_uuid()),
        chat_id: Set(message.chat_id.as_uuid()),
        seq: Set(message.seq.get()),
        author_id: Set(message.author_id.as_uuid()),
        body: Set(message.body.as_ref().map(|b| b.as_str().to_owned())),
        reply_to_id: Set(message.reply_to_id.map(|id| id.as_uuid())),
        client_message_id: Set(message
            .client_message_id
            .as_ref()
            .map(|k| k.as_str().to_owned())),
        created_at: Set(message.created_at),
        edited_at: Set(message.edited_at),
        deleted_at: Set(message.deleted_at),
    }
}

/// The live original of a retry, looked up inside the send's transaction (after
/// the chat row is locked). An expired original is never returned: it is deleted
/// for good with its log entries here, as the reaper would have done, so the key
/// is free and this send stores a new message under it.
async fn original_in_txn(
    txn: &DatabaseTransaction,
    chat: &Chat,
    attempt: &Message,
) -> Result<Option<Message>, RepositoryError> {
    let Some(key) = &attempt.client_message_id else {
        return Ok(None);
    };
    let Some(original) = sent_before(txn, attempt.chat_id, attempt.author_id, key).await? else {
        return Ok(None);
    };
    if !original.is_expired(chat.message_ttl, attempt.created_at) {
        return Ok(Some(original));
    }
    purge_message(txn, original.id).await?;
    Ok(None)
}

/// Inserts `message` unless its author already used its `client_message_id` in
/// this chat (`ON CONFLICT … DO NOTHING` on `uq_messages_client_id`, so a first
/// send needs no look-up): whether it was stored. NULL keys never conflict.
async fn insert_unless_repeat(
    txn: &DatabaseTransaction,
    message: &Message,
) -> Result<bool, RepositoryError> {
    use messages::Column as M;
    let inserted = messages::Entity::insert(row_of(message))
        .on_conflict(
            OnConflict::columns([M::ChatId, M::AuthorId, M::ClientMessageId])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await;
    match inserted {
        Ok(rows) => Ok(rows == 1),
        // The chat row lock serialises this chat's sends, so only the id or the
        // seq can collide here: that is a bug or a corrupt database, not a retry.
        Err(error) if is_unique_violation(&error) => {
            Err(RepositoryError::corrupt("message id or seq collision"))
        }
        Err(error) => Err(storage(error)),
    }
}

/// Stores `message`, or returns the live original when its key was used before.
/// An expired original is purged first and the message stored in its place.
async fn store_or_original(
    txn: &DatabaseTransaction,
    chat: &Chat,
    message: &Message,
) -> Result<Option<Message>, RepositoryError> {
    if insert_unless_repeat(txn, message).await? {
        return Ok(None);
    }
    if let Some(original) = original_in_txn(txn, chat, message).await? {
        return Ok(Some(original));
    }
    // The original had expired and is gone now, with its key.
    if insert_unless_repeat(txn, message).await? {
        Ok(None)
    } else {
        Err(RepositoryError::corrupt(
            "duplicate send without a live original",
        ))
    }
}

/// Stores a new message and its `message.created` entry, or answers a retry with
/// its live original. Round trips, in one transaction: the seq-taking `UPDATE`
/// (which also checks membership and locks the chat row), the message `INSERT`
/// (a retry then looks the original up), the reply-target look-up (only with a
/// reply), and the entry `INSERT`.
pub(super) async fn send(
    db: &DatabaseConnection,
    new: NewMessage,
) -> Result<SendOutcome, SendWriteError> {
    let txn = db.begin().await.map_err(storage)?;
    // Lock the chat row first: a concurrent retry waits here and then sees the first
    // send's committed row, and a concurrent removal of the author has committed
    // before the next statement starts. That statement takes the seq only for a
    // member, so it sees the members as they are now (under PostgreSQL's READ
    // COMMITTED a statement that itself waited for the lock would judge membership
    // by what it saw before waiting), and a retry is never answered to someone who
    // left the chat.
    lock_chat(&txn, new.chat_id.as_uuid())
        .await?
        .ok_or(SendWriteError::NotMember)?;
    let chat = take_seq_as_member(
        &txn,
        new.chat_id.as_uuid(),
        new.author_id.as_uuid(),
        new.now,
    )
    .await?
    .ok_or(SendWriteError::NotMember)?;
    let chat = chat_from_row(chat)?;
    let message = Message {
        id: new.id,
        chat_id: new.chat_id,
        seq: chat.last_seq,
        author_id: new.author_id,
        body: Some(new.body),
        reply_to_id: new.reply_to_id,
        client_message_id: new.client_message_id,
        created_at: new.now,
        edited_at: None,
        deleted_at: None,
    };
    if let Some(original) = store_or_original(&txn, &chat, &message).await? {
        // Rolling back returns the seq taken above: a retry takes none.
        txn.rollback().await.map_err(storage)?;
        return Ok(SendOutcome::Existing(original));
    }
    // Checked after the insert so that a retry is answered even if its reply
    // target has expired since; a failure here rolls the insert back.
    if let Some(target) = message.reply_to_id
        && !reply_target_live(&txn, &chat, target, new.now).await?
    {
        txn.rollback().await.map_err(storage)?;
        return Err(SendWriteError::ReplyTargetNotFound);
    }
    let entry = append(
        &txn,
        new.chat_id,
        message.seq,
        new.now,
        EventPayload::MessageCreated(message.clone()),
    )
    .await?;
    txn.commit().await.map_err(storage)?;
    Ok(SendOutcome::Created(Box::new(MessageWritten {
        message,
        entry,
    })))
}

/// Whether `target` is a message of `chat` that has not expired at `now`.
async fn reply_target_live(
    txn: &DatabaseTransaction,
    chat: &Chat,
    target: MessageId,
    now: DateTime<Utc>,
) -> Result<bool, RepositoryError> {
    let found = live_messages(chat.id.as_uuid(), chat.message_ttl, now)
        .select_only()
        .column(messages::Column::Id)
        .filter(messages::Column::Id.eq(target.as_uuid()))
        .into_tuple::<uuid::Uuid>()
        .one(txn)
        .await
        .map_err(storage)?;
    Ok(found.is_some())
}

/// Locks the chat, checks that the guard's actor is a member (before looking at the
/// message, so a non-member learns nothing of it), loads the live message `id` and
/// runs the guard's rule on it.
async fn guarded_message(
    txn: &DatabaseTransaction,
    chat_id: ChatId,
    id: MessageId,
    now: DateTime<Utc>,
    guard: &Guard<'_, LockedMessage>,
) -> Result<Message, DeleteWriteError> {
    let locked = lock_for(txn, chat_id.as_uuid(), guard.actor, None)
        .await?
        .ok_or(Refusal::NotMember)?;
    let row = live_messages(chat_id.as_uuid(), locked.chat.message_ttl, now)
        .filter(messages::Column::Id.eq(id.as_uuid()))
        .one(txn)
        .await
        .map_err(storage)?
        .ok_or(DeleteWriteError::MessageNotFound)?;
    let message = message_from_row(row)?;
    guard.check(&LockedMessage {
        chat: locked.state,
        author: message.author_id,
    })?;
    Ok(message)
}

/// Stores the message's new state and logs it under the next seq.
async fn save_and_log(
    txn: &DatabaseTransaction,
    message: Message,
    now: DateTime<Utc>,
    kind: fn(Message) -> EventPayload,
) -> Result<MessageWritten, RepositoryError> {
    messages::Entity::update_many()
        .col_expr(
            messages::Column::Body,
            Expr::value(message.body.as_ref().map(|b| b.as_str().to_owned())),
        )
        .col_expr(messages::Column::EditedAt, Expr::value(message.edited_at))
        .col_expr(messages::Column::DeletedAt, Expr::value(message.deleted_at))
        .filter(messages::Column::Id.eq(message.id.as_uuid()))
        .exec(txn)
        .await
        .map_err(storage)?;
    let chat_id = message.chat_id;
    let entry = log(txn, chat_id, now, |_: Seq| kind(message.clone()))
        .await?
        .ok_or_else(|| RepositoryError::corrupt("chat vanished under its lock"))?;
    Ok(MessageWritten { message, entry })
}

pub(super) async fn edit(
    db: &DatabaseConnection,
    chat_id: ChatId,
    id: MessageId,
    body: MessageBody,
    now: DateTime<Utc>,
    guard: &Guard<'_, LockedMessage>,
) -> Result<MessageWritten, EditWriteError> {
    let txn = db.begin().await.map_err(storage)?;
    let mut message = guarded_message(&txn, chat_id, id, now, guard).await?;
    if message.is_deleted() {
        return Err(EditWriteError::Deleted);
    }
    message.body = Some(body);
    message.edited_at = Some(now);
    let written = save_and_log(&txn, message, now, EventPayload::MessageUpdated).await?;
    txn.commit().await.map_err(storage)?;
    Ok(written)
}

pub(super) async fn delete(
    db: &DatabaseConnection,
    chat_id: ChatId,
    id: MessageId,
    now: DateTime<Utc>,
    guard: &Guard<'_, LockedMessage>,
) -> Result<Option<MessageWritten>, DeleteWriteError> {
    let txn = db.begin().await.map_err(storage)?;
    let mut message = guarded_message(&txn, chat_id, id, now, guard).await?;
    if message.is_deleted() {
        return Ok(None);
    }
    message.body = None;
    message.deleted_at = Some(now);
    redact(&txn, &message).await?;
    let written = save_and_log(&txn, message, now, EventPayload::MessageDeleted).await?;
    txn.commit().await.map_err(storage)?;
    Ok(Some(written))
}
