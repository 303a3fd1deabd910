//! In-memory stand-ins for the ports, for the service tests: memberships are set up
//! by hand, writes are recorded, and published notifications are kept in order.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use confab_domain::permissions::Actor;
use confab_domain::{
    Chat, ChatId, ChatKind, ChatListItem, ChatName, ChatSnapshot, ChatView, EventPayload,
    LoggedEvent, MemberChange, MemberRole, Seq, User, UserId,
};

use crate::error::RepositoryError;
use crate::ports::{
    AddMembersWriteError, ChatChanges, ChatListCursor, ChatRepository, Clock, DirectChat,
    DirectChatWriteError, EventBus, EventStream, Guard, GuardedWriteError, LockedChat, Membership,
    NewGroup, NewGroupWriteError, NewUser, Notification, PasswordHash, ProfileChanges, Refusal,
    Removal, StoredCredentials, UserRepository, UserWriteError,
};

/// A fixed instant.
pub(crate) struct FixedClock;

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        Utc.timestamp_opt(1_763_000_000, 0).single().expect("valid")
    }
}

/// Keeps every published notification.
#[derive(Default)]
pub(crate) struct RecordingBus(pub(crate) Mutex<Vec<Notification>>);

impl RecordingBus {
    pub(crate) fn published(&self) -> Vec<Notification> {
        self.0.lock().expect("lock").clone()
    }
}

#[async_trait]
impl EventBus for RecordingBus {
    async fn publish(&self, notification: Notification) {
        self.0.lock().expect("lock").push(notification);
    }

    fn subscribe(&self) -> EventStream {
        Box::pin(futures_util::stream::empty())
    }
}

/// One chat with hand-set members; writes are recorded by name.
pub(crate) struct FakeChats {
    pub(crate) chat: Chat,
    pub(crate) members: Vec<(UserId, Option<MemberRole>)>,
    pub(crate) writes: Mutex<Vec<&'static str>>,
    /// Whether `mark_read` reports that the position moved.
    pub(crate) read_moves: bool,
    /// The accounts that exist: the members and the `others` given to `new`.
    pub(crate) known_users: Vec<UserId>,
}

impl FakeChats {
    /// A chat of `kind` with `members`; `others` are accounts that exist outside it.
    pub(crate) fn new(
        kind: ChatKind,
        members: Vec<(UserId, Option<MemberRole>)>,
        others: &[UserId],
    ) -> Arc<Self> {
        let now = FixedClock.now();
        Arc::new(Self {
            chat: Chat {
                id: ChatId::generate(),
                kind,
                name: (kind == ChatKind::Group).then(|| ChatName::parse("team").expect("valid")),
                created_at: now,
                last_seq: Seq::new(5).expect("valid"),
                message_ttl: None,
                last_activity_at: now,
            },
            known_users: members
                .iter()
                .map(|(id, _)| *id)
                .chain(others.iter().copied())
                .collect(),
            members,
            writes: Mutex::default(),
            read_moves: true,
        })
    }

    pub(crate) fn writes(&self) -> Vec<&'static str> {
        self.writes.lock().expect("lock").clone()
    }

    fn record(&self, what: &'static str) {
        self.writes.lock().expect("lock").push(what);
    }

    fn logged(&self, seq: i64, payload: EventPayload) -> LoggedEvent {
        LoggedEvent {
            chat_id: self.chat.id,
            seq: Seq::new(seq).expect("valid"),
            created_at: self.chat.created_at,
            payload,
        }
    }

    fn as_member(&self, user_id: UserId) -> Option<Actor> {
        self.members
            .iter()
            .find(|(id, _)| *id == user_id)
            .map(|(user_id, role)| Actor {
                user_id: *user_id,
                role: *role,
            })
    }

    /// Runs `guard` as the real adapter does under the chat's lock.
    fn guarded(
        &self,
        guard: &Guard<'_, LockedChat>,
        target: Option<UserId>,
    ) -> Result<(), Refusal> {
        let actor = self.as_member(guard.actor).ok_or(Refusal::NotMember)?;
        let locked = LockedChat {
            kind: self.chat.kind,
            actor,
            target: target.and_then(|id| self.as_member(id)),
        };
        guard.check(&locked)
    }

    fn snapshot_now(&self) -> ChatSnapshot {
        ChatSnapshot {
            chat: self.chat.clone(),
            members: Vec::new(),
        }
    }
}

#[async_trait]
impl ChatRepository for FakeChats {
    async fn create_group(&self, _: NewGroup) -> Result<LoggedEvent, NewGroupWriteError> {
        self.record("create_group");
        Ok(self.logged(1, EventPayload::ChatCreated(self.snapshot_now())))
    }

    async fn find_or_create_direct(
        &self,
        _: ChatId,
        _: UserId,
        _: UserId,
        _: DateTime<Utc>,
    ) -> Result<DirectChat, DirectChatWriteError> {
        self.record("find_or_create_direct");
        Ok(DirectChat {
            snapshot: self.snapshot_now(),
            created: None,
        })
    }

    async fn membership(
        &self,
        chat_id: ChatId,
        user_id: UserId,
    ) -> Result<Option<Membership>, RepositoryError> {
        Ok(self
            .members
            .iter()
            .find(|(id, _)| chat_id == self.chat.id && *id == user_id)
            .map(|(_, role)| Membership {
                chat: self.chat.clone(),
                role: *role,
                last_read_seq: Seq::FIRST,
            }))
    }

    async fn view(
        &self,
        _: ChatId,
        viewer: UserId,
        _: DateTime<Utc>,
    ) -> Result<Option<ChatView>, RepositoryError> {
        Ok(self
            .members
            .iter()
            .any(|(id, _)| *id == viewer)
            .then(|| ChatView {
                snapshot: self.snapshot_now(),
                last_message: None,
                unread_count: 0,
            }))
    }

    async fn snapshot(&self, _: ChatId) -> Result<Option<ChatSnapshot>, RepositoryError> {
        Ok(Some(self.snapshot_now()))
    }

    async fn list_for_user(
        &self,
        _: UserId,
        _: Option<ChatListCursor>,
        _: u64,
        _: DateTime<Utc>,
    ) -> Result<Vec<ChatListItem>, RepositoryError> {
        Ok(Vec::new())
    }

    async fn heads_for_user(&self, _: UserId) -> Result<Vec<(ChatId, Seq)>, RepositoryError> {
        Ok(Vec::new())
    }

    async fn update(
        &self,
        _: ChatId,
        _: ChatChanges,
        _: DateTime<Utc>,
        guard: &Guard<'_, LockedChat>,
    ) -> Result<Option<LoggedEvent>, GuardedWriteError> {
        self.guarded(guard, None)?;
        self.record("update");
        Ok(Some(
            self.logged(6, EventPayload::ChatUpdated(self.snapshot_now())),
        ))
    }

    async fn add_members(
        &self,
        _: ChatId,
        user_ids: &[UserId],
        _: DateTime<Utc>,
        guard: &Guard<'_, LockedChat>,
    ) -> Result<Vec<LoggedEvent>, AddMembersWriteError> {
        self.guarded(guard, None)?;
        let unknown: Vec<UserId> = user_ids
            .iter()
            .copied()
            .filter(|id| !self.known_users.contains(id))
            .collect();
        if !unknown.is_empty() {
            return Err(AddMembersWriteError::UserNotFound(unknown));
        }
        self.record("add_members");
        Ok(user_ids
            .iter()
            .zip(6..)
            .map(|(user_id, seq)| {
                let change = MemberChange {
                    user_id: *user_id,
                    role: Some(MemberRole::Member),
                };
                self.logged(seq, EventPayload::MemberAdded(change))
            })
            .collect())
    }

    async fn remove_member(
        &self,
        _: ChatId,
        user_id: UserId,
        _: DateTime<Utc>,
        guard: &Guard<'_, LockedChat>,
    ) -> Result<Removal, GuardedWriteError> {
        self.guarded(guard, Some(user_id))?;
        self.record("remove_member");
        let change = MemberChange {
            user_id,
            role: None,
        };
        Ok(Removal {
            events: vec![self.logged(6, EventPayload::MemberRemoved(change))],
            chat_deleted: false,
        })
    }

    async fn set_role(
        &self,
        _: ChatId,
        user_id: UserId,
        _: MemberRole,
        _: DateTime<Utc>,
        guard: &Guard<'_, LockedChat>,
    ) -> Result<Vec<LoggedEvent>, GuardedWriteError> {
        self.guarded(guard, Some(user_id))?;
        self.record("set_role");
        Ok(Vec::new())
    }

    async fn mark_read(
        &self,
        _: ChatId,
        _: UserId,
        seq: Seq,
    ) -> Result<Option<Seq>, RepositoryError> {
        self.record("mark_read");
        Ok(self.read_moves.then_some(seq.min(self.chat.last_seq)))
    }
}

/// Users who exist: exactly the given ids.
pub(crate) struct FakeUsers(pub(crate) Vec<UserId>);

#[async_trait]
impl UserRepository for FakeUsers {
    async fn insert(&self, _: NewUser) -> Result<User, UserWriteError> {
        unimplemented!("not used by chat services")
    }

    async fn get(&self, _: UserId) -> Result<Option<User>, RepositoryError> {
        unimplemented!("not used by chat services")
    }

    async fn find_credentials(
        &self,
        _: &str,
    ) -> Result<Option<StoredCredentials>, RepositoryError> {
        unimplemented!("not used by chat services")
    }

    async fn password_hash(&self, _: UserId) -> Result<Option<PasswordHash>, RepositoryError> {
        unimplemented!("not used by chat services")
    }

    async fn update_profile(
        &self,
        _: UserId,
        _: ProfileChanges,
        _: DateTime<Utc>,
    ) -> Result<User, UserWriteError> {
        unimplemented!("not used by chat services")
    }

    async fn change_password(
        &self,
        _: UserId,
        _: PasswordHash,
        _: confab_domain::SessionId,
        _: DateTime<Utc>,
    ) -> Result<Vec<confab_domain::SessionId>, RepositoryError> {
        unimplemented!("not used by chat services")
    }

    async fn search(&self, _: &str, _: Option<&str>, _: u64) -> Result<Vec<User>, RepositoryError> {
        unimplemented!("not used by chat services")
    }

    async fn existing(&self, ids: &[UserId]) -> Result<Vec<UserId>, RepositoryError> {
        Ok(ids
            .iter()
            .copied()
            .filter(|id| self.0.contains(id))
            .collect())
    }
}
