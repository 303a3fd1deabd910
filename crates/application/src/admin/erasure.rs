//! The rest of an account's deletion, done by a background job in bounded batches
//! after `DELETE /me` or the admin route has marked the account deleted: its profile
//! blanked, its messages tombstoned, its groups left, its uploads deleted, then the
//! account marked erased; 30 days after the deletion its username and email are
//! released.
//!
//! Every batch is one write transaction, and what is left to do is read from the
//! data (see [`ErasureRepository`]), so the job can die anywhere (`kill -9`) and the
//! next run, on any node, carries on without losing or repeating a step. Several
//! nodes may run the job at once: each step checks its rows again under the locks
//! the write takes.
//!
//! The order, one account at a time (the oldest deletion first):
//! 1. The profile is blanked first: it is one small write, and from then on every
//!    member list, message author and profile shows `deleted user`, while the
//!    slower steps below run.
//! 2. The messages are tombstoned before the groups are left, so the members who
//!    keep a group see each tombstone land in a chat they still share with the
//!    author, in one log; and a group the account leaves last is deleted with its
//!    messages, which no longer holds any text of the account by then either.
//! 3. The groups are left through the chat repository's own leave (the usual owner
//!    hand-over, `member.updated` then `member.removed`). Direct chats are kept: the
//!    other person keeps the conversation, with a deleted user whose messages are
//!    tombstones.
//! 4. The uploads go after the messages, so no live message still points at a file
//!    whose row is gone; the file clean-up sweeps their blobs.
//! 5. `erased_at` is set last: it says every step above found nothing left.
//! 6. Only then, and once [`NAME_HOLD`] has passed since the deletion, the username
//!    and email are released (renamed to [`released_name`](crate::ports::released_name)).

use std::sync::Arc;

use chrono::TimeDelta;
use confab_domain::permissions::Denied;
use confab_domain::{ChatId, ChatKind, DisplayName, UserId};

use crate::error::RepositoryError;
use crate::ports::{
    ChatRepository, Clock, ErasureRepository, EventBus, Guard, GuardedWriteError, LockedChat,
    Refusal,
};
use crate::publish::publish;

/// How long a deleted account's username and email stay taken (nobody can pose as
/// the deleted user in the chats that still show their name meanwhile).
pub const NAME_HOLD: TimeDelta = TimeDelta::days(30);

/// The display name every erased account shows.
pub const ERASED_DISPLAY_NAME: &str = "deleted user";

/// What one batch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErasureBatch {
    /// The account's profile was blanked.
    ProfileBlanked(UserId),
    /// This many of the account's messages became tombstones.
    MessagesTombstoned(UserId, usize),
    /// The account left this group.
    GroupLeft(UserId, ChatId),
    /// This many of the account's uploads were deleted.
    UploadsDeleted(UserId, u64),
    /// Nothing was left to do for the account: it is marked erased.
    Erased(UserId),
    /// This many erased accounts had their username and email released.
    NamesReleased(u64),
}

/// The erasure job's use case. Cheap to clone: it only holds shared ports.
#[derive(Clone)]
pub struct ErasureService {
    erasure: Arc<dyn ErasureRepository>,
    chats: Arc<dyn ChatRepository>,
    clock: Arc<dyn Clock>,
    events: Arc<dyn EventBus>,
    display_name: DisplayName,
    batch: u64,
}

/// The rule of the leave an erasure makes: the account leaves a group it is in
/// (`actor` and target are the account).
fn leaving(locked: &LockedChat) -> Result<(), Refusal> {
    if locked.kind == ChatKind::Direct {
        return Err(Denied::NotAGroup.into());
    }
    locked.target.map(|_| ()).ok_or(Refusal::TargetNotMember)
}

fn erased_display_name() -> DisplayName {
    DisplayName::parse(ERASED_DISPLAY_NAME).expect("the erased display name is a valid name")
}

impl ErasureService {
    /// Wires the job to its ports; `batch` bounds the rows one batch writes (at
    /// least 1).
    pub fn new(
        erasure: Arc<dyn ErasureRepository>,
        chats: Arc<dyn ChatRepository>,
        clock: Arc<dyn Clock>,
        events: Arc<dyn EventBus>,
        batch: u64,
    ) -> Self {
        Self {
            erasure,
            chats,
            clock,
            events,
            display_name: erased_display_name(),
            batch: batch.max(1),
        }
    }

    /// Runs batches until nothing is left or `limit` batches ran, and returns how
    /// many ran. Stopping after `limit` (tests do, to play a crash) leaves nothing
    /// half done: each batch committed or did nothing.
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails; the batches before it stay done.
    pub async fn run_batches(&self, limit: u64) -> Result<u64, RepositoryError> {
        let mut ran = 0;
        while ran < limit && self.run_batch().await?.is_some() {
            ran += 1;
        }
        Ok(ran)
    }

    /// Runs the next batch of work, `None` when there is none.
    ///
    /// # Errors
    /// [`RepositoryError`] when storage fails; the batch wrote nothing then.
    pub async fn run_batch(&self) -> Result<Option<ErasureBatch>, RepositoryError> {
        let now = self.clock.now();
        let Some(user) = self.erasure.next_to_erase().await? else {
            let released = self
                .erasure
                .release_names(now - NAME_HOLD, self.batch)
                .await?;
            return Ok((released > 0).then_some(ErasureBatch::NamesReleased(released)));
        };
        if self
            .erasure
            .blank_profile(user, &self.display_name, now)
            .await?
        {
            return Ok(Some(ErasureBatch::ProfileBlanked(user)));
        }
        let entries = self
            .erasure
            .tombstone_messages(user, now, self.batch)
            .await?;
        if !entries.is_empty() {
            let count = entries.len();
            publish(self.events.as_ref(), entries).await;
            return Ok(Some(ErasureBatch::MessagesTombstoned(user, count)));
        }
        if let Some(&chat_id) = self.erasure.groups_of(user, 1).await?.first() {
            self.leave(user, chat_id).await?;
            return Ok(Some(ErasureBatch::GroupLeft(user, chat_id)));
        }
        let deleted = self.erasure.delete_uploads(user, self.batch).await?;
        if deleted > 0 {
            return Ok(Some(ErasureBatch::UploadsDeleted(user, deleted)));
        }
        self.erasure.mark_erased(user, now).await?;
        tracing::info!(user_id = %user, "deleted account erased");
        Ok(Some(ErasureBatch::Erased(user)))
    }

    /// Leaves `chat_id` as the member would: the repository's leave, with the owner
    /// hand-over, and its entries published.
    async fn leave(&self, user: UserId, chat_id: ChatId) -> Result<(), RepositoryError> {
        let guard = Guard {
            actor: user,
            server_admin: None,
            rule: &leaving,
        };
        match self
            .chats
            .remove_member(chat_id, user, self.clock.now(), &guard)
            .await
        {
            Ok(removal) => {
                publish(self.events.as_ref(), removal.events).await;
                Ok(())
            }
            // Removed by someone else (or the chat deleted) since it was listed:
            // the account is out of the group all the same.
            Err(GuardedWriteError::Refused(_)) => Ok(()),
            Err(GuardedWriteError::Storage(error)) => Err(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_erased_display_name_is_a_valid_display_name() {
        assert_eq!(erased_display_name().as_str(), ERASED_DISPLAY_NAME);
    }
}
