//! How the admin use cases' errors answer.

use confab_application::admin::{AdminError, DeleteAccountError};

use super::chats::{group_full, member_not_found, not_a_group, users_not_found};
use super::messages::message_not_found;
use super::{ApiError, ErrorCode};

impl From<AdminError> for ApiError {
    fn from(error: AdminError) -> Self {
        match error {
            AdminError::Forbidden => {
                Self::new(ErrorCode::Forbidden, "Only server admins may do this.")
            }
            AdminError::Validation(errors) => errors.into(),
            AdminError::InvalidCursor => Self::invalid_cursor(),
            AdminError::UserNotFound => Self::new(ErrorCode::UserNotFound, "No user has this id."),
            AdminError::InviteNotFound => Self::new(
                ErrorCode::InviteNotFound,
                "No unused, unrevoked invite has this id.",
            ),
            AdminError::UsernameTaken => Self::new(
                ErrorCode::UsernameTaken,
                "Another account already uses this username.",
            ),
            AdminError::EmailTaken => Self::new(
                ErrorCode::EmailTaken,
                "Another account already uses this email address.",
            ),
            AdminError::SelfTarget => Self::new(
                ErrorCode::CannotTargetSelf,
                "An admin cannot disable or delete their own account; ask another admin.",
            ),
            AdminError::LastAdmin => Self::new(
                ErrorCode::LastAdmin,
                "This is the last active admin; make another account admin first.",
            ),
            // Any chat, not only the caller's: the wording differs from the members'.
            AdminError::ChatNotFound => Self::new(ErrorCode::ChatNotFound, "No chat has this id."),
            AdminError::NotAGroup => not_a_group(),
            AdminError::MemberNotFound => member_not_found(),
            AdminError::UsersNotFound(ids) => users_not_found(&ids),
            AdminError::GroupFull => group_full(),
            AdminError::MessageNotFound => message_not_found(),
            AdminError::Internal(_) => Self::internal(&error),
        }
    }
}

impl From<DeleteAccountError> for ApiError {
    fn from(error: DeleteAccountError) -> Self {
        match error {
            DeleteAccountError::InvalidPassword => {
                Self::new(ErrorCode::InvalidPassword, "The current password is wrong.")
            }
            DeleteAccountError::LastAdmin => Self::new(
                ErrorCode::LastAdmin,
                "This is the last active admin; make another account admin first.",
            ),
            DeleteAccountError::Internal(_) => Self::internal(&error),
        }
    }
}

impl ApiError {
    /// An admin list's error: its refused fields are query parameters (400, not 422).
    pub fn from_admin_query(error: AdminError) -> Self {
        match error {
            AdminError::Validation(errors) => Self::bad_query(errors),
            other => other.into(),
        }
    }
}
