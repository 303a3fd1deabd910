//! [`ChatRepository`] of the reference store.

use std::collections::HashSet;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use confab_application::RepositoryError;
use confab_application::ports::{
    AddMembersWriteError, ChatChanges, ChatListCursor, ChatRepository, DirectChat,
    DirectChatWriteError, Guard, GuardedWriteError, LockedChat, Membership, NewAuditEntry,
    NewGroup, NewGroupWriteError, Refusal, Removal,
};
use confab_domain::{
    ChatId, ChatKind, ChatListItem, ChatSnapshot, ChatView, EventPayload, LoggedEvent,
    MAX_GROUP_MEMBERS, MemberChange, MemberRole, Seq, UserId,
};

use super::state::{State, limit_of};
use super::stored_chat::StoredChat;
use super::{ReferenceStore, violated};

/// Runs `guard` on the chat as it is now; `target` is the member the write is about.
fn authorized(
    state: &State,
    chat_id: ChatId,
    guard: &Guard<'_, LockedChat>,
    target: Option<UserId>,
) -> Result<LockedChat, Refusal> {
    let locked = state
        .locked(chat_id, guard.actor, target, guard.server_admin.is_some())
        .ok_or(Refusal::NotMember)?;
    guard.check(&locked)?;
    Ok(locked)
}

/// Stores a server admin's audit entry once their write has succeeded (as the SQL
/// stores keep it only when the write's transaction commits).
pub(super) fn record_server_admin(state: &mut State, audit: Option<&NewAuditEntry>) {
    if let Some(entry) = audit {
        state.log(entry.clone());
    }
}

/// The chat a guarded write was allowed on (so it exists: the guard found its actor).
fn chat_mut(state: &mut State, chat_id: ChatId) -> Result<&mut StoredChat, RepositoryError> {
    state
        .chats
        .get_mut(&chat_id)
        .ok_or_else(|| RepositoryError::corrupt("chat vanished under its lock"))
}

/// The ids in first-seen order, without duplicates.
fn distinct(ids: impl IntoIterator<Item = UserId>) -> Vec<UserId> {
    let mut seen = HashSet::new();
    ids.into_iter().filter(|id| seen.insert(*id)).collect()
}

#[async_trait]
impl ChatRepository for ReferenceStore {
    async fn create_group(&self, group: NewGroup) -> Result<LoggedEvent, NewGroupWriteError> {
        let everyone = distinct(std::iter::once(group.owner).chain(group.members));
        if everyone.len() > MAX_GROUP_MEMBERS {
            return Err(NewGroupWriteError::GroupFull);
        }
        let mut state = self.lock()?;
        let unknown = state.unknown_users(&everyone);
        if !unknown.is_empty() {
            return Err(NewGroupWriteError::UserNotFound(unknown));
        }
        let name = Some(group.name);
        let mut chat = StoredChat::new(group.id, ChatKind::Group, name, None, group.now);
        for user_id in everyone {
            let role = if user_id == group.owner {
                MemberRole::Owner
            } else {
                MemberRole::Member
            };
            chat.join(user_id, Some(role), Seq::FIRST, group.now);
        }
        let (_, event) = state.create(chat)?;
        Ok(event)
    }

    async fn find_or_create_direct(
        &self,
        new_id: ChatId,
        a: UserId,
        b: UserId,
        now: DateTime<Utc>,
    ) -> Result<DirectChat, DirectChatWriteError> {
        let pair = if a <= b { (a, b) } else { (b, a) };
        let mut state = self.lock()?;
        let existing = state.chats.values().find(|c| c.direct_pair == Some(pair));
        if let Some(existing) = existing.map(|chat| chat.chat.id) {
            let snapshot = state
                .snapshot(existing)
                .ok_or_else(|| RepositoryError::corrupt("direct chat without a snapshot"))?;
            return Ok(DirectChat {
                snapshot,
                created: None,
            });
        }
        // `a` is the caller, so an unknown id here is `b`'s.
        if let Some(&missing) = state.unknown_users(&[a, b]).first() {
            return Err(DirectChatWriteError::UserNotFound(missing));
        }
        if a == b {
            return Err(violated("chat_members (chat_id, user_id) is unique").into());
        }
        let mut chat = StoredChat::new(new_id, ChatKind::Direct, None, Some(pair), now);
        chat.join(a, None, Seq::FIRST, now);
        chat.join(b, None, Seq::FIRST, now);
        let (snapshot, event) = state.create(chat)?;
        Ok(DirectChat {
            snapshot,
            created: Some(event),
        })
    }

    async fn membership(
        &self,
        chat_id: ChatId,
        user_id: UserId,
    ) -> Result<Option<Membership>, RepositoryError> {
        let state = self.lock()?;
        let Some(chat) = state.chats.get(&chat_id) else {
            return Ok(None);
        };
        Ok(chat.member(user_id).map(|member| Membership {
            chat: chat.chat.clone(),
            role: member.role,
            last_read_seq: member.last_read_seq,
        }))
    }

    async fn view(
        &self,
        chat_id: ChatId,
        viewer: UserId,
        now: DateTime<Utc>,
    ) -> Result<Option<ChatView>, RepositoryError> {
        let state = self.lock()?;
        let Some(chat) = state.chats.get(&chat_id) else {
            return Ok(None);
        };
        let Some(me) = chat.member(viewer) else {
            return Ok(None);
        };
        Ok(Some(ChatView {
            snapshot: ChatSnapshot {
                chat: chat.chat.clone(),
                members: state.members(chat),
            },
            last_message: chat.last_message(now),
            unread_count: chat.unread_count(viewer, me.last_read_seq, now)?,
        }))
    }

    async fn snapshot(&self, chat_id: ChatId) -> Result<Option<ChatSnapshot>, RepositoryError> {
        Ok(self.lock()?.snapshot(chat_id))
    }

    async fn list_for_user(
        &self,
        user_id: UserId,
        after: Option<ChatListCursor>,
        limit: u64,
        now: DateTime<Utc>,
    ) -> Result<Vec<ChatListItem>, RepositoryError> {
        let state = self.lock()?;
        let mut mine: Vec<&StoredChat> = state
            .chats
            .values()
            .filter(|chat| chat.member(user_id).is_some() && chat.comes_after(after))
            .collect();
        // Newest activity first, ties by id, descending: the SQL keyset's order.
        mine.sort_by_key(|chat| std::cmp::Reverse((chat.chat.last_activity_at, chat.chat.id)));
        mine.truncate(limit_of(limit));
        let mut items = Vec::with_capacity(mine.len());
        for chat in mine {
            items.extend(state.list_item(chat, user_id, now)?);
        }
        Ok(items)
    }

    async fn heads_for_user(&self, user_id: UserId) -> Result<Vec<(ChatId, Seq)>, RepositoryError> {
        let state = self.lock()?;
        Ok(state
            .chats
            .values()
            .filter(|chat| chat.member(user_id).is_some())
            .map(|chat| (chat.chat.id, chat.chat.last_seq))
            .collect())
    }

    async fn update(
        &self,
        chat_id: ChatId,
        changes: ChatChanges,
        now: DateTime<Utc>,
        guard: &Guard<'_, LockedChat>,
    ) -> Result<Option<LoggedEvent>, GuardedWriteError> {
        let mut state = self.lock()?;
        authorized(&state, chat_id, guard, None)?;
        // A settings change leaves the members as they are.
        let members = state.snapshot(chat_id).map(|before| before.members);
        let members = members.unwrap_or_default();
        let chat = chat_mut(&mut state, chat_id)?;
        if !chat.apply(changes, now) {
            return Ok(None);
        }
        let seq = chat.take_seq(now);
        let after = ChatSnapshot {
            chat: chat.chat.clone(),
            members,
        };
        let entry = chat.append(seq, now, EventPayload::ChatUpdated(after));
        state.drop_released_files();
        record_server_admin(&mut state, guard.server_admin);
        Ok(Some(entry))
    }

    async fn add_members(
        &self,
        chat_id: ChatId,
        user_ids: &[UserId],
        now: DateTime<Utc>,
        guard: &Guard<'_, LockedChat>,
    ) -> Result<Vec<LoggedEvent>, AddMembersWriteError> {
        let mut state = self.lock()?;
        authorized(&state, chat_id, guard, None)?;
        let wanted = distinct(user_ids.iter().copied());
        let unknown = state.unknown_users(&wanted);
        if !unknown.is_empty() {
            return Err(AddMembersWriteError::UserNotFound(unknown));
        }
        let chat = chat_mut(&mut state, chat_id)?;
        let new: Vec<UserId> = wanted
            .into_iter()
            .filter(|id| chat.member(*id).is_none())
            .collect();
        if chat.members.len() + new.len() > MAX_GROUP_MEMBERS {
            return Err(AddMembersWriteError::GroupFull);
        }
        let role = Some(MemberRole::Member);
        let mut events = Vec::with_capacity(new.len());
        for user_id in new {
            let event = chat.log(
                now,
                EventPayload::MemberAdded(MemberChange {
                    user_id,
                    role,
                    actor_id: Some(guard.actor),
                }),
            );
            chat.join(user_id, role, event.seq, now);
            events.push(event);
        }
        record_server_admin(&mut state, guard.server_admin);
        Ok(events)
    }

    async fn remove_member(
        &self,
        chat_id: ChatId,
        user_id: UserId,
        now: DateTime<Utc>,
        guard: &Guard<'_, LockedChat>,
    ) -> Result<Removal, GuardedWriteError> {
        let mut state = self.lock()?;
        let locked = authorized(&state, chat_id, guard, Some(user_id))?;
        let role = locked.target.ok_or(Refusal::TargetNotMember)?.role;
        let chat = chat_mut(&mut state, chat_id)?;
        if chat.members.len() <= 1 {
            // The last member leaves: the chat goes with its whole log.
            state.chats.remove(&chat_id);
            state.drop_released_files();
            record_server_admin(&mut state, guard.server_admin);
            return Ok(Removal {
                events: Vec::new(),
                chat_deleted: true,
            });
        }
        let mut events = Vec::new();
        if role == Some(MemberRole::Owner)
            && let Some(heir) = chat.successor(user_id)
        {
            events.push(chat.log_role(heir, MemberRole::Owner, guard.actor, now));
        }
        chat.members.retain(|member| member.user_id != user_id);
        let change = MemberChange {
            user_id,
            role,
            actor_id: Some(guard.actor),
        };
        events.push(chat.log(now, EventPayload::MemberRemoved(change)));
        record_server_admin(&mut state, guard.server_admin);
        Ok(Removal {
            events,
            chat_deleted: false,
        })
    }

    async fn set_role(
        &self,
        chat_id: ChatId,
        user_id: UserId,
        role: MemberRole,
        now: DateTime<Utc>,
        guard: &Guard<'_, LockedChat>,
    ) -> Result<Vec<LoggedEvent>, GuardedWriteError> {
        let mut state = self.lock()?;
        let locked = authorized(&state, chat_id, guard, Some(user_id))?;
        let target = locked.target.ok_or(Refusal::TargetNotMember)?;
        if target.role == Some(role) {
            return Ok(Vec::new());
        }
        let chat = chat_mut(&mut state, chat_id)?;
        let old_owners: Vec<UserId> = if role == MemberRole::Owner {
            chat.members
                .iter()
                .filter(|member| member.role == Some(MemberRole::Owner))
                .map(|member| member.user_id)
                .collect()
        } else {
            Vec::new()
        };
        let changes = std::iter::once((user_id, role))
            .chain(old_owners.into_iter().map(|old| (old, MemberRole::Admin)));
        let events = changes
            .map(|(user_id, role)| chat.log_role(user_id, role, guard.actor, now))
            .collect();
        record_server_admin(&mut state, guard.server_admin);
        Ok(events)
    }

    async fn mark_read(
        &self,
        chat_id: ChatId,
        user_id: UserId,
        seq: Seq,
    ) -> Result<Option<Seq>, RepositoryError> {
        let mut state = self.lock()?;
        let Some(chat) = state.chats.get_mut(&chat_id) else {
            return Ok(None);
        };
        let target = seq.min(chat.chat.last_seq);
        // Forward only: a lower mark changes nothing.
        let moved = chat
            .member_mut(user_id)
            .filter(|member| member.last_read_seq < target)
            .map(|member| member.last_read_seq = target);
        Ok(moved.map(|()| target))
    }
}
