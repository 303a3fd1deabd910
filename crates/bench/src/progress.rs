//! Progress bars on stderr while a phase runs (hidden when stderr is not a terminal).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// A bar over a known number of steps (users registered, messages seeded, ...).
pub(crate) fn counter(label: &str, len: u64) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(style("{prefix:>18} [{bar:30}] {pos}/{len} ({elapsed})"));
    bar.set_prefix(label.to_owned());
    bar
}

/// A bar over a fixed duration that also shows how many operations completed.
pub(crate) struct Timed {
    bar: ProgressBar,
    ops: Arc<AtomicU64>,
    ticker: tokio::task::JoinHandle<()>,
}

impl Timed {
    /// Starts the bar; it advances every 100 ms until `finish`.
    pub(crate) fn start(label: &str, duration: Duration) -> Self {
        let tenths = u64::try_from(duration.as_millis() / 100).unwrap_or(u64::MAX);
        let bar = ProgressBar::new(tenths.max(1));
        bar.set_style(style("{prefix:>18} [{bar:30}] {msg} ({elapsed})"));
        bar.set_prefix(label.to_owned());
        let ops = Arc::new(AtomicU64::new(0));
        let ticker = {
            let (bar, ops) = (bar.clone(), Arc::clone(&ops));
            tokio::spawn(async move {
                let mut interval = tokio::time::interval(Duration::from_millis(100));
                loop {
                    interval.tick().await;
                    bar.inc(1);
                    bar.set_message(format!("{} ops", ops.load(Ordering::Relaxed)));
                }
            })
        };
        Self { bar, ops, ticker }
    }

    /// The shared operation counter workers bump.
    pub(crate) fn ops(&self) -> Arc<AtomicU64> {
        Arc::clone(&self.ops)
    }

    /// Stops and clears the bar.
    pub(crate) fn finish(self) {
        self.ticker.abort();
        self.bar.finish_and_clear();
    }
}

fn style(template: &str) -> ProgressStyle {
    // The templates are constants of this module; a broken one falls back to the default.
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}
