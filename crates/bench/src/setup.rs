//! Shared run state and the setup steps every scenario needs: unique users and chats.

use std::collections::HashSet;
use std::time::{SystemTime, UNIX_EPOCH};

use futures_util::{StreamExt, stream};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use crate::client::{Account, Api, ApiError};
use crate::progress;
use crate::ws;

/// A setup step failed; the scenario cannot be measured.
#[derive(Debug, thiserror::Error)]
#[error("setup: {what}: {source}")]
pub(crate) struct SetupError {
    what: &'static str,
    #[source]
    source: ApiError,
}

impl SetupError {
    /// Wraps an API error with the step it happened in.
    pub(crate) fn new(what: &'static str, source: ApiError) -> Self {
        Self { what, source }
    }
}

/// What every scenario of one run shares.
pub(crate) struct Run {
    /// The HTTP client.
    pub(crate) api: Api,
    /// `ws://host:port/api/v1/ws`.
    pub(crate) ws_url: String,
    /// Prefix making this run's usernames unique.
    pub(crate) id: String,
    /// Seed for every random choice.
    pub(crate) seed: u64,
    /// The server's process id, when it runs on this machine and was given.
    pub(crate) server_pid: Option<u32>,
}

impl Run {
    /// State for a run against `base`; `run_id` defaults to a time-derived one.
    pub(crate) fn new(
        base: &str,
        seed: u64,
        run_id: Option<String>,
        server_pid: Option<u32>,
    ) -> Result<Self, ApiError> {
        Ok(Self {
            api: Api::new(base)?,
            ws_url: ws::socket_url(base),
            id: run_id.unwrap_or_else(default_run_id),
            seed,
            server_pid,
        })
    }

    /// A seeded generator for one purpose (`stream` separates the purposes).
    pub(crate) fn rng(&self, stream: u64) -> StdRng {
        StdRng::seed_from_u64(self.seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    /// Registers `count` users named `b<run>_<tag><i>`, `concurrency` at a time.
    pub(crate) async fn register(
        &self,
        tag: &str,
        count: usize,
        concurrency: usize,
    ) -> Result<Vec<Account>, SetupError> {
        let bar = progress::counter(&format!("{tag}: users"), count as u64);
        let names: Vec<String> = (0..count)
            .map(|i| format!("b{}_{tag}{i}", self.id))
            .collect();
        let results: Vec<Result<Account, ApiError>> = stream::iter(names)
            .map(|name| {
                let (api, bar) = (self.api.clone(), bar.clone());
                async move {
                    let account = api.register(&name).await;
                    bar.inc(1);
                    account
                }
            })
            .buffered(concurrency.max(1))
            .collect()
            .await;
        bar.finish_and_clear();
        results
            .into_iter()
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| SetupError::new("register users", e))
    }
}

/// Run ids: the low 32 bits of the Unix time in milliseconds, in hex. Two runs
/// started within the same millisecond would collide; pass `--run-id` then.
fn default_run_id() -> String {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    format!("{:08x}", millis & 0xFFFF_FFFF)
}

/// A member of a chat who may send into it: (account index, chat id).
pub(crate) type Membership = (usize, String);

/// Creates `chats` chats among `users`: half direct (distinct random pairs), half
/// groups of `group_size` random members. Returns every (member, chat) pair.
pub(crate) async fn create_chats(
    run: &Run,
    users: &[Account],
    chats: usize,
    group_size: usize,
) -> Result<Vec<Membership>, SetupError> {
    let mut rng = run.rng(1);
    let mut memberships = Vec::new();
    let bar = progress::counter("chats", chats as u64);
    let directs = chats / 2;
    let mut pairs = HashSet::new();
    // Distinct pairs bound the loop: give up on directs when the users run out of pairs.
    let max_pairs = users.len() * users.len().saturating_sub(1) / 2;
    while pairs.len() < directs.min(max_pairs) {
        let a = rng.random_range(0..users.len());
        let b = rng.random_range(0..users.len());
        if a == b || !pairs.insert((a.min(b), a.max(b))) {
            continue;
        }
        let chat = run
            .api
            .direct_chat(&users[a], &users[b].id)
            .await
            .map_err(|e| SetupError::new("create direct chat", e))?;
        memberships.push((a, chat.clone()));
        memberships.push((b, chat));
        bar.inc(1);
    }
    for g in 0..chats - directs {
        let mut members: Vec<usize> = (0..users.len()).collect();
        members.shuffle(&mut rng);
        members.truncate(group_size.clamp(1, users.len()));
        let ids: Vec<String> = members[1..].iter().map(|&i| users[i].id.clone()).collect();
        let chat = run
            .api
            .group_chat(&users[members[0]], &format!("bench group {g}"), &ids)
            .await
            .map_err(|e| SetupError::new("create group", e))?;
        memberships.extend(members.into_iter().map(|i| (i, chat.clone())));
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(memberships)
}
