//! Changing messages: editing (author only) and deleting to a tombstone.

use confab_domain::permissions::{may_delete_message, may_edit_message};
use confab_domain::{ChatId, Message, MessageBody, MessageId};

use super::{DeleteMessageError, EditMessageError, MessageService};
use crate::accounts::Authenticated;
use crate::chats::actor_of;
use crate::error::ValidationErrors;
use crate::ports::MessageWriteError;

impl MessageService {
    /// Replaces the body of the caller's own message and sets `edited_at`.
    #[tracing::instrument(skip(self, body))]
    pub async fn edit(
        &self,
        auth: &Authenticated,
        chat_id: ChatId,
        message_id: MessageId,
        body: String,
    ) -> Result<Message, EditMessageError> {
        let caller = auth.user_id;
        let body = MessageBody::parse(body)
            .map_err(|e| ValidationErrors::single("body", e.to_string()))?;
        let membership = self
            .membership(chat_id, caller)
            .await?
            .ok_or(EditMessageError::ChatNotFound)?;
        let now = self.clock.now();
        let message = self
            .messages
            .get(chat_id, message_id, now)
            .await?
            .ok_or(EditMessageError::MessageNotFound)?;
        may_edit_message(actor_of(caller, &membership), message.author_id)?;
        if message.is_deleted() {
            return Err(EditMessageError::MessageDeleted);
        }
        let event = self.messages.edit(chat_id, message_id, body, now).await?;
        Ok(self.publish_message(event).await?)
    }

    /// Turns a message into a tombstone: its author, or a group admin/owner. Deleting
    /// a tombstone again succeeds and logs nothing.
    #[tracing::instrument(skip(self))]
    pub async fn delete(
        &self,
        auth: &Authenticated,
        chat_id: ChatId,
        message_id: MessageId,
    ) -> Result<(), DeleteMessageError> {
        let caller = auth.user_id;
        let membership = self
            .membership(chat_id, caller)
            .await?
            .ok_or(DeleteMessageError::ChatNotFound)?;
        let now = self.clock.now();
        let message = self
            .messages
            .get(chat_id, message_id, now)
            .await?
            .ok_or(DeleteMessageError::MessageNotFound)?;
        may_delete_message(
            membership.chat.kind,
            actor_of(caller, &membership),
            message.author_id,
        )?;
        if message.is_deleted() {
            return Ok(());
        }
        match self.messages.delete(chat_id, message_id, now).await {
            Ok(Some(event)) => {
                self.publish_message(event).await?;
                Ok(())
            }
            // Someone else deleted it between the read and the write: same outcome.
            Ok(None) | Err(MessageWriteError::Deleted) => Ok(()),
            Err(error) => Err(error.into()),
        }
    }
}
