//! Creating chats: the one direct chat of a pair, or a new group.

use std::collections::HashSet;

use confab_domain::{
    ChatId, ChatKind, ChatName, ChatView, EventPayload, LoggedEvent, MAX_GROUP_MEMBERS, UserId,
};

use super::{ChatService, CreateChatError};
use crate::accounts::Authenticated;
use crate::error::{RepositoryError, ValidationErrors};
use crate::ports::NewGroup;

/// `POST /chats` as the service sees it.
#[derive(Debug, Clone)]
pub struct NewChatRequest {
    /// Direct or group.
    pub kind: ChatKind,
    /// The group name; must be absent for a direct chat.
    pub name: Option<String>,
    /// The other members; duplicates and the creator's own id are ignored.
    pub member_ids: Vec<UserId>,
}

/// A created chat, or the direct chat that already existed (201 vs 200).
#[derive(Debug, Clone)]
pub enum CreatedChat {
    /// This call created the chat.
    Created(ChatView),
    /// The direct chat of this pair already existed.
    Existing(ChatView),
}

/// What the request asks for, once checked.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ChatPlan {
    Direct {
        other: UserId,
    },
    Group {
        name: ChatName,
        members: Vec<UserId>,
    },
}

/// The ids in first-seen order, without duplicates and without `creator`.
fn others(creator: UserId, ids: &[UserId]) -> Vec<UserId> {
    let mut seen = HashSet::new();
    ids.iter()
        .copied()
        .filter(|id| *id != creator && seen.insert(*id))
        .collect()
}

/// Checks the request without touching storage.
fn plan(creator: UserId, request: NewChatRequest) -> Result<ChatPlan, CreateChatError> {
    let members = others(creator, &request.member_ids);
    match request.kind {
        ChatKind::Direct => {
            if request.name.is_some() {
                return Err(CreateChatError::NameOnDirectChat);
            }
            match members.as_slice() {
                [other] => Ok(ChatPlan::Direct { other: *other }),
                [] if !request.member_ids.is_empty() => Err(CreateChatError::InvalidMember),
                _ => Err(ValidationErrors::single(
                    "member_ids",
                    "must name exactly one other user for a direct chat",
                )
                .into()),
            }
        }
        ChatKind::Group => {
            let Some(name) = request.name else {
                return Err(ValidationErrors::single("name", "is required for a group").into());
            };
            let name = ChatName::parse(name)
                .map_err(|e| ValidationErrors::single("name", e.to_string()))?;
            if members.len() + 1 > MAX_GROUP_MEMBERS {
                return Err(CreateChatError::GroupFull);
            }
            Ok(ChatPlan::Group { name, members })
        }
    }
}

impl ChatService {
    /// Creates a group (the caller is its owner) or finds/creates the direct chat
    /// with one other user.
    #[tracing::instrument(skip(self, request), fields(kind = request.kind.as_str()))]
    pub async fn create(
        &self,
        auth: &Authenticated,
        request: NewChatRequest,
    ) -> Result<CreatedChat, CreateChatError> {
        let caller = auth.user_id;
        let plan = plan(caller, request)?;
        if let Some(gate) = &self.verified_email
            && !gate.allows(caller).await?
        {
            return Err(CreateChatError::EmailUnverified);
        }
        match plan {
            ChatPlan::Direct { other } => self.create_direct(caller, other).await,
            ChatPlan::Group { name, members } => self.create_group(caller, name, members).await,
        }
    }

    async fn create_direct(
        &self,
        caller: UserId,
        other: UserId,
    ) -> Result<CreatedChat, CreateChatError> {
        let now = self.clock.now();
        let direct = self
            .chats
            .find_or_create_direct(ChatId::generate(), caller, other, now)
            .await?;
        let chat_id = direct.snapshot.chat.id;
        let created = direct.created.is_some();
        if let Some(event) = direct.created {
            self.publish(vec![event]).await;
        }
        let view = self
            .chats
            .view(chat_id, caller, self.clock.now())
            .await?
            .ok_or_else(|| RepositoryError::corrupt("direct chat without its creator"))?;
        Ok(if created {
            CreatedChat::Created(view)
        } else {
            CreatedChat::Existing(view)
        })
    }

    async fn create_group(
        &self,
        caller: UserId,
        name: ChatName,
        members: Vec<UserId>,
    ) -> Result<CreatedChat, CreateChatError> {
        self.ensure_users_exist(&members).await?;
        let event = self
            .chats
            .create_group(NewGroup {
                id: ChatId::generate(),
                name,
                owner: caller,
                members,
                now: self.clock.now(),
            })
            .await?;
        let view = new_chat_view(&event)?;
        self.publish(vec![event]).await;
        Ok(CreatedChat::Created(view))
    }

    /// Names every unknown id at once, before anything is written.
    async fn ensure_users_exist(&self, ids: &[UserId]) -> Result<(), CreateChatError> {
        if ids.is_empty() {
            return Ok(());
        }
        let missing = missing_users(ids, &self.users.existing(ids).await?);
        if missing.is_empty() {
            Ok(())
        } else {
            Err(CreateChatError::UserNotFound(missing))
        }
    }
}

/// The ids of `wanted` that are not in `found`, in request order.
pub(super) fn missing_users(wanted: &[UserId], found: &[UserId]) -> Vec<UserId> {
    let found: HashSet<_> = found.iter().collect();
    wanted
        .iter()
        .copied()
        .filter(|id| !found.contains(id))
        .collect()
}

/// A brand-new chat as its creator sees it: nothing sent, nothing unread.
fn new_chat_view(event: &LoggedEvent) -> Result<ChatView, RepositoryError> {
    match &event.payload {
        EventPayload::ChatCreated(snapshot) => Ok(ChatView {
            snapshot: snapshot.clone(),
            last_message: None,
            unread_count: 0,
        }),
        other => Err(RepositoryError::corrupt(format!(
            "chat creation logged {}",
            other.type_name()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(kind: ChatKind, name: Option<&str>, member_ids: Vec<UserId>) -> NewChatRequest {
        NewChatRequest {
            kind,
            name: name.map(str::to_owned),
            member_ids,
        }
    }

    #[test]
    fn direct_chat_needs_exactly_one_other_user() {
        let me = UserId::generate();
        let other = UserId::generate();
        let ok = plan(me, request(ChatKind::Direct, None, vec![other, me, other]));
        assert_eq!(ok.ok(), Some(ChatPlan::Direct { other }));
        assert!(matches!(
            plan(me, request(ChatKind::Direct, None, vec![me])),
            Err(CreateChatError::InvalidMember)
        ));
        for ids in [vec![], vec![other, UserId::generate()]] {
            assert!(matches!(
                plan(me, request(ChatKind::Direct, None, ids)),
                Err(CreateChatError::Validation(e)) if e.0[0].field == "member_ids"
            ));
        }
        assert!(matches!(
            plan(me, request(ChatKind::Direct, Some("x"), vec![other])),
            Err(CreateChatError::NameOnDirectChat)
        ));
    }

    #[test]
    fn group_needs_a_name_and_ignores_duplicates_and_me() {
        let me = UserId::generate();
        let a = UserId::generate();
        let b = UserId::generate();
        let planned = plan(
            me,
            request(ChatKind::Group, Some(" Team "), vec![a, me, b, a]),
        );
        let Ok(ChatPlan::Group { name, members }) = planned else {
            panic!("expected a group plan, got {planned:?}");
        };
        assert_eq!(name.as_str(), "Team");
        assert_eq!(members, vec![a, b]);
        assert!(matches!(
            plan(me, request(ChatKind::Group, None, vec![])),
            Err(CreateChatError::Validation(e)) if e.0[0].field == "name"
        ));
        assert!(matches!(
            plan(me, request(ChatKind::Group, Some("  "), vec![])),
            Err(CreateChatError::Validation(_))
        ));
        assert!(plan(me, request(ChatKind::Group, Some("solo"), vec![me])).is_ok());
    }

    #[test]
    fn group_beyond_the_member_limit_is_full() {
        let me = UserId::generate();
        let at_limit: Vec<_> = (1..MAX_GROUP_MEMBERS).map(|_| UserId::generate()).collect();
        assert!(plan(me, request(ChatKind::Group, Some("big"), at_limit.clone())).is_ok());
        let mut over = at_limit;
        over.push(UserId::generate());
        assert!(matches!(
            plan(me, request(ChatKind::Group, Some("big"), over)),
            Err(CreateChatError::GroupFull)
        ));
    }

    #[test]
    fn missing_users_keeps_request_order() {
        let [a, b, c] = [UserId::generate(), UserId::generate(), UserId::generate()];
        assert_eq!(missing_users(&[a, b, c], &[b]), vec![a, c]);
        assert!(missing_users(&[a], &[a]).is_empty());
    }
}
