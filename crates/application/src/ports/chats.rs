//! Storage of chats, members and the membership side of each chat's log.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use confab_domain::{
    Chat, ChatId, ChatListItem, ChatName, ChatSnapshot, ChatView, LoggedEvent, MemberRole,
    MessageTtl, Seq, UserId,
};
use thiserror::Error;

use super::guard::{Guard, LockedChat, Refusal};
use crate::error::RepositoryError;

/// A group about to be created.
#[derive(Debug, Clone)]
pub struct NewGroup {
    /// The new chat's id.
    pub id: ChatId,
    /// Its name.
    pub name: ChatName,
    /// The creator, who becomes `owner`.
    pub owner: UserId,
    /// The other first members (without the owner, without duplicates), who become `member`.
    pub members: Vec<UserId>,
    /// Creation time.
    pub now: DateTime<Utc>,
}

/// The direct chat of a pair, and the `chat.created` entry if this call created it.
#[derive(Debug, Clone)]
pub struct DirectChat {
    /// The chat and both members.
    pub snapshot: ChatSnapshot,
    /// `Some` when this call created the chat, `None` when it already existed.
    pub created: Option<LoggedEvent>,
}

/// One user's membership of one chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    /// The chat.
    pub chat: Chat,
    /// The member's role; `None` in direct chats.
    pub role: Option<MemberRole>,
    /// The member's read position.
    pub last_read_seq: Seq,
}

/// A partial chat update: `None` leaves a field alone; `message_ttl: Some(None)`
/// turns disappearing messages off.
#[derive(Debug, Clone, Default)]
pub struct ChatChanges {
    /// New group name.
    pub name: Option<ChatName>,
    /// New or cleared message lifetime.
    pub message_ttl: Option<Option<MessageTtl>>,
}

/// What removing a member did.
#[derive(Debug, Clone)]
pub struct Removal {
    /// `member.removed`, preceded by `member.updated` for the new owner when the
    /// owner left. Empty when the chat was deleted.
    pub events: Vec<LoggedEvent>,
    /// Whether the last member left and the chat is gone.
    pub chat_deleted: bool,
}

/// Where a page of the chat list ends: the last item's activity time and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChatListCursor {
    /// `last_activity_at` of the last chat on the previous page.
    pub last_activity_at: DateTime<Utc>,
    /// Its id, breaking ties.
    pub chat_id: ChatId,
}

/// Why a group could not be created.
#[derive(Debug, Error)]
pub enum NewGroupWriteError {
    /// Some of the member ids have no account (or a deleted one).
    #[error("unknown user ids")]
    UserNotFound(Vec<UserId>),
    /// More members than a group may have.
    #[error("group is full")]
    GroupFull,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] RepositoryError),
}

/// Why the direct chat of a pair could not be found or created.
#[derive(Debug, Error)]
pub enum DirectChatWriteError {
    /// The other user has no account (or a deleted one).
    #[error("unknown user")]
    UserNotFound(UserId),
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] RepositoryError),
}

/// Why members could not be added.
#[derive(Debug, Error)]
pub enum AddMembersWriteError {
    /// The guard refused, judged under the chat's lock.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// Some of the given user ids have no account (or a deleted one).
    #[error("unknown user ids")]
    UserNotFound(Vec<UserId>),
    /// The group would exceed its member limit.
    #[error("group is full")]
    GroupFull,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] RepositoryError),
}

/// Why a guarded write whose only outcome besides success is the guard's refusal
/// (settings, removing a member, changing a role) did not happen.
#[derive(Debug, Error)]
pub enum GuardedWriteError {
    /// The guard refused, judged under the chat's lock.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] RepositoryError),
}

/// Chats and their members. Every write that changes what members see takes the
/// chat's next seq(s) and writes the log entries in the same transaction. A write on
/// behalf of a member runs its [`Guard`] after locking the chat and before changing
/// anything: a refusal is the error's `Refused` variant and nothing is written.
#[async_trait]
pub trait ChatRepository: Send + Sync {
    /// Creates a group with its owner and first members; logs `chat.created` at seq 1
    /// (its snapshot lists the first members). Returns that entry.
    ///
    /// # Errors
    /// [`NewGroupWriteError::UserNotFound`] if a member id has no account;
    /// [`NewGroupWriteError::GroupFull`] beyond the member limit.
    async fn create_group(&self, group: NewGroup) -> Result<LoggedEvent, NewGroupWriteError>;

    /// The one direct chat of `a` and `b`, created with id `new_id` and `chat.created`
    /// at seq 1 when it does not exist yet. A unique key on the ordered pair makes
    /// concurrent calls agree on one chat.
    ///
    /// # Errors
    /// [`DirectChatWriteError::UserNotFound`] when `b` has no account.
    async fn find_or_create_direct(
        &self,
        new_id: ChatId,
        a: UserId,
        b: UserId,
        now: DateTime<Utc>,
    ) -> Result<DirectChat, DirectChatWriteError>;

    /// `user_id`'s membership of `chat_id`, or `None` when not a member (or no chat).
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn membership(
        &self,
        chat_id: ChatId,
        user_id: UserId,
    ) -> Result<Option<Membership>, RepositoryError>;

    /// The chat as `viewer` sees it at `now` (members, last message, unread count),
    /// or `None` when `viewer` is not a member.
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn view(
        &self,
        chat_id: ChatId,
        viewer: UserId,
        now: DateTime<Utc>,
    ) -> Result<Option<ChatView>, RepositoryError>;

    /// The chat and its members as they are now.
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn snapshot(&self, chat_id: ChatId) -> Result<Option<ChatSnapshot>, RepositoryError>;

    /// `user_id`'s chats, most recent activity first (ties by id, descending),
    /// strictly after `after`, at most `limit`.
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn list_for_user(
        &self,
        user_id: UserId,
        after: Option<ChatListCursor>,
        limit: u64,
        now: DateTime<Utc>,
    ) -> Result<Vec<ChatListItem>, RepositoryError>;

    /// Every chat of `user_id` with its `last_seq` (for the WebSocket `ready` frame).
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn heads_for_user(&self, user_id: UserId) -> Result<Vec<(ChatId, Seq)>, RepositoryError>;

    /// Applies `changes`; when any value really changes, logs one `chat.updated` with
    /// the snapshot after it and returns it. `None` when nothing changed.
    ///
    /// # Errors
    /// [`GuardedWriteError::Refused`] when the guard refuses (a gone chat has no
    /// members).
    async fn update(
        &self,
        chat_id: ChatId,
        changes: ChatChanges,
        now: DateTime<Utc>,
        guard: &Guard<'_, LockedChat>,
    ) -> Result<Option<LoggedEvent>, GuardedWriteError>;

    /// Adds those of `user_ids` who are not members yet as `member`, each with its own
    /// `member.added` entry (their `last_read_seq` starts at that seq).
    ///
    /// # Errors
    /// [`AddMembersWriteError::Refused`] when the guard refuses (checked before the
    /// ids), [`AddMembersWriteError::UserNotFound`] for unknown ids,
    /// [`AddMembersWriteError::GroupFull`] beyond the limit; nothing is added then.
    async fn add_members(
        &self,
        chat_id: ChatId,
        user_ids: &[UserId],
        now: DateTime<Utc>,
        guard: &Guard<'_, LockedChat>,
    ) -> Result<Vec<LoggedEvent>, AddMembersWriteError>;

    /// Removes `user_id`. When the owner leaves, ownership passes to the
    /// longest-standing admin, else member (`member.updated` before `member.removed`).
    /// When the last member leaves, the chat and its whole log are deleted.
    ///
    /// # Errors
    /// [`GuardedWriteError::Refused`] when the guard refuses; the guard sees `user_id`
    /// as its target (`None` when not a member).
    async fn remove_member(
        &self,
        chat_id: ChatId,
        user_id: UserId,
        now: DateTime<Utc>,
        guard: &Guard<'_, LockedChat>,
    ) -> Result<Removal, GuardedWriteError>;

    /// Sets `user_id`'s role. Making someone `owner` demotes the current owner to
    /// `admin` (two `member.updated` entries, the new owner's first). Setting the role
    /// a member already has changes nothing and logs nothing.
    ///
    /// # Errors
    /// [`GuardedWriteError::Refused`] when the guard refuses; the guard sees `user_id`
    /// as its target (`None` when not a member).
    async fn set_role(
        &self,
        chat_id: ChatId,
        user_id: UserId,
        role: MemberRole,
        now: DateTime<Utc>,
        guard: &Guard<'_, LockedChat>,
    ) -> Result<Vec<LoggedEvent>, GuardedWriteError>;

    /// Moves `user_id`'s `last_read_seq` forward to `seq`, clamped to the chat's
    /// `last_seq`. Returns the new position when it moved, `None` when it did not.
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails.
    async fn mark_read(
        &self,
        chat_id: ChatId,
        user_id: UserId,
        seq: Seq,
    ) -> Result<Option<Seq>, RepositoryError>;
}
