//! Contract of `AvatarRepository`: the avatar is kept on the account, makes its
//! upload readable by everyone, and goes when the upload goes.

use confab_domain::UploadId;

use crate::chats::{new_users, now};
use crate::contract_test;
use crate::support::Stores;
use crate::uploads::upload;

async fn an_avatar_is_kept_shown_and_readable_by_all(stores: Stores) {
    let users = new_users(&stores, 2).await;
    let (alice, bob) = (users[0], users[1]);
    let picture = upload(alice, 10);
    stores.uploads.insert(&picture, 100).await.expect("insert");

    let later = now() + chrono::Duration::seconds(5);
    let user = stores
        .avatars
        .set_avatar(alice, Some(picture.id), later)
        .await
        .expect("set")
        .expect("alice exists");
    assert_eq!((user.avatar, user.updated_at), (Some(picture.id), later));
    let kept = stores.users.get(alice).await.expect("get").expect("alice");
    assert_eq!(kept.avatar, Some(picture.id));
    let seen = stores.uploads.readable(picture.id, bob, now()).await;
    assert_eq!(
        seen.expect("read"),
        Some(picture.clone()),
        "an avatar is public"
    );

    let cleared = stores
        .avatars
        .set_avatar(alice, None, later)
        .await
        .expect("clear")
        .expect("alice exists");
    assert_eq!(cleared.avatar, None);
    let hidden = stores.uploads.readable(picture.id, bob, now()).await;
    assert_eq!(
        hidden.expect("read"),
        None,
        "no longer an avatar: hers alone"
    );
}
contract_test!(an_avatar_is_kept_shown_and_readable_by_all);

async fn deleting_the_upload_clears_the_avatar(stores: Stores) {
    let users = new_users(&stores, 1).await;
    let alice = users[0];
    let picture = upload(alice, 10);
    stores.uploads.insert(&picture, 100).await.expect("insert");
    stores
        .avatars
        .set_avatar(alice, Some(picture.id), now())
        .await
        .expect("set");
    stores.uploads.delete(picture.id).await.expect("delete");
    let user = stores.users.get(alice).await.expect("get").expect("alice");
    assert_eq!(user.avatar, None);
}
contract_test!(deleting_the_upload_clears_the_avatar);

async fn an_unknown_upload_or_account_is_refused(stores: Stores) {
    let users = new_users(&stores, 1).await;
    let alice = users[0];
    let unknown = stores
        .avatars
        .set_avatar(alice, Some(UploadId::generate()), now())
        .await;
    assert!(unknown.is_err(), "the reference is a foreign key");
    let user = stores.users.get(alice).await.expect("get").expect("alice");
    assert_eq!(user.avatar, None);
    let nobody = stores
        .avatars
        .set_avatar(confab_domain::UserId::generate(), None, now())
        .await;
    assert_eq!(nobody.expect("no error"), None);
}
contract_test!(an_unknown_upload_or_account_is_refused);
