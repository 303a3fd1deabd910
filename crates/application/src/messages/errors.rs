//! One error enum per message use case, each with the outcomes a caller can act on
//! and one opaque `Internal`.

use confab_domain::permissions::Denied;
use thiserror::Error;

use crate::error::{InternalError, ValidationErrors, internal_conversions};
use crate::ports::{DeleteWriteError, EditWriteError, Refusal, SendWriteError};

/// Why a message could not be sent.
#[derive(Debug, Error)]
pub enum SendMessageError {
    /// The body or `client_message_id` is out of range.
    #[error(transparent)]
    Validation(#[from] ValidationErrors),
    /// No such chat, or the caller is not a member.
    #[error("chat not found")]
    ChatNotFound,
    /// `reply_to_id` names no live message of this chat (unknown, in another chat,
    /// or expired).
    #[error("reply target not found")]
    ReplyTargetNotFound,
    /// Sending needs a verified email (`CONFAB_REQUIRE_VERIFIED_EMAIL`).
    #[error("email unverified")]
    EmailUnverified,
    /// Storage failed.
    #[error("internal error")]
    Internal(#[source] InternalError),
}

/// Why a page of messages could not be read.
#[derive(Debug, Error)]
pub enum ListMessagesError {
    /// `before` and `after` together, a negative seq, or `limit` out of range.
    #[error(transparent)]
    Validation(#[from] ValidationErrors),
    /// No such chat, or the caller is not a member.
    #[error("chat not found")]
    ChatNotFound,
    /// Storage failed.
    #[error("internal error")]
    Internal(#[source] InternalError),
}

/// Why one message could not be read.
#[derive(Debug, Error)]
pub enum GetMessageError {
    /// No such chat, or the caller is not a member.
    #[error("chat not found")]
    ChatNotFound,
    /// No such message in this chat, or it has expired.
    #[error("message not found")]
    MessageNotFound,
    /// Storage failed.
    #[error("internal error")]
    Internal(#[source] InternalError),
}

/// Why a message could not be edited.
#[derive(Debug, Error)]
pub enum EditMessageError {
    /// The new body is empty or too long.
    #[error(transparent)]
    Validation(#[from] ValidationErrors),
    /// No such chat, or the caller is not a member.
    #[error("chat not found")]
    ChatNotFound,
    /// No such message in this chat, or it has expired.
    #[error("message not found")]
    MessageNotFound,
    /// Only the author edits a message.
    #[error("forbidden")]
    Forbidden,
    /// The message is a tombstone.
    #[error("message is deleted")]
    MessageDeleted,
    /// Storage failed.
    #[error("internal error")]
    Internal(#[source] InternalError),
}

/// Why a message could not be deleted.
#[derive(Debug, Error)]
pub enum DeleteMessageError {
    /// No such chat, or the caller is not a member.
    #[error("chat not found")]
    ChatNotFound,
    /// No such message in this chat, or it has expired.
    #[error("message not found")]
    MessageNotFound,
    /// Neither the author nor a group admin/owner.
    #[error("forbidden")]
    Forbidden,
    /// Storage failed.
    #[error("internal error")]
    Internal(#[source] InternalError),
}

/// Why the read position could not be moved.
#[derive(Debug, Error)]
pub enum MarkReadError {
    /// A negative seq.
    #[error(transparent)]
    Validation(#[from] ValidationErrors),
    /// No such chat, or the caller is not a member.
    #[error("chat not found")]
    ChatNotFound,
    /// Storage failed.
    #[error("internal error")]
    Internal(#[source] InternalError),
}

/// Why the chat's log could not be read.
#[derive(Debug, Error)]
pub enum ListEventsError {
    /// A negative `after`, or `limit` out of range.
    #[error(transparent)]
    Validation(#[from] ValidationErrors),
    /// No such chat, or the caller is not a member.
    #[error("chat not found")]
    ChatNotFound,
    /// Storage failed.
    #[error("internal error")]
    Internal(#[source] InternalError),
}

// Message rules are never group-only, so `Denied::NotAGroup` cannot come up; every
// refusal is a plain "forbidden".
impl From<Denied> for EditMessageError {
    fn from(_: Denied) -> Self {
        Self::Forbidden
    }
}

impl From<Denied> for DeleteMessageError {
    fn from(_: Denied) -> Self {
        Self::Forbidden
    }
}

macro_rules! from_refusal {
    ($($error:ident),+) => {$(
        impl From<Refusal> for $error {
            fn from(refusal: Refusal) -> Self {
                match refusal {
                    Refusal::NotMember => Self::ChatNotFound,
                    // Message rules name no target member.
                    Refusal::TargetNotMember => {
                        InternalError::Inconsistent("a target refused in a message write").into()
                    }
                    Refusal::Denied(denied) => denied.into(),
                }
            }
        }
    )+};
}

from_refusal!(EditMessageError, DeleteMessageError);

impl From<SendWriteError> for SendMessageError {
    fn from(error: SendWriteError) -> Self {
        match error {
            SendWriteError::NotMember => Self::ChatNotFound,
            SendWriteError::ReplyTargetNotFound => Self::ReplyTargetNotFound,
            // Said of the field, as for any unusable input: the client fixes the list.
            SendWriteError::AttachmentUnavailable => ValidationErrors::single(
                "attachment_ids",
                "must name uploads of yours not yet sent with a message",
            )
            .into(),
            SendWriteError::Storage(e) => e.into(),
        }
    }
}

impl From<EditWriteError> for EditMessageError {
    fn from(error: EditWriteError) -> Self {
        match error {
            EditWriteError::Refused(refusal) => refusal.into(),
            EditWriteError::MessageNotFound => Self::MessageNotFound,
            EditWriteError::Deleted => Self::MessageDeleted,
            EditWriteError::Storage(e) => e.into(),
        }
    }
}

impl From<DeleteWriteError> for DeleteMessageError {
    fn from(error: DeleteWriteError) -> Self {
        match error {
            DeleteWriteError::Refused(refusal) => refusal.into(),
            DeleteWriteError::MessageNotFound => Self::MessageNotFound,
            DeleteWriteError::Storage(e) => e.into(),
        }
    }
}

internal_conversions!(
    SendMessageError,
    ListMessagesError,
    GetMessageError,
    EditMessageError,
    DeleteMessageError,
    MarkReadError,
    ListEventsError
);
