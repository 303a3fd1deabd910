//! `/chats`: creation, listing, settings, members and roles.

pub(crate) mod support;

mod create;
mod list;
mod members;
mod update;
