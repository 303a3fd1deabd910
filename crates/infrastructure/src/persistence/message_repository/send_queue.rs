//! Gathering concurrent sends into batches: one task takes whatever sends are
//! queued (at most [`MAX_BATCH`]), commits them together with [`send_batch`], and
//! answers each caller with its own result.
//!
//! Nothing waits on a timer: a lone send is taken at once, and while a batch
//! commits, the sends that arrive meanwhile queue up and make the next batch. So
//! under light load a send costs one task hop more than a direct transaction, and
//! under load one commit (one fsync) serves many sends.

use std::sync::{Arc, OnceLock};

use confab_application::RepositoryError;
use confab_application::ports::NewMessage;
use sea_orm::DatabaseConnection;
use tokio::sync::{mpsc, oneshot};

use super::send_batch::{SendAnswer, send_batch};

/// Most sends committed together: bounds a batch's statements (ten bound values per
/// message row keep 128 rows far below SQLite's and PostgreSQL's parameter limits)
/// and how long a batch holds its chats' locks.
const MAX_BATCH: usize = 128;

/// Sends waiting for a batch before new callers wait to join the queue.
const QUEUE_CAPACITY: usize = 4096;

/// A send waiting for its batch, with the way back to its caller.
struct Pending {
    new: NewMessage,
    answer: oneshot::Sender<SendAnswer>,
}

/// The queue in front of the database's send path, shared by every clone of the
/// repository. The committing task starts with the first send (so the repository can
/// be built outside a runtime) and ends when the last clone is dropped.
#[derive(Debug, Clone)]
pub(super) struct SendQueue {
    db: DatabaseConnection,
    queue: Arc<OnceLock<mpsc::Sender<Pending>>>,
}

/// The committing task is gone (the runtime is shutting down).
#[derive(Debug, thiserror::Error)]
#[error("the send queue has stopped")]
struct QueueStopped;

/// The transaction of the batch a send was in failed; the batch stored nothing.
#[derive(Debug, thiserror::Error)]
#[error("the send's batch failed: {0}")]
struct BatchFailed(String);

impl SendQueue {
    pub(super) fn new(db: DatabaseConnection) -> Self {
        Self {
            db,
            queue: Arc::new(OnceLock::new()),
        }
    }

    /// Queues `new` and waits for its batch's answer.
    pub(super) async fn send(&self, new: NewMessage) -> SendAnswer {
        let queue = self.queue.get_or_init(|| start(self.db.clone()));
        let (answer, answered) = oneshot::channel();
        queue
            .send(Pending { new, answer })
            .await
            .map_err(|_| RepositoryError::unavailable(QueueStopped))?;
        answered
            .await
            .map_err(|_| RepositoryError::unavailable(QueueStopped))?
    }
}

fn start(db: DatabaseConnection) -> mpsc::Sender<Pending> {
    let (queue, waiting) = mpsc::channel(QUEUE_CAPACITY);
    tokio::spawn(commit_batches(db, waiting));
    queue
}

/// Takes every queued send (up to [`MAX_BATCH`], waiting only when none is queued),
/// commits them as one batch and answers them, until the queue closes.
async fn commit_batches(db: DatabaseConnection, mut waiting: mpsc::Receiver<Pending>) {
    let mut taken = Vec::with_capacity(MAX_BATCH);
    while waiting.recv_many(&mut taken, MAX_BATCH).await > 0 {
        let (batch, answers): (Vec<NewMessage>, Vec<oneshot::Sender<SendAnswer>>) = taken
            .drain(..)
            .map(|pending| (pending.new, pending.answer))
            .unzip();
        match send_batch(&db, batch).await {
            Ok(results) => {
                for (answer, result) in answers.into_iter().zip(results) {
                    // A caller that gave up no longer listens; its send stands.
                    let _ = answer.send(result);
                }
            }
            Err(error) => {
                tracing::error!(?error, sends = answers.len(), "a batch of sends failed");
                for answer in answers {
                    let failed = BatchFailed(format!("{error:?}"));
                    let error = if error.is_unavailable() {
                        RepositoryError::unavailable(failed)
                    } else {
                        RepositoryError::new(failed)
                    };
                    let _ = answer.send(Err(error.into()));
                }
            }
        }
    }
}
