//! A message's files in the reference store, as the SQL schema keeps them: an
//! attached upload names its message; a tombstone lets its uploads go, and a message
//! deleted for good takes them along (`ON DELETE CASCADE`).

use confab_application::ports::NewMessage;
use confab_domain::{Attachment, MessageId};

use super::state::State;

impl State {
    /// The send's files in its order, when every one is the author's, unattached
    /// and not an avatar; `None` otherwise.
    pub(super) fn claimable_files(&self, new: &NewMessage) -> Option<Vec<Attachment>> {
        new.attachment_ids
            .iter()
            .map(|id| {
                self.uploads
                    .get(id)
                    .filter(|upload| upload.owner_id == new.author_id)
                    .filter(|upload| upload.message_id.is_none() && !self.is_avatar(upload.id))
                    .map(|upload| Attachment::from(upload.clone()))
            })
            .collect()
    }

    /// Marks the message's files as sent with it.
    pub(super) fn link_files(&mut self, message: MessageId, files: &[Attachment]) {
        for file in files {
            if let Some(upload) = self.uploads.get_mut(&file.id) {
                upload.message_id = Some(message);
            }
        }
    }

    /// Removes the uploads of messages that are tombstones or gone, as the SQL
    /// adapter's tombstone and cascade do.
    pub(super) fn drop_released_files(&mut self) {
        let held: std::collections::HashSet<MessageId> = self
            .chats
            .values()
            .flat_map(|chat| chat.messages.values())
            .filter(|message| !message.is_deleted())
            .map(|message| message.id)
            .collect();
        self.uploads
            .retain(|_, upload| upload.message_id.is_none_or(|id| held.contains(&id)));
    }
}
