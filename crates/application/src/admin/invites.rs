//! Single-use registration invites: made, listed and revoked by admins, spent by
//! `POST /auth/register` on an invite-only server.

use chrono::TimeDelta;
use confab_domain::{Email, InviteId};

use super::{AdminError, AdminService};
use crate::accounts::Authenticated;
use crate::error::{InternalError, ValidationErrors};
use crate::pagination::{Page, PageLimit};
use crate::ports::{AuditAction, Invite, NewInvite};

/// How long an invite lasts when the admin does not say: 7 days.
pub const DEFAULT_INVITE_SECONDS: i64 = 7 * 24 * 3600;
/// The longest an invite may last: 90 days.
pub const MAX_INVITE_SECONDS: i64 = 90 * 24 * 3600;
/// The shortest an invite may last: a minute.
pub const MIN_INVITE_SECONDS: i64 = 60;

/// What an admin asks for.
#[derive(Debug, Clone, Default)]
pub struct InviteInput {
    /// Whom it is for; the invite is mailed there when mail is configured.
    pub email: Option<String>,
    /// Lifetime in seconds, 60..=7776000 (default 7 days).
    pub expires_in_seconds: Option<i64>,
}

/// A new invite with its token: the only time the token is shown.
#[derive(Clone)]
pub struct CreatedInvite {
    /// The stored invite.
    pub invite: Invite,
    /// What the invited person passes as `invite_token`.
    pub token: String,
}

impl std::fmt::Debug for CreatedInvite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedInvite")
            .field("invite", &self.invite)
            .finish_non_exhaustive()
    }
}

/// Reads an invite-list cursor: the id of the last invite of the previous page.
fn parse_cursor(cursor: Option<&str>) -> Result<Option<InviteId>, AdminError> {
    cursor
        .map(|raw| match raw.parse::<InviteId>() {
            Ok(id) if id.to_string() == raw => Ok(id),
            _ => Err(AdminError::InvalidCursor),
        })
        .transpose()
}

fn invite_target(id: InviteId) -> String {
    format!("invite:{id}")
}

impl AdminService {
    /// Makes a single-use invite and returns it with its token.
    ///
    /// # Errors
    /// `Forbidden`; `Validation` for a bad email or lifetime; `Internal`.
    #[tracing::instrument(skip_all, fields(user_id = %auth.user_id))]
    pub async fn create_invite(
        &self,
        auth: &Authenticated,
        input: InviteInput,
    ) -> Result<CreatedInvite, AdminError> {
        self.require_admin(auth).await?;
        let mut errors = ValidationErrors::default();
        let email = input
            .email
            .map(|email| errors.check("email", Email::parse(email)));
        let seconds = input.expires_in_seconds.unwrap_or(DEFAULT_INVITE_SECONDS);
        if !(MIN_INVITE_SECONDS..=MAX_INVITE_SECONDS).contains(&seconds) {
            errors.0.extend(
                ValidationErrors::single(
                    "expires_in_seconds",
                    "must be a whole number of seconds from 60 to 7776000 (90 days)",
                )
                .0,
            );
        }
        let email = errors.finish(|| match email {
            Some(parsed) => parsed.map(|email| Some(String::from(email))),
            None => Some(None),
        })?;
        let now = self.clock.now();
        let expires_at = TimeDelta::try_seconds(seconds)
            .and_then(|ttl| now.checked_add_signed(ttl))
            .ok_or(InternalError::Inconsistent("invite lifetime out of range"))?;
        let (token, token_hash) = self.tokens.new_refresh_token();
        let mails = self
            .invite_mail(auth, email.as_deref(), &token.0, expires_at - now)
            .await?;
        let id = InviteId::generate();
        let audit = self.audit(
            Some(auth.user_id),
            AuditAction::InviteCreated,
            invite_target(id),
        );
        let invite = self
            .admin
            .create_invite(
                NewInvite {
                    id,
                    token_hash,
                    email,
                    created_by: auth.user_id,
                    created_at: now,
                    expires_at,
                },
                audit,
                mails,
            )
            .await?;
        Ok(CreatedInvite {
            invite,
            token: token.0,
        })
    }

    /// Every invite, newest first (used, expired and revoked ones too).
    ///
    /// # Errors
    /// `Forbidden`; `Validation` for a bad `limit`; `InvalidCursor`; `Internal`.
    #[tracing::instrument(skip_all, fields(user_id = %auth.user_id))]
    pub async fn list_invites(
        &self,
        auth: &Authenticated,
        limit: Option<i64>,
        cursor: Option<String>,
    ) -> Result<Page<Invite>, AdminError> {
        self.require_admin(auth).await?;
        let limit = PageLimit::parse(limit)?;
        let before = parse_cursor(cursor.as_deref())?;
        let rows = self.admin.list_invites(before, limit.probe()).await?;
        Ok(Page::from_probe(rows, limit, |invite| {
            invite.id.to_string()
        }))
    }

    /// Revokes an invite nobody has used yet.
    ///
    /// # Errors
    /// `Forbidden`; `InviteNotFound` for an unknown, used or revoked invite;
    /// `Internal`.
    #[tracing::instrument(skip_all, fields(user_id = %auth.user_id, invite_id = %id))]
    pub async fn revoke_invite(
        &self,
        auth: &Authenticated,
        id: InviteId,
    ) -> Result<(), AdminError> {
        self.require_admin(auth).await?;
        let audit = self.audit(
            Some(auth.user_id),
            AuditAction::InviteRevoked,
            invite_target(id),
        );
        if self.admin.revoke_invite(id, audit).await? {
            Ok(())
        } else {
            Err(AdminError::InviteNotFound)
        }
    }
}
