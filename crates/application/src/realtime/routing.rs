//! Which sockets a chat event concerns beyond the chat's current followers.
//!
//! A node's hub routes events by chat. Two kinds of event must also reach users who
//! do not follow the chat yet: a new chat's `chat.created` (its first members) and a
//! `member.added` (the new member). And after a `member.removed` the removed user's
//! sockets must stop getting the chat. Kept pure so the hub stays a plain map.

use confab_domain::{EventPayload, UserId};

use crate::ports::ChatEvent;

/// How an event changes who follows its chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// Only the chat's current followers.
    Followers,
    /// The followers, and these users' sockets start following the chat first.
    Joining(Vec<UserId>),
    /// The followers (the user included); afterwards this user's sockets stop.
    Leaving(UserId),
}

/// The reach of `event`.
pub fn reach(event: &ChatEvent) -> Reach {
    match &event.payload {
        EventPayload::ChatCreated(snapshot) if event.seq == Some(confab_domain::Seq::FIRST) => {
            Reach::Joining(snapshot.members.iter().map(|m| m.user_id).collect())
        }
        EventPayload::MemberAdded(change) => Reach::Joining(vec![change.user_id]),
        EventPayload::MemberRemoved(change) => Reach::Leaving(change.user_id),
        _ => Reach::Followers,
    }
}

#[cfg(test)]
mod tests {
    use confab_domain::{ChatId, MemberChange, ReadPosition, Seq};

    use super::*;

    fn event(payload: EventPayload) -> ChatEvent {
        ChatEvent {
            chat_id: ChatId::generate(),
            seq: Some(Seq::FIRST.next()),
            payload,
        }
    }

    #[test]
    fn membership_changes_widen_or_narrow_the_reach() {
        let user_id = UserId::generate();
        let change = MemberChange {
            user_id,
            role: None,
            actor_id: Some(user_id),
        };
        assert_eq!(
            reach(&event(EventPayload::MemberAdded(change))),
            Reach::Joining(vec![user_id])
        );
        assert_eq!(
            reach(&event(EventPayload::MemberRemoved(change))),
            Reach::Leaving(user_id)
        );
        assert_eq!(
            reach(&event(EventPayload::MemberUpdated(change))),
            Reach::Followers
        );
        let read = EventPayload::ReadUpdated(ReadPosition {
            user_id,
            seq: Seq::FIRST,
        });
        assert_eq!(reach(&event(read)), Reach::Followers);
    }
}
