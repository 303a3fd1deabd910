//! Contract of `ErasureRepository`: each step finds its own remaining work, so
//! repeating one does nothing, and the steps leave nothing of the account behind.

use chrono::TimeDelta;
use confab_application::ports::{NewMessage, released_name};
use confab_domain::{
    ChatId, DisplayName, EventPayload, LoggedEvent, MessageBody, MessageId, Upload, UserId,
};

use crate::chats::{group, new_users, now};
use crate::contract_test;
use crate::support::{Stores, by};
use crate::uploads::upload;

async fn send(stores: &Stores, chat_id: ChatId, author: UserId, body: &str) {
    stores
        .messages
        .send(NewMessage {
            id: MessageId::generate(),
            chat_id,
            author_id: author,
            body: Some(MessageBody::parse(body).expect("body")),
            attachment_ids: Vec::new(),
            reply_to_id: None,
            client_message_id: None,
            now: now(),
        })
        .await
        .expect("send");
}

fn deleted_ids(entries: &[LoggedEvent]) -> Vec<MessageId> {
    entries
        .iter()
        .map(|entry| match &entry.payload {
            EventPayload::MessageDeleted(message) => {
                assert!(message.body.is_none() && message.deleted_at.is_some());
                message.id
            }
            other => panic!("not a deletion: {other:?}"),
        })
        .collect()
}

/// Alice (deleted next) with three messages in a group with bob, one in their
/// direct chat, and an upload; bob with one message. Returns alice, the group and
/// the upload.
async fn alice_with_messages_and_a_file(stores: &Stores) -> (UserId, ChatId, Upload) {
    let users = new_users(stores, 2).await;
    let (alice, bob) = (users[0], users[1]);
    let team = group(&stores.chats, alice, &[bob]).await;
    let direct = stores
        .chats
        .find_or_create_direct(ChatId::generate(), alice, bob, now())
        .await
        .expect("direct")
        .snapshot
        .chat
        .id;
    for n in 0..3 {
        send(stores, team, alice, &format!("team {n}")).await;
    }
    send(stores, direct, alice, "direct").await;
    send(stores, team, bob, "bob's").await;
    let photo = upload(alice, 10);
    stores.uploads.insert(&photo, 1_000).await.expect("upload");
    (alice, team, photo)
}

async fn each_step_of_an_erasure_runs_once(stores: Stores) {
    let (alice, team, photo) = alice_with_messages_and_a_file(&stores).await;
    let erasure = &stores.erasure;
    assert_eq!(erasure.next_to_erase().await.expect("next"), None);
    let deleted_at = now();
    stores
        .admin
        .delete_user(alice, None, deleted_at)
        .await
        .expect("delete");
    assert_eq!(erasure.next_to_erase().await.expect("next"), Some(alice));

    let name = DisplayName::parse("deleted user").expect("name");
    assert!(
        erasure
            .blank_profile(alice, &name, now())
            .await
            .expect("blank")
    );
    assert!(
        !erasure
            .blank_profile(alice, &name, now())
            .await
            .expect("again")
    );
    let profile = stores.users.get(alice).await.expect("get").expect("alice");
    assert_eq!(profile.display_name, Some(name));
    assert!(profile.is_private && profile.bio.is_none());

    // Four messages, three a batch: the first batch stops short of the last one.
    let first = erasure
        .tombstone_messages(alice, now(), 3)
        .await
        .expect("batch");
    let second = erasure
        .tombstone_messages(alice, now(), 3)
        .await
        .expect("batch");
    let third = erasure
        .tombstone_messages(alice, now(), 3)
        .await
        .expect("batch");
    assert_eq!((first.len(), second.len(), third.len()), (3, 1, 0));
    let mut ids = deleted_ids(&first);
    ids.extend(deleted_ids(&second));
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 4, "each message tombstoned once");
    let bobs = stores
        .messages
        .events_after(team, confab_domain::Seq::ZERO, 100, now());
    let log = bobs.await.expect("log");
    let seqs: Vec<i64> = log.iter().map(|entry| entry.seq.get()).collect();
    assert_eq!(
        seqs,
        (1..=i64::try_from(log.len()).expect("len")).collect::<Vec<_>>()
    );

    // Only the group is left through the job; the direct chat stays.
    assert_eq!(erasure.groups_of(alice, 10).await.expect("groups"), [team]);
    stores
        .chats
        .remove_member(team, alice, now(), &by(alice))
        .await
        .expect("leave");
    assert!(
        erasure
            .groups_of(alice, 10)
            .await
            .expect("groups")
            .is_empty()
    );

    assert_eq!(erasure.delete_uploads(alice, 10).await.expect("uploads"), 1);
    assert_eq!(erasure.delete_uploads(alice, 10).await.expect("uploads"), 0);
    let ids = stores
        .uploads
        .existing(&[photo.id])
        .await
        .expect("existing");
    assert!(ids.is_empty());

    erasure.mark_erased(alice, now()).await.expect("mark");
    assert_eq!(erasure.next_to_erase().await.expect("next"), None);
    // The names are released only for deletions before the cutoff, and once.
    let before = deleted_at - TimeDelta::seconds(1);
    assert_eq!(erasure.release_names(before, 10).await.expect("release"), 0);
    let after = deleted_at + TimeDelta::seconds(1);
    assert_eq!(erasure.release_names(after, 10).await.expect("release"), 1);
    assert_eq!(erasure.release_names(after, 10).await.expect("release"), 0);
    let renamed = stores.users.get(alice).await.expect("get").expect("alice");
    assert_eq!(renamed.username.as_str(), released_name(alice));
    assert_eq!(renamed.email.as_str(), released_name(alice));
}
contract_test!(each_step_of_an_erasure_runs_once);
