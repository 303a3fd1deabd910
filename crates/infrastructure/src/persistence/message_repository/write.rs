//! Editing and deleting messages, each with its log entry in one transaction (sends
//! are batched: `send_batch`).

use chrono::{DateTime, Utc};
use confab_application::RepositoryError;
use confab_application::ports::{
    DeleteWriteError, EditWriteError, Guard, LockedMessage, MessageWritten, Refusal,
};
use confab_domain::{ChatId, EventPayload, Message, MessageBody, MessageId, Seq};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter};

use crate::persistence::attachments::file_count;
use crate::persistence::attachments::{one_with_files, release};
use crate::persistence::chat_guard::{lock_for, record_server_admin};
use crate::persistence::chat_log::log;
use crate::persistence::chat_queries::live_messages;
use crate::persistence::entities::messages;
use crate::persistence::storage;

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
    let server_admin = guard.server_admin.is_some();
    let locked = lock_for(txn, chat_id.as_uuid(), guard.actor, None, server_admin)
        .await?
        .ok_or(Refusal::NotMember)?;
    let row = live_messages(chat_id.as_uuid(), locked.chat.message_ttl, now)
        .filter(messages::Column::Id.eq(id.as_uuid()))
        .one(txn)
        .await
        .map_err(storage)?
        .ok_or(DeleteWriteError::MessageNotFound)?;
    let message = one_with_files(txn, row).await?;
    guard.check(&LockedMessage {
        chat: locked.state,
        author: message.author_id,
    })?;
    record_server_admin(txn, guard.server_admin).await?;
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
        .col_expr(
            messages::Column::FileCount,
            Expr::value(file_count(&message)?),
        )
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
    let txn = crate::persistence::begin_write(db).await.map_err(storage)?;
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
    let txn = crate::persistence::begin_write(db).await.map_err(storage)?;
    let message = guarded_message(&txn, chat_id, id, now, guard).await?;
    if message.is_deleted() {
        return Ok(None);
    }
    let written = tombstone(&txn, message, now).await?;
    txn.commit().await.map_err(storage)?;
    Ok(Some(written))
}

/// Turns the live `message` (read with its files) into a tombstone at `now` inside
/// the caller's transaction, which holds its chat's lock: its files' rows go and
/// `message.deleted` is logged. The earlier entries about it need no rewrite: they
/// store no copy of the message and replay its row, now the tombstone. A member's
/// delete and the erasure of a deleted account both go through here.
pub(in crate::persistence) async fn tombstone(
    txn: &DatabaseTransaction,
    mut message: Message,
    now: DateTime<Utc>,
) -> Result<MessageWritten, RepositoryError> {
    // The message was read with its files: only one that has some pays for the
    // statement that lets them go (the account eraser tombstones thousands).
    if !message.attachments.is_empty() {
        release(txn, message.id).await?;
    }
    message.body = None;
    message.attachments.clear();
    message.deleted_at = Some(now);
    save_and_log(txn, message, now, EventPayload::MessageDeleted).await
}
