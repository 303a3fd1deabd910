//! Mail adapters: the templates ([`TemplateComposer`]), the two [`Mailer`]s (SMTP
//! and an outbox directory for machines without a mail server), and the background
//! worker that sends the outbox.
//!
//! [`Mailer`]: confab_application::ports::Mailer

mod composer;
mod directory;
mod message;
mod smtp;
mod worker;

pub use composer::TemplateComposer;
pub use directory::DirectoryMailer;
pub use smtp::{MailSetupError, SmtpMailer};
pub use worker::{MAIL_FAILED_TOTAL, MAIL_OUTBOX_PENDING, MAIL_SENT_TOTAL, OutboxWorker};
