//! The SMTP mailer (lettre over tokio and rustls): `smtps://` is implicit TLS,
//! `smtp://…?tls=starttls` requires STARTTLS, plain `smtp://` is unencrypted (for
//! tests and local relays); user and password come from the URL.

use async_trait::async_trait;
use confab_application::ports::{MailError, Mailer, OutgoingMail};
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use thiserror::Error;

use super::message::mime;

/// A mailer's settings could not be understood.
#[derive(Debug, Error)]
pub enum MailSetupError {
    /// `CONFAB_SMTP_URL` is not an SMTP URL lettre takes.
    #[error("invalid SMTP URL")]
    Url(#[source] lettre::transport::smtp::Error),
    /// `CONFAB_MAIL_FROM` is not a mailbox (`confab@example.com` or `Name <…>`).
    #[error("invalid sender address")]
    From(#[source] lettre::address::AddressError),
}

/// Parses a sender like `confab@example.com` or `confab <confab@example.com>`.
///
/// # Errors
/// [`MailSetupError::From`] when it is not a mailbox.
pub(super) fn sender(from: &str) -> Result<Mailbox, MailSetupError> {
    from.parse().map_err(MailSetupError::From)
}

/// [`Mailer`] over SMTP.
#[derive(Clone)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The transport holds the credentials.
        f.debug_struct("SmtpMailer")
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

impl SmtpMailer {
    /// A mailer for `url` sending as `from`. Nothing connects until the first mail.
    ///
    /// # Errors
    /// [`MailSetupError`] when `url` is not an `smtp://` or `smtps://` URL lettre
    /// takes, or `from` is not a mailbox.
    pub fn new(url: &str, from: &str) -> Result<Self, MailSetupError> {
        let from = sender(from)?;
        // confab's spelling of "STARTTLS required" is lettre's `tls=required`.
        let url = url.replace("tls=starttls", "tls=required");
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&url)
            .map_err(MailSetupError::Url)?
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        Ok(Self { transport, from })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, mail: &OutgoingMail) -> Result<(), MailError> {
        let message = mime(&self.from, mail)?;
        self.transport
            .send(message)
            .await
            .map_err(|error| MailError(Box::new(error)))?;
        tracing::debug!(to = %mail.to, subject = %mail.subject, "mail sent over SMTP");
        Ok(())
    }
}
