//! The outbox worker: claims due mails, sends them, and retries failures with
//! exponential backoff, keeping the attempts and the last error on the row.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use confab_application::RepositoryError;
use confab_application::ports::{Clock, MailOutbox, Mailer};
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

/// Counter of mails handed to the mailer.
pub const MAIL_SENT_TOTAL: &str = "mail_sent_total";
/// Counter of failed send attempts (each retry counts).
pub const MAIL_FAILED_TOTAL: &str = "mail_failed_total";
/// Gauge of mails waiting in the outbox.
pub const MAIL_OUTBOX_PENDING: &str = "mail_outbox_pending";

/// How long a claim keeps other workers off a mail: longer than any one send.
const CLAIM_LEASE: TimeDelta = TimeDelta::minutes(5);
/// The first retry waits this long; each further one twice as long.
const FIRST_BACKOFF: TimeDelta = TimeDelta::seconds(5);
/// No retry waits longer than this.
const MAX_BACKOFF: TimeDelta = TimeDelta::hours(1);
/// After this many failed attempts (about 11 hours in all) the mail is given up.
const MAX_ATTEMPTS: u32 = 16;
/// Mails claimed per round.
const BATCH: u64 = 20;

/// Sends the outbox through a mailer.
#[derive(Clone)]
pub struct OutboxWorker {
    outbox: Arc<dyn MailOutbox>,
    mailer: Arc<dyn Mailer>,
    clock: Arc<dyn Clock>,
}

/// The wait before retry number `attempts` (1 = the first retry).
fn backoff(attempts: u32) -> TimeDelta {
    let doublings = attempts.saturating_sub(1).min(20);
    let wait = FIRST_BACKOFF * 2_i32.saturating_pow(doublings);
    wait.min(MAX_BACKOFF)
}

impl OutboxWorker {
    /// A worker sending `outbox` through `mailer`, reading time from `clock`.
    pub fn new(
        outbox: Arc<dyn MailOutbox>,
        mailer: Arc<dyn Mailer>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            outbox,
            mailer,
            clock,
        }
    }

    /// One round: claims due mails until none is left and sends each. Returns how
    /// many were sent.
    ///
    /// # Errors
    /// [`RepositoryError`] when the outbox cannot be read or written; mails claimed
    /// and not recorded are retried when their claim runs out.
    pub async fn run_once(&self) -> Result<usize, RepositoryError> {
        let mut sent = 0;
        loop {
            let now = self.clock.now();
            let batch = self.outbox.claim(now, now + CLAIM_LEASE, BATCH).await?;
            if batch.is_empty() {
                break;
            }
            for queued in batch {
                match self.mailer.send(&queued.mail).await {
                    Ok(()) => {
                        self.outbox.mark_sent(queued.id, self.clock.now()).await?;
                        metrics::counter!(MAIL_SENT_TOTAL).increment(1);
                        sent += 1;
                    }
                    Err(error) => {
                        metrics::counter!(MAIL_FAILED_TOTAL).increment(1);
                        let attempts = queued.attempts + 1;
                        let now = self.clock.now();
                        let retry_at = (attempts < MAX_ATTEMPTS).then(|| now + backoff(attempts));
                        tracing::warn!(
                            error = &error as &dyn std::error::Error,
                            attempts,
                            gave_up = retry_at.is_none(),
                            "sending a mail failed"
                        );
                        let detail = error.to_string();
                        self.outbox
                            .mark_failed(queued.id, &detail, now, retry_at)
                            .await?;
                    }
                }
            }
        }
        let pending = self.outbox.pending().await?;
        #[allow(clippy::cast_precision_loss)] // a gauge; exact below 2^53 mails
        metrics::gauge!(MAIL_OUTBOX_PENDING).set(pending as f64);
        Ok(sent)
    }

    /// Runs a round every `every`, and at once whenever `queued` is notified (this
    /// node queued a mail), until `shutdown` changes or its sender is dropped.
    pub fn spawn(
        self,
        every: Duration,
        queued: Arc<Notify>,
        mut shutdown: watch::Receiver<bool>,
    ) -> JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                if let Err(error) = self.run_once().await {
                    tracing::warn!(
                        error = &error as &dyn std::error::Error,
                        "mail outbox round failed"
                    );
                }
                tokio::select! {
                    () = tokio::time::sleep(every) => {}
                    () = queued.notified() => {}
                    _ = shutdown.changed() => break,
                }
            }
            tracing::debug!("mail outbox worker stopped");
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_five_seconds_up_to_an_hour() {
        assert_eq!(backoff(1), TimeDelta::seconds(5));
        assert_eq!(backoff(2), TimeDelta::seconds(10));
        assert_eq!(backoff(4), TimeDelta::seconds(40));
        assert_eq!(backoff(12), MAX_BACKOFF);
        assert_eq!(backoff(u32::MAX), MAX_BACKOFF);
    }
}
