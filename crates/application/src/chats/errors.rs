//! One error enum per chat use case, each with the outcomes a caller can act on and
//! one opaque `Internal`.

use confab_domain::UserId;
use confab_domain::permissions::Denied;
use thiserror::Error;

use crate::error::{InternalError, ValidationErrors, internal_conversions};
use crate::ports::{
    AddMembersWriteError, DirectChatWriteError, GuardedWriteError, NewGroupWriteError, Refusal,
};

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
    /// Creating chats needs a verified email (`CONFAB_REQUIRE_VERIFIED_EMAIL`).
    #[error("email unverified")]
    EmailUnverified,
    /// Storage failed.
    #[error("internal error")]
    Internal(#[source] InternalError),
}

/// Why a chat could not be read.
#[derive(Debug, Error)]
pub enum GetChatError {
    /// No such chat, or the caller is not a member.
    #[error("chat not found")]
    ChatNotFound,
    /// Storage failed.
    #[error("internal error")]
    Internal(#[source] InternalError),
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
    Internal(#[source] InternalError),
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
    Internal(#[source] InternalError),
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
    Internal(#[source] InternalError),
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
    Internal(#[source] InternalError),
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
    Internal(#[source] InternalError),
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

/// A guard's refusal, for use cases with a target member.
macro_rules! from_refusal_with_target {
    ($($error:ident),+) => {$(
        impl From<Refusal> for $error {
            fn from(refusal: Refusal) -> Self {
                match refusal {
                    Refusal::NotMember => Self::ChatNotFound,
                    Refusal::TargetNotMember => Self::MemberNotFound,
                    Refusal::Denied(denied) => denied.into(),
                }
            }
        }
    )+};
}

/// A guard's refusal, for use cases without a target: their rules never name one.
macro_rules! from_refusal_without_target {
    ($($error:ident),+) => {$(
        impl From<Refusal> for $error {
            fn from(refusal: Refusal) -> Self {
                match refusal {
                    Refusal::NotMember => Self::ChatNotFound,
                    // These writes' rules name no target.
                    Refusal::TargetNotMember => {
                        InternalError::Inconsistent("a target refused in a write without one")
                            .into()
                    }
                    Refusal::Denied(denied) => denied.into(),
                }
            }
        }
    )+};
}

from_refusal_with_target!(RemoveMemberError, ChangeRoleError);
from_refusal_without_target!(UpdateChatError, AddMembersError);

impl From<NewGroupWriteError> for CreateChatError {
    fn from(error: NewGroupWriteError) -> Self {
        match error {
            NewGroupWriteError::UserNotFound(ids) => Self::UserNotFound(ids),
            NewGroupWriteError::GroupFull => Self::GroupFull,
            NewGroupWriteError::Storage(e) => e.into(),
        }
    }
}

impl From<DirectChatWriteError> for CreateChatError {
    fn from(error: DirectChatWriteError) -> Self {
        match error {
            DirectChatWriteError::UserNotFound(id) => Self::UserNotFound(vec![id]),
            DirectChatWriteError::Storage(e) => e.into(),
        }
    }
}

/// A guarded write's failure as one of the use case errors above.
macro_rules! from_guarded_write {
    ($($error:ident),+) => {$(
        impl From<GuardedWriteError> for $error {
            fn from(error: GuardedWriteError) -> Self {
                match error {
                    GuardedWriteError::Refused(refusal) => refusal.into(),
                    GuardedWriteError::Storage(e) => e.into(),
                }
            }
        }
    )+};
}

from_guarded_write!(UpdateChatError, RemoveMemberError, ChangeRoleError);

impl From<AddMembersWriteError> for AddMembersError {
    fn from(error: AddMembersWriteError) -> Self {
        match error {
            AddMembersWriteError::Refused(refusal) => refusal.into(),
            AddMembersWriteError::UserNotFound(ids) => Self::UserNotFound(ids),
            AddMembersWriteError::GroupFull => Self::GroupFull,
            AddMembersWriteError::Storage(e) => e.into(),
        }
    }
}

internal_conversions!(
    CreateChatError,
    GetChatError,
    ListChatsError,
    UpdateChatError,
    AddMembersError,
    RemoveMemberError,
    ChangeRoleError
);
