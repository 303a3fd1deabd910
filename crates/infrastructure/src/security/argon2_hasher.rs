//! argon2id password hashing, kept off the async runtime and bounded in parallelism.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use argon2::password_hash::Error as PhcError;
use argon2::password_hash::phc::{self, Output, ParamsString, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use async_trait::async_trait;
use confab_application::ports::{HashError, PasswordHash, PasswordHasher};
use confab_domain::Password;
use rand::RngCore as _;
use tokio::sync::Semaphore;

/// OWASP's argon2id recommendation: 19 MiB of memory, 2 passes, 1 lane.
const MEMORY_KIB: u32 = 19_456;
const ITERATIONS: u32 = 2;
const LANES: u32 = 1;
/// Bytes of random salt per hash (the PHC recommendation) and of hash output.
const SALT_BYTES: usize = 16;
const OUTPUT_BYTES: usize = 32;

/// Hashes passwords with argon2id on tokio's blocking pool.
///
/// Only a few hashes run at a time (half the CPUs by default): each needs 19 MiB and a
/// full core, so a burst of logins queues here instead of exhausting memory and the
/// blocking pool, and the cores left over keep serving message traffic meanwhile.
#[derive(Clone)]
pub struct Argon2PasswordHasher {
    inner: Arc<Inner>,
}

struct Inner {
    params: Params,
    permits: Semaphore,
    /// argon2's 19 MiB of working memory, one buffer per hash running at once,
    /// reused by every hash. Allocated afresh per hash, glibc's per-thread arenas
    /// kept the freed blocks: the server's RSS went from 22 MB to 460 MB after one
    /// login storm and never came back.
    memory: Mutex<Vec<Vec<Block>>>,
    /// The hash unknown users are verified against, made once on first use.
    dummy: OnceLock<Result<String, PhcError>>,
}

impl std::fmt::Debug for Argon2PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Argon2PasswordHasher")
            .field("params", &self.inner.params)
            .finish_non_exhaustive()
    }
}

impl Default for Argon2PasswordHasher {
    fn default() -> Self {
        Self::new()
    }
}

impl Argon2PasswordHasher {
    /// How many hashes run at once unless configured: half the CPUs, at least one. A
    /// login storm then slows logins down rather than every other request.
    pub fn default_concurrency() -> NonZeroUsize {
        let cpus = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
        NonZeroUsize::new(cpus / 2).unwrap_or(NonZeroUsize::MIN)
    }

    /// A hasher with OWASP's argon2id parameters (m=19456 KiB, t=2, p=1), running
    /// [`Self::default_concurrency`] hashes at once.
    pub fn new() -> Self {
        Self::with_concurrency(Self::default_concurrency())
    }

    /// The same, running at most `concurrency` hashes at once.
    pub fn with_concurrency(concurrency: NonZeroUsize) -> Self {
        // The constants are within argon2's documented bounds, so this cannot fail;
        // the fallback keeps the constructor infallible all the same.
        let params = Params::new(MEMORY_KIB, ITERATIONS, LANES, None).unwrap_or_default();
        Self {
            inner: Arc::new(Inner {
                params,
                permits: Semaphore::new(concurrency.get()),
                memory: Mutex::new(Vec::new()),
                dummy: OnceLock::new(),
            }),
        }
    }

    /// Runs `work` on the blocking pool once a hashing permit is free.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Inner) -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let _permit = self
            .inner
            .permits
            .acquire()
            .await
            .map_err(|e| HashError(Box::new(e)))?;
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || work(&inner))
            .await
            .map_err(|e| HashError(Box::new(e)))
    }
}

impl Inner {
    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// Runs `work` on a pooled working-memory buffer of `blocks` blocks. Only a
    /// permit holder gets here, so the pool never holds more buffers than permits.
    fn with_memory<T>(&self, blocks: usize, work: impl FnOnce(&mut [Block]) -> T) -> T {
        let pooled = self
            .memory
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let mut buffer = pooled.unwrap_or_default();
        buffer.resize(blocks, Block::default());
        let result = work(&mut buffer);
        // Nothing derived from a password stays in memory between hashes.
        buffer.fill(Block::default());
        self.memory
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(buffer);
        result
    }

    /// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) for `password`.
    fn hash(&self, password: &[u8]) -> Result<String, PhcError> {
        let mut salt = [0_u8; SALT_BYTES];
        rand::rng().fill_bytes(&mut salt);
        let mut output = [0_u8; OUTPUT_BYTES];
        self.with_memory(self.params.block_count(), |memory| {
            self.argon2()
                .hash_password_into_with_memory(password, &salt, &mut output, memory)
        })?;
        let phc = phc::PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(&self.params)?,
            salt: Some(Salt::new(&salt)?),
            hash: Some(Output::new(&output)?),
        };
        Ok(phc.to_string())
    }

    /// `Ok(false)` for a wrong password; `Err` only for an unusable stored hash.
    /// The stored hash's own algorithm, version and parameters are used, so hashes
    /// made with other settings keep working.
    fn verify(&self, password: &[u8], stored: &str) -> Result<bool, PhcError> {
        let stored = phc::PasswordHash::new(stored)?;
        let (Some(salt), Some(expected)) = (&stored.salt, &stored.hash) else {
            return Ok(false);
        };
        let algorithm = Algorithm::try_from(stored.algorithm.as_str())?;
        let version = stored
            .version
            .map(Version::try_from)
            .transpose()?
            .unwrap_or_default();
        let params = Params::try_from(&stored)?;
        let argon2 = Argon2::new(algorithm, version, params.clone());
        let mut output = vec![0_u8; expected.len()];
        self.with_memory(params.block_count(), |memory| {
            argon2.hash_password_into_with_memory(password, salt, &mut output, memory)
        })?;
        // `Output` compares in constant time.
        Ok(Output::new(&output)? == *expected)
    }

    fn dummy(&self) -> Result<&str, PhcError> {
        self.dummy
            .get_or_init(|| self.hash(b"confab dummy password for unknown users"))
            .as_deref()
            .map_err(|e| *e)
    }
}

#[async_trait]
impl PasswordHasher for Argon2PasswordHasher {
    async fn hash(&self, password: &Password) -> Result<PasswordHash, HashError> {
        let secret = password.expose().to_owned();
        self.run(move |inner| inner.hash(secret.as_bytes()))
            .await?
            .map(PasswordHash::new)
            .map_err(|e| HashError(Box::new(e)))
    }

    async fn verify(
        &self,
        password: &Password,
        hash: Option<&PasswordHash>,
    ) -> Result<bool, HashError> {
        let secret = password.expose().to_owned();
        let stored = hash.map(|h| h.as_str().to_owned());
        self.run(move |inner| match stored {
            Some(phc) => inner.verify(secret.as_bytes(), &phc),
            // Spend the time of a real verification, then refuse whatever it says.
            None => inner
                .dummy()
                .and_then(|dummy| inner.verify(secret.as_bytes(), dummy))
                .map(|_| false),
        })
        .await?
        .map_err(|e| HashError(Box::new(e)))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;

    fn password(text: &str) -> Password {
        Password::parse(text).expect("valid password")
    }

    #[tokio::test]
    async fn hashes_with_argon2id_owasp_parameters_and_verifies() {
        let hasher = Argon2PasswordHasher::new();
        let started = Instant::now();
        let hash = hasher.hash(&password("correct horse")).await.expect("hash");
        // Printed so the cost of one hash shows with `--nocapture`.
        println!("one argon2id hash took {:?}", started.elapsed());
        assert!(
            hash.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{}",
            hash.as_str()
        );
        let right = hasher.verify(&password("correct horse"), Some(&hash)).await;
        let wrong = hasher.verify(&password("wrong horse!"), Some(&hash)).await;
        assert!(right.expect("verify"));
        assert!(!wrong.expect("verify"));
    }

    /// Runs four blocking jobs at once through a hasher limited to `limit`: the most
    /// that were ever running together.
    async fn most_running_at_once(limit: usize) -> usize {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let hasher = Argon2PasswordHasher::with_concurrency(
            NonZeroUsize::new(limit).expect("limit is positive"),
        );
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let jobs = (0..4).map(|_| {
            let (hasher, running, most) = (hasher.clone(), running.clone(), most.clone());
            async move {
                hasher
                    .run(move |_| {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(std::time::Duration::from_millis(50));
                        running.fetch_sub(1, Ordering::SeqCst);
                    })
                    .await
                    .expect("job ran");
            }
        });
        futures_util::future::join_all(jobs).await;
        most.load(Ordering::SeqCst)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn never_runs_more_hashes_at_once_than_configured() {
        assert_eq!(most_running_at_once(1).await, 1);
        assert_eq!(most_running_at_once(2).await, 2);
    }

    #[test]
    fn by_default_half_the_cpus_hash_at_once() {
        let cpus = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
        assert_eq!(
            Argon2PasswordHasher::default_concurrency().get(),
            (cpus / 2).max(1)
        );
    }

    #[tokio::test]
    async fn same_password_gets_a_fresh_salt_each_time() {
        let hasher = Argon2PasswordHasher::new();
        let first = hasher.hash(&password("same password")).await.expect("hash");
        let second = hasher.hash(&password("same password")).await.expect("hash");
        assert_ne!(first, second);
    }

    #[tokio::test]
    async fn unknown_user_is_refused_after_a_real_verification() {
        let hasher = Argon2PasswordHasher::new();
        // Even the dummy's own password must not let an unknown user in.
        let verdict = hasher
            .verify(&password("confab dummy password for unknown users"), None)
            .await;
        assert!(!verdict.expect("verify"));
        assert!(hasher.inner.dummy.get().is_some_and(Result::is_ok));
    }

    #[tokio::test]
    async fn malformed_stored_hash_is_an_error_not_a_mismatch() {
        let hasher = Argon2PasswordHasher::new();
        let broken = PasswordHash::new("not a phc string");
        assert!(
            hasher
                .verify(&password("whatever1"), Some(&broken))
                .await
                .is_err()
        );
    }

    #[tokio::test]
    async fn hashes_made_by_the_argon2_crate_itself_still_verify() {
        use argon2::password_hash::PasswordHasher as _;
        // What earlier builds stored: the crate's own PHC output, with other costs.
        let params = Params::new(8_192, 1, 1, None).expect("params");
        let stored = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(b"stored long ago")
            .expect("hash")
            .to_string();
        let stored = PasswordHash::new(stored);
        let hasher = Argon2PasswordHasher::new();
        let (right, wrong) = (password("stored long ago"), password("stored recently"));
        assert!(hasher.verify(&right, Some(&stored)).await.expect("verify"));
        assert!(!hasher.verify(&wrong, Some(&stored)).await.expect("verify"));
    }

    #[tokio::test]
    async fn our_hashes_verify_with_the_argon2_crate_itself() {
        use argon2::password_hash::PasswordVerifier as _;
        let hasher = Argon2PasswordHasher::new();
        let hash = hasher.hash(&password("portable one")).await.expect("hash");
        let parsed = phc::PasswordHash::new(hash.as_str()).expect("a PHC string");
        let argon2 = Argon2::default();
        assert!(argon2.verify_password(b"portable one", &parsed).is_ok());
        assert!(argon2.verify_password(b"portable two", &parsed).is_err());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn working_memory_is_pooled_one_buffer_per_hash_at_once() {
        let hasher = Argon2PasswordHasher::with_concurrency(NonZeroUsize::MIN.saturating_add(1));
        let jobs = (0..4).map(|i| {
            let hasher = hasher.clone();
            async move { hasher.hash(&password(&format!("password {i}"))).await }
        });
        for hash in futures_util::future::join_all(jobs).await {
            hash.expect("hash");
        }
        let pool = hasher.inner.memory.lock().expect("pool");
        assert!((1..=2).contains(&pool.len()), "{} buffers", pool.len());
        let blocks = hasher.inner.params.block_count();
        assert!(pool.iter().all(|buffer| buffer.len() == blocks));
        assert!(
            pool.iter().all(|buffer| buffer
                .iter()
                .all(|block| block.as_ref().iter().all(|w| *w == 0))),
            "buffers are wiped after use"
        );
    }
}
