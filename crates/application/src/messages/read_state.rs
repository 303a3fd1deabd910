//! Read positions: moving `last_read_seq` forward and telling the chat.

use confab_domain::{ChatId, EventPayload, ReadPosition, Seq};

use super::{MarkReadError, MessageService};
use crate::accounts::Authenticated;
use crate::error::ValidationErrors;
use crate::ports::ChatEvent;
use crate::publish::publish;

impl MessageService {
    /// Moves the caller's `last_read_seq` forward to `seq` (clamped to the chat's
    /// `last_seq`; a lower seq changes nothing). When it moved, members and the
    /// caller's other sockets get an unlogged `read.updated`.
    #[tracing::instrument(skip(self))]
    pub async fn mark_read(
        &self,
        auth: &Authenticated,
        chat_id: ChatId,
        seq: i64,
    ) -> Result<(), MarkReadError> {
        let caller = auth.user_id;
        let seq = Seq::new(seq).map_err(|e| ValidationErrors::single("seq", e.to_string()))?;
        if self.membership(chat_id, caller).await?.is_none() {
            return Err(MarkReadError::ChatNotFound);
        }
        if let Some(moved_to) = self.chats.mark_read(chat_id, caller, seq).await? {
            let position = ReadPosition {
                user_id: caller,
                seq: moved_to,
            };
            let event = ChatEvent::unlogged(chat_id, EventPayload::ReadUpdated(position));
            publish(self.events.as_ref(), [event]).await;
        }
        Ok(())
    }
}
