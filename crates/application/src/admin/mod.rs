//! Running the server: admins manage accounts (create, disable, enable, delete, the
//! admin role), invites, any chat's members and messages, and read the audit log and the
//! stats. Every use case called from
//! the API starts with [`AdminService::require_admin`], before anything is looked up;
//! the `confab admin` shell commands act with no admin (`admin_id` null in the log).
//! The one exception is `DELETE /me` (`delete_own_account`), which any signed-in
//! user may call: it shares the deletion with the admin route.

mod chats;
mod deletion;
mod delivery;
mod erasure;
mod errors;
mod invites;
mod overview;
mod users;

use std::sync::Arc;

use confab_domain::UserId;

pub use erasure::{ERASED_DISPLAY_NAME, ErasureBatch, ErasureService, NAME_HOLD};
pub use errors::{AdminError, DeleteAccountError};
pub use invites::{
    CreatedInvite, DEFAULT_INVITE_SECONDS, InviteInput, MAX_INVITE_SECONDS, MIN_INVITE_SECONDS,
};
pub use overview::Stats;
pub use users::NewAccountInput;

use crate::accounts::Authenticated;
use crate::chats::ChatService;
use crate::email::EmailService;
use crate::messages::MessageService;
use crate::ports::{
    AdminRepository, AuditAction, Clock, EventBus, NewAuditEntry, PasswordHasher, TokenService,
    UserRepository,
};

/// The admin use cases. Cheap to clone: it only holds shared ports.
#[derive(Clone)]
pub struct AdminService {
    users: Arc<dyn UserRepository>,
    admin: Arc<dyn AdminRepository>,
    hasher: Arc<dyn PasswordHasher>,
    tokens: Arc<dyn TokenService>,
    clock: Arc<dyn Clock>,
    events: Arc<dyn EventBus>,
    /// Chat writes on an admin's behalf go through the chat use cases (their guards,
    /// their log entries, their publishing).
    chats: ChatService,
    /// Likewise for messages.
    messages: MessageService,
    /// When set, accounts created without a password get a set-password link.
    mail: Option<EmailService>,
}

impl AdminService {
    /// Wires the service to its ports and the chat and message use cases.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        users: Arc<dyn UserRepository>,
        admin: Arc<dyn AdminRepository>,
        hasher: Arc<dyn PasswordHasher>,
        tokens: Arc<dyn TokenService>,
        clock: Arc<dyn Clock>,
        events: Arc<dyn EventBus>,
        chats: ChatService,
        messages: MessageService,
    ) -> Self {
        Self {
            users,
            admin,
            hasher,
            tokens,
            clock,
            events,
            chats,
            messages,
            mail: None,
        }
    }

    /// Mails a set-password link to each account an admin creates without a password,
    /// and each invite made for an address.
    #[must_use]
    pub fn with_mail(mut self, email: EmailService) -> Self {
        self.mail = Some(email);
        self
    }

    /// Refuses anyone but an enabled admin.
    ///
    /// # Errors
    /// [`AdminError::Forbidden`] for everyone else; `Internal` when storage fails.
    pub async fn require_admin(&self, auth: &Authenticated) -> Result<(), AdminError> {
        match self.users.get(auth.user_id).await? {
            Some(user) if user.is_admin && user.disabled_at.is_none() => Ok(()),
            _ => Err(AdminError::Forbidden),
        }
    }

    /// The audit entry of `action` on `target` by `admin` (`None`: the shell), now.
    fn audit(&self, admin: Option<UserId>, action: AuditAction, target: String) -> NewAuditEntry {
        NewAuditEntry {
            admin_id: admin,
            action,
            target,
            at: self.clock.now(),
        }
    }
}

/// How the audit log names an account.
fn user_target(id: UserId) -> String {
    format!("user:{id}")
}

/// The `q` prefix (empty when absent) and page size of an admin list, both checked
/// at once so one answer names every refused parameter.
fn search_and_limit(
    q: Option<String>,
    limit: Option<i64>,
) -> Result<(String, crate::pagination::PageLimit), crate::error::ValidationErrors> {
    let mut errors = crate::error::ValidationErrors::default();
    let prefix = q.map(|q| errors.check("q", confab_domain::SearchPrefix::parse(q)));
    let limit = match crate::pagination::PageLimit::parse(limit) {
        Ok(limit) => Some(limit),
        Err(refused) => {
            errors.0.extend(refused.0);
            None
        }
    };
    errors.finish(|| {
        let prefix = match prefix {
            Some(parsed) => parsed?.as_str().to_owned(),
            None => String::new(),
        };
        Some((prefix, limit?))
    })
}
