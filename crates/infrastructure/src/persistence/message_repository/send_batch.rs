//! Committing a batch of sends in one transaction, each send judged on its own: a
//! non-member, a dead reply target or a retry answers its own caller and never
//! fails its neighbours, and the accepted ones share the statements and the commit.
//!
//! Round trips, whatever the batch's size: BEGIN, the chats locked in id order, the
//! authors' memberships, the earlier sends under the batch's client keys (only if
//! any send carries one, plus one to read their files), the reply targets (only if
//! any send replies), the free uploads locked (only if any send attaches files),
//! the seq `UPDATE`, the message `INSERT`, the uploads `UPDATE` (with files), the
//! entry `INSERT`, COMMIT.
//!
//! Order matters on PostgreSQL, as in `chat_guard`: the memberships and earlier sends
//! are read by statements that start after every chat lock is held, so each sees
//! the writes that held those locks before it (a removal, a first send under a key).
//! Locking the chats in id order keeps two batches that share chats from deadlocking.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use confab_application::RepositoryError;
use confab_application::ports::{MessageWritten, NewMessage, SendOutcome, SendWriteError};
use confab_domain::{Attachment, Chat, EventPayload, LoggedEvent, Message, Seq, Upload, UploadId};
use sea_orm::sea_query::{CaseStatement, Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::purge::purge_message;
use crate::persistence::attachments::{claimable, file_count, link, with_files};
use crate::persistence::chat_log::entry_row;
use crate::persistence::chat_queries::{chat_from_row, message_from_row};
use crate::persistence::entities::{chat_events, chat_members, chats, messages};
use crate::persistence::statement_shapes::in_list;
use crate::persistence::storage;

/// What one send of a batch is answered with.
pub(super) type SendAnswer = Result<SendOutcome, SendWriteError>;

/// A retry's identity: the same author's key in the same chat.
type RetryKey = (Uuid, Uuid, String);

/// What a send of the batch turned out to be, before the seqs are known.
enum Verdict {
    /// Answered without writing (refused, or a retry of a stored message).
    Answered(SendAnswer),
    /// A retry of an earlier send of this same batch (by index).
    RetryOf(usize),
    /// To be stored under the chat's next seq, with these files.
    Accepted(Vec<Attachment>),
}

/// Commits `batch` in one transaction and answers each send in order. `Err` only
/// when the transaction itself failed; then nothing of the batch was stored.
pub(super) async fn send_batch(
    db: &DatabaseConnection,
    batch: Vec<NewMessage>,
) -> Result<Vec<SendAnswer>, RepositoryError> {
    let txn = crate::persistence::begin_write(db).await.map_err(storage)?;
    let chats = lock_chats(&txn, &batch).await?;
    let members = memberships(&txn, &batch).await?;
    let stored = earlier_sends(&txn, &batch, &chats).await?;
    let targets = reply_targets(&txn, &batch).await?;
    let free = claimable(
        &txn,
        distinct(
            batch
                .iter()
                .flat_map(|new| new.attachment_ids.iter().map(UploadId::as_uuid)),
        ),
    )
    .await?;

    let mut keys_in_batch: HashMap<RetryKey, usize> = HashMap::new();
    let mut claimed: HashSet<Uuid> = HashSet::new();
    let verdicts: Vec<Verdict> = batch
        .iter()
        .enumerate()
        .map(|(index, new)| {
            let chat_id = new.chat_id.as_uuid();
            let Some(chat) = chats.get(&chat_id) else {
                return Verdict::Answered(Err(SendWriteError::NotMember));
            };
            if !members.contains(&(chat_id, new.author_id.as_uuid())) {
                return Verdict::Answered(Err(SendWriteError::NotMember));
            }
            // A retry is answered before its reply target is judged, so it gets its
            // original even if the target has expired since.
            let key = retry_key(new);
            if let Some(key) = &key {
                if let Some(original) = stored.get(key) {
                    return Verdict::Answered(Ok(SendOutcome::Existing(original.clone())));
                }
                if let Some(&first) = keys_in_batch.get(key) {
                    return Verdict::RetryOf(first);
                }
            }
            if let Some(target) = new.reply_to_id {
                let live = targets
                    .get(&target.as_uuid())
                    .is_some_and(|&(in_chat, at)| {
                        in_chat == chat_id
                            && chat.message_ttl.is_none_or(|ttl| at > ttl.cutoff(new.now))
                    });
                if !live {
                    return Verdict::Answered(Err(SendWriteError::ReplyTargetNotFound));
                }
            }
            let Some(files) = files_for(new, &free, &claimed) else {
                return Verdict::Answered(Err(SendWriteError::AttachmentUnavailable));
            };
            // Only a send that is stored claims its key and its files for the rest
            // of the batch.
            if let Some(key) = key {
                keys_in_batch.insert(key, index);
            }
            claimed.extend(files.iter().map(|file| file.id.as_uuid()));
            Verdict::Accepted(files)
        })
        .collect();

    let accepted: Vec<(&NewMessage, &[Attachment])> = batch
        .iter()
        .zip(&verdicts)
        .filter_map(|(new, verdict)| match verdict {
            Verdict::Accepted(files) => Some((new, files.as_slice())),
            _ => None,
        })
        .collect();
    let written = store(&txn, &accepted).await?;
    txn.commit().await.map_err(storage)?;

    let mut written = written.into_iter();
    let mut created: HashMap<usize, Message> = HashMap::new();
    let mut answers = Vec::with_capacity(batch.len());
    for (index, verdict) in verdicts.into_iter().enumerate() {
        answers.push(match verdict {
            Verdict::Answered(answer) => answer,
            Verdict::RetryOf(first) => created
                .get(&first)
                .cloned()
                .map(SendOutcome::Existing)
                .ok_or_else(|| RepositoryError::corrupt("retry of a send not stored").into()),
            Verdict::Accepted(_) => {
                let one = written
                    .next()
                    .ok_or_else(|| RepositoryError::corrupt("accepted send not stored"))?;
                created.insert(index, one.message.clone());
                Ok(SendOutcome::Created(Box::new(one)))
            }
        });
    }
    Ok(answers)
}

/// The send's files, in its order, when every one is the author's, free, and not
/// claimed by an earlier send of the batch.
fn files_for(
    new: &NewMessage,
    free: &HashMap<Uuid, Upload>,
    claimed: &HashSet<Uuid>,
) -> Option<Vec<Attachment>> {
    new.attachment_ids
        .iter()
        .map(|id| {
            free.get(&id.as_uuid())
                .filter(|upload| upload.owner_id == new.author_id)
                .filter(|upload| !claimed.contains(&upload.id.as_uuid()))
                .map(|upload| Attachment::from(upload.clone()))
        })
        .collect()
}

/// The retry key a stored message was sent under, if any.
fn retry_key_of(message: &Message) -> Option<RetryKey> {
    message.client_message_id.as_ref().map(|key| {
        (
            message.chat_id.as_uuid(),
            message.author_id.as_uuid(),
            key.as_str().to_owned(),
        )
    })
}

fn retry_key(new: &NewMessage) -> Option<RetryKey> {
    new.client_message_id.as_ref().map(|key| {
        (
            new.chat_id.as_uuid(),
            new.author_id.as_uuid(),
            key.as_str().to_owned(),
        )
    })
}

fn distinct<T: Ord>(items: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut items: Vec<T> = items.into_iter().collect();
    items.sort_unstable();
    items.dedup();
    items
}

/// Locks the batch's chats (`SELECT … ORDER BY id FOR UPDATE`: PostgreSQL takes the
/// row locks in that order) and returns the ones that exist.
async fn lock_chats(
    txn: &DatabaseTransaction,
    batch: &[NewMessage],
) -> Result<HashMap<Uuid, Chat>, RepositoryError> {
    let ids = in_list(distinct(batch.iter().map(|new| new.chat_id.as_uuid())));
    chats::Entity::find()
        .filter(chats::Column::Id.is_in(ids))
        .order_by_asc(chats::Column::Id)
        .lock_exclusive()
        .all(txn)
        .await
        .map_err(storage)?
        .into_iter()
        .map(|row| Ok((row.id, chat_from_row(row)?)))
        .collect()
}

/// The batch's (chat, author) pairs that are memberships.
///
/// Asked pair by pair (`(chat_id = … AND user_id = …) OR …`), each an exact
/// primary-key lookup; a list of chats and a list of authors would make the
/// database try every chat with every author.
async fn memberships(
    txn: &DatabaseTransaction,
    batch: &[NewMessage],
) -> Result<HashSet<(Uuid, Uuid)>, RepositoryError> {
    let wanted = in_list(distinct(
        batch
            .iter()
            .map(|new| (new.chat_id.as_uuid(), new.author_id.as_uuid())),
    ));
    let any_pair = wanted
        .iter()
        .fold(Condition::any(), |any, (chat_id, user_id)| {
            any.add(
                Condition::all()
                    .add(chat_members::Column::ChatId.eq(*chat_id))
                    .add(chat_members::Column::UserId.eq(*user_id)),
            )
        });
    let pairs: Vec<(Uuid, Uuid)> = chat_members::Entity::find()
        .select_only()
        .column(chat_members::Column::ChatId)
        .column(chat_members::Column::UserId)
        .filter(any_pair)
        .into_tuple()
        .all(txn)
        .await
        .map_err(storage)?;
    Ok(pairs.into_iter().collect())
}

/// The live messages stored earlier under the batch's retry keys. An expired one is
/// deleted for good with its log entries here, as the reaper would have done, so its
/// key is free and the new send is stored under it.
async fn earlier_sends(
    txn: &DatabaseTransaction,
    batch: &[NewMessage],
    chats: &HashMap<Uuid, Chat>,
) -> Result<HashMap<RetryKey, Message>, RepositoryError> {
    let wanted: HashMap<RetryKey, &NewMessage> = batch
        .iter()
        .filter_map(|new| retry_key(new).map(|key| (key, new)))
        .collect();
    if wanted.is_empty() {
        return Ok(HashMap::new());
    }
    // Key by key, each an exact lookup in the unique index on (chat, author, key).
    // Lists of chats, authors and keys matched column by column would instead read
    // every message of those authors in those chats (PostgreSQL picked the author
    // index and filtered thousands of rows per batch, more as the chats grew).
    let any_key = in_list(distinct(wanted.keys().cloned())).into_iter().fold(
        Condition::any(),
        |any, (chat_id, author_id, key)| {
            any.add(
                Condition::all()
                    .add(messages::Column::ChatId.eq(chat_id))
                    .add(messages::Column::AuthorId.eq(author_id))
                    .add(messages::Column::ClientMessageId.eq(key)),
            )
        },
    );
    let rows = messages::Entity::find()
        .filter(any_key)
        .all(txn)
        .await
        .map_err(storage)?;
    let mut live_rows = Vec::new();
    for row in rows {
        let message = message_from_row(row.clone())?;
        let Some(key) = retry_key_of(&message) else {
            continue;
        };
        let Some(attempt) = wanted.get(&key) else {
            continue;
        };
        let ttl = chats.get(&key.0).and_then(|chat| chat.message_ttl);
        if message.is_expired(ttl, attempt.now) {
            purge_message(txn, message.id).await?;
        } else {
            live_rows.push(row);
        }
    }
    let originals = with_files(txn, live_rows).await?;
    Ok(originals
        .into_iter()
        .filter_map(|message| retry_key_of(&message).map(|key| (key, message)))
        .collect())
}

/// The chat and creation time of every message the batch replies to.
async fn reply_targets(
    txn: &DatabaseTransaction,
    batch: &[NewMessage],
) -> Result<HashMap<Uuid, (Uuid, DateTime<Utc>)>, RepositoryError> {
    let ids = in_list(distinct(
        batch
            .iter()
            .filter_map(|new| new.reply_to_id.map(|id| id.as_uuid())),
    ));
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Uuid, Uuid, DateTime<Utc>)> = messages::Entity::find()
        .select_only()
        .column(messages::Column::Id)
        .column(messages::Column::ChatId)
        .column(messages::Column::CreatedAt)
        .filter(messages::Column::Id.is_in(ids))
        .into_tuple()
        .all(txn)
        .await
        .map_err(storage)?;
    Ok(rows
        .into_iter()
        .map(|(id, chat_id, at)| (id, (chat_id, at)))
        .collect())
}

/// Takes the seqs of every accepted send (one `UPDATE` for all chats) and inserts
/// the messages and their `message.created` entries (one multi-row `INSERT` each).
/// Within a chat the seqs follow the batch's order.
async fn store(
    txn: &DatabaseTransaction,
    accepted: &[(&NewMessage, &[Attachment])],
) -> Result<Vec<MessageWritten>, RepositoryError> {
    if accepted.is_empty() {
        return Ok(Vec::new());
    }
    let mut per_chat: HashMap<Uuid, (i64, DateTime<Utc>)> = HashMap::new();
    for (new, _) in accepted {
        let (count, latest) = per_chat
            .entry(new.chat_id.as_uuid())
            .or_insert((0, new.now));
        *count += 1;
        *latest = Ord::max(*latest, new.now);
    }
    let last_seqs = take_seqs(txn, &per_chat).await?;
    // The first seq each chat's accepted sends take, advanced as they are numbered.
    let mut next: HashMap<Uuid, i64> = per_chat
        .iter()
        .map(|(chat_id, (count, _))| {
            let last = last_seqs.get(chat_id).copied().ok_or_else(|| {
                RepositoryError::corrupt("locked chat vanished from the seq update")
            })?;
            Ok((*chat_id, last - count + 1))
        })
        .collect::<Result<_, RepositoryError>>()?;
    let mut written = Vec::with_capacity(accepted.len());
    for (new, files) in accepted {
        let seq_slot = next
            .get_mut(&new.chat_id.as_uuid())
            .ok_or_else(|| RepositoryError::corrupt("accepted send without a chat"))?;
        let seq = Seq::new(*seq_slot).map_err(RepositoryError::new)?;
        *seq_slot += 1;
        let message = Message {
            id: new.id,
            chat_id: new.chat_id,
            seq,
            author_id: new.author_id,
            body: new.body.clone(),
            attachments: files.to_vec(),
            reply_to_id: new.reply_to_id,
            client_message_id: new.client_message_id.clone(),
            created_at: new.now,
            edited_at: None,
            deleted_at: None,
        };
        let entry = LoggedEvent {
            chat_id: new.chat_id,
            seq,
            created_at: new.now,
            payload: EventPayload::MessageCreated(message.clone()),
        };
        written.push(MessageWritten { message, entry });
    }
    let rows = written
        .iter()
        .map(|w| row_of(&w.message))
        .collect::<Result<Vec<_>, _>>()?;
    messages::Entity::insert_many(rows)
        .exec_without_returning(txn)
        .await
        .map_err(storage)?;
    link(txn, &written.iter().map(|w| &w.message).collect::<Vec<_>>()).await?;
    let entries = written
        .iter()
        .map(|w| entry_row(&w.entry))
        .collect::<Result<Vec<chat_events::ActiveModel>, _>>()?;
    chat_events::Entity::insert_many(entries)
        .exec_without_returning(txn)
        .await
        .map_err(storage)?;
    Ok(written)
}

/// `UPDATE chats SET last_seq = last_seq + CASE id … END, last_activity_at = CASE id …
/// END WHERE id IN (…) RETURNING *`: each chat's new `last_seq`, by chat id. The
/// increment (rather than a value computed from the locked row) keeps the seqs right
/// whatever row version the lock returned.
async fn take_seqs(
    txn: &DatabaseTransaction,
    per_chat: &HashMap<Uuid, (i64, DateTime<Utc>)>,
) -> Result<HashMap<Uuid, i64>, RepositoryError> {
    // Padded like an `IN` list: a repeated chat repeats its `WHEN`, and the first
    // match wins, so the statement has one of a few texts and the same effect.
    let chats_and_counts = in_list(per_chat.iter());
    let mut added = CaseStatement::new();
    let mut active = CaseStatement::new();
    for (chat_id, (count, latest)) in &chats_and_counts {
        added = added.case(chats::Column::Id.eq(**chat_id), Expr::value(*count));
        active = active.case(chats::Column::Id.eq(**chat_id), Expr::value(*latest));
    }
    let rows = chats::Entity::update_many()
        .col_expr(
            chats::Column::LastSeq,
            Expr::col(chats::Column::LastSeq).add(Into::<Expr>::into(added.finally(0))),
        )
        .col_expr(
            chats::Column::LastActivityAt,
            Into::<Expr>::into(active.finally(Expr::col(chats::Column::LastActivityAt))),
        )
        .filter(chats::Column::Id.is_in(chats_and_counts.iter().map(|(chat_id, _)| **chat_id)))
        .exec_with_returning(txn)
        .await
        .map_err(storage)?;
    Ok(rows.into_iter().map(|row| (row.id, row.last_seq)).collect())
}

fn row_of(message: &Message) -> Result<messages::ActiveModel, RepositoryError> {
    Ok(messages::ActiveModel {
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
        file_count: Set(file_count(message)?),
    })
}
