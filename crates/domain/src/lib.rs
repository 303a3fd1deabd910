// The crate documentation is its README, so the example shown on crates.io is the
// doctest that runs here.
#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod address;
mod chat;
mod error;
mod event;
mod ids;
mod lookup;
mod message;
pub mod permissions;
mod session;
pub mod text;
mod upload;
mod user;

pub use chat::{
    Chat, ChatKind, ChatListItem, ChatName, ChatSnapshot, ChatView, MAX_GROUP_MEMBERS, Member,
    MemberRole, MessageTtl, Seq,
};
pub use error::ValueError;
pub use event::{EventPayload, LoggedEvent, MemberChange, ReadPosition, Typing};
pub use ids::{ChatId, InviteId, MessageId, SessionId, UploadId, UserId};
pub use lookup::{LoginIdentifier, SearchPrefix};
pub use message::{ClientMessageId, Message, MessageBody};
pub use session::Session;
pub use upload::{Attachment, FileName, Upload};
pub use user::{
    Bio, BirthDate, DeviceName, DisplayName, Email, Location, Password, ProfileView, User, Username,
};

/// Truncates a timestamp to whole milliseconds, the precision of every timestamp
/// confab stores and serves (SQLite keeps nanoseconds, PostgreSQL microseconds).
pub fn to_millis(at: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
    use chrono::{DurationRound, TimeDelta};
    at.duration_trunc(TimeDelta::milliseconds(1)).unwrap_or(at)
}
