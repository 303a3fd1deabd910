//! Mail: composing account mails from templates, and sending one rendered mail.

use async_trait::async_trait;
use confab_domain::Email;
use thiserror::Error;

/// One rendered mail, ready to send. Its bodies hold links with live tokens, so
/// `Debug` shows only the recipient and the subject.
#[derive(Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    /// The recipient (checked by [`Email::parse`], so it holds no CR or LF).
    pub to: Email,
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML body.
    pub html: String,
}

impl std::fmt::Debug for OutgoingMail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutgoingMail")
            .field("to", &self.to)
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

/// What an account mail says; the composer turns it into text and HTML.
#[derive(Clone, PartialEq, Eq)]
pub enum MailContent {
    /// "Confirm this address": a link to `/verify-email?token=…`, valid 24 hours.
    VerifyAddress {
        /// The account's username, to greet it by.
        username: String,
        /// The raw token of the link.
        token: String,
    },
    /// "Confirm your new address": sent to the pending address of an email change.
    ConfirmNewAddress {
        /// The account's username.
        username: String,
        /// The raw token of the link.
        token: String,
    },
    /// "Your address is being changed": sent to the old address, no link.
    EmailChangeNotice {
        /// The account's username.
        username: String,
        /// The address the change is to.
        new_email: String,
    },
    /// "Reset your password": a link to `/reset-password?token=…`, valid 1 hour.
    ResetPassword {
        /// The account's username.
        username: String,
        /// The raw token of the link.
        token: String,
    },
    /// "You are invited": a link to `/register?invite=…`, valid as long as the invite.
    Invite {
        /// The username of the admin who made the invite.
        inviter: String,
        /// The raw invite token.
        token: String,
        /// How long the invite lasts from now.
        lasts: chrono::TimeDelta,
    },
}

impl std::fmt::Debug for MailContent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::VerifyAddress { .. } => "VerifyAddress",
            Self::ConfirmNewAddress { .. } => "ConfirmNewAddress",
            Self::EmailChangeNotice { .. } => "EmailChangeNotice",
            Self::ResetPassword { .. } => "ResetPassword",
            Self::Invite { .. } => "Invite",
        })
    }
}

/// Turns mail content into a rendered mail (templates compiled into the binary).
pub trait MailComposer: Send + Sync {
    /// The mail saying `content`, addressed to `to`. Pure computation, never fails.
    fn compose(&self, to: &Email, content: &MailContent) -> OutgoingMail;
}

/// Sending failed; the outbox keeps the mail and retries later.
#[derive(Debug, Error)]
#[error("sending mail failed: {0}")]
pub struct MailError(#[source] pub Box<dyn std::error::Error + Send + Sync + 'static>);

/// Hands one rendered mail to the outside world (an SMTP server, a directory).
#[async_trait]
pub trait Mailer: Send + Sync {
    /// Sends `mail` once.
    ///
    /// # Errors
    /// [`MailError`] when the mail could not be handed over; it may be retried.
    async fn send(&self, mail: &OutgoingMail) -> Result<(), MailError>;
}
