//! Storage of messages and the message side of each chat's log.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use confab_domain::{
    Chat, ChatId, ClientMessageId, LoggedEvent, Message, MessageBody, MessageId, Seq, UploadId,
    UserId,
};
use thiserror::Error;

use super::guard::{Guard, LockedMessage, Refusal};
use crate::error::RepositoryError;

/// A message about to be sent.
#[derive(Debug, Clone)]
pub struct NewMessage {
    /// The id it gets if it is new.
    pub id: MessageId,
    /// The chat.
    pub chat_id: ChatId,
    /// The sender.
    pub author_id: UserId,
    /// The text; `None` for a message of files only.
    pub body: Option<MessageBody>,
    /// The message answered; must be in the same chat and not expired.
    pub reply_to_id: Option<MessageId>,
    /// The sender's idempotency key.
    pub client_message_id: Option<ClientMessageId>,
    /// Uploads to attach, in order: each the author's own, not yet attached to a
    /// message and not an avatar (distinct, at most ten: checked by the caller).
    pub attachment_ids: Vec<UploadId>,
    /// Send time.
    pub now: DateTime<Utc>,
}

/// A committed message write: the message as stored now, and the log entry that
/// tells the chat about it (`message.created`, `.updated` or `.deleted`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageWritten {
    /// The message after the write.
    pub message: Message,
    /// Its log entry, to publish.
    pub entry: LoggedEvent,
}

/// What a send did.
#[derive(Debug, Clone)]
pub enum SendOutcome {
    /// A new message and its `message.created` entry (boxed: it holds the message
    /// twice, in place and in the entry).
    Created(Box<MessageWritten>),
    /// The author already sent this `client_message_id` in this chat: the original.
    Existing(Message),
}

/// Which slice of a chat's history to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeqWindow {
    /// The newest messages.
    Newest,
    /// Messages with a seq below this one, the closest first.
    Before(Seq),
    /// Messages with a seq above this one, the closest first.
    After(Seq),
}

/// Why a message could not be sent.
#[derive(Debug, Error)]
pub enum SendWriteError {
    /// The chat is gone or the author is not a member of it.
    #[error("not a member of the chat")]
    NotMember,
    /// `reply_to_id` names no live message of this chat.
    #[error("reply target not found")]
    ReplyTargetNotFound,
    /// An attachment id names no upload of the author's that is free to attach
    /// (unknown, someone else's, already sent, or an avatar).
    #[error("attachment unavailable")]
    AttachmentUnavailable,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] RepositoryError),
}

/// Why a message could not be edited.
#[derive(Debug, Error)]
pub enum EditWriteError {
    /// The guard refused, judged under the chat's lock.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The message does not exist in this chat, or has expired.
    #[error("message not found")]
    MessageNotFound,
    /// The message is a tombstone and cannot be edited.
    #[error("message is deleted")]
    Deleted,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] RepositoryError),
}

/// Why a message could not be deleted.
#[derive(Debug, Error)]
pub enum DeleteWriteError {
    /// The guard refused, judged under the chat's lock.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The message does not exist in this chat, or has expired.
    #[error("message not found")]
    MessageNotFound,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] RepositoryError),
}

impl From<DeleteWriteError> for EditWriteError {
    fn from(error: DeleteWriteError) -> Self {
        match error {
            DeleteWriteError::Refused(refusal) => Self::Refused(refusal),
            DeleteWriteError::MessageNotFound => Self::MessageNotFound,
            DeleteWriteError::Storage(error) => Self::Storage(error),
        }
    }
}

/// Messages and the log entries about them. Expired messages (older than the chat's
/// TTL at `now`) are never returned by any method, whether or not they were purged.
#[async_trait]
pub trait MessageRepository: Send + Sync {
    /// Takes the chat's next seq, stores the message and its `message.created` entry,
    /// in one transaction. A repeated `(chat, author, client_message_id)` returns the
    /// original instead (decided by a unique index, so concurrent retries agree).
    /// Only a member of the chat may send: the membership check belongs to the same
    /// transaction, so callers need not (and the send service does not) check first.
    ///
    /// # Errors
    /// [`SendWriteError::NotMember`] when the chat is gone or the author is not a
    /// member (nothing is returned to them, not even an original),
    /// [`SendWriteError::ReplyTargetNotFound`],
    /// [`SendWriteError::AttachmentUnavailable`]. The attachments are claimed in the
    /// same transaction, so two sends racing for one upload cannot both have it.
    async fn send(&self, message: NewMessage) -> Result<SendOutcome, SendWriteError>;

    /// Up to `limit` messages of the window (tombstones included), ascending by seq.
    /// `chat` is the chat as the caller just read it (with the membership): its
    /// TTL decides what has expired, so the read needs no second look at the chat.
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn list(
        &self,
        chat: &Chat,
        window: SeqWindow,
        limit: u64,
        now: DateTime<Utc>,
    ) -> Result<Vec<Message>, RepositoryError>;

    /// One message of the chat (a tombstone too); `chat` as for [`list`](Self::list).
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn get(
        &self,
        chat: &Chat,
        id: MessageId,
        now: DateTime<Utc>,
    ) -> Result<Option<Message>, RepositoryError>;

    /// Replaces the body, sets `edited_at = now`, logs `message.updated`. The guard
    /// runs under the chat's lock: first whether its actor is a member (before the
    /// message is looked up, so a non-member learns nothing about it), then its rule.
    ///
    /// # Errors
    /// [`EditWriteError::Refused`], [`EditWriteError::MessageNotFound`],
    /// [`EditWriteError::Deleted`].
    async fn edit(
        &self,
        chat_id: ChatId,
        id: MessageId,
        body: MessageBody,
        now: DateTime<Utc>,
        guard: &Guard<'_, LockedMessage>,
    ) -> Result<MessageWritten, EditWriteError>;

    /// Turns the message into a tombstone (`body` and attachments cleared,
    /// `deleted_at = now`) and logs `message.deleted`. Its uploads stop being
    /// readable in the same transaction; their blobs go with the next file cleanup. A tombstone stays as it is: `Ok(None)`, nothing logged.
    /// The guard runs as for [`edit`](Self::edit).
    ///
    /// # Errors
    /// [`DeleteWriteError::Refused`], [`DeleteWriteError::MessageNotFound`].
    async fn delete(
        &self,
        chat_id: ChatId,
        id: MessageId,
        now: DateTime<Utc>,
        guard: &Guard<'_, LockedMessage>,
    ) -> Result<Option<MessageWritten>, DeleteWriteError>;

    /// Up to `limit` log entries with a seq above `after`, ascending, leaving out
    /// entries about expired messages.
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn events_after(
        &self,
        chat_id: ChatId,
        after: Seq,
        limit: u64,
        now: DateTime<Utc>,
    ) -> Result<Vec<LoggedEvent>, RepositoryError>;

    /// Deletes up to `batch` expired messages for good, with every log entry about
    /// them. Returns how many messages it deleted.
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn purge_expired(&self, now: DateTime<Utc>, batch: u64) -> Result<u64, RepositoryError>;
}
