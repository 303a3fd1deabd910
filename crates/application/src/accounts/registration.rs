//! Who may create an account through `POST /auth/register`: anyone, holders of an
//! admin's invite, or nobody (`CONFAB_REGISTRATION`).

use std::sync::Arc;

use super::AccountService;
use crate::ports::AdminRepository;

/// The registration policy of the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RegistrationPolicy {
    /// Anyone may register.
    #[default]
    Open,
    /// Registering needs an unused, unexpired invite made by an admin.
    Invite,
    /// Only admins create accounts.
    Closed,
}

impl RegistrationPolicy {
    /// Reads `open`, `invite` or `closed`.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "open" => Some(Self::Open),
            "invite" => Some(Self::Invite),
            "closed" => Some(Self::Closed),
            _ => None,
        }
    }

    /// The configuration value naming this policy.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Invite => "invite",
            Self::Closed => "closed",
        }
    }
}

impl AccountService {
    /// The same service under `policy`; `invites` redeems invite tokens.
    #[must_use]
    pub fn with_registration(
        mut self,
        policy: RegistrationPolicy,
        invites: Arc<dyn AdminRepository>,
    ) -> Self {
        self.registration = policy;
        self.invites = Some(invites);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::RegistrationPolicy;

    #[test]
    fn every_policy_reads_back_from_its_name_and_nothing_else_parses() {
        for policy in [
            RegistrationPolicy::Open,
            RegistrationPolicy::Invite,
            RegistrationPolicy::Closed,
        ] {
            assert_eq!(RegistrationPolicy::parse(policy.as_str()), Some(policy));
        }
        assert_eq!(RegistrationPolicy::parse("Open"), None);
        assert_eq!(RegistrationPolicy::parse(""), None);
    }
}
