//! Service-level checks of the chat use cases against in-memory ports: who is turned
//! away before anything is written, and what reaches the bus after a write.

use std::sync::Arc;

use confab_domain::{ChatKind, EventPayload, MemberRole, SessionId, UserId};

use super::fakes::{FakeChats, FakeUsers, FixedClock, RecordingBus};
use super::{
    AddMembersError, ChangeRoleError, ChatService, ChatUpdate, RemoveMemberError, UpdateChatError,
};
use crate::accounts::Authenticated;
use crate::ports::Notification;

struct Fixture {
    owner: UserId,
    admin: UserId,
    member: UserId,
    outsider: UserId,
    chats: Arc<FakeChats>,
    bus: Arc<RecordingBus>,
    service: ChatService,
}

fn group() -> Fixture {
    let [owner, admin, member, outsider] = [(); 4].map(|()| UserId::generate());
    let chats = FakeChats::new(
        ChatKind::Group,
        vec![
            (owner, Some(MemberRole::Owner)),
            (admin, Some(MemberRole::Admin)),
            (member, Some(MemberRole::Member)),
        ],
        &[outsider],
    );
    let bus = Arc::new(RecordingBus::default());
    let service = ChatService::new(
        chats.clone(),
        Arc::new(FakeUsers(vec![owner, admin, member, outsider])),
        Arc::new(FixedClock),
        bus.clone(),
    );
    Fixture {
        owner,
        admin,
        member,
        outsider,
        chats,
        bus,
        service,
    }
}

fn auth(user_id: UserId) -> Authenticated {
    Authenticated {
        user_id,
        session_id: SessionId::generate(),
    }
}

fn rename() -> ChatUpdate {
    ChatUpdate {
        name: Some(Some("renamed".into())),
        message_ttl_seconds: None,
    }
}

#[tokio::test]
async fn outsiders_are_told_the_chat_does_not_exist() {
    let f = group();
    let id = f.chats.chat.id;
    let who = auth(f.outsider);
    assert!(matches!(
        f.service.update(&who, id, rename()).await,
        Err(UpdateChatError::ChatNotFound)
    ));
    assert!(matches!(
        f.service.add_members(&who, id, vec![f.outsider]).await,
        Err(AddMembersError::ChatNotFound)
    ));
    assert!(matches!(
        f.service.remove_member(&who, id, f.member).await,
        Err(RemoveMemberError::ChatNotFound)
    ));
    assert!(matches!(
        f.service
            .change_role(&who, id, f.member, MemberRole::Admin)
            .await,
        Err(ChangeRoleError::ChatNotFound)
    ));
    assert!(f.chats.writes().is_empty());
    assert!(f.bus.published().is_empty());
}

#[tokio::test]
async fn plain_members_cannot_manage_the_group() {
    let f = group();
    let id = f.chats.chat.id;
    let who = auth(f.member);
    assert!(matches!(
        f.service.update(&who, id, rename()).await,
        Err(UpdateChatError::Forbidden)
    ));
    assert!(matches!(
        f.service.add_members(&who, id, vec![f.outsider]).await,
        Err(AddMembersError::Forbidden)
    ));
    assert!(matches!(
        f.service.remove_member(&who, id, f.admin).await,
        Err(RemoveMemberError::Forbidden)
    ));
    let admin = auth(f.admin);
    assert!(matches!(
        f.service.remove_member(&admin, id, f.owner).await,
        Err(RemoveMemberError::Forbidden)
    ));
    assert!(matches!(
        f.service
            .change_role(&admin, id, f.member, MemberRole::Admin)
            .await,
        Err(ChangeRoleError::Forbidden)
    ));
    assert!(f.chats.writes().is_empty());
}

#[tokio::test]
async fn unknown_users_are_named_before_anything_is_added() {
    let f = group();
    let stranger = UserId::generate();
    let result = f
        .service
        .add_members(&auth(f.admin), f.chats.chat.id, vec![f.outsider, stranger])
        .await;
    assert!(matches!(result, Err(AddMembersError::UserNotFound(ids)) if ids == vec![stranger]));
    assert!(f.chats.writes().is_empty());
}

#[tokio::test]
async fn missing_targets_are_member_not_found() {
    let f = group();
    let id = f.chats.chat.id;
    assert!(matches!(
        f.service
            .remove_member(&auth(f.owner), id, f.outsider)
            .await,
        Err(RemoveMemberError::MemberNotFound)
    ));
    assert!(matches!(
        f.service
            .change_role(&auth(f.owner), id, f.outsider, MemberRole::Admin)
            .await,
        Err(ChangeRoleError::MemberNotFound)
    ));
}

#[tokio::test]
async fn committed_changes_reach_the_bus_in_log_order() {
    let f = group();
    let id = f.chats.chat.id;
    f.service
        .add_members(&auth(f.owner), id, vec![f.outsider])
        .await
        .expect("owner adds");
    f.service
        .remove_member(&auth(f.member), id, f.member)
        .await
        .expect("member leaves");
    assert_eq!(f.chats.writes(), vec!["add_members", "remove_member"]);
    let types: Vec<_> = f
        .bus
        .published()
        .into_iter()
        .map(|n| match n {
            Notification::Chat(event) => (event.payload.type_name(), event.seq.is_some()),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(
        types,
        vec![("member.added", true), ("member.removed", true)]
    );
}

#[tokio::test]
async fn direct_chats_refuse_group_only_changes_but_take_a_ttl() {
    let [a, b] = [(); 2].map(|()| UserId::generate());
    let chats = FakeChats::new(ChatKind::Direct, vec![(a, None), (b, None)], &[]);
    let bus = Arc::new(RecordingBus::default());
    let service = ChatService::new(
        chats.clone(),
        Arc::new(FakeUsers(vec![a, b])),
        Arc::new(FixedClock),
        bus.clone(),
    );
    let id = chats.chat.id;
    assert!(matches!(
        service.update(&auth(a), id, rename()).await,
        Err(UpdateChatError::NotAGroup)
    ));
    assert!(matches!(
        service.remove_member(&auth(a), id, a).await,
        Err(RemoveMemberError::NotAGroup)
    ));
    let ttl = ChatUpdate {
        name: None,
        message_ttl_seconds: Some(Some(3600)),
    };
    service
        .update(&auth(b), id, ttl)
        .await
        .expect("either member sets the ttl");
    assert_eq!(chats.writes(), vec!["update"]);
    assert!(matches!(
        bus.published().as_slice(),
        [Notification::Chat(event)] if matches!(event.payload, EventPayload::ChatUpdated(_))
    ));
}
