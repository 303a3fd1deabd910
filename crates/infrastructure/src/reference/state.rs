//! The reference store's tables and the reads its ports share: members with their
//! names, snapshots, and the chat as a guarded write finds it.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use confab_application::RepositoryError;
use confab_application::ports::{
    AuditEntry, Invite, LockedChat, OutgoingMail, PasswordHash, TokenHash, TokenPurpose,
};
use confab_domain::permissions::Actor;
use confab_domain::{
    ChatId, ChatKind, ChatListItem, ChatSnapshot, Email, EventPayload, InviteId, LoggedEvent,
    Member, MessageId, Seq, Session, SessionId, Upload, UploadId, User, UserId,
};

use super::stored_chat::StoredChat;
use super::violated;

/// Everything the store holds; one value behind the store's one mutex.
#[derive(Debug, Default)]
pub(super) struct State {
    /// Accounts by id.
    pub(super) users: BTreeMap<UserId, StoredUser>,
    /// Device sessions by id (UUIDv7, so in creation order).
    pub(super) sessions: BTreeMap<SessionId, Session>,
    /// Every refresh token ever issued, by hash.
    pub(super) refresh_tokens: HashMap<TokenHash, StoredToken>,
    /// Chats by id, each with its members, messages and log.
    pub(super) chats: BTreeMap<ChatId, StoredChat>,
    /// Mail tokens by hash.
    pub(super) mail_tokens: HashMap<TokenHash, StoredMailToken>,
    /// The mail outbox, in the order mails were queued.
    pub(super) outbox: Vec<StoredMail>,
    /// Invites by id, each with the hash of its token.
    pub(super) invites: BTreeMap<InviteId, (Invite, TokenHash)>,
    /// The admin audit log, oldest first.
    pub(super) audit: Vec<AuditEntry>,
    /// Uploads by id.
    pub(super) uploads: BTreeMap<UploadId, Upload>,
}

/// A mail token: whose, what for, to which address, until when, and whether spent.
#[derive(Debug, Clone)]
pub(super) struct StoredMailToken {
    pub(super) user_id: UserId,
    pub(super) purpose: TokenPurpose,
    pub(super) email: Email,
    pub(super) created_at: DateTime<Utc>,
    pub(super) expires_at: DateTime<Utc>,
    pub(super) used: bool,
}

/// A queued mail; `done` once sent or given up.
#[derive(Debug, Clone)]
pub(super) struct StoredMail {
    pub(super) id: uuid::Uuid,
    pub(super) mail: OutgoingMail,
    pub(super) due: DateTime<Utc>,
    pub(super) attempts: u32,
    pub(super) done: bool,
}

/// An account and its password hash.
#[derive(Debug, Clone)]
pub(super) struct StoredUser {
    pub(super) user: User,
    pub(super) password_hash: PasswordHash,
    /// When the account was deleted (`users.deleted_at`).
    pub(super) deleted_at: Option<DateTime<Utc>>,
    /// When the eraser finished with it (`users.erased_at`).
    pub(super) erased_at: Option<DateTime<Utc>>,
}

/// An issued refresh token: whose session it belongs to, and whether it was redeemed.
#[derive(Debug, Clone, Copy)]
pub(super) struct StoredToken {
    pub(super) session_id: SessionId,
    pub(super) spent: bool,
}

impl State {
    /// Revokes every unrevoked session of `user` (expired or not, as the SQL adapters
    /// do) except `keep`, and returns their ids in id order: for the writes that end
    /// sessions besides their own (a password change or reset, disabling an account).
    pub(super) fn revoke_sessions(
        &mut self,
        user: UserId,
        keep: Option<SessionId>,
        now: DateTime<Utc>,
    ) -> Vec<SessionId> {
        let mut revoked = Vec::new();
        for session in self.sessions.values_mut() {
            if session.user_id == user && Some(session.id) != keep && session.revoked_at.is_none() {
                session.revoked_at = Some(now);
                revoked.push(session.id);
            }
        }
        revoked
    }

    /// Those of `ids` that have no account, or a deleted one, in the order given.
    pub(super) fn unknown_users(&self, ids: &[UserId]) -> Vec<UserId> {
        ids.iter()
            .filter(|id| {
                self.users
                    .get(id)
                    .is_none_or(|row| row.deleted_at.is_some())
            })
            .copied()
            .collect()
    }

    /// Whether any chat holds a message with this id (message ids are unique store-wide).
    pub(super) fn message_id_taken(&self, id: MessageId) -> bool {
        self.chats
            .values()
            .any(|chat| chat.messages.values().any(|message| message.id == id))
    }

    /// The members of `chat` with their current names, oldest first (ties by id).
    /// Joined with the accounts as the SQL adapters join `users` (every member has
    /// one: members are only added for existing accounts, and none is ever deleted).
    pub(super) fn members(&self, chat: &StoredChat) -> Vec<Member> {
        chat.members
            .iter()
            .filter_map(|member| {
                let user = &self.users.get(&member.user_id)?.user;
                Some(Member {
                    user_id: member.user_id,
                    username: user.username.clone(),
                    display_name: user.display_name.clone(),
                    role: member.role,
                    last_read_seq: member.last_read_seq,
                    joined_at: member.joined_at,
                })
            })
            .collect()
    }

    /// The chat and its members as they are now.
    pub(super) fn snapshot(&self, chat_id: ChatId) -> Option<ChatSnapshot> {
        let stored = self.chats.get(&chat_id)?;
        Some(ChatSnapshot {
            chat: stored.chat.clone(),
            members: self.members(stored),
        })
    }

    /// Logs `chat.created` at seq 1 for a new chat whose members are in, then
    /// stores the chat. Returns the snapshot it logged and the entry.
    pub(super) fn create(
        &mut self,
        mut chat: StoredChat,
    ) -> Result<(ChatSnapshot, LoggedEvent), RepositoryError> {
        if self.chats.contains_key(&chat.chat.id) {
            return Err(violated("chats.id is unique"));
        }
        let snapshot = ChatSnapshot {
            chat: chat.chat.clone(),
            members: self.members(&chat),
        };
        let now = chat.chat.created_at;
        let payload = EventPayload::ChatCreated(snapshot.clone());
        let event = chat.append(Seq::FIRST, now, payload);
        self.chats.insert(chat.chat.id, chat);
        Ok((snapshot, event))
    }

    /// One row of `user_id`'s chat list; `None` when not a member.
    pub(super) fn list_item(
        &self,
        chat: &StoredChat,
        user_id: UserId,
        now: DateTime<Utc>,
    ) -> Result<Option<ChatListItem>, RepositoryError> {
        let Some(me) = chat.member(user_id) else {
            return Ok(None);
        };
        let peer = if chat.chat.kind == ChatKind::Direct {
            self.members(chat)
                .into_iter()
                .find(|member| member.user_id != user_id)
        } else {
            None
        };
        Ok(Some(ChatListItem {
            chat: chat.chat.clone(),
            member_count: i64::try_from(chat.members.len()).map_err(RepositoryError::new)?,
            peer,
            my_role: me.role,
            my_last_read_seq: me.last_read_seq,
            last_message: chat.last_message(now),
            unread_count: chat.unread_count(user_id, me.last_read_seq, now)?,
        }))
    }

    /// The chat as a write on `actor`'s behalf finds it, with `target` (if any) as a
    /// member; `None` when the chat is gone or `actor` is not in it. The store's lock
    /// is the chat's lock, so this is what the sea-orm adapters read after locking.
    pub(super) fn locked(
        &self,
        chat_id: ChatId,
        actor: UserId,
        target: Option<UserId>,
        server_admin: bool,
    ) -> Option<LockedChat> {
        let chat = self.chats.get(&chat_id)?;
        let acting = match chat.as_actor(actor) {
            Some(member) => member,
            // A server admin acts in chats they are not a member of.
            None if server_admin => Actor {
                user_id: actor,
                role: None,
            },
            None => return None,
        };
        Some(LockedChat {
            kind: chat.chat.kind,
            actor: acting,
            target: target.and_then(|target| chat.as_actor(target)),
        })
    }
}

/// A row limit as a count of items to take.
pub(super) fn limit_of(limit: u64) -> usize {
    usize::try_from(limit).unwrap_or(usize::MAX)
}
