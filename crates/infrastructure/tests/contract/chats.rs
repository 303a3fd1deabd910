//! Contract of `ChatRepository`: creation, membership, roles, read positions and
//! the chat list.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use confab_application::ports::{
    AddMembersWriteError, ChatChanges, ChatListCursor, ChatRepository, DirectChatWriteError,
    GuardedWriteError, NewGroup, NewGroupWriteError, NewMessage, Refusal,
};
use confab_domain::{
    ChatId, ChatKind, ChatName, EventPayload, LoggedEvent, MAX_GROUP_MEMBERS, MemberChange,
    MemberRole, MessageBody, MessageId, MessageTtl, Seq, UserId, to_millis,
};

use crate::contract_test;
use crate::support::{Stores, by};
use crate::users::new_user;

/// Now, at the precision confab stores.
pub(crate) fn now() -> DateTime<Utc> {
    to_millis(Utc::now())
}

/// Stores `count` accounts and returns their ids.
pub(crate) async fn new_users(stores: &Stores, count: usize) -> Vec<UserId> {
    let mut ids = Vec::with_capacity(count);
    for _ in 0..count {
        let name = format!(
            "u{}",
            &UserId::generate().as_uuid().simple().to_string()[12..]
        );
        let user = new_user(&name, &format!("{name}@example.com"), None);
        ids.push(stores.users.insert(user).await.expect("insert user").id);
    }
    ids
}

/// A group named "Team" owned by `owner` with `members`.
pub(crate) async fn group(
    repo: &Arc<dyn ChatRepository>,
    owner: UserId,
    members: &[UserId],
) -> ChatId {
    let event = repo
        .create_group(NewGroup {
            id: ChatId::generate(),
            name: ChatName::parse("Team").expect("valid"),
            owner,
            members: members.to_vec(),
            now: now(),
        })
        .await
        .expect("create group");
    event.chat_id
}

fn member_change(event: &LoggedEvent) -> (&'static str, MemberChange) {
    match &event.payload {
        EventPayload::MemberAdded(c) => ("added", *c),
        EventPayload::MemberRemoved(c) => ("removed", *c),
        EventPayload::MemberUpdated(c) => ("updated", *c),
        other => panic!("not a member event: {other:?}"),
    }
}

async fn group_creation_logs_chat_created_with_first_members(stores: Stores) {
    let repo = stores.chats.clone();
    let users = new_users(&stores, 3).await;
    let id = ChatId::generate();
    let event = repo
        .create_group(NewGroup {
            id,
            name: ChatName::parse("Team").expect("valid"),
            owner: users[0],
            members: vec![users[1], users[2], users[1]],
            now: now(),
        })
        .await
        .expect("create");
    assert_eq!((event.chat_id, event.seq), (id, Seq::FIRST));
    let EventPayload::ChatCreated(snapshot) = &event.payload else {
        panic!("expected chat.created, got {:?}", event.payload);
    };
    assert_eq!(snapshot.chat.kind, ChatKind::Group);
    assert_eq!(snapshot.chat.last_seq, Seq::FIRST);
    assert_eq!(snapshot.members.len(), 3);
    let owner = snapshot.members.iter().find(|m| m.user_id == users[0]);
    assert_eq!(owner.and_then(|m| m.role), Some(MemberRole::Owner));
    assert!(
        snapshot
            .members
            .iter()
            .all(|m| m.last_read_seq == Seq::FIRST)
    );
    assert_eq!(
        repo.snapshot(id).await.expect("read"),
        Some(snapshot.clone())
    );

    let ghost = UserId::generate();
    let refused = repo
        .create_group(NewGroup {
            id: ChatId::generate(),
            name: ChatName::parse("Nope").expect("valid"),
            owner: users[0],
            members: vec![ghost],
            now: now(),
        })
        .await;
    assert!(matches!(refused, Err(NewGroupWriteError::UserNotFound(ids)) if ids == vec![ghost]));
    let heads = repo.heads_for_user(users[0]).await.expect("heads");
    assert_eq!(
        heads,
        vec![(id, Seq::FIRST)],
        "the refused group left nothing"
    );

    // First members all joined at seq 1: they are listed by id, the owner too.
    let event = repo
        .create_group(NewGroup {
            id: ChatId::generate(),
            name: ChatName::parse("Reversed").expect("valid"),
            owner: users[2],
            members: vec![users[1], users[0]],
            now: now(),
        })
        .await
        .expect("create");
    let EventPayload::ChatCreated(snapshot) = event.payload else {
        panic!("expected chat.created");
    };
    let order: Vec<UserId> = snapshot.members.iter().map(|m| m.user_id).collect();
    let mut by_id = order.clone();
    by_id.sort();
    assert_eq!(order, by_id);
}
contract_test!(group_creation_logs_chat_created_with_first_members);

async fn direct_chat_is_one_per_pair_even_under_concurrent_creates(stores: Stores) {
    let repo = stores.chats.clone();
    let users = new_users(&stores, 4).await;
    let first = repo
        .find_or_create_direct(ChatId::generate(), users[0], users[1], now())
        .await
        .expect("create");
    assert!(first.created.is_some());
    assert_eq!(first.snapshot.members.len(), 2);
    assert!(first.snapshot.members.iter().all(|m| m.role.is_none()));
    let again = repo
        .find_or_create_direct(ChatId::generate(), users[1], users[0], now())
        .await
        .expect("find");
    assert!(again.created.is_none());
    assert_eq!(again.snapshot.chat.id, first.snapshot.chat.id);

    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let repo = Arc::clone(&repo);
            let (a, b) = (users[2], users[3]);
            tokio::spawn(async move {
                repo.find_or_create_direct(ChatId::generate(), a, b, now())
                    .await
            })
        })
        .collect();
    let mut ids = Vec::new();
    let mut created = 0;
    for task in tasks {
        let direct = task.await.expect("task").expect("find or create");
        created += usize::from(direct.created.is_some());
        ids.push(direct.snapshot.chat.id);
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "all ten calls agree on one chat");
    assert_eq!(created, 1, "exactly one call created it");

    let ghost = UserId::generate();
    let refused = repo
        .find_or_create_direct(ChatId::generate(), users[0], ghost, now())
        .await;
    assert!(matches!(refused, Err(DirectChatWriteError::UserNotFound(id)) if id == ghost));
}
contract_test!(direct_chat_is_one_per_pair_even_under_concurrent_creates);

async fn owner_leaving_hands_over_and_last_member_deletes_the_chat(stores: Stores) {
    let repo = stores.chats.clone();
    let u = new_users(&stores, 5).await;
    let chat = group(&repo, u[0], &[u[1]]).await;
    repo.add_members(chat, &[u[2]], now(), &by(u[0]))
        .await
        .expect("add");
    repo.add_members(chat, &[u[3]], now(), &by(u[0]))
        .await
        .expect("add");
    // Promoted in the opposite order of joining: seniority counts, not promotion time.
    for admin in [u[3], u[2]] {
        repo.set_role(chat, admin, MemberRole::Admin, now(), &by(u[0]))
            .await
            .expect("promote");
    }
    let removal = repo
        .remove_member(chat, u[0], now(), &by(u[0]))
        .await
        .expect("leave");
    assert!(!removal.chat_deleted);
    let changes: Vec<_> = removal.events.iter().map(member_change).collect();
    assert_eq!(changes.len(), 2);
    assert_eq!(changes[0].0, "updated");
    assert_eq!(changes[0].1.user_id, u[2], "the longest-standing admin");
    assert_eq!(changes[0].1.role, Some(MemberRole::Owner));
    assert_eq!(changes[1].0, "removed");
    assert_eq!(
        changes[1].1.role,
        Some(MemberRole::Owner),
        "the role they had"
    );
    assert_eq!(removal.events[1].seq, removal.events[0].seq.next());
    assert!(
        changes.iter().all(|(_, c)| c.actor_id == Some(u[0])),
        "leaving and the hand-over it causes are the leaver's: {changes:?}"
    );
    assert!(repo.membership(chat, u[0]).await.expect("read").is_none());

    let gone = repo.remove_member(chat, u[0], now(), &by(u[1])).await;
    assert!(matches!(
        gone,
        Err(GuardedWriteError::Refused(Refusal::TargetNotMember))
    ));

    // Without admins, the oldest plain member inherits.
    let plain = group(&repo, u[0], &[u[4]]).await;
    repo.add_members(plain, &[u[1]], now(), &by(u[0]))
        .await
        .expect("add");
    let removal = repo
        .remove_member(plain, u[0], now(), &by(u[0]))
        .await
        .expect("leave");
    assert_eq!(member_change(&removal.events[0]).1.user_id, u[4]);

    for user in [u[1], u[4]] {
        let last = repo
            .remove_member(plain, user, now(), &by(user))
            .await
            .expect("leave");
        if user == u[4] {
            assert!(last.chat_deleted);
            assert!(last.events.is_empty());
        }
    }
    assert_eq!(repo.snapshot(plain).await.expect("read"), None);
}
contract_test!(owner_leaving_hands_over_and_last_member_deletes_the_chat);

async fn adding_members_is_idempotent_and_bounded(stores: Stores) {
    let repo = stores.chats.clone();
    let u = new_users(&stores, 3).await;
    let chat = group(&repo, u[0], &[]).await;
    let events = repo
        .add_members(chat, &[u[1], u[1], u[0]], now(), &by(u[0]))
        .await
        .expect("add");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].seq, Seq::new(2).expect("valid"));
    assert_eq!(member_change(&events[0]).1.role, Some(MemberRole::Member));
    assert_eq!(
        member_change(&events[0]).1.actor_id,
        Some(u[0]),
        "the adder"
    );
    let joined = repo
        .membership(chat, u[1])
        .await
        .expect("read")
        .expect("member");
    assert_eq!(
        joined.last_read_seq, events[0].seq,
        "read position starts at its seq"
    );
    assert!(
        repo.add_members(chat, &[u[1]], now(), &by(u[0]))
            .await
            .expect("add")
            .is_empty()
    );

    let ghost = UserId::generate();
    let refused = repo
        .add_members(chat, &[u[2], ghost], now(), &by(u[0]))
        .await;
    assert!(matches!(refused, Err(AddMembersWriteError::UserNotFound(ids)) if ids == vec![ghost]));
    assert!(repo.membership(chat, u[2]).await.expect("read").is_none());

    let crowd = new_users(&stores, MAX_GROUP_MEMBERS - 2).await;
    let events = repo
        .add_members(chat, &crowd, now(), &by(u[0]))
        .await
        .expect("fill");
    assert_eq!(events.len(), MAX_GROUP_MEMBERS - 2);
    let full = repo.add_members(chat, &[u[2]], now(), &by(u[0])).await;
    assert!(matches!(full, Err(AddMembersWriteError::GroupFull)));
    let snapshot = repo.snapshot(chat).await.expect("read").expect("chat");
    assert_eq!(snapshot.members.len(), MAX_GROUP_MEMBERS);
    assert_eq!(snapshot.members[0].user_id, u[0], "oldest member first");

    let too_big = repo
        .create_group(NewGroup {
            id: ChatId::generate(),
            name: ChatName::parse("Huge").expect("valid"),
            owner: u[0],
            members: crowd.iter().copied().chain([u[1], u[2]]).collect(),
            now: now(),
        })
        .await;
    assert!(matches!(too_big, Err(NewGroupWriteError::GroupFull)));
}
contract_test!(adding_members_is_idempotent_and_bounded);

async fn handing_over_logs_two_entries_and_same_role_logs_none(stores: Stores) {
    let repo = stores.chats.clone();
    let u = new_users(&stores, 3).await;
    let chat = group(&repo, u[0], &[u[1]]).await;
    let events = repo
        .set_role(chat, u[1], MemberRole::Owner, now(), &by(u[0]))
        .await
        .expect("hand over");
    let changes: Vec<_> = events.iter().map(|e| member_change(e).1).collect();
    assert_eq!(
        changes,
        vec![
            MemberChange {
                user_id: u[1],
                role: Some(MemberRole::Owner),
                actor_id: Some(u[0]),
            },
            MemberChange {
                user_id: u[0],
                role: Some(MemberRole::Admin),
                actor_id: Some(u[0]),
            },
        ]
    );
    assert_eq!(
        events.iter().map(|e| e.seq.get()).collect::<Vec<_>>(),
        vec![2, 3]
    );
    let same = repo
        .set_role(chat, u[0], MemberRole::Admin, now(), &by(u[1]))
        .await;
    assert!(same.expect("no-op").is_empty());
    let stranger = repo
        .set_role(chat, u[2], MemberRole::Admin, now(), &by(u[1]))
        .await;
    assert!(matches!(
        stranger,
        Err(GuardedWriteError::Refused(Refusal::TargetNotMember))
    ));
    let head = repo.heads_for_user(u[0]).await.expect("heads");
    assert_eq!(head, vec![(chat, Seq::new(3).expect("valid"))]);
}
contract_test!(handing_over_logs_two_entries_and_same_role_logs_none);

async fn read_position_moves_forward_only_and_is_clamped(stores: Stores) {
    let repo = stores.chats.clone();
    let u = new_users(&stores, 4).await;
    let chat = group(&repo, u[0], &[]).await;
    repo.add_members(chat, &u[1..], now(), &by(u[0]))
        .await
        .expect("add"); // last_seq 4
    let seq = |n| Seq::new(n).expect("valid");
    assert_eq!(
        repo.mark_read(chat, u[0], seq(3)).await.expect("mark"),
        Some(seq(3))
    );
    assert_eq!(
        repo.mark_read(chat, u[0], seq(2)).await.expect("mark"),
        None
    );
    assert_eq!(
        repo.mark_read(chat, u[0], seq(99)).await.expect("mark"),
        Some(seq(4))
    );
    assert_eq!(
        repo.mark_read(chat, u[0], seq(99)).await.expect("mark"),
        None
    );
    let me = repo
        .membership(chat, u[0])
        .await
        .expect("read")
        .expect("member");
    assert_eq!(me.last_read_seq, seq(4));
}
contract_test!(read_position_moves_forward_only_and_is_clamped);

async fn update_logs_one_chat_updated_when_something_changes(stores: Stores) {
    let repo = stores.chats.clone();
    let u = new_users(&stores, 1).await;
    let chat = group(&repo, u[0], &[]).await;
    let ttl = MessageTtl::from_seconds(3600).expect("valid");
    let changes = ChatChanges {
        name: Some(ChatName::parse("Renamed").expect("valid")),
        message_ttl: Some(Some(ttl)),
    };
    let event = repo
        .update(chat, changes.clone(), now(), &by(u[0]))
        .await
        .expect("update")
        .expect("changed");
    assert_eq!(event.seq, Seq::new(2).expect("valid"));
    let EventPayload::ChatUpdated(snapshot) = &event.payload else {
        panic!("expected chat.updated, got {:?}", event.payload);
    };
    assert_eq!(
        snapshot.chat.name.as_ref().map(ChatName::as_str),
        Some("Renamed")
    );
    assert_eq!(snapshot.chat.message_ttl, Some(ttl));
    assert_eq!(snapshot.chat.last_seq, event.seq);
    assert!(
        repo.update(chat, changes, now(), &by(u[0]))
            .await
            .expect("same")
            .is_none()
    );
    let cleared = ChatChanges {
        name: None,
        message_ttl: Some(None),
    };
    let event = repo
        .update(chat, cleared, now(), &by(u[0]))
        .await
        .expect("clear");
    assert_eq!(event.map(|e| e.seq.get()), Some(3));
    let missing = repo
        .update(ChatId::generate(), ChatChanges::default(), now(), &by(u[0]))
        .await;
    assert!(matches!(
        missing,
        Err(GuardedWriteError::Refused(Refusal::NotMember))
    ));
}
contract_test!(update_logs_one_chat_updated_when_something_changes);

async fn chat_list_is_newest_activity_first_with_a_keyset(stores: Stores) {
    let repo = stores.chats.clone();
    let u = new_users(&stores, 6).await;
    let base = now() - Duration::hours(1);
    let mut expected = Vec::new();
    let mut peers = std::collections::HashMap::new();
    for (i, peer) in u[1..].iter().enumerate() {
        // Two chats share an activity time, so the id has to break the tie.
        let at = base + Duration::seconds(i64::try_from(i.min(3)).expect("small"));
        let direct = repo
            .find_or_create_direct(ChatId::generate(), u[0], *peer, at)
            .await
            .expect("create");
        expected.push((at, direct.snapshot.chat.id));
        peers.insert(direct.snapshot.chat.id, *peer);
    }
    let team = group(&repo, u[0], &u[1..3]).await;
    expected.sort_by(|a, b| b.cmp(a));
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = repo
            .list_for_user(u[0], cursor, 2, now())
            .await
            .expect("list");
        let Some(last) = page.last() else { break };
        cursor = Some(ChatListCursor {
            last_activity_at: last.chat.last_activity_at,
            chat_id: last.chat.id,
        });
        for item in &page {
            if item.chat.id == team {
                assert!(seen.is_empty(), "the newest chat comes first");
                assert_eq!(item.member_count, 3);
                assert_eq!(item.my_role, Some(MemberRole::Owner));
                assert!(item.peer.is_none());
                continue;
            }
            assert_eq!(item.member_count, 2);
            assert!(item.my_role.is_none());
            let peer = item.peer.as_ref().map(|p| p.user_id);
            assert_eq!(peer, peers.get(&item.chat.id).copied(), "the other member");
            seen.push((item.chat.last_activity_at, item.chat.id));
        }
    }
    assert_eq!(seen, expected);
    let heads = repo.heads_for_user(u[0]).await.expect("heads");
    assert_eq!(heads.len(), 6);
}
contract_test!(chat_list_is_newest_activity_first_with_a_keyset);

/// `user`'s chats in list order, with their activity times.
async fn activity(repo: &Arc<dyn ChatRepository>, user: UserId) -> Vec<(ChatId, DateTime<Utc>)> {
    let items = repo
        .list_for_user(user, None, 10, now())
        .await
        .expect("list");
    items
        .iter()
        .map(|item| (item.chat.id, item.chat.last_activity_at))
        .collect()
}

async fn every_logged_write_moves_the_chat_to_the_top_of_the_list(stores: Stores) {
    let repo = stores.chats.clone();
    let u = new_users(&stores, 3).await;
    let t0 = now() - Duration::minutes(10);
    let at = |minutes| t0 + Duration::minutes(minutes);
    let mut direct = Vec::new();
    for (peer, minutes) in [(u[1], 0), (u[2], 1)] {
        let created = repo
            .find_or_create_direct(ChatId::generate(), u[0], peer, at(minutes))
            .await
            .expect("create");
        direct.push(created.snapshot.chat.id);
    }
    let (first, second) = (direct[0], direct[1]);
    assert_eq!(
        activity(&repo, u[0]).await,
        [(second, at(1)), (first, at(0))]
    );

    let message = NewMessage {
        id: MessageId::generate(),
        chat_id: first,
        author_id: u[1],
        body: Some(MessageBody::parse("hi").expect("valid")),
        attachment_ids: Vec::new(),
        reply_to_id: None,
        client_message_id: None,
        now: at(2),
    };
    stores.messages.send(message).await.expect("send");
    assert_eq!(
        activity(&repo, u[0]).await,
        [(first, at(2)), (second, at(1))]
    );

    let ttl = ChatChanges {
        name: None,
        message_ttl: Some(MessageTtl::from_seconds(3600).ok()),
    };
    repo.update(second, ttl, at(3), &by(u[0]))
        .await
        .expect("update");
    assert_eq!(
        activity(&repo, u[0]).await,
        [(second, at(3)), (first, at(2))]
    );
    // Reading is no activity: the list stays as it is.
    let read = repo.mark_read(first, u[0], Seq::new(99).expect("valid"));
    assert!(read.await.expect("mark").is_some());
    assert_eq!(
        activity(&repo, u[0]).await,
        [(second, at(3)), (first, at(2))]
    );
}
contract_test!(every_logged_write_moves_the_chat_to_the_top_of_the_list);
