//! Managing a group's members: adding, removing (or leaving), and changing roles.

use confab_domain::permissions::{Actor, may_add_members, may_change_role, may_remove_member};
use confab_domain::{ChatId, ChatKind, ChatView, Member, MemberRole, UserId};

use super::create::missing_users;
use super::{AddMembersError, ChangeRoleError, ChatService, RemoveMemberError, actor_of};
use crate::accounts::Authenticated;
use crate::error::RepositoryError;

impl ChatService {
    /// Adds users to a group as `member`; existing members are left as they are, and
    /// an empty list changes nothing either.
    #[tracing::instrument(skip(self, user_ids), fields(count = user_ids.len()))]
    pub async fn add_members(
        &self,
        auth: &Authenticated,
        chat_id: ChatId,
        user_ids: Vec<UserId>,
    ) -> Result<ChatView, AddMembersError> {
        let caller = auth.user_id;
        let membership = self
            .membership(chat_id, caller)
            .await?
            .ok_or(AddMembersError::ChatNotFound)?;
        may_add_members(membership.chat.kind, actor_of(caller, &membership))?;
        let missing = missing_users(&user_ids, &self.users.existing(&user_ids).await?);
        if !missing.is_empty() {
            return Err(AddMembersError::UserNotFound(missing));
        }
        if !user_ids.is_empty() {
            let now = self.clock.now();
            let events = self.chats.add_members(chat_id, &user_ids, now).await?;
            self.publish(events).await;
        }
        self.chats
            .view(chat_id, caller, self.clock.now())
            .await?
            .ok_or(AddMembersError::ChatNotFound)
    }

    /// Removes `target` from a group; `target == caller` means leaving. The owner
    /// removes anyone, an admin plain members.
    #[tracing::instrument(skip(self))]
    pub async fn remove_member(
        &self,
        auth: &Authenticated,
        chat_id: ChatId,
        target: UserId,
    ) -> Result<(), RemoveMemberError> {
        let caller = auth.user_id;
        let membership = self
            .membership(chat_id, caller)
            .await?
            .ok_or(RemoveMemberError::ChatNotFound)?;
        if membership.chat.kind == ChatKind::Direct {
            return Err(RemoveMemberError::NotAGroup);
        }
        let target_role = if target == caller {
            membership.role
        } else {
            self.membership(chat_id, target)
                .await?
                .ok_or(RemoveMemberError::MemberNotFound)?
                .role
        };
        may_remove_member(
            membership.chat.kind,
            actor_of(caller, &membership),
            Actor {
                user_id: target,
                role: target_role,
            },
        )?;
        let removal = self
            .chats
            .remove_member(chat_id, target, self.clock.now())
            .await?;
        self.publish(removal.events).await;
        Ok(())
    }

    /// Sets `target`'s role (owner only). Making someone `owner` hands the group over
    /// and the old owner becomes `admin`. Returns the target as a member now.
    #[tracing::instrument(skip(self))]
    pub async fn change_role(
        &self,
        auth: &Authenticated,
        chat_id: ChatId,
        target: UserId,
        role: MemberRole,
    ) -> Result<Member, ChangeRoleError> {
        let caller = auth.user_id;
        let membership = self
            .membership(chat_id, caller)
            .await?
            .ok_or(ChangeRoleError::ChatNotFound)?;
        let target_membership = if target == caller {
            Some(membership.clone())
        } else {
            self.membership(chat_id, target).await?
        };
        // The rule is checked before the target's existence so a plain member learns
        // nothing more than "forbidden".
        may_change_role(
            membership.chat.kind,
            actor_of(caller, &membership),
            Actor {
                user_id: target,
                role: target_membership.as_ref().and_then(|m| m.role),
            },
            role,
        )?;
        if target_membership.is_none() {
            return Err(ChangeRoleError::MemberNotFound);
        }
        let events = self
            .chats
            .set_role(chat_id, target, role, self.clock.now())
            .await?;
        self.publish(events).await;
        let snapshot = self
            .chats
            .snapshot(chat_id)
            .await?
            .ok_or_else(|| RepositoryError::corrupt("chat vanished after a role change"))?;
        snapshot
            .members
            .into_iter()
            .find(|member| member.user_id == target)
            .ok_or(ChangeRoleError::MemberNotFound)
    }
}
