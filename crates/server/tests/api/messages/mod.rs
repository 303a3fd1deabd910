//! `/chats/{id}/messages`, `/read` and `/events`, plus the authorization matrix of
//! every chat and message route.

mod authorization;
mod history;
mod read_state;
mod send;
mod ttl;
mod write;
