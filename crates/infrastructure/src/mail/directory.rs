//! The mailer of a machine without a mail server: one `.eml` file per mail in a
//! directory, and the mail's link logged at `info`, so every flow can be walked.

use std::path::PathBuf;

use async_trait::async_trait;
use confab_application::ports::{MailError, Mailer, OutgoingMail};
use lettre::message::Mailbox;
use uuid::Uuid;

use super::message::mime;
use super::smtp::{MailSetupError, sender};

/// [`Mailer`] writing `<dir>/<time-ordered id>.eml`.
#[derive(Debug, Clone)]
pub struct DirectoryMailer {
    dir: PathBuf,
    from: Mailbox,
}

impl DirectoryMailer {
    /// Writes into `dir` (created on first use) with `from` as the sender.
    ///
    /// # Errors
    /// [`MailSetupError::From`] when `from` is not a mailbox.
    pub fn new(dir: impl Into<PathBuf>, from: &str) -> Result<Self, MailSetupError> {
        Ok(Self {
            dir: dir.into(),
            from: sender(from)?,
        })
    }
}

/// The first line of the text body that is a link, if any.
fn first_link(text: &str) -> Option<&str> {
    text.lines()
        .map(str::trim)
        .find(|line| line.starts_with("http://") || line.starts_with("https://"))
}

#[async_trait]
impl Mailer for DirectoryMailer {
    async fn send(&self, mail: &OutgoingMail) -> Result<(), MailError> {
        let message = mime(&self.from, mail)?;
        tokio::fs::create_dir_all(&self.dir)
            .await
            .map_err(|error| MailError(Box::new(error)))?;
        let path = self.dir.join(format!("{}.eml", Uuid::now_v7()));
        // Written under a temporary name and renamed, so a reader never sees half a mail.
        let partial = path.with_extension("eml.part");
        tokio::fs::write(&partial, message.formatted())
            .await
            .map_err(|error| MailError(Box::new(error)))?;
        tokio::fs::rename(&partial, &path)
            .await
            .map_err(|error| MailError(Box::new(error)))?;
        tracing::info!(
            to = %mail.to,
            subject = %mail.subject,
            link = first_link(&mail.text).unwrap_or("-"),
            path = %path.display(),
            "mail written to the outbox directory"
        );
        Ok(())
    }
}
