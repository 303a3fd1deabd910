//! The confab messenger's domain: the language shared by every layer.
//!
//! Values that reach the domain are valid by construction: input becomes a
//! [`Username`] only through [`Username::parse`], a [`MessageBody`] only through
//! [`MessageBody::parse`], and so on; text read back from storage comes in through
//! `from_stored`, as it was checked when written. The character rules every text
//! follows (no control characters; names visible and free of bidi overrides) are in
//! [`text`]. The permission rules in [`permissions`] are pure functions, so the same
//! decision is made whichever adapter asks.
//!
//! ```
//! use confab_domain::{ChatKind, MemberRole, MessageBody, Username, UserId, ValueError};
//! use confab_domain::permissions::{may_remove_member, Actor, Denied};
//!
//! // Input is folded and checked once; afterwards the type is the proof.
//! let name = Username::parse("Alice_01")?;
//! assert_eq!(name.as_str(), "alice_01");
//! assert_eq!(MessageBody::parse(""), Err(ValueError::Empty));
//! assert_eq!(
//!     MessageBody::parse("nul\u{0}"),
//!     Err(ValueError::ControlCharacter { found: '\u{0}' })
//! );
//!
//! // An admin may remove a plain member, but not the owner.
//! let admin = Actor { user_id: UserId::generate(), role: Some(MemberRole::Admin) };
//! let member = Actor { user_id: UserId::generate(), role: Some(MemberRole::Member) };
//! let owner = Actor { user_id: UserId::generate(), role: Some(MemberRole::Owner) };
//! assert_eq!(may_remove_member(ChatKind::Group, admin, member), Ok(()));
//! assert_eq!(may_remove_member(ChatKind::Group, admin, owner), Err(Denied::Forbidden));
//! # Ok::<(), ValueError>(())
//! ```
#![warn(missing_docs)]

mod chat;
mod error;
mod event;
mod ids;
mod lookup;
mod message;
pub mod permissions;
mod session;
pub mod text;
mod user;

pub use chat::{
    Chat, ChatKind, ChatListItem, ChatName, ChatSnapshot, ChatView, MAX_GROUP_MEMBERS, Member,
    MemberRole, MessageTtl, Seq,
};
pub use error::ValueError;
pub use event::{EventPayload, LoggedEvent, MemberChange, ReadPosition, Typing};
pub use ids::{ChatId, MessageId, SessionId, UserId};
pub use lookup::{LoginIdentifier, SearchPrefix};
pub use message::{ClientMessageId, Message, MessageBody};
pub use session::Session;
pub use user::{
    Bio, BirthDate, DeviceName, DisplayName, Email, Location, Password, ProfileView, User, Username,
};

/// Truncates a timestamp to whole milliseconds, the precision of every timestamp
/// confab stores and serves (SQLite keeps nanoseconds, PostgreSQL microseconds).
pub fn to_millis(at: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
    use chrono::{DurationRound, TimeDelta};
    at.duration_trunc(TimeDelta::milliseconds(1)).unwrap_or(at)
}
