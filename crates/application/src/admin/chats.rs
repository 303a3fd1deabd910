//! Any chat as admins manage it: the list (no message bodies), adding and removing
//! group members, tombstoning messages. The writes go through the chat and message
//! use cases with the admin as actor, so they take the chat's lock, log their entries
//! as a member's would (members see the change) and store the audit entry in the
//! same transaction.

use confab_domain::{ChatId, MessageId, UserId};

use super::{AdminError, AdminService, search_and_limit};
use crate::accounts::Authenticated;
use crate::chats::{decode_cursor, encode_cursor};
use crate::pagination::Page;
use crate::ports::{AdminChatView, AuditAction, ChatListCursor};

/// How the audit log names a chat, and something in it.
fn chat_target(chat_id: ChatId, what: Option<String>) -> String {
    match what {
        Some(what) => format!("chat:{chat_id}/{what}"),
        None => format!("chat:{chat_id}"),
    }
}

impl AdminService {
    /// Every chat, most recent activity first; `q` keeps the groups whose name
    /// starts with it.
    ///
    /// # Errors
    /// `Forbidden`; `Validation` for a bad `q` or `limit`; `InvalidCursor`; `Internal`.
    #[tracing::instrument(skip_all, fields(user_id = %auth.user_id))]
    pub async fn list_chats(
        &self,
        auth: &Authenticated,
        q: Option<String>,
        limit: Option<i64>,
        cursor: Option<String>,
    ) -> Result<Page<AdminChatView>, AdminError> {
        self.require_admin(auth).await?;
        let (prefix, limit) = search_and_limit(q, limit)?;
        let after = cursor
            .map(|text| decode_cursor(&text).ok_or(AdminError::InvalidCursor))
            .transpose()?;
        let rows = self.admin.list_chats(&prefix, after, limit.probe()).await?;
        Ok(Page::from_probe(rows, limit, |row| {
            encode_cursor(ChatListCursor {
                last_activity_at: row.chat.last_activity_at,
                chat_id: row.chat.id,
            })
        }))
    }

    /// Adds users to any group (existing members stay as they are).
    ///
    /// # Errors
    /// `Forbidden`; `ChatNotFound`; `NotAGroup`; `UsersNotFound`; `GroupFull`;
    /// `Internal`.
    #[tracing::instrument(skip_all, fields(user_id = %auth.user_id, chat_id = %chat_id))]
    pub async fn add_chat_members(
        &self,
        auth: &Authenticated,
        chat_id: ChatId,
        user_ids: Vec<UserId>,
    ) -> Result<(), AdminError> {
        self.require_admin(auth).await?;
        let added = user_ids
            .iter()
            .map(|id| format!("user:{id}"))
            .collect::<Vec<_>>()
            .join(",");
        let audit = self.audit(
            Some(auth.user_id),
            AuditAction::ChatMembersAdded,
            chat_target(chat_id, Some(added)),
        );
        self.chats
            .add_members_as_server_admin(auth.user_id, &audit, chat_id, user_ids)
            .await?;
        Ok(())
    }

    /// Removes a member from any group, with the usual owner hand-over.
    ///
    /// # Errors
    /// `Forbidden`; `ChatNotFound`; `NotAGroup`; `MemberNotFound`; `Internal`.
    #[tracing::instrument(skip_all, fields(user_id = %auth.user_id, chat_id = %chat_id))]
    pub async fn remove_chat_member(
        &self,
        auth: &Authenticated,
        chat_id: ChatId,
        member: UserId,
    ) -> Result<(), AdminError> {
        self.require_admin(auth).await?;
        let audit = self.audit(
            Some(auth.user_id),
            AuditAction::ChatMemberRemoved,
            chat_target(chat_id, Some(format!("user:{member}"))),
        );
        self.chats
            .remove_member_as_server_admin(auth.user_id, &audit, chat_id, member)
            .await?;
        Ok(())
    }

    /// Tombstones any message (one already deleted stays as it is).
    ///
    /// # Errors
    /// `Forbidden`; `ChatNotFound`; `MessageNotFound`; `Internal`.
    #[tracing::instrument(skip_all, fields(user_id = %auth.user_id, chat_id = %chat_id))]
    pub async fn delete_chat_message(
        &self,
        auth: &Authenticated,
        chat_id: ChatId,
        message_id: MessageId,
    ) -> Result<(), AdminError> {
        self.require_admin(auth).await?;
        let audit = self.audit(
            Some(auth.user_id),
            AuditAction::MessageDeleted,
            chat_target(chat_id, Some(format!("message:{message_id}"))),
        );
        self.messages
            .delete_as_server_admin(auth.user_id, &audit, chat_id, message_id)
            .await?;
        Ok(())
    }
}
