//! [`SeaOrmMessageRepository`]: messages, their log entries, and disappearing messages.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use confab_application::RepositoryError;
use confab_application::ports::{
    DeleteWriteError, EditWriteError, Guard, LockedMessage, MessageRepository, MessageWritten,
    NewMessage, SendOutcome, SendWriteError, SeqWindow,
};
use confab_domain::{Chat, ChatId, LoggedEvent, Message, MessageBody, MessageId, Seq};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::attachments::{one_with_files, with_files};
use super::chat_log::replay::replay;
use super::chat_queries::{chat_from_row, live_messages, load_chat};
use super::entities::{chat_events, messages};
use super::storage;
use send_queue::SendQueue;

// Visible to the chat repository, whose TTL changes purge through it.
pub(super) mod purge;
mod send_batch;
mod send_queue;
// Visible to the erasure of deleted accounts, which tombstones through it.
pub(super) mod write;

/// The [`MessageRepository`] on PostgreSQL or SQLite. Sends go through one queue
/// per repository (shared by its clones) that commits concurrent sends in batches.
#[derive(Debug, Clone)]
pub struct SeaOrmMessageRepository {
    db: DatabaseConnection,
    sends: SendQueue,
}

impl SeaOrmMessageRepository {
    /// Uses the given (migrated) database.
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            sends: SendQueue::new(db.clone()),
            db,
        }
    }
}

#[async_trait]
impl MessageRepository for SeaOrmMessageRepository {
    async fn send(&self, message: NewMessage) -> Result<SendOutcome, SendWriteError> {
        self.sends.send(message).await
    }

    async fn list(
        &self,
        chat: &Chat,
        window: SeqWindow,
        limit: u64,
        now: DateTime<Utc>,
    ) -> Result<Vec<Message>, RepositoryError> {
        let live = live_messages(chat.id.as_uuid(), chat.message_ttl, now).limit(limit);
        // Keyset on (chat_id, seq): the unique index serves each window directly.
        let (query, newest_first) = match window {
            SeqWindow::Newest => (live.order_by_desc(messages::Column::Seq), true),
            SeqWindow::Before(seq) => (
                live.filter(messages::Column::Seq.lt(seq.get()))
                    .order_by_desc(messages::Column::Seq),
                true,
            ),
            SeqWindow::After(seq) => (
                live.filter(messages::Column::Seq.gt(seq.get()))
                    .order_by_asc(messages::Column::Seq),
                false,
            ),
        };
        let mut rows = query.all(&self.db).await.map_err(storage)?;
        if newest_first {
            rows.reverse();
        }
        with_files(&self.db, rows).await
    }

    async fn get(
        &self,
        chat: &Chat,
        id: MessageId,
        now: DateTime<Utc>,
    ) -> Result<Option<Message>, RepositoryError> {
        let Some(row) = live_messages(chat.id.as_uuid(), chat.message_ttl, now)
            .filter(messages::Column::Id.eq(id.as_uuid()))
            .one(&self.db)
            .await
            .map_err(storage)?
        else {
            return Ok(None);
        };
        one_with_files(&self.db, row).await.map(Some)
    }

    async fn edit(
        &self,
        chat_id: ChatId,
        id: MessageId,
        body: MessageBody,
        now: DateTime<Utc>,
        guard: &Guard<'_, LockedMessage>,
    ) -> Result<MessageWritten, EditWriteError> {
        write::edit(&self.db, chat_id, id, body, now, guard).await
    }

    async fn delete(
        &self,
        chat_id: ChatId,
        id: MessageId,
        now: DateTime<Utc>,
        guard: &Guard<'_, LockedMessage>,
    ) -> Result<Option<MessageWritten>, DeleteWriteError> {
        write::delete(&self.db, chat_id, id, now, guard).await
    }

    async fn events_after(
        &self,
        chat_id: ChatId,
        after: Seq,
        limit: u64,
        now: DateTime<Utc>,
    ) -> Result<Vec<LoggedEvent>, RepositoryError> {
        let Some(chat) = load_chat(&self.db, chat_id.as_uuid()).await? else {
            return Ok(Vec::new());
        };
        let chat = chat_from_row(chat)?;
        let mut query = chat_events::Entity::find()
            .filter(chat_events::Column::ChatId.eq(chat_id.as_uuid()))
            .filter(chat_events::Column::Seq.gt(after.get()));
        if let Some(ttl) = chat.message_ttl {
            // Entries about expired messages are hidden before the reaper removes them.
            query = query.filter(
                Condition::any()
                    .add(chat_events::Column::MessageCreatedAt.is_null())
                    .add(chat_events::Column::MessageCreatedAt.gt(ttl.cutoff(now))),
            );
        }
        replay(
            &self.db,
            query.order_by_asc(chat_events::Column::Seq).limit(limit),
        )
        .await
    }

    async fn purge_expired(&self, now: DateTime<Utc>, batch: u64) -> Result<u64, RepositoryError> {
        purge::purge_expired(&self.db, now, batch).await
    }
}
