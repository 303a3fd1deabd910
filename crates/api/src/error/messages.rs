//! How the message use cases' errors answer: one exhaustive `From` per error enum.

use confab_application::messages::{
    DeleteMessageError, EditMessageError, GetMessageError, ListEventsError, ListMessagesError,
    MarkReadError, SendMessageError,
};

use confab_application::realtime::TypingError;

use super::chats::{chat_not_found, forbidden};
use super::{ApiError, ErrorCode};

pub(super) fn message_not_found() -> ApiError {
    ApiError::new(
        ErrorCode::MessageNotFound,
        "No message of this chat has this id (or it has expired).",
    )
}

impl From<SendMessageError> for ApiError {
    fn from(error: SendMessageError) -> Self {
        match error {
            SendMessageError::Validation(errors) => errors.into(),
            SendMessageError::ChatNotFound => chat_not_found(),
            SendMessageError::ReplyTargetNotFound => Self::new(
                ErrorCode::MessageNotFound,
                "`reply_to_id` names no message of this chat (or it has expired).",
            ),
            SendMessageError::EmailUnverified => super::email::email_unverified("sending messages"),
            SendMessageError::Internal(_) => Self::internal(&error),
        }
    }
}

impl From<ListMessagesError> for ApiError {
    fn from(error: ListMessagesError) -> Self {
        match error {
            ListMessagesError::Validation(errors) => Self::bad_query(errors),
            ListMessagesError::ChatNotFound => chat_not_found(),
            ListMessagesError::Internal(_) => Self::internal(&error),
        }
    }
}

impl From<GetMessageError> for ApiError {
    fn from(error: GetMessageError) -> Self {
        match error {
            GetMessageError::ChatNotFound => chat_not_found(),
            GetMessageError::MessageNotFound => message_not_found(),
            GetMessageError::Internal(_) => Self::internal(&error),
        }
    }
}

impl From<EditMessageError> for ApiError {
    fn from(error: EditMessageError) -> Self {
        match error {
            EditMessageError::Validation(errors) => errors.into(),
            EditMessageError::ChatNotFound => chat_not_found(),
            EditMessageError::MessageNotFound => message_not_found(),
            EditMessageError::Forbidden => forbidden("editing someone else's message"),
            EditMessageError::MessageDeleted => Self::new(
                ErrorCode::MessageDeleted,
                "The message is deleted and can no longer be edited.",
            ),
            EditMessageError::Internal(_) => Self::internal(&error),
        }
    }
}

impl From<DeleteMessageError> for ApiError {
    fn from(error: DeleteMessageError) -> Self {
        match error {
            DeleteMessageError::ChatNotFound => chat_not_found(),
            DeleteMessageError::MessageNotFound => message_not_found(),
            DeleteMessageError::Forbidden => forbidden("deleting someone else's message"),
            DeleteMessageError::Internal(_) => Self::internal(&error),
        }
    }
}

impl From<MarkReadError> for ApiError {
    fn from(error: MarkReadError) -> Self {
        match error {
            MarkReadError::Validation(errors) => errors.into(),
            MarkReadError::ChatNotFound => chat_not_found(),
            MarkReadError::Internal(_) => Self::internal(&error),
        }
    }
}

impl From<ListEventsError> for ApiError {
    fn from(error: ListEventsError) -> Self {
        match error {
            ListEventsError::Validation(errors) => Self::bad_query(errors),
            ListEventsError::ChatNotFound => chat_not_found(),
            ListEventsError::Internal(_) => Self::internal(&error),
        }
    }
}

impl From<TypingError> for ApiError {
    fn from(error: TypingError) -> Self {
        match error {
            TypingError::ChatNotFound => chat_not_found(),
            TypingError::Internal(_) => Self::internal(&error),
        }
    }
}
