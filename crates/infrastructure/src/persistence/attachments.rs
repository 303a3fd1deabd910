//! A message's files: claiming uploads for a send, reading them back with the
//! messages that hold them, and letting them go when a message becomes a tombstone.
//!
//! An attached upload names its message (`uploads.message_id`) and its place among
//! the message's files (`uploads.position`). The message row knows nothing of them,
//! so a page of messages reads its files with one more query, whatever its size.

use std::collections::HashMap;

use confab_application::RepositoryError;
use confab_domain::{Attachment, Message, MessageId, Upload};

use super::chat_queries::message_from_row;
use sea_orm::sea_query::{CaseStatement, Expr};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::entities::{messages, uploads};
use super::statement_shapes::in_list;
use super::storage;
use super::upload_repository::{avatar_ids, upload_from_row};

/// The rows as domain messages with their files, read with one query for the
/// messages that count some (none for a page of text).
pub(super) async fn with_files<C: ConnectionTrait>(
    conn: &C,
    rows: Vec<messages::Model>,
) -> Result<Vec<Message>, RepositoryError> {
    let ids: Vec<Uuid> = rows
        .iter()
        .filter(|row| row.file_count > 0 && row.deleted_at.is_none())
        .map(|row| row.id)
        .collect();
    let mut messages = rows
        .into_iter()
        .map(message_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    if ids.is_empty() {
        return Ok(messages);
    }
    let files = uploads::Entity::find()
        .filter(uploads::Column::MessageId.is_in(in_list(ids)))
        .order_by_asc(uploads::Column::MessageId)
        .order_by_asc(uploads::Column::Position)
        .all(conn)
        .await
        .map_err(storage)?;
    let mut by_message: HashMap<Uuid, Vec<Attachment>> = HashMap::new();
    for row in files {
        let Some(message_id) = row.message_id else {
            continue;
        };
        by_message
            .entry(message_id)
            .or_default()
            .push(upload_from_row(row)?.into());
    }
    for message in &mut messages {
        if let Some(files) = by_message.remove(&message.id.as_uuid()) {
            message.attachments = files;
        }
    }
    Ok(messages)
}

/// [`with_files`] of one row.
pub(super) async fn one_with_files<C: ConnectionTrait>(
    conn: &C,
    row: messages::Model,
) -> Result<Message, RepositoryError> {
    with_files(conn, vec![row])
        .await?
        .pop()
        .ok_or_else(|| RepositoryError::corrupt("a message row vanished while read"))
}

/// The message's `file_count` column.
pub(super) fn file_count(message: &Message) -> Result<i16, RepositoryError> {
    i16::try_from(message.attachments.len())
        .map_err(|_| RepositoryError::corrupt("more attachments than a message holds"))
}

/// The uploads among `ids` that are free to attach (not sent with a message, not
/// anyone's avatar), locked for the rest of the transaction so a concurrent send
/// cannot claim them too. Keyed by id.
pub(super) async fn claimable<C: ConnectionTrait>(
    txn: &C,
    ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, Upload>, RepositoryError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    uploads::Entity::find()
        .filter(uploads::Column::Id.is_in(in_list(ids)))
        .filter(uploads::Column::MessageId.is_null())
        .filter(uploads::Column::Id.not_in_subquery(avatar_ids()))
        .order_by_asc(uploads::Column::Id)
        .lock_exclusive()
        .all(txn)
        .await
        .map_err(storage)?
        .into_iter()
        .map(|row| Ok((row.id, upload_from_row(row)?)))
        .collect()
}

/// Attaches each stored message's uploads to it, in the message's order (one
/// `UPDATE` for the whole batch).
pub(super) async fn link<C: ConnectionTrait>(
    txn: &C,
    messages: &[&Message],
) -> Result<(), RepositoryError> {
    let mut message_of = CaseStatement::new();
    let mut position_of = CaseStatement::new();
    let mut ids = Vec::new();
    for message in messages {
        for (position, file) in message.attachments.iter().enumerate() {
            let id = file.id.as_uuid();
            let position = i16::try_from(position)
                .map_err(|_| RepositoryError::corrupt("attachment position out of range"))?;
            message_of = message_of.case(
                uploads::Column::Id.eq(id),
                Expr::value(message.id.as_uuid()),
            );
            position_of = position_of.case(uploads::Column::Id.eq(id), Expr::value(position));
            ids.push(id);
        }
    }
    if ids.is_empty() {
        return Ok(());
    }
    uploads::Entity::update_many()
        .col_expr(
            uploads::Column::MessageId,
            Into::<Expr>::into(message_of.finally(Expr::col(uploads::Column::MessageId))),
        )
        .col_expr(
            uploads::Column::Position,
            Into::<Expr>::into(position_of.finally(Expr::col(uploads::Column::Position))),
        )
        .filter(uploads::Column::Id.is_in(ids))
        .exec(txn)
        .await
        .map_err(storage)?;
    Ok(())
}

/// Removes the upload rows of a message turned into a tombstone: from now on
/// nobody can download them, and the file cleanup deletes their blobs, which no
/// row names any more.
pub(super) async fn release<C: ConnectionTrait>(
    txn: &C,
    message_id: MessageId,
) -> Result<(), RepositoryError> {
    uploads::Entity::delete_many()
        .filter(uploads::Column::MessageId.eq(message_id.as_uuid()))
        .exec(txn)
        .await
        .map_err(storage)?;
    Ok(())
}
