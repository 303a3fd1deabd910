//! Reading chats: one chat as the caller sees it, and the caller's chat list.

use confab_domain::{ChatId, ChatListItem, ChatView};

use super::cursor::{decode_cursor, encode_cursor};
use super::{ChatService, GetChatError, ListChatsError};
use crate::accounts::Authenticated;
use crate::pagination::{Page, PageLimit};
use crate::ports::ChatListCursor;

impl ChatService {
    /// The chat with its members, last message and the caller's unread count.
    #[tracing::instrument(skip(self))]
    pub async fn get(
        &self,
        auth: &Authenticated,
        chat_id: ChatId,
    ) -> Result<ChatView, GetChatError> {
        self.chats
            .view(chat_id, auth.user_id, self.clock.now())
            .await?
            .ok_or(GetChatError::ChatNotFound)
    }

    /// The caller's chats, most recent activity first.
    #[tracing::instrument(skip(self, cursor))]
    pub async fn list(
        &self,
        auth: &Authenticated,
        limit: Option<i64>,
        cursor: Option<&str>,
    ) -> Result<Page<ChatListItem>, ListChatsError> {
        let caller = auth.user_id;
        let limit = PageLimit::parse(limit)?;
        let after = cursor
            .map(|text| decode_cursor(text).ok_or(ListChatsError::InvalidCursor))
            .transpose()?;
        let rows = self
            .chats
            .list_for_user(caller, after, limit.probe(), self.clock.now())
            .await?;
        Ok(Page::from_probe(rows, limit, |item| {
            encode_cursor(ChatListCursor {
                last_activity_at: item.chat.last_activity_at,
                chat_id: item.chat.id,
            })
        }))
    }
}
