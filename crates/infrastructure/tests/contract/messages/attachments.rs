//! Files sent with messages: a send claims the author's free uploads in its own
//! transaction, every read shows them in the sender's order, a retry answers with
//! the original's files, and a tombstone lets them go.

use std::sync::Arc;

use confab_application::ports::{MessageRepository, NewMessage, SendOutcome, SendWriteError};
use confab_domain::{
    Attachment, ClientMessageId, EventPayload, Message, MessageBody, Seq, Upload, UploadId, UserId,
};

use super::{current, new_message, send};
use crate::chats::{group, new_users, now};
use crate::contract_test;
use crate::support::{Stores, by};
use crate::uploads::upload;

pub(super) async fn stored(stores: &Stores, owner: UserId) -> Upload {
    let one = upload(owner, 10);
    stores.uploads.insert(&one, 1 << 20).await.expect("insert");
    one
}

pub(super) fn with_files(mut new: NewMessage, files: &[&Upload]) -> NewMessage {
    new.attachment_ids = files.iter().map(|upload| upload.id).collect();
    new
}

pub(super) fn ids(message: &Message) -> Vec<UploadId> {
    message.attachments.iter().map(|file| file.id).collect()
}

async fn a_message_shows_its_files_in_the_senders_order_everywhere(stores: Stores) {
    let users = new_users(&stores, 2).await;
    let (alice, bob) = (users[0], users[1]);
    let chat = group(&stores.chats, alice, &[bob]).await;
    let (first, second) = (stored(&stores, alice).await, stored(&stores, alice).await);
    // The second upload first: the order is the sender's, not the uploads'.
    let mut files_only = with_files(new_message(chat, alice, "x", now()), &[&second, &first]);
    files_only.body = None;
    let sent = send(&stores.messages, files_only).await;
    assert_eq!(ids(&sent), vec![second.id, first.id]);
    assert_eq!(sent.body, None);
    assert_eq!(sent.attachments[0], Attachment::from(second.clone()));

    let got = stores
        .messages
        .get(&current(&stores.chats, chat).await, sent.id, now())
        .await
        .expect("get");
    assert_eq!(got.as_ref().map(ids), Some(vec![second.id, first.id]));
    let page = stores
        .messages
        .list(
            &current(&stores.chats, chat).await,
            confab_application::ports::SeqWindow::Newest,
            10,
            now(),
        )
        .await
        .expect("list");
    assert_eq!(page.last().map(ids), Some(vec![second.id, first.id]));
    let entries = stores
        .messages
        .events_after(chat, Seq::ZERO, 100, now())
        .await
        .expect("events");
    let created = entries.iter().find_map(|entry| match &entry.payload {
        EventPayload::MessageCreated(message) if message.id == sent.id => Some(message),
        _ => None,
    });
    assert_eq!(created.map(ids), Some(vec![second.id, first.id]));
    let readable = stores.uploads.readable(first.id, bob, now()).await;
    assert!(readable.expect("read").is_some(), "a member reads it");

    let edited = stores
        .messages
        .edit(
            chat,
            sent.id,
            MessageBody::parse("now with words").expect("valid"),
            now(),
            &by(alice),
        )
        .await
        .expect("edit");
    assert_eq!(ids(&edited.message), vec![second.id, first.id]);
    assert!(matches!(
        &edited.entry.payload,
        EventPayload::MessageUpdated(message) if ids(message) == vec![second.id, first.id]
    ));
}
contract_test!(a_message_shows_its_files_in_the_senders_order_everywhere);

async fn only_my_free_uploads_can_be_attached(stores: Stores) {
    let users = new_users(&stores, 2).await;
    let (alice, bob) = (users[0], users[1]);
    let chat = group(&stores.chats, alice, &[bob]).await;
    let mine = stored(&stores, alice).await;
    let bobs = stored(&stores, bob).await;
    let avatar = stored(&stores, alice).await;
    stores
        .avatars
        .set_avatar(alice, Some(avatar.id), now())
        .await
        .expect("avatar");
    let unknown = upload(alice, 1);
    for (what, refused) in [
        ("someone else's", &bobs),
        ("an avatar", &avatar),
        ("unknown", &unknown),
    ] {
        let answer = stores
            .messages
            .send(with_files(
                new_message(chat, alice, "x", now()),
                &[&mine, refused],
            ))
            .await;
        assert!(
            matches!(answer, Err(SendWriteError::AttachmentUnavailable)),
            "{what}: {answer:?}"
        );
    }
    let none_kept = stores.messages.events_after(chat, Seq::ZERO, 100, now());
    assert!(
        none_kept
            .await
            .expect("events")
            .iter()
            .all(|entry| !matches!(entry.payload, EventPayload::MessageCreated(_))),
        "a refused send stores nothing"
    );

    send(
        &stores.messages,
        with_files(new_message(chat, alice, "x", now()), &[&mine]),
    )
    .await;
    let again = stores
        .messages
        .send(with_files(new_message(chat, alice, "y", now()), &[&mine]))
        .await;
    assert!(
        matches!(again, Err(SendWriteError::AttachmentUnavailable)),
        "used once: {again:?}"
    );
}
contract_test!(only_my_free_uploads_can_be_attached);

async fn a_retry_answers_with_the_originals_files(stores: Stores) {
    let users = new_users(&stores, 2).await;
    let (alice, bob) = (users[0], users[1]);
    let chat = group(&stores.chats, alice, &[bob]).await;
    let file = stored(&stores, alice).await;
    let keyed = || {
        let mut new = with_files(new_message(chat, alice, "x", now()), &[&file]);
        new.client_message_id = Some(ClientMessageId::parse("photo-1").expect("key"));
        new
    };
    let original = send(&stores.messages, keyed()).await;
    match stores.messages.send(keyed()).await.expect("retry") {
        SendOutcome::Existing(message) => {
            assert_eq!(message.id, original.id);
            assert_eq!(ids(&message), vec![file.id]);
        }
        SendOutcome::Created(written) => panic!("stored twice: {:?}", written.message),
    }
}
contract_test!(a_retry_answers_with_the_originals_files);

async fn racing_sends_never_share_an_upload(stores: Stores) {
    let users = new_users(&stores, 2).await;
    let (alice, bob) = (users[0], users[1]);
    let chat = group(&stores.chats, alice, &[bob]).await;
    let file = stored(&stores, alice).await;
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let repo: Arc<dyn MessageRepository> = Arc::clone(&stores.messages);
            let new = with_files(new_message(chat, alice, &format!("m{i}"), now()), &[&file]);
            tokio::spawn(async move { repo.send(new).await })
        })
        .collect();
    let mut created = 0;
    for task in tasks {
        match task.await.expect("task") {
            Ok(SendOutcome::Created(_)) => created += 1,
            Err(SendWriteError::AttachmentUnavailable) => {}
            other => panic!("unexpected answer {other:?}"),
        }
    }
    assert_eq!(created, 1, "exactly one send gets the upload");
}
contract_test!(racing_sends_never_share_an_upload);

async fn a_tombstone_lets_its_files_go(stores: Stores) {
    let users = new_users(&stores, 2).await;
    let (alice, bob) = (users[0], users[1]);
    let chat = group(&stores.chats, alice, &[bob]).await;
    let file = stored(&stores, alice).await;
    let sent = send(
        &stores.messages,
        with_files(new_message(chat, alice, "look", now()), &[&file]),
    )
    .await;
    let deleted = stores
        .messages
        .delete(chat, sent.id, now(), &by(alice))
        .await
        .expect("delete")
        .expect("a new tombstone");
    assert!(deleted.message.attachments.is_empty());
    let left = stores.uploads.existing(&[file.id]).await.expect("existing");
    assert!(left.is_empty(), "the row goes with the message's text");
    let entries = stores
        .messages
        .events_after(chat, Seq::ZERO, 100, now())
        .await
        .expect("events");
    assert!(
        entries.iter().all(|entry| entry
            .payload
            .message()
            .is_none_or(|message| message.attachments.is_empty())),
        "no entry replays the files"
    );
}
contract_test!(a_tombstone_lets_its_files_go);
