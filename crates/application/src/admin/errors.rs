//! Why an admin use case failed: the outcomes a caller can act on, plus `Internal`.

use confab_domain::UserId;
use thiserror::Error;

use crate::chats::{AddMembersError, RemoveMemberError};
use crate::error::{InternalError, ValidationErrors, internal_conversions};
use crate::messages::DeleteMessageError;
use crate::ports::{AdminWriteError, UserWriteError};

/// Why an [`AdminService`](super::AdminService) use case failed.
#[derive(Debug, Error)]
pub enum AdminError {
    /// The caller is not an (enabled) admin. Decided before anything is looked up.
    #[error("admins only")]
    Forbidden,
    /// One or more fields or parameters were refused.
    #[error(transparent)]
    Validation(#[from] ValidationErrors),
    /// The cursor is not one this list handed out.
    #[error("invalid cursor")]
    InvalidCursor,
    /// No such account.
    #[error("user not found")]
    UserNotFound,
    /// No such invite, or it was already used or revoked.
    #[error("invite not found")]
    InviteNotFound,
    /// Another account has this username.
    #[error("username is taken")]
    UsernameTaken,
    /// Another account has this email.
    #[error("email is taken")]
    EmailTaken,
    /// An admin tried to disable or delete their own account.
    #[error("an admin cannot do this to their own account")]
    SelfTarget,
    /// The change would leave the server without an active admin.
    #[error("the last admin cannot lose the role")]
    LastAdmin,
    /// No such chat.
    #[error("chat not found")]
    ChatNotFound,
    /// Members of a direct chat are fixed.
    #[error("not a group")]
    NotAGroup,
    /// The user to remove is not a member of the chat.
    #[error("member not found")]
    MemberNotFound,
    /// Some of the user ids to add have no account.
    #[error("unknown user ids")]
    UsersNotFound(Vec<UserId>),
    /// The group would exceed its member limit.
    #[error("group is full")]
    GroupFull,
    /// No such live message in the chat.
    #[error("message not found")]
    MessageNotFound,
    /// Something on our side failed.
    #[error("the admin action failed")]
    Internal(#[source] InternalError),
}

internal_conversions!(AdminError);

/// Why deleting my own account (`DELETE /me`) failed.
#[derive(Debug, Error)]
pub enum DeleteAccountError {
    /// The current password is wrong.
    #[error("current password is wrong")]
    InvalidPassword,
    /// I am the last active admin.
    #[error("the last admin cannot delete their account")]
    LastAdmin,
    /// Something on our side failed.
    #[error("deleting the account failed")]
    Internal(#[source] InternalError),
}

internal_conversions!(DeleteAccountError);

impl From<AdminWriteError> for AdminError {
    fn from(error: AdminWriteError) -> Self {
        match error {
            AdminWriteError::UserNotFound => Self::UserNotFound,
            AdminWriteError::LastAdmin => Self::LastAdmin,
            AdminWriteError::Storage(error) => error.into(),
        }
    }
}

impl From<UserWriteError> for AdminError {
    fn from(error: UserWriteError) -> Self {
        match error {
            UserWriteError::UsernameTaken => Self::UsernameTaken,
            UserWriteError::EmailTaken => Self::EmailTaken,
            UserWriteError::NotFound => Self::UserNotFound,
            UserWriteError::Storage(error) => error.into(),
        }
    }
}

/// A guard that lets a server admin act refuses only what is not there; a role
/// refusal cannot happen and would be a bug.
fn role_refused() -> AdminError {
    InternalError::Inconsistent("a server admin's chat write was refused by a role").into()
}

impl From<AddMembersError> for AdminError {
    fn from(error: AddMembersError) -> Self {
        match error {
            AddMembersError::ChatNotFound => Self::ChatNotFound,
            AddMembersError::NotAGroup => Self::NotAGroup,
            AddMembersError::UserNotFound(ids) => Self::UsersNotFound(ids),
            AddMembersError::GroupFull => Self::GroupFull,
            AddMembersError::Forbidden => role_refused(),
            AddMembersError::Internal(error) => Self::Internal(error),
        }
    }
}

impl From<RemoveMemberError> for AdminError {
    fn from(error: RemoveMemberError) -> Self {
        match error {
            RemoveMemberError::ChatNotFound => Self::ChatNotFound,
            RemoveMemberError::NotAGroup => Self::NotAGroup,
            RemoveMemberError::MemberNotFound => Self::MemberNotFound,
            RemoveMemberError::Forbidden => role_refused(),
            RemoveMemberError::Internal(error) => Self::Internal(error),
        }
    }
}

impl From<DeleteMessageError> for AdminError {
    fn from(error: DeleteMessageError) -> Self {
        match error {
            DeleteMessageError::ChatNotFound => Self::ChatNotFound,
            DeleteMessageError::MessageNotFound => Self::MessageNotFound,
            DeleteMessageError::Forbidden => role_refused(),
            DeleteMessageError::Internal(error) => Self::Internal(error),
        }
    }
}
