//! How the chat use cases' errors answer: one exhaustive `From` per error enum.

use confab_application::chats::{
    AddMembersError, ChangeRoleError, CreateChatError, GetChatError, ListChatsError,
    RemoveMemberError, UpdateChatError,
};
use confab_domain::UserId;

use super::{ApiError, ErrorCode, FieldErrorBody};

/// `404 chat_not_found`, also for chats the caller is not a member of.
pub(super) fn chat_not_found() -> ApiError {
    ApiError::new(ErrorCode::ChatNotFound, "No chat of yours has this id.")
}

/// `403 forbidden` for a member lacking the role.
pub(super) fn forbidden(what: &str) -> ApiError {
    ApiError::new(
        ErrorCode::Forbidden,
        format!("Your role in this chat does not allow {what}."),
    )
}

pub(super) fn not_a_group() -> ApiError {
    ApiError::new(
        ErrorCode::NotAGroup,
        "This is only possible in group chats.",
    )
}

pub(super) fn member_not_found() -> ApiError {
    ApiError::new(
        ErrorCode::MemberNotFound,
        "This user is not a member of the chat.",
    )
}

pub(super) fn group_full() -> ApiError {
    ApiError::new(
        ErrorCode::GroupFull,
        "A group can have at most 1000 members.",
    )
}

/// Names the first unknown id only: a request may carry a thousand of them, and an
/// error repeats at most one id's worth of the input.
pub(super) fn users_not_found(ids: &[UserId]) -> ApiError {
    let detail = match ids {
        [] => "No user has one of the ids given.".to_owned(),
        [one] => format!("No user has the id {one}."),
        [first, rest @ ..] => format!(
            "No user has the id {first}, nor {} more of the ids given.",
            rest.len()
        ),
    };
    ApiError::new(ErrorCode::UserNotFound, detail)
}

impl From<CreateChatError> for ApiError {
    fn from(error: CreateChatError) -> Self {
        match error {
            CreateChatError::Validation(errors) => errors.into(),
            // A body field, so 422 like every refused body field.
            CreateChatError::NameOnDirectChat => Self::fields(
                ErrorCode::ValidationFailed,
                vec![FieldErrorBody {
                    field: "name".to_owned(),
                    message: "must be absent for a direct chat".to_owned(),
                }],
            ),
            CreateChatError::InvalidMember => Self::new(
                ErrorCode::InvalidMember,
                "A direct chat needs another user than yourself.",
            ),
            CreateChatError::UserNotFound(ids) => users_not_found(&ids),
            CreateChatError::GroupFull => group_full(),
            CreateChatError::EmailUnverified => super::email::email_unverified("creating chats"),
            CreateChatError::Internal(_) => Self::internal(&error),
        }
    }
}

impl From<GetChatError> for ApiError {
    fn from(error: GetChatError) -> Self {
        match error {
            GetChatError::ChatNotFound => chat_not_found(),
            GetChatError::Internal(_) => Self::internal(&error),
        }
    }
}

impl From<ListChatsError> for ApiError {
    fn from(error: ListChatsError) -> Self {
        match error {
            ListChatsError::Validation(errors) => Self::bad_query(errors),
            ListChatsError::InvalidCursor => Self::invalid_cursor(),
            ListChatsError::Internal(_) => Self::internal(&error),
        }
    }
}

impl From<UpdateChatError> for ApiError {
    fn from(error: UpdateChatError) -> Self {
        match error {
            UpdateChatError::Validation(errors) => errors.into(),
            UpdateChatError::ChatNotFound => chat_not_found(),
            UpdateChatError::NotAGroup => not_a_group(),
            UpdateChatError::Forbidden => forbidden("changing this chat"),
            UpdateChatError::Internal(_) => Self::internal(&error),
        }
    }
}

impl From<AddMembersError> for ApiError {
    fn from(error: AddMembersError) -> Self {
        match error {
            AddMembersError::ChatNotFound => chat_not_found(),
            AddMembersError::NotAGroup => not_a_group(),
            AddMembersError::Forbidden => forbidden("adding members"),
            AddMembersError::UserNotFound(ids) => users_not_found(&ids),
            AddMembersError::GroupFull => group_full(),
            AddMembersError::Internal(_) => Self::internal(&error),
        }
    }
}

impl From<RemoveMemberError> for ApiError {
    fn from(error: RemoveMemberError) -> Self {
        match error {
            RemoveMemberError::ChatNotFound => chat_not_found(),
            RemoveMemberError::NotAGroup => not_a_group(),
            RemoveMemberError::Forbidden => forbidden("removing this member"),
            RemoveMemberError::MemberNotFound => member_not_found(),
            RemoveMemberError::Internal(_) => Self::internal(&error),
        }
    }
}

impl From<ChangeRoleError> for ApiError {
    fn from(error: ChangeRoleError) -> Self {
        match error {
            ChangeRoleError::ChatNotFound => chat_not_found(),
            ChangeRoleError::NotAGroup => not_a_group(),
            ChangeRoleError::Forbidden => forbidden(
                "this role change (owner only; the owner hands over instead of demoting itself)",
            ),
            ChangeRoleError::MemberNotFound => member_not_found(),
            ChangeRoleError::Internal(_) => Self::internal(&error),
        }
    }
}
