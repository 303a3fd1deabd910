//! One error enum per chat use case, each with the outcomes a caller can act on and
//! one opaque `Internal`.

use confab_domain::UserId;
use confab_domain::permissions::Denied;
use thiserror::Error;

use crate::error::{RepositoryError, ValidationErrors};
use crate::ports::ChatWriteError;

/// Why a chat could not be created.
#[derive(Debug, Error)]
pub enum CreateChatError {
    /// A field is refused (missing or bad group name, wrong number of members, …).
    #[error(transparent)]
    Validation(#[from] ValidationErrors),
    /// A `name` was given for a direct chat, which has none.
    #[error("direct chats have no name")]
    NameOnDirectChat,
    /// A direct chat with yourself.
    #[error("a direct chat needs another user")]
    InvalidMember,
    /// Some member ids have no account.
    #[error("unknown user ids")]
    UserNotFound(Vec<UserId>),
    /// More than the group member limit.
    #[error("group is full")]
    GroupFull,
    /// Storage failed.
    #[error("internal error")]
    Internal(#[from] RepositoryError),
}

/// Why a chat could not be read.
#[derive(Debug, Error)]
pub enum GetChatError {
    /// No such chat, or the caller is not a member.
    #[error("chat not found")]
    ChatNotFound,
    /// Storage failed.
    #[error("internal error")]
    Internal(#[from] RepositoryError),
}

/// Why the chat list could not be read.
#[derive(Debug, Error)]
pub enum ListChatsError {
    /// `limit` is out of range.
    #[error(transparent)]
    Validation(#[from] ValidationErrors),
    /// `cursor` is not one this server produced.
    #[error("invalid cursor")]
    InvalidCursor,
    /// Storage failed.
    #[error("internal error")]
    Internal(#[from] RepositoryError),
}

/// Why a chat could not be updated.
#[derive(Debug, Error)]
pub enum UpdateChatError {
    /// A field value is out of range.
    #[error(transparent)]
    Validation(#[from] ValidationErrors),
    /// No such chat, or the caller is not a member.
    #[error("chat not found")]
    ChatNotFound,
    /// A `name` for a direct chat.
    #[error("not a group")]
    NotAGroup,
    /// The caller's role does not allow the change.
    #[error("forbidden")]
    Forbidden,
    /// Storage failed.
    #[error("internal error")]
    Internal(#[from] RepositoryError),
}

/// Why members could not be added.
#[derive(Debug, Error)]
pub enum AddMembersError {
    /// No such chat, or the caller is not a member.
    #[error("chat not found")]
    ChatNotFound,
    /// The chat is a direct chat.
    #[error("not a group")]
    NotAGroup,
    /// The caller is a plain member.
    #[error("forbidden")]
    Forbidden,
    /// Some ids have no account.
    #[error("unknown user ids")]
    UserNotFound(Vec<UserId>),
    /// The group would exceed its member limit.
    #[error("group is full")]
    GroupFull,
    /// Storage failed.
    #[error("internal error")]
    Internal(#[from] RepositoryError),
}

/// Why a member could not be removed (or could not leave).
#[derive(Debug, Error)]
pub enum RemoveMemberError {
    /// No such chat, or the caller is not a member.
    #[error("chat not found")]
    ChatNotFound,
    /// Direct chats cannot be left.
    #[error("not a group")]
    NotAGroup,
    /// The caller's role does not allow removing this member.
    #[error("forbidden")]
    Forbidden,
    /// The target is not a member.
    #[error("member not found")]
    MemberNotFound,
    /// Storage failed.
    #[error("internal error")]
    Internal(#[from] RepositoryError),
}

/// Why a member's role could not be changed.
#[derive(Debug, Error)]
pub enum ChangeRoleError {
    /// No such chat, or the caller is not a member.
    #[error("chat not found")]
    ChatNotFound,
    /// Direct chats have no roles.
    #[error("not a group")]
    NotAGroup,
    /// Only the owner changes roles, and it cannot demote itself.
    #[error("forbidden")]
    Forbidden,
    /// The target is not a member.
    #[error("member not found")]
    MemberNotFound,
    /// Storage failed.
    #[error("internal error")]
    Internal(#[from] RepositoryError),
}

macro_rules! from_denied {
    ($($error:ident),+) => {$(
        impl From<Denied> for $error {
            fn from(denied: Denied) -> Self {
                match denied {
                    Denied::NotAGroup => Self::NotAGroup,
                    Denied::Forbidden => Self::Forbidden,
                }
            }
        }
    )+};
}

from_denied!(
    UpdateChatError,
    AddMembersError,
    RemoveMemberError,
    ChangeRoleError
);

impl From<ChatWriteError> for CreateChatError {
    fn from(error: ChatWriteError) -> Self {
        match error {
            ChatWriteError::UserNotFound(ids) => Self::UserNotFound(ids),
            ChatWriteError::GroupFull => Self::GroupFull,
            // A chat that vanished or a member missing while creating one means
            // the store contradicts itself: nothing the client can fix.
            ChatWriteError::ChatNotFound | ChatWriteError::MemberNotFound => Self::Internal(
                RepositoryError::corrupt("chat or member vanished during creation"),
            ),
            ChatWriteError::Storage(e) => Self::Internal(e),
        }
    }
}

impl From<ChatWriteError> for UpdateChatError {
    fn from(error: ChatWriteError) -> Self {
        match error {
            ChatWriteError::ChatNotFound | ChatWriteError::MemberNotFound => Self::ChatNotFound,
            ChatWriteError::UserNotFound(_) | ChatWriteError::GroupFull => Self::Internal(
                RepositoryError::corrupt("unexpected member error on chat update"),
            ),
            ChatWriteError::Storage(e) => Self::Internal(e),
        }
    }
}

impl From<ChatWriteError> for AddMembersError {
    fn from(error: ChatWriteError) -> Self {
        match error {
            ChatWriteError::ChatNotFound | ChatWriteError::MemberNotFound => Self::ChatNotFound,
            ChatWriteError::UserNotFound(ids) => Self::UserNotFound(ids),
            ChatWriteError::GroupFull => Self::GroupFull,
            ChatWriteError::Storage(e) => Self::Internal(e),
        }
    }
}

impl From<ChatWriteError> for RemoveMemberError {
    fn from(error: ChatWriteError) -> Self {
        match error {
            ChatWriteError::ChatNotFound => Self::ChatNotFound,
            ChatWriteError::MemberNotFound => Self::MemberNotFound,
            ChatWriteError::UserNotFound(_) | ChatWriteError::GroupFull => Self::Internal(
                RepositoryError::corrupt("unexpected member error on removal"),
            ),
            ChatWriteError::Storage(e) => Self::Internal(e),
        }
    }
}

impl From<ChatWriteError> for ChangeRoleError {
    fn from(error: ChatWriteError) -> Self {
        match error {
            ChatWriteError::ChatNotFound => Self::ChatNotFound,
            ChatWriteError::MemberNotFound => Self::MemberNotFound,
            ChatWriteError::UserNotFound(_) | ChatWriteError::GroupFull => Self::Internal(
                RepositoryError::corrupt("unexpected member error on role change"),
            ),
            ChatWriteError::Storage(e) => Self::Internal(e),
        }
    }
}
