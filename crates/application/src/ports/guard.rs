//! The permission check a write makes under its chat's lock.
//!
//! A service decides who may do what, but a decision made on what it read before the
//! write began can be stale by the time the write commits: a member removed (or
//! demoted) in between would still send, delete or add. So every chat write takes the
//! service's rule along as a [`Guard`], and the adapter runs it inside the write's
//! transaction, after taking the chat's lock, on the members as they are then. The
//! decision and the write are one step on every database.

use confab_domain::permissions::{Actor, Denied};
use confab_domain::{ChatKind, UserId};
use thiserror::Error;

use super::admin::NewAuditEntry;

/// The chat as a write finds it once it holds the chat's lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockedChat {
    /// Direct or group.
    pub kind: ChatKind,
    /// The acting user, a member (a non-member never reaches the rule), except for a
    /// server admin ([`Guard::server_admin`]), who is seen with role `None` when not a
    /// member.
    pub actor: Actor,
    /// The user the write is about (removed, promoted), `None` when the write has no
    /// target or the target is not a member.
    pub target: Option<Actor>,
}

/// The message an edit or delete is about, with its chat under lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockedMessage {
    /// The chat and the acting member.
    pub chat: LockedChat,
    /// Who wrote the message.
    pub author: UserId,
}

/// Why a guard refused a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum Refusal {
    /// The acting user is not a member of the chat (or the chat is gone).
    #[error("not a member of the chat")]
    NotMember,
    /// The write's target is not a member.
    #[error("the target is not a member")]
    TargetNotMember,
    /// The rule itself refused.
    #[error(transparent)]
    Denied(#[from] Denied),
}

/// The acting user and the rule a write must pass, checked by the adapter on the
/// locked state `S` ([`LockedChat`] or [`LockedMessage`]).
pub struct Guard<'a, S> {
    /// Who acts.
    pub actor: UserId,
    /// Set when a server admin acts (`/admin/chats/…`): the actor need not be a
    /// member, and once the rule passed the write stores this audit entry in its own
    /// transaction. `None` for a member acting on their own behalf.
    pub server_admin: Option<&'a NewAuditEntry>,
    /// The service's rule.
    pub rule: &'a (dyn Fn(&S) -> Result<(), Refusal> + Send + Sync),
}

impl<S> Guard<'_, S> {
    /// Runs the rule on `state`.
    ///
    /// # Errors
    /// The rule's [`Refusal`].
    pub fn check(&self, state: &S) -> Result<(), Refusal> {
        (self.rule)(state)
    }
}
