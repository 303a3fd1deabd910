//! Chats and their members: kinds, names, roles, sequence numbers and message lifetimes.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::ValueError;
use crate::ids::{ChatId, UserId};
use crate::message::Message;
use crate::text::TextRule;
use crate::user::{DisplayName, Username, bounded_text, validated_string};

/// The most members a group may have.
pub const MAX_GROUP_MEMBERS: usize = 1000;

/// Whether a chat is between exactly two people or a named group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatKind {
    /// Exactly two members, no name, no roles.
    Direct,
    /// A named chat with an owner, admins and members.
    Group,
}

impl ChatKind {
    /// The wire and storage spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Direct => "direct",
            Self::Group => "group",
        }
    }
}

impl FromStr for ChatKind {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "direct" => Ok(Self::Direct),
            "group" => Ok(Self::Group),
            _ => Err(ValueError::InvalidFormat {
                expected: "direct or group",
            }),
        }
    }
}

/// A member's standing in a group. Direct chats have no roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberRole {
    /// The one member who may do everything, including hand the group over.
    Owner,
    /// May rename, add members and remove plain members.
    Admin,
    /// May read and write.
    Member,
}

impl MemberRole {
    /// The wire and storage spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::Member => "member",
        }
    }

    /// Whether this role may manage the group (rename, add, remove members).
    pub const fn is_manager(self) -> bool {
        matches!(self, Self::Owner | Self::Admin)
    }
}

impl FromStr for MemberRole {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "owner" => Ok(Self::Owner),
            "admin" => Ok(Self::Admin),
            "member" => Ok(Self::Member),
            _ => Err(ValueError::InvalidFormat {
                expected: "owner, admin or member",
            }),
        }
    }
}

bounded_text!(
    /// A group's name: 1 to 100 characters, surrounding white space trimmed; a name
    /// like [`DisplayName`] (something visible, no control character or bidi override).
    ChatName, 1, 100, TextRule::Name
);

/// A position in a chat's log. The log starts at 1 (`chat.created`) and has no gaps
/// except where disappearing messages were removed.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Seq(i64);

impl Seq {
    /// Before the first entry: nothing seen yet.
    pub const ZERO: Self = Self(0);
    /// The seq of `chat.created`, the first entry of every log.
    pub const FIRST: Self = Self(1);

    /// Accepts any non-negative position.
    pub fn new(value: i64) -> Result<Self, ValueError> {
        if value < 0 {
            Err(ValueError::OutOfRange {
                min: 0,
                max: i64::MAX,
            })
        } else {
            Ok(Self(value))
        }
    }

    /// The number.
    pub const fn get(self) -> i64 {
        self.0
    }

    /// The entry after this one.
    #[must_use]
    pub const fn next(self) -> Self {
        Self(self.0 + 1)
    }
}

impl fmt::Display for Seq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// How long messages live in a chat before they disappear: 60 s to 7 days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct MessageTtl(i64);

impl MessageTtl {
    /// The shortest lifetime: one minute.
    pub const MIN_SECONDS: i64 = 60;
    /// The longest lifetime: one week.
    pub const MAX_SECONDS: i64 = 604_800;

    /// Checks the window 60..=604800 seconds.
    pub fn from_seconds(seconds: i64) -> Result<Self, ValueError> {
        if (Self::MIN_SECONDS..=Self::MAX_SECONDS).contains(&seconds) {
            Ok(Self(seconds))
        } else {
            Err(ValueError::OutOfRange {
                min: Self::MIN_SECONDS,
                max: Self::MAX_SECONDS,
            })
        }
    }

    /// The lifetime in seconds.
    pub const fn seconds(self) -> i64 {
        self.0
    }

    /// Messages created before this instant have expired at `now`.
    pub fn cutoff(self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - chrono::Duration::seconds(self.0)
    }
}

impl TryFrom<i64> for MessageTtl {
    type Error = ValueError;

    fn try_from(seconds: i64) -> Result<Self, Self::Error> {
        Self::from_seconds(seconds)
    }
}

impl From<MessageTtl> for i64 {
    fn from(ttl: MessageTtl) -> Self {
        ttl.0
    }
}

/// A chat's own state, without its members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chat {
    /// The chat's identity.
    pub id: ChatId,
    /// Direct or group.
    pub kind: ChatKind,
    /// The group's name; always `None` for direct chats.
    pub name: Option<ChatName>,
    /// When the chat was created.
    pub created_at: DateTime<Utc>,
    /// The highest seq its log has reached.
    pub last_seq: Seq,
    /// How long messages live, `None` for forever.
    pub message_ttl: Option<MessageTtl>,
    /// When the last log entry was written; orders the chat list.
    pub last_activity_at: DateTime<Utc>,
}

/// A member of a chat, with the names needed to show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// The member's account.
    pub user_id: UserId,
    /// The member's username.
    pub username: Username,
    /// The member's display name.
    pub display_name: Option<DisplayName>,
    /// The role in a group; `None` in direct chats.
    pub role: Option<MemberRole>,
    /// The highest seq this member has read.
    pub last_read_seq: Seq,
    /// When the member joined.
    pub joined_at: DateTime<Utc>,
}

/// A chat and its members as they are at one seq: the data of `chat.created` and
/// `chat.updated` events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatSnapshot {
    /// The chat itself.
    pub chat: Chat,
    /// Every member, oldest first.
    pub members: Vec<Member>,
}

/// A chat as one member sees it: the snapshot plus their unread state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatView {
    /// The chat and its members.
    pub snapshot: ChatSnapshot,
    /// The newest message that has not expired, tombstones included.
    pub last_message: Option<Message>,
    /// Messages by others after my `last_read_seq`, not deleted, not expired.
    pub unread_count: i64,
}

/// One row of a user's chat list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatListItem {
    /// The chat itself.
    pub chat: Chat,
    /// How many members it has.
    pub member_count: i64,
    /// The other member of a direct chat; `None` for groups.
    pub peer: Option<Member>,
    /// My role; `None` in direct chats.
    pub my_role: Option<MemberRole>,
    /// My read position.
    pub my_last_read_seq: Seq,
    /// The newest message that has not expired, tombstones included.
    pub last_message: Option<Message>,
    /// Messages by others after my `last_read_seq`, not deleted, not expired.
    pub unread_count: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_name_is_trimmed_and_bounded() {
        assert_eq!(
            ChatName::parse("  Team  ").map(String::from),
            Ok("Team".into())
        );
        assert_eq!(ChatName::parse(" "), Err(ValueError::Empty));
        assert!(ChatName::parse("n".repeat(100)).is_ok());
        assert_eq!(
            ChatName::parse("n".repeat(101)),
            Err(ValueError::TooLong { max: 100 })
        );
        assert_eq!(ChatName::parse("\u{200b}"), Err(ValueError::NothingVisible));
        assert_eq!(
            ChatName::parse("Team\u{2066}"),
            Err(ValueError::BidiOverride { found: '\u{2066}' })
        );
        assert_eq!(
            ChatName::parse("Te\u{0}am"),
            Err(ValueError::ControlCharacter { found: '\u{0}' })
        );
    }

    #[test]
    fn ttl_window_is_one_minute_to_one_week() {
        assert!(MessageTtl::from_seconds(59).is_err());
        assert!(MessageTtl::from_seconds(60).is_ok());
        assert!(MessageTtl::from_seconds(604_800).is_ok());
        assert!(MessageTtl::from_seconds(604_801).is_err());
    }

    #[test]
    fn roles_and_kinds_round_trip_their_spelling() {
        for role in [MemberRole::Owner, MemberRole::Admin, MemberRole::Member] {
            assert_eq!(role.as_str().parse::<MemberRole>(), Ok(role));
        }
        for kind in [ChatKind::Direct, ChatKind::Group] {
            assert_eq!(kind.as_str().parse::<ChatKind>(), Ok(kind));
        }
        assert!("boss".parse::<MemberRole>().is_err());
    }

    #[test]
    fn seq_is_never_negative() {
        assert!(Seq::new(-1).is_err());
        assert_eq!(Seq::ZERO.next(), Seq::FIRST);
    }
}
