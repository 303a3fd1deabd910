//! Who may do what in a chat: pure rules, decided before anything is written.

use thiserror::Error;

use crate::chat::{ChatKind, MemberRole};
use crate::ids::UserId;

/// Why an action on a chat is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum Denied {
    /// The action exists only for groups.
    #[error("this action is only possible in group chats")]
    NotAGroup,
    /// The actor's role does not allow it.
    #[error("your role in this chat does not allow this")]
    Forbidden,
}

/// A member acting in a chat: who they are and their role (`None` in direct chats).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    /// The acting user.
    pub user_id: UserId,
    /// Their role; `None` in direct chats.
    pub role: Option<MemberRole>,
}

impl Actor {
    fn manages(self) -> bool {
        self.role.is_some_and(MemberRole::is_manager)
    }

    fn is_owner(self) -> bool {
        self.role == Some(MemberRole::Owner)
    }
}

fn group_only(kind: ChatKind) -> Result<(), Denied> {
    match kind {
        ChatKind::Group => Ok(()),
        ChatKind::Direct => Err(Denied::NotAGroup),
    }
}

fn allow_if(allowed: bool) -> Result<(), Denied> {
    if allowed {
        Ok(())
    } else {
        Err(Denied::Forbidden)
    }
}

/// Renaming: groups only, by an admin or the owner.
pub fn may_rename(kind: ChatKind, actor: Actor) -> Result<(), Denied> {
    group_only(kind)?;
    allow_if(actor.manages())
}

/// Setting the message lifetime: either member of a direct chat; an admin or the
/// owner of a group.
pub fn may_set_ttl(kind: ChatKind, actor: Actor) -> Result<(), Denied> {
    match kind {
        ChatKind::Direct => Ok(()),
        ChatKind::Group => allow_if(actor.manages()),
    }
}

/// Adding members: groups only, by an admin or the owner.
pub fn may_add_members(kind: ChatKind, actor: Actor) -> Result<(), Denied> {
    group_only(kind)?;
    allow_if(actor.manages())
}

/// Removing `target`: anyone may leave; the owner removes anyone; an admin removes
/// plain members. Direct chats cannot be left.
pub fn may_remove_member(kind: ChatKind, actor: Actor, target: Actor) -> Result<(), Denied> {
    group_only(kind)?;
    if actor.user_id == target.user_id {
        return Ok(());
    }
    match (actor.role, target.role) {
        (Some(MemberRole::Owner), _) | (Some(MemberRole::Admin), Some(MemberRole::Member)) => {
            Ok(())
        }
        _ => Err(Denied::Forbidden),
    }
}

/// Changing `target`'s role to `new_role`: groups only, by the owner only. The owner
/// cannot demote itself; it hands ownership over by making someone else `owner`.
pub fn may_change_role(
    kind: ChatKind,
    actor: Actor,
    target: Actor,
    new_role: MemberRole,
) -> Result<(), Denied> {
    group_only(kind)?;
    allow_if(actor.is_owner())?;
    let demotes_itself = actor.user_id == target.user_id && new_role != MemberRole::Owner;
    allow_if(!demotes_itself)
}

/// Editing a message: its author only.
pub fn may_edit_message(actor: Actor, author: UserId) -> Result<(), Denied> {
    allow_if(actor.user_id == author)
}

/// Deleting a message: its author, or an admin or the owner of a group.
pub fn may_delete_message(kind: ChatKind, actor: Actor, author: UserId) -> Result<(), Denied> {
    allow_if(actor.user_id == author || (kind == ChatKind::Group && actor.manages()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use MemberRole::{Admin, Member, Owner};

    fn actor(role: Option<MemberRole>) -> Actor {
        Actor {
            user_id: UserId::generate(),
            role,
        }
    }

    const ROLES: [MemberRole; 3] = [Owner, Admin, Member];

    #[test]
    fn group_management_needs_admin_or_owner() {
        for role in ROLES {
            let expected = if role == Member {
                Err(Denied::Forbidden)
            } else {
                Ok(())
            };
            let a = actor(Some(role));
            assert_eq!(
                may_rename(ChatKind::Group, a),
                expected,
                "rename by {role:?}"
            );
            assert_eq!(may_set_ttl(ChatKind::Group, a), expected, "ttl by {role:?}");
            assert_eq!(
                may_add_members(ChatKind::Group, a),
                expected,
                "add by {role:?}"
            );
        }
    }

    #[test]
    fn direct_chats_allow_ttl_but_nothing_group_only() {
        let a = actor(None);
        let b = actor(None);
        assert_eq!(may_set_ttl(ChatKind::Direct, a), Ok(()));
        assert_eq!(may_rename(ChatKind::Direct, a), Err(Denied::NotAGroup));
        assert_eq!(may_add_members(ChatKind::Direct, a), Err(Denied::NotAGroup));
        assert_eq!(
            may_remove_member(ChatKind::Direct, a, a),
            Err(Denied::NotAGroup)
        );
        assert_eq!(
            may_remove_member(ChatKind::Direct, a, b),
            Err(Denied::NotAGroup)
        );
        assert_eq!(
            may_change_role(ChatKind::Direct, a, b, Admin),
            Err(Denied::NotAGroup)
        );
    }

    #[test]
    fn removal_matrix_covers_every_role_pair() {
        for actor_role in ROLES {
            for target_role in ROLES {
                let expected = match (actor_role, target_role) {
                    (Owner, _) | (Admin, Member) => Ok(()),
                    _ => Err(Denied::Forbidden),
                };
                let got = may_remove_member(
                    ChatKind::Group,
                    actor(Some(actor_role)),
                    actor(Some(target_role)),
                );
                assert_eq!(got, expected, "{actor_role:?} removes {target_role:?}");
            }
            let me = actor(Some(actor_role));
            assert_eq!(
                may_remove_member(ChatKind::Group, me, me),
                Ok(()),
                "{actor_role:?} leaves"
            );
        }
    }

    #[test]
    fn only_the_owner_changes_roles_and_never_demotes_itself() {
        for actor_role in ROLES {
            for target_role in ROLES {
                for new_role in ROLES {
                    let got = may_change_role(
                        ChatKind::Group,
                        actor(Some(actor_role)),
                        actor(Some(target_role)),
                        new_role,
                    );
                    let expected = if actor_role == Owner {
                        Ok(())
                    } else {
                        Err(Denied::Forbidden)
                    };
                    assert_eq!(
                        got, expected,
                        "{actor_role:?} sets {target_role:?} to {new_role:?}"
                    );
                }
            }
        }
        let owner = actor(Some(Owner));
        assert_eq!(
            may_change_role(ChatKind::Group, owner, owner, Admin),
            Err(Denied::Forbidden)
        );
        assert_eq!(
            may_change_role(ChatKind::Group, owner, owner, Member),
            Err(Denied::Forbidden)
        );
        assert_eq!(
            may_change_role(ChatKind::Group, owner, owner, Owner),
            Ok(())
        );
    }

    #[test]
    fn editing_is_for_the_author_only() {
        for role in [None, Some(Owner), Some(Admin), Some(Member)] {
            let author = actor(role);
            assert_eq!(may_edit_message(author, author.user_id), Ok(()));
            assert_eq!(
                may_edit_message(actor(role), author.user_id),
                Err(Denied::Forbidden)
            );
        }
    }

    #[test]
    fn deleting_is_for_the_author_or_group_managers() {
        let author = UserId::generate();
        for role in ROLES {
            let expected = if role == Member {
                Err(Denied::Forbidden)
            } else {
                Ok(())
            };
            assert_eq!(
                may_delete_message(ChatKind::Group, actor(Some(role)), author),
                expected
            );
            let own = Actor {
                user_id: author,
                role: Some(role),
            };
            assert_eq!(may_delete_message(ChatKind::Group, own, author), Ok(()));
        }
        assert_eq!(
            may_delete_message(ChatKind::Direct, actor(None), author),
            Err(Denied::Forbidden)
        );
        let own = Actor {
            user_id: author,
            role: None,
        };
        assert_eq!(may_delete_message(ChatKind::Direct, own, author), Ok(()));
    }
}
