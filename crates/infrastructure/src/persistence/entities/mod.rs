//! sea-orm entities, private to this crate.

pub(crate) mod admin_audit;
pub(crate) mod chat_events;
pub(crate) mod chat_members;
pub(crate) mod chats;
pub(crate) mod email_tokens;
pub(crate) mod invites;
pub(crate) mod mail_outbox;
pub(crate) mod messages;
pub(crate) mod refresh_tokens;
pub(crate) mod sessions;
pub(crate) mod uploads;
pub(crate) mod users;
