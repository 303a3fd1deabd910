//! Background jobs: the reaper that deletes disappearing messages for good, the
//! file cleaner that deletes files nobody can reach any more, and the eraser that
//! finishes the deletion of accounts.

use std::sync::Arc;
use std::time::Duration;

use confab_application::admin::ErasureService;
use confab_application::files::FileService;
use confab_application::ports::{Clock, MessageRepository};
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

/// Starts the reaper: every `every`, it purges expired messages in batches of
/// `batch` until a batch comes back short, so one run never holds a long
/// transaction. It stops when `shutdown` changes or its sender is dropped.
pub fn spawn_reaper(
    messages: Arc<dyn MessageRepository>,
    clock: Arc<dyn Clock>,
    every: Duration,
    batch: u64,
    mut shutdown: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            reap(messages.as_ref(), clock.as_ref(), batch, &shutdown).await;
            tokio::select! {
                () = tokio::time::sleep(every) => {}
                _ = shutdown.changed() => break,
            }
        }
        tracing::debug!("message reaper stopped");
    })
}

/// One run: batches until one is short, stopping early on shutdown.
async fn reap(
    messages: &dyn MessageRepository,
    clock: &dyn Clock,
    batch: u64,
    shutdown: &watch::Receiver<bool>,
) {
    let batch = batch.max(1);
    loop {
        if *shutdown.borrow() || shutdown.has_changed().is_err() {
            return;
        }
        match messages.purge_expired(clock.now(), batch).await {
            Ok(purged) => {
                if purged > 0 {
                    tracing::info!(purged, "expired messages deleted");
                }
                if purged < batch {
                    return;
                }
            }
            Err(error) => {
                // Retried on the next tick; expired messages stay hidden meanwhile.
                tracing::warn!(
                    error = &error as &dyn std::error::Error,
                    "reaper run failed"
                );
                return;
            }
        }
    }
}

/// Starts the file cleaner: every `every`, one [`FileService::clean_up`] (stale
/// unattached uploads, then blobs no row names). A failed run is retried on the
/// next tick. It stops when `shutdown` changes or its sender is dropped.
pub fn spawn_file_cleaner(
    files: FileService,
    every: Duration,
    mut shutdown: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match files.clean_up().await {
                Ok(done) => {
                    if done.stale_uploads > 0 || done.orphan_blobs > 0 {
                        tracing::info!(
                            stale_uploads = done.stale_uploads,
                            orphan_blobs = done.orphan_blobs,
                            "unreachable files deleted"
                        );
                    }
                }
                Err(error) => tracing::warn!(
                    error = &error as &dyn std::error::Error,
                    "file clean-up failed"
                ),
            }
            tokio::select! {
                () = tokio::time::sleep(every) => {}
                _ = shutdown.changed() => break,
            }
        }
        tracing::debug!("file cleaner stopped");
    })
}

/// Starts the eraser: at start, every `every` and whenever `deleted` is notified (an
/// account deletion committed on this node), it runs [`ErasureService`] batches
/// until none is left, checking `shutdown` between batches. Its progress is in the
/// data, so a run cut short (a shutdown, a crash, a failed batch) is taken up by the
/// next one, here or on another node. It stops when `shutdown` changes or its
/// sender is dropped.
pub fn spawn_eraser(
    eraser: ErasureService,
    every: Duration,
    deleted: Arc<Notify>,
    mut shutdown: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            erase(&eraser, &shutdown).await;
            tokio::select! {
                () = tokio::time::sleep(every) => {}
                () = deleted.notified() => {}
                _ = shutdown.changed() => break,
            }
        }
        tracing::debug!("eraser stopped");
    })
}

/// One run: batches until none is left, stopping early on shutdown or an error.
async fn erase(eraser: &ErasureService, shutdown: &watch::Receiver<bool>) {
    let mut batches = 0_u64;
    loop {
        if *shutdown.borrow() || shutdown.has_changed().is_err() {
            break;
        }
        match eraser.run_batch().await {
            Ok(Some(batch)) => {
                batches += 1;
                tracing::debug!(?batch, "erasure batch");
            }
            Ok(None) => break,
            Err(error) => {
                // Retried on the next tick; nothing half done stays behind.
                tracing::warn!(
                    error = &error as &dyn std::error::Error,
                    "erasure run failed"
                );
                break;
            }
        }
    }
    if batches > 0 {
        tracing::info!(batches, "erasure run done");
    }
}
