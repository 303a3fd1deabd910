//! Contract of `UploadRepository`: rows, the quota, who may read.

use confab_application::ports::UploadInsertError;
use confab_domain::{FileName, Upload, UploadId, UserId};

use crate::chats::{group, new_users, now};
use crate::contract_test;
use crate::messages::{new_message, send};
use crate::support::{Stores, by};

pub(crate) fn upload(owner: UserId, size: u64) -> Upload {
    Upload {
        id: UploadId::generate(),
        owner_id: owner,
        filename: FileName::sanitize("photo.png"),
        content_type: "image/png".to_owned(),
        size,
        sha256: "ab".repeat(32),
        width: Some(4),
        height: Some(3),
        created_at: now(),
        message_id: None,
        thumbnail_key: None,
    }
}

async fn uploads_are_stored_and_read_by_their_owner_only(stores: Stores) {
    let users = new_users(&stores, 2).await;
    let (alice, bob) = (users[0], users[1]);
    let mine = upload(alice, 10);
    stores.uploads.insert(&mine, 100).await.expect("insert");

    let read = stores.uploads.readable(mine.id, alice, now()).await;
    assert_eq!(read.expect("read"), Some(mine.clone()));
    let other = stores.uploads.readable(mine.id, bob, now()).await;
    assert_eq!(other.expect("read"), None, "unattached: the owner's only");
    let missing = stores.uploads.readable(UploadId::generate(), alice, now());
    assert_eq!(missing.await.expect("read"), None);

    stores
        .uploads
        .set_thumbnail(mine.id, "thumbnails/x")
        .await
        .expect("thumbnail");
    let read = stores.uploads.readable(mine.id, alice, now()).await;
    let thumbnail = read.expect("read").and_then(|u| u.thumbnail_key);
    assert_eq!(thumbnail.as_deref(), Some("thumbnails/x"));

    stores.uploads.delete(mine.id).await.expect("delete");
    let gone = stores.uploads.readable(mine.id, alice, now()).await;
    assert_eq!(gone.expect("read"), None);
}
contract_test!(uploads_are_stored_and_read_by_their_owner_only);

async fn the_quota_counts_every_upload_of_the_owner(stores: Stores) {
    let users = new_users(&stores, 2).await;
    let (alice, bob) = (users[0], users[1]);
    stores
        .uploads
        .insert(&upload(alice, 60), 100)
        .await
        .expect("first");
    stores
        .uploads
        .insert(&upload(bob, 90), 100)
        .await
        .expect("bob's own");
    let refused = stores.uploads.insert(&upload(alice, 41), 100).await;
    assert!(matches!(refused, Err(UploadInsertError::QuotaExceeded)));
    stores
        .uploads
        .insert(&upload(alice, 40), 100)
        .await
        .expect("fits exactly");
    assert_eq!(stores.uploads.usage(alice).await.expect("usage"), 100);
    assert_eq!(stores.uploads.usage(bob).await.expect("usage"), 90);
}
contract_test!(the_quota_counts_every_upload_of_the_owner);

async fn an_attached_upload_is_read_by_members_while_its_message_lives(stores: Stores) {
    let users = new_users(&stores, 4).await;
    let (alice, bob, carol, dave) = (users[0], users[1], users[2], users[3]);
    let chat = group(&stores.chats, alice, &[bob, carol]).await;
    let sent = send(
        &stores.messages,
        new_message(chat, alice, "see attached", now()),
    )
    .await;
    let message = sent;
    let attached = Upload {
        message_id: Some(message.id),
        ..upload(alice, 10)
    };
    stores.uploads.insert(&attached, 100).await.expect("insert");
    let reads = |reader| {
        let uploads = stores.uploads.clone();
        let id = attached.id;
        async move {
            uploads
                .readable(id, reader, now())
                .await
                .expect("read")
                .is_some()
        }
    };
    assert!(reads(alice).await, "the uploader");
    assert!(reads(bob).await, "a member");
    assert!(!reads(dave).await, "a stranger");

    stores
        .chats
        .remove_member(chat, carol, now(), &by(alice))
        .await
        .expect("remove");
    assert!(!reads(carol).await, "a removed member");

    stores
        .messages
        .delete(chat, message.id, now(), &by(alice))
        .await
        .expect("delete");
    assert!(!reads(bob).await, "a deleted message's file");
    assert!(!reads(alice).await, "not even to its uploader");
}
contract_test!(an_attached_upload_is_read_by_members_while_its_message_lives);

async fn stale_unattached_uploads_are_removed_except_avatars_and_attached(stores: Stores) {
    let users = new_users(&stores, 2).await;
    let (alice, bob) = (users[0], users[1]);
    let chat = group(&stores.chats, alice, &[bob]).await;
    let sent = send(
        &stores.messages,
        new_message(chat, alice, "see attached", now()),
    )
    .await;
    let day_ago = now() - chrono::TimeDelta::hours(25);
    let old = |owner| Upload {
        created_at: day_ago,
        ..upload(owner, 1)
    };
    let (stale, avatar, attached) = (old(alice), old(alice), old(bob));
    let attached = Upload {
        message_id: Some(sent.id),
        ..attached
    };
    let fresh = upload(alice, 1);
    for one in [&stale, &avatar, &attached, &fresh] {
        stores.uploads.insert(one, 100).await.expect("insert");
    }
    stores
        .avatars
        .set_avatar(alice, Some(avatar.id), now())
        .await
        .expect("avatar");

    let cutoff = now() - chrono::TimeDelta::hours(24);
    let removed = stores.uploads.remove_stale_unattached(cutoff, 10).await;
    assert_eq!(removed.expect("remove"), vec![stale.clone()]);
    let again = stores.uploads.remove_stale_unattached(cutoff, 10).await;
    assert_eq!(again.expect("remove"), Vec::new(), "nothing left to remove");

    let ids = [
        stale.id,
        avatar.id,
        attached.id,
        fresh.id,
        UploadId::generate(),
    ];
    let existing = stores.uploads.existing(&ids).await.expect("existing");
    let expected = [avatar.id, attached.id, fresh.id].into_iter().collect();
    assert_eq!(existing, expected);
    let none = stores.uploads.existing(&[]).await.expect("existing");
    assert!(none.is_empty());
}
contract_test!(stale_unattached_uploads_are_removed_except_avatars_and_attached);

async fn stale_uploads_are_removed_in_batches_oldest_first(stores: Stores) {
    let users = new_users(&stores, 1).await;
    let alice = users[0];
    let at = |hours| Upload {
        created_at: now() - chrono::TimeDelta::hours(hours),
        ..upload(alice, 1)
    };
    let (oldest, middle, newest) = (at(50), at(40), at(30));
    for one in [&newest, &oldest, &middle] {
        stores.uploads.insert(one, 100).await.expect("insert");
    }
    let cutoff = now() - chrono::TimeDelta::hours(24);
    let first = stores.uploads.remove_stale_unattached(cutoff, 2).await;
    let first: Vec<UploadId> = first.expect("remove").iter().map(|u| u.id).collect();
    assert_eq!(first, vec![oldest.id, middle.id]);
    let rest = stores.uploads.remove_stale_unattached(cutoff, 2).await;
    assert_eq!(rest.expect("remove"), vec![newest]);
}
contract_test!(stale_uploads_are_removed_in_batches_oldest_first);
