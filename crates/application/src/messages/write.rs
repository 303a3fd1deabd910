//! Changing messages: editing (author only) and deleting to a tombstone.

use confab_domain::permissions::{may_delete_message, may_edit_message};
use confab_domain::{ChatId, Message, MessageBody, MessageId, UserId};

use super::{DeleteMessageError, EditMessageError, MessageService};
use crate::accounts::Authenticated;
use crate::error::ValidationErrors;
use crate::ports::{Guard, LockedMessage, NewAuditEntry};

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
        let body = MessageBody::parse(body)
            .map_err(|e| ValidationErrors::single("body", e.to_string()))?;
        let guard = Guard {
            actor: auth.user_id,
            server_admin: None,
            rule: &|locked: &LockedMessage| Ok(may_edit_message(locked.chat.actor, locked.author)?),
        };
        let now = self.clock.now();
        let written = self
            .messages
            .edit(chat_id, message_id, body, now, &guard)
            .await?;
        Ok(self.publish_message(written).await)
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
        let guard = Guard {
            actor: auth.user_id,
            server_admin: None,
            rule: &|locked: &LockedMessage| {
                Ok(may_delete_message(
                    locked.chat.kind,
                    locked.chat.actor,
                    locked.author,
                )?)
            },
        };
        let now = self.clock.now();
        if let Some(written) = self
            .messages
            .delete(chat_id, message_id, now, &guard)
            .await?
        {
            self.publish_message(written).await;
        }
        Ok(())
    }

    /// Turns any message into a tombstone on behalf of server admin `admin`, who need
    /// not be a member; logged as usual, with `audit` stored in the same transaction.
    /// A tombstone deleted again logs nothing and stores no audit entry.
    #[tracing::instrument(skip(self, audit))]
    pub async fn delete_as_server_admin(
        &self,
        admin: UserId,
        audit: &NewAuditEntry,
        chat_id: ChatId,
        message_id: MessageId,
    ) -> Result<(), DeleteMessageError> {
        let guard = Guard {
            actor: admin,
            server_admin: Some(audit),
            rule: &|_: &LockedMessage| Ok(()),
        };
        let now = self.clock.now();
        if let Some(written) = self
            .messages
            .delete(chat_id, message_id, now, &guard)
            .await?
        {
            self.publish_message(written).await;
        }
        Ok(())
    }
}
