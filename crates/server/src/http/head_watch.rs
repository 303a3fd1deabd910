//! When a connection waits for a request head, and until when it may.
//!
//! hyper says when it starts waiting: it arms its header-read timer through the
//! [`Timer`] it is given ([`HeadWaitTimer`]) each time it starts reading a head,
//! right after the connection opens and again whenever a keep-alive connection has
//! answered and waits for its next request. The service marks the end of the wait
//! ([`HeadWatch::head_received`]), and the connection's reader the first byte that
//! arrives while waiting ([`HeadWatch::bytes_arrived`]). The deadline follows:
//!
//! - the first head of a connection must be in within the header timeout of its start;
//! - a later one may take the idle timeout to begin, then the header timeout from
//!   its first byte.
//!
//! The reader (`guarded_io`) enforces it, because it can still answer 408. hyper's
//! own header timer (which closes without an answer, and would count an idle
//! keep-alive wait as header time) stays as a backstop set past any deadline here.

use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use hyper::rt::{Sleep, Timer};
use hyper_util::rt::TokioTimer;
use tokio::time::Instant;

/// The head-wait state of one connection.
#[derive(Debug)]
pub(super) struct HeadWatch {
    header_timeout: Duration,
    idle_timeout: Duration,
    state: Mutex<WaitState>,
}

#[derive(Debug, Default)]
struct WaitState {
    /// Heads waited for so far, the current one included.
    heads: u64,
    /// When the current wait began; `None` while a request is being served.
    waiting_since: Option<Instant>,
    /// When the first byte of the awaited request arrived.
    first_byte_at: Option<Instant>,
}

/// Until when the awaited head may take, and whether any of it has arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct HeadDeadline {
    /// The instant the connection is given up.
    pub(super) at: Instant,
    /// A request has begun (so it gets a 408 rather than a silent close).
    pub(super) request_started: bool,
}

impl HeadWatch {
    /// A watch for a connection that just opened.
    pub(super) fn new(header_timeout: Duration, idle_timeout: Duration) -> Arc<Self> {
        Arc::new(Self {
            header_timeout,
            idle_timeout,
            state: Mutex::new(WaitState::default()),
        })
    }

    /// The header timeout, for the 408's words.
    pub(super) const fn header_timeout(&self) -> Duration {
        self.header_timeout
    }

    fn state(&self) -> std::sync::MutexGuard<'_, WaitState> {
        // Nothing panics while holding the lock; a poisoned one is still consistent.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// hyper started waiting for a head.
    pub(super) fn head_wait_started(&self) {
        let mut state = self.state();
        state.heads += 1;
        state.waiting_since = Some(Instant::now());
        state.first_byte_at = None;
    }

    /// A whole head arrived: the request is being served, no deadline applies.
    pub(super) fn head_received(&self) {
        self.state().waiting_since = None;
    }

    /// Bytes were read from the client.
    pub(super) fn bytes_arrived(&self) {
        let mut state = self.state();
        if state.waiting_since.is_some() && state.first_byte_at.is_none() {
            state.first_byte_at = Some(Instant::now());
        }
    }

    /// Whether hyper is waiting for a head (anything it writes now answers a head
    /// it could not parse).
    pub(super) fn waiting_for_head(&self) -> bool {
        self.state().waiting_since.is_some()
    }

    /// The deadline of the awaited head; `None` while a request is served (and on
    /// an upgraded connection, which never waits for a head again).
    pub(super) fn deadline(&self) -> Option<HeadDeadline> {
        let state = self.state();
        let since = state.waiting_since?;
        let at = match (state.heads, state.first_byte_at) {
            (1, _) => since + self.header_timeout,
            (_, None) => since + self.idle_timeout,
            (_, Some(first_byte)) => first_byte + self.header_timeout,
        };
        Some(HeadDeadline {
            at,
            request_started: state.first_byte_at.is_some(),
        })
    }

    /// hyper's own header timeout, a backstop later than any deadline above.
    pub(super) const fn backstop(&self) -> Duration {
        self.header_timeout
            .saturating_add(self.idle_timeout)
            .saturating_add(Duration::from_secs(5))
    }
}

/// The timer hyper is given: a plain tokio timer that also reports, through its
/// header-read arming (`sleep_until`, `reset`), when a head wait starts. hyper's
/// HTTP/1 server uses no other timer.
pub(super) struct HeadWaitTimer {
    watch: Arc<HeadWatch>,
    clock: TokioTimer,
}

impl HeadWaitTimer {
    /// A timer reporting to `watch`.
    pub(super) fn new(watch: Arc<HeadWatch>) -> Self {
        Self {
            watch,
            clock: TokioTimer::new(),
        }
    }
}

impl Timer for HeadWaitTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Sleep>> {
        self.clock.sleep(duration)
    }

    fn sleep_until(&self, deadline: std::time::Instant) -> Pin<Box<dyn Sleep>> {
        self.watch.head_wait_started();
        self.clock.sleep_until(deadline)
    }

    fn reset(&self, sleep: &mut Pin<Box<dyn Sleep>>, new_deadline: std::time::Instant) {
        self.watch.head_wait_started();
        self.clock.reset(sleep, new_deadline);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: Duration = Duration::from_secs(10);
    const IDLE: Duration = Duration::from_mins(1);

    /// Runs `step` and returns the instants just before and after it.
    fn bracket(step: impl FnOnce()) -> (Instant, Instant) {
        let before = Instant::now();
        step();
        (before, Instant::now())
    }

    #[test]
    fn the_first_head_gets_the_header_timeout_from_the_start() {
        let watch = HeadWatch::new(HEADER, IDLE);
        let (before, after) = bracket(|| watch.head_wait_started());
        assert!(!watch.deadline().expect("waiting").request_started);
        std::thread::sleep(Duration::from_millis(20));
        watch.bytes_arrived();
        let deadline = watch.deadline().expect("waiting");
        assert!((before + HEADER..=after + HEADER).contains(&deadline.at));
        assert!(deadline.request_started);
    }

    #[test]
    fn a_later_head_gets_the_idle_timeout_then_the_header_timeout_from_its_first_byte() {
        let watch = HeadWatch::new(HEADER, IDLE);
        watch.head_wait_started();
        watch.head_received();
        assert_eq!(
            watch.deadline(),
            None,
            "no deadline while a request is served"
        );
        let (before, after) = bracket(|| watch.head_wait_started());
        let idle = watch.deadline().expect("waiting");
        assert!((before + IDLE..=after + IDLE).contains(&idle.at));
        assert!(!idle.request_started);
        std::thread::sleep(Duration::from_millis(20));
        let (before, after) = bracket(|| watch.bytes_arrived());
        watch.bytes_arrived();
        let started = watch.deadline().expect("waiting");
        assert!((before + HEADER..=after + HEADER).contains(&started.at));
        assert!(started.request_started);
    }

    #[test]
    fn bytes_of_a_request_being_served_start_no_head() {
        let watch = HeadWatch::new(HEADER, IDLE);
        watch.head_wait_started();
        watch.head_received();
        watch.bytes_arrived();
        watch.head_wait_started();
        assert!(!watch.deadline().expect("waiting").request_started);
        assert!(watch.waiting_for_head());
    }
}
