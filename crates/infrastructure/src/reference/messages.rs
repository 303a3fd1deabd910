//! [`MessageRepository`] of the reference store.

use std::collections::HashSet;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use confab_application::RepositoryError;
use confab_application::ports::{
    DeleteWriteError, EditWriteError, Guard, LockedMessage, MessageRepository, MessageWritten,
    NewMessage, Refusal, SendOutcome, SendWriteError, SeqWindow,
};
use confab_domain::{
    Attachment, Chat, ChatId, EventPayload, LoggedEvent, Message, MessageBody, MessageId, Seq,
};

use super::chats::record_server_admin;
use super::state::{State, limit_of};
use super::stored_chat::{StoredChat, message_in};
use super::{ReferenceStore, violated};

/// What a send will do, decided before anything changes.
enum Plan {
    /// Answer the retry with its live original.
    Existing(Message),
    /// Store the message with its files, after deleting for good the expired
    /// original whose `client_message_id` it reuses, if any.
    Store {
        expired_original: Option<MessageId>,
        files: Vec<Attachment>,
    },
}

/// Checks a send against the chat: membership, a retried key, the reply target,
/// the files.
fn plan(state: &State, new: &NewMessage) -> Result<Plan, SendWriteError> {
    let chat = state
        .chats
        .get(&new.chat_id)
        .filter(|chat| chat.member(new.author_id).is_some())
        .ok_or(SendWriteError::NotMember)?;
    if state.message_id_taken(new.id) {
        return Err(violated("messages.id is unique").into());
    }
    let original = new.client_message_id.as_ref().and_then(|key| {
        chat.messages
            .values()
            .find(|m| m.author_id == new.author_id && m.client_message_id.as_ref() == Some(key))
    });
    // A retry is answered even if its reply target has expired since.
    if let Some(original) = original
        && !original.is_expired(chat.chat.message_ttl, new.now)
    {
        return Ok(Plan::Existing(original.clone()));
    }
    if let Some(target) = new.reply_to_id {
        // The SQL adapter looks the target up after inserting the message, so a
        // message may name itself; any other target must be live in this chat.
        let live = target == new.id || chat.live_message(target, new.now).is_some();
        if !live {
            return Err(SendWriteError::ReplyTargetNotFound);
        }
    }
    let files = state
        .claimable_files(new)
        .ok_or(SendWriteError::AttachmentUnavailable)?;
    Ok(Plan::Store {
        expired_original: original.map(|m| m.id),
        files,
    })
}

/// The live message `id`, once `guard`'s actor is known to be a member (before the
/// message is looked at, so a non-member learns nothing of it) and its rule passed.
fn guarded_message(
    state: &State,
    chat_id: ChatId,
    id: MessageId,
    now: DateTime<Utc>,
    guard: &Guard<'_, LockedMessage>,
) -> Result<Message, DeleteWriteError> {
    let locked = state
        .locked(chat_id, guard.actor, None, guard.server_admin.is_some())
        .ok_or(Refusal::NotMember)?;
    let message = state
        .chats
        .get(&chat_id)
        .and_then(|chat| chat.live_message(id, now))
        .cloned()
        .ok_or(DeleteWriteError::MessageNotFound)?;
    guard.check(&LockedMessage {
        chat: locked,
        author: message.author_id,
    })?;
    Ok(message)
}

/// Stores the message's new state and logs it under the next seq.
fn save_and_log(
    state: &mut State,
    message: Message,
    now: DateTime<Utc>,
    kind: fn(Message) -> EventPayload,
) -> Result<MessageWritten, RepositoryError> {
    let chat = state
        .chats
        .get_mut(&message.chat_id)
        .ok_or_else(|| RepositoryError::corrupt("chat vanished under its lock"))?;
    chat.messages.insert(message.seq, message.clone());
    let entry = chat.log(now, kind(message.clone()));
    Ok(MessageWritten { message, entry })
}

/// Turns the live `message` into a tombstone at `now` and logs `message.deleted`;
/// the earlier entries about it replay the tombstone from then on (`replayed`).
/// A member's delete and the erasure of a deleted account both go through here.
pub(super) fn tombstone(
    state: &mut State,
    mut message: Message,
    now: DateTime<Utc>,
) -> Result<MessageWritten, RepositoryError> {
    message.body = None;
    message.attachments.clear();
    message.deleted_at = Some(now);
    let written = save_and_log(state, message, now, EventPayload::MessageDeleted)?;
    state.drop_released_files();
    Ok(written)
}

/// The messages of `chat` in `window`, at most `limit`, ascending by seq.
fn window(chat: &StoredChat, window: SeqWindow, limit: usize, now: DateTime<Utc>) -> Vec<Message> {
    let live = chat.live_messages(now);
    let mut page: Vec<Message> = match window {
        SeqWindow::Newest => live.rev().take(limit).cloned().collect(),
        SeqWindow::Before(seq) => live
            .rev()
            .filter(|m| m.seq < seq)
            .take(limit)
            .cloned()
            .collect(),
        SeqWindow::After(seq) => live.filter(|m| m.seq > seq).take(limit).cloned().collect(),
    };
    page.sort_by_key(|message| message.seq);
    page
}

#[async_trait]
impl MessageRepository for ReferenceStore {
    async fn send(&self, new: NewMessage) -> Result<SendOutcome, SendWriteError> {
        let mut state = self.lock()?;
        let (expired_original, files) = match plan(&state, &new)? {
            Plan::Existing(original) => return Ok(SendOutcome::Existing(original)),
            Plan::Store {
                expired_original,
                files,
            } => (expired_original, files),
        };
        let chat = state
            .chats
            .get_mut(&new.chat_id)
            .ok_or(SendWriteError::NotMember)?;
        if let Some(original) = expired_original {
            chat.purge(&HashSet::from([original]));
        }
        let seq = chat.take_seq(new.now);
        let message = Message {
            id: new.id,
            chat_id: new.chat_id,
            seq,
            author_id: new.author_id,
            body: new.body,
            attachments: files,
            reply_to_id: new.reply_to_id,
            client_message_id: new.client_message_id,
            created_at: new.now,
            edited_at: None,
            deleted_at: None,
        };
        chat.messages.insert(seq, message.clone());
        let entry = chat.append(seq, new.now, EventPayload::MessageCreated(message.clone()));
        state.drop_released_files();
        state.link_files(message.id, &message.attachments);
        Ok(SendOutcome::Created(Box::new(MessageWritten {
            message,
            entry,
        })))
    }

    async fn list(
        &self,
        chat: &Chat,
        seqs: SeqWindow,
        limit: u64,
        now: DateTime<Utc>,
    ) -> Result<Vec<Message>, RepositoryError> {
        let state = self.lock()?;
        Ok(state
            .chats
            .get(&chat.id)
            .map(|chat| window(chat, seqs, limit_of(limit), now))
            .unwrap_or_default())
    }

    async fn get(
        &self,
        chat: &Chat,
        id: MessageId,
        now: DateTime<Utc>,
    ) -> Result<Option<Message>, RepositoryError> {
        let state = self.lock()?;
        let chat = state.chats.get(&chat.id);
        Ok(chat.and_then(|chat| chat.live_message(id, now)).cloned())
    }

    async fn edit(
        &self,
        chat_id: ChatId,
        id: MessageId,
        body: MessageBody,
        now: DateTime<Utc>,
        guard: &Guard<'_, LockedMessage>,
    ) -> Result<MessageWritten, EditWriteError> {
        let mut state = self.lock()?;
        let mut message = guarded_message(&state, chat_id, id, now, guard)?;
        if message.is_deleted() {
            return Err(EditWriteError::Deleted);
        }
        message.body = Some(body);
        message.edited_at = Some(now);
        let written = save_and_log(&mut state, message, now, EventPayload::MessageUpdated)?;
        record_server_admin(&mut state, guard.server_admin);
        Ok(written)
    }

    async fn delete(
        &self,
        chat_id: ChatId,
        id: MessageId,
        now: DateTime<Utc>,
        guard: &Guard<'_, LockedMessage>,
    ) -> Result<Option<MessageWritten>, DeleteWriteError> {
        let mut state = self.lock()?;
        let message = guarded_message(&state, chat_id, id, now, guard)?;
        if message.is_deleted() {
            return Ok(None);
        }
        let written = tombstone(&mut state, message, now)?;
        record_server_admin(&mut state, guard.server_admin);
        Ok(Some(written))
    }

    async fn events_after(
        &self,
        chat_id: ChatId,
        after: Seq,
        limit: u64,
        now: DateTime<Utc>,
    ) -> Result<Vec<LoggedEvent>, RepositoryError> {
        let state = self.lock()?;
        let Some(chat) = state.chats.get(&chat_id) else {
            return Ok(Vec::new());
        };
        // Entries about expired messages are hidden before the reaper removes them.
        let ttl = chat.chat.message_ttl;
        chat.log
            .range(after.next()..)
            .map(|(_, entry)| entry)
            .filter(|entry| message_in(entry).is_none_or(|m| !m.is_expired(ttl, now)))
            .take(limit_of(limit))
            .map(|entry| chat.replayed(entry))
            .collect()
    }

    async fn purge_expired(&self, now: DateTime<Utc>, batch: u64) -> Result<u64, RepositoryError> {
        let mut state = self.lock()?;
        let mut left = limit_of(batch);
        let mut deleted = 0;
        for chat in state.chats.values_mut() {
            let Some(ttl) = chat.chat.message_ttl else {
                continue;
            };
            if left == 0 {
                break;
            }
            let expired: HashSet<MessageId> =
                chat.expired(ttl, now).into_iter().take(left).collect();
            left -= expired.len();
            deleted += chat.purge(&expired);
        }
        state.drop_released_files();
        Ok(deleted)
    }
}
