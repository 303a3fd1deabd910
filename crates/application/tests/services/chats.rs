//! Chats: who is turned away before anything is written, and what reaches the bus
//! after a write.

use confab_application::chats::{
    AddMembersError, ChangeRoleError, ChatService, ChatUpdate, CreatedChat, NewChatRequest,
    RemoveMemberError, UpdateChatError,
};
use confab_application::ports::Notification;
use confab_domain::{ChatId, ChatKind, ChatSnapshot, EventPayload, MemberRole, MessageTtl, UserId};

use crate::support::{Ports, auth};

struct Fixture {
    owner: UserId,
    admin: UserId,
    member: UserId,
    outsider: UserId,
    chat: ChatId,
    ports: Ports,
    service: ChatService,
}

impl Fixture {
    /// The chat and its members as stored now.
    async fn stored(&self) -> ChatSnapshot {
        let snapshot = self.ports.chats.snapshot(self.chat).await.expect("read");
        snapshot.expect("the chat exists")
    }
}

/// Creates a chat as `creator` and returns its id.
async fn create(service: &ChatService, creator: UserId, request: NewChatRequest) -> ChatId {
    match service
        .create(&auth(creator), request)
        .await
        .expect("create")
    {
        CreatedChat::Created(view) | CreatedChat::Existing(view) => view.snapshot.chat.id,
    }
}

/// A group "team" with an owner, an admin and a plain member, and an account
/// outside it. What setting it up published is already taken off the bus.
async fn group() -> Fixture {
    let ports = Ports::new();
    let [owner, admin, member, outsider] = [
        ports.user("owner").await,
        ports.user("admin").await,
        ports.user("member").await,
        ports.user("outsider").await,
    ];
    let service = ports.chat_service();
    let request = NewChatRequest {
        kind: ChatKind::Group,
        name: Some("team".into()),
        member_ids: vec![admin, member],
    };
    let chat = create(&service, owner, request).await;
    service
        .change_role(&auth(owner), chat, admin, MemberRole::Admin)
        .await
        .expect("promote");
    ports.published();
    Fixture {
        owner,
        admin,
        member,
        outsider,
        chat,
        ports,
        service,
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
    let f = group().await;
    let before = f.stored().await;
    let who = auth(f.outsider);
    assert!(matches!(
        f.service.update(&who, f.chat, rename()).await,
        Err(UpdateChatError::ChatNotFound)
    ));
    assert!(matches!(
        f.service.add_members(&who, f.chat, vec![f.outsider]).await,
        Err(AddMembersError::ChatNotFound)
    ));
    assert!(matches!(
        f.service.remove_member(&who, f.chat, f.member).await,
        Err(RemoveMemberError::ChatNotFound)
    ));
    assert!(matches!(
        f.service
            .change_role(&who, f.chat, f.member, MemberRole::Admin)
            .await,
        Err(ChangeRoleError::ChatNotFound)
    ));
    assert_eq!(f.stored().await, before, "nothing was written");
    assert!(f.ports.published().is_empty());
}

#[tokio::test]
async fn plain_members_cannot_manage_the_group() {
    let f = group().await;
    let before = f.stored().await;
    let who = auth(f.member);
    assert!(matches!(
        f.service.update(&who, f.chat, rename()).await,
        Err(UpdateChatError::Forbidden)
    ));
    assert!(matches!(
        f.service.add_members(&who, f.chat, vec![f.outsider]).await,
        Err(AddMembersError::Forbidden)
    ));
    assert!(matches!(
        f.service.remove_member(&who, f.chat, f.admin).await,
        Err(RemoveMemberError::Forbidden)
    ));
    let admin = auth(f.admin);
    assert!(matches!(
        f.service.remove_member(&admin, f.chat, f.owner).await,
        Err(RemoveMemberError::Forbidden)
    ));
    assert!(matches!(
        f.service
            .change_role(&admin, f.chat, f.member, MemberRole::Admin)
            .await,
        Err(ChangeRoleError::Forbidden)
    ));
    assert_eq!(f.stored().await, before, "nothing was written");
    assert!(f.ports.published().is_empty());
}

#[tokio::test]
async fn unknown_users_are_named_before_anything_is_added() {
    let f = group().await;
    let before = f.stored().await;
    let stranger = UserId::generate();
    let result = f
        .service
        .add_members(&auth(f.admin), f.chat, vec![f.outsider, stranger])
        .await;
    assert!(matches!(result, Err(AddMembersError::UserNotFound(ids)) if ids == vec![stranger]));
    assert_eq!(
        f.stored().await,
        before,
        "not even the known user was added"
    );
}

#[tokio::test]
async fn missing_targets_are_member_not_found() {
    let f = group().await;
    assert!(matches!(
        f.service
            .remove_member(&auth(f.owner), f.chat, f.outsider)
            .await,
        Err(RemoveMemberError::MemberNotFound)
    ));
    assert!(matches!(
        f.service
            .change_role(&auth(f.owner), f.chat, f.outsider, MemberRole::Admin)
            .await,
        Err(ChangeRoleError::MemberNotFound)
    ));
}

#[tokio::test]
async fn committed_changes_reach_the_bus_in_log_order() {
    let f = group().await;
    let head = f.stored().await.chat.last_seq;
    f.service
        .add_members(&auth(f.owner), f.chat, vec![f.outsider])
        .await
        .expect("owner adds");
    f.service
        .remove_member(&auth(f.member), f.chat, f.member)
        .await
        .expect("member leaves");
    let members: Vec<UserId> = f.stored().await.members.iter().map(|m| m.user_id).collect();
    assert!(members.contains(&f.outsider) && !members.contains(&f.member));
    let published: Vec<_> = f
        .ports
        .published()
        .into_iter()
        .map(|n| match n {
            Notification::Chat(event) => (event.payload.type_name(), event.seq),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(
        published,
        vec![
            ("member.added", Some(head.next())),
            ("member.removed", Some(head.next().next())),
        ]
    );
}

#[tokio::test]
async fn direct_chats_refuse_group_only_changes_but_take_a_ttl() {
    let ports = Ports::new();
    let [a, b] = [ports.user("ann").await, ports.user("ben").await];
    let service = ports.chat_service();
    let request = NewChatRequest {
        kind: ChatKind::Direct,
        name: None,
        member_ids: vec![b],
    };
    let id = create(&service, a, request).await;
    ports.published();
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
    let view = service
        .update(&auth(b), id, ttl)
        .await
        .expect("either member sets the ttl");
    let chat = view.snapshot.chat;
    assert_eq!(chat.message_ttl, MessageTtl::from_seconds(3600).ok());
    assert_eq!(
        (chat.name, chat.last_seq.get()),
        (None, 2),
        "one entry: the ttl"
    );
    assert!(matches!(
        ports.published().as_slice(),
        [Notification::Chat(event)] if matches!(event.payload, EventPayload::ChatUpdated(_))
    ));
}
