//! The SMTP mailer (lettre over tokio and rustls): `smtps://` is implicit TLS,
//! `smtp://…?tls=starttls` requires STARTTLS, plain `smtp://` is unencrypted (for
//! tests and local relays); user and password come from the URL.

use async_trait::async_trait;
use confab_application::ports::{MailError, Mailer, OutgoingMail};
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use thiserror::Error;

use super::message::mime;

/// The SMTP URL could not be understood.
#[derive(Debug, Error)]
#[error("invalid SMTP URL: {0}")]
pub struct SmtpUrlError(#[source] lettre::transport::smtp::Error);

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
    /// [`SmtpUrlError`] when `url` is not an `smtp://` or `smtps://` URL lettre takes.
    pub fn new(url: &str, from: Mailbox) -> Result<Self, SmtpUrlError> {
        // confab's spelling of "STARTTLS required" is lettre's `tls=required`.
        let url = url.replace("tls=starttls", "tls=required");
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&url)
            .map_err(SmtpUrlError)?
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
