//! Managing a group's members: adding, removing (or leaving), and changing roles.

use confab_domain::permissions::{
    Actor, Denied, may_add_members, may_change_role, may_remove_member,
};
use confab_domain::{ChatId, ChatKind, ChatView, Member, MemberRole, UserId};

use super::{AddMembersError, ChangeRoleError, ChatService, RemoveMemberError};
use crate::accounts::Authenticated;
use crate::error::RepositoryError;
use crate::ports::{Guard, LockedChat, NewAuditEntry, Refusal};

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
        let guard = Guard {
            actor: caller,
            server_admin: None,
            rule: &|locked: &LockedChat| Ok(may_add_members(locked.kind, locked.actor)?),
        };
        let now = self.clock.now();
        let events = self
            .chats
            .add_members(chat_id, &user_ids, now, &guard)
            .await?;
        self.publish(events).await;
        self.chats
            .view(chat_id, caller, self.clock.now())
            .await?
            .ok_or(AddMembersError::ChatNotFound)
    }

    /// Adds users to any group on behalf of server admin `admin`, who need not be a
    /// member; each addition is logged as usual and `audit` is stored in the same
    /// transaction. Direct chats are refused (`NotAGroup`).
    #[tracing::instrument(skip(self, audit, user_ids), fields(count = user_ids.len()))]
    pub async fn add_members_as_server_admin(
        &self,
        admin: UserId,
        audit: &NewAuditEntry,
        chat_id: ChatId,
        user_ids: Vec<UserId>,
    ) -> Result<(), AddMembersError> {
        let guard = Guard {
            actor: admin,
            server_admin: Some(audit),
            rule: &|locked: &LockedChat| match locked.kind {
                ChatKind::Group => Ok(()),
                ChatKind::Direct => Err(Denied::NotAGroup.into()),
            },
        };
        let events = self
            .chats
            .add_members(chat_id, &user_ids, self.clock.now(), &guard)
            .await?;
        self.publish(events).await;
        Ok(())
    }

    /// Removes `target` from any group on behalf of server admin `admin` (the usual
    /// owner hand-over when it is the owner); logged as usual, with `audit` stored in
    /// the same transaction. Direct chats are refused (`NotAGroup`).
    #[tracing::instrument(skip(self, audit))]
    pub async fn remove_member_as_server_admin(
        &self,
        admin: UserId,
        audit: &NewAuditEntry,
        chat_id: ChatId,
        target: UserId,
    ) -> Result<(), RemoveMemberError> {
        let guard = Guard {
            actor: admin,
            server_admin: Some(audit),
            rule: &|locked: &LockedChat| {
                if locked.kind == ChatKind::Direct {
                    return Err(Denied::NotAGroup.into());
                }
                locked.target.map(|_| ()).ok_or(Refusal::TargetNotMember)
            },
        };
        let removal = self
            .chats
            .remove_member(chat_id, target, self.clock.now(), &guard)
            .await?;
        self.publish(removal.events).await;
        Ok(())
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
        let guard = Guard {
            actor: auth.user_id,
            server_admin: None,
            rule: &|locked: &LockedChat| {
                if locked.kind == ChatKind::Direct {
                    return Err(Denied::NotAGroup.into());
                }
                let target = locked.target.ok_or(Refusal::TargetNotMember)?;
                Ok(may_remove_member(locked.kind, locked.actor, target)?)
            },
        };
        let removal = self
            .chats
            .remove_member(chat_id, target, self.clock.now(), &guard)
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
        let guard = Guard {
            actor: auth.user_id,
            server_admin: None,
            // The rule is checked before the target's existence so a plain member
            // learns nothing more than "forbidden".
            rule: &|locked: &LockedChat| {
                let target_as_seen = Actor {
                    user_id: target,
                    role: locked.target.and_then(|member| member.role),
                };
                may_change_role(locked.kind, locked.actor, target_as_seen, role)?;
                locked.target.map(|_| ()).ok_or(Refusal::TargetNotMember)
            },
        };
        let events = self
            .chats
            .set_role(chat_id, target, role, self.clock.now(), &guard)
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
