//! Only members send: the repository checks membership in the send's own
//! transaction, so a non-member (or a former member retrying) gets `ChatNotFound`.

use confab_application::ports::SendWriteError;
use confab_domain::ClientMessageId;

use super::{fixture, new_message, send, seq};
use crate::chats::now;
use crate::contract_test;
use crate::support::{Stores, by};

async fn outsiders_and_former_members_cannot_send_or_retry(stores: Stores) {
    let f = fixture(&stores).await;
    // users[2] was never in the chat.
    let outsider = f
        .messages
        .send(new_message(f.chat, f.users[2], "let me in", now()))
        .await;
    assert!(matches!(outsider, Err(SendWriteError::NotMember)));
    let key = ClientMessageId::parse("k-leave").expect("valid");
    let mut first = new_message(f.chat, f.users[1], "bye", now());
    first.client_message_id = Some(key.clone());
    assert_eq!(
        send(&f.messages, first).await.seq,
        seq(2),
        "no seq was taken"
    );
    f.chats
        .remove_member(f.chat, f.users[1], now(), &by(f.users[1]))
        .await
        .expect("leave");
    let before = f.chats.snapshot(f.chat).await.expect("read").expect("chat");
    // A retry after leaving is refused, not answered with the original.
    let mut retry = new_message(f.chat, f.users[1], "bye", now());
    retry.client_message_id = Some(key);
    let retried = f.messages.send(retry).await;
    assert!(matches!(retried, Err(SendWriteError::NotMember)));
    let after = f.chats.snapshot(f.chat).await.expect("read").expect("chat");
    assert_eq!(
        after.chat.last_seq, before.chat.last_seq,
        "refusals take no seq"
    );
}
contract_test!(outsiders_and_former_members_cannot_send_or_retry);
