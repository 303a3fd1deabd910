//! Unit tests of the per-socket cursors.

use chrono::{TimeZone, Utc};
use confab_domain::{
    Chat, ChatId, ChatKind, ChatSnapshot, EventPayload, Member, MemberChange, MemberRole,
    ReadPosition, Seq, Typing, UserId, Username,
};

use super::{ChatCursors, Step};
use crate::ports::ChatEvent;

fn seq(n: i64) -> Seq {
    Seq::new(n).expect("non-negative")
}

fn logged(chat_id: ChatId, n: i64, payload: EventPayload) -> ChatEvent {
    ChatEvent {
        chat_id,
        seq: Some(seq(n)),
        payload,
    }
}

fn role_change(chat_id: ChatId, n: i64, user_id: UserId) -> ChatEvent {
    logged(
        chat_id,
        n,
        EventPayload::MemberUpdated(MemberChange {
            user_id,
            role: Some(MemberRole::Admin),
            actor_id: None,
        }),
    )
}

fn snapshot(chat_id: ChatId, members: &[UserId]) -> ChatSnapshot {
    let at = Utc.timestamp_opt(1_763_000_000, 0).single().expect("valid");
    ChatSnapshot {
        chat: Chat {
            id: chat_id,
            kind: ChatKind::Direct,
            name: None,
            created_at: at,
            last_seq: Seq::FIRST,
            message_ttl: None,
            last_activity_at: at,
        },
        members: members
            .iter()
            .map(|user_id| Member {
                user_id: *user_id,
                username: Username::parse("someone").expect("valid"),
                display_name: None,
                role: None,
                last_read_seq: Seq::FIRST,
                joined_at: at,
            })
            .collect(),
    }
}

#[test]
fn next_seq_is_delivered_and_repeats_are_skipped() {
    let (me, chat) = (UserId::generate(), ChatId::generate());
    let mut cursors = ChatCursors::new(me, [(chat, seq(3))]);
    assert_eq!(cursors.offer(&role_change(chat, 3, me), false), Step::Skip);
    assert_eq!(
        cursors.offer(&role_change(chat, 4, me), false),
        Step::Deliver
    );
    assert_eq!(cursors.offer(&role_change(chat, 4, me), false), Step::Skip);
    assert_eq!(cursors.position(chat), Some(seq(4)));
}

#[test]
fn a_hole_asks_for_the_log_unless_the_entry_comes_from_it() {
    let (me, chat) = (UserId::generate(), ChatId::generate());
    let mut cursors = ChatCursors::new(me, [(chat, seq(3))]);
    assert_eq!(
        cursors.offer(&role_change(chat, 6, me), false),
        Step::Gap(seq(3))
    );
    assert_eq!(
        cursors.position(chat),
        Some(seq(3)),
        "nothing recorded on a gap"
    );
    // Seq 4 expired and was purged: the log itself skips it.
    assert_eq!(
        cursors.offer(&role_change(chat, 5, me), true),
        Step::Deliver
    );
    assert_eq!(
        cursors.offer(&role_change(chat, 6, me), false),
        Step::Deliver
    );
}

#[test]
fn chats_not_followed_are_skipped() {
    let me = UserId::generate();
    let mut cursors = ChatCursors::new(me, []);
    let other = ChatId::generate();
    assert_eq!(cursors.offer(&role_change(other, 2, me), false), Step::Skip);
    let typing = ChatEvent {
        chat_id: other,
        seq: None,
        payload: EventPayload::Typing(Typing {
            user_id: UserId::generate(),
        }),
    };
    assert_eq!(cursors.offer(&typing, false), Step::Skip);
}

#[test]
fn my_typing_is_not_echoed_but_others_and_receipts_are_delivered() {
    let (me, peer, chat) = (UserId::generate(), UserId::generate(), ChatId::generate());
    let mut cursors = ChatCursors::new(me, [(chat, seq(1))]);
    let typing = |user_id| ChatEvent {
        chat_id: chat,
        seq: None,
        payload: EventPayload::Typing(Typing { user_id }),
    };
    assert_eq!(cursors.offer(&typing(me), false), Step::Skip);
    assert_eq!(cursors.offer(&typing(peer), false), Step::Deliver);
    let read = ChatEvent {
        chat_id: chat,
        seq: None,
        payload: EventPayload::ReadUpdated(ReadPosition {
            user_id: me,
            seq: seq(1),
        }),
    };
    assert_eq!(cursors.offer(&read, false), Step::Deliver);
    assert_eq!(
        cursors.position(chat),
        Some(seq(1)),
        "unlogged events move nothing"
    );
}

#[test]
fn my_member_added_in_an_unfollowed_chat_is_a_join() {
    let (me, chat) = (UserId::generate(), ChatId::generate());
    let mut cursors = ChatCursors::new(me, []);
    let added = |user_id| {
        logged(
            chat,
            7,
            EventPayload::MemberAdded(MemberChange {
                user_id,
                role: Some(MemberRole::Member),
                actor_id: Some(user_id),
            }),
        )
    };
    assert_eq!(cursors.offer(&added(UserId::generate()), false), Step::Skip);
    assert_eq!(cursors.offer(&added(me), false), Step::Joined(seq(7)));
    assert_eq!(cursors.position(chat), Some(seq(7)));
    assert_eq!(
        cursors.offer(&role_change(chat, 8, me), false),
        Step::Deliver
    );
}

#[test]
fn a_new_chat_listing_me_is_followed_from_seq_one() {
    let (me, peer, chat) = (UserId::generate(), UserId::generate(), ChatId::generate());
    let mut cursors = ChatCursors::new(me, []);
    let not_mine = logged(
        chat,
        1,
        EventPayload::ChatCreated(snapshot(chat, &[peer, UserId::generate()])),
    );
    assert_eq!(cursors.offer(&not_mine, false), Step::Skip);
    let mine = logged(
        chat,
        1,
        EventPayload::ChatCreated(snapshot(chat, &[peer, me])),
    );
    assert_eq!(cursors.offer(&mine, false), Step::Deliver);
    assert_eq!(cursors.position(chat), Some(Seq::FIRST));
}

#[test]
fn my_removal_is_delivered_then_the_chat_goes_quiet() {
    let (me, peer, chat) = (UserId::generate(), UserId::generate(), ChatId::generate());
    let mut cursors = ChatCursors::new(me, [(chat, seq(4))]);
    let removed = |user_id, n| {
        logged(
            chat,
            n,
            EventPayload::MemberRemoved(MemberChange {
                user_id,
                role: Some(MemberRole::Member),
                actor_id: Some(user_id),
            }),
        )
    };
    assert_eq!(cursors.offer(&removed(peer, 5), false), Step::Deliver);
    assert_eq!(cursors.offer(&removed(me, 6), false), Step::Left);
    assert_eq!(cursors.position(chat), None);
    assert_eq!(
        cursors.offer(&role_change(chat, 7, peer), false),
        Step::Skip
    );
}

#[test]
fn adopt_and_forget_move_the_followed_set() {
    let (me, chat) = (UserId::generate(), ChatId::generate());
    let mut cursors = ChatCursors::new(me, []);
    cursors.adopt(chat, seq(9));
    assert_eq!(cursors.positions(), vec![(chat, seq(9))]);
    assert_eq!(cursors.offer(&role_change(chat, 9, me), false), Step::Skip);
    cursors.forget(chat);
    assert!(cursors.positions().is_empty());
}
