//! Progress on stderr: an indicatif bar on a terminal, plain log lines otherwise.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use indicatif::{HumanBytes, HumanDuration, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// An indicatif bar (stderr is a terminal).
    Bar,
    /// A log line every few seconds (stderr is not a terminal, or `--no-progress`).
    Log,
}

impl Mode {
    /// The bar on a terminal unless told otherwise.
    pub fn detect(no_progress: bool) -> Mode {
        if !no_progress && std::io::stderr().is_terminal() { Mode::Bar } else { Mode::Log }
    }
}

/// The bar on screen, if any, so log output can step around it.
static ACTIVE_BAR: Mutex<Option<ProgressBar>> = Mutex::new(None);

fn active_bar() -> MutexGuard<'static, Option<ProgressBar>> {
    ACTIVE_BAR.lock().unwrap_or_else(|p| p.into_inner())
}

/// Prints a line on stderr without tearing the bar.
pub fn eprint_line(line: &str) {
    let bar = active_bar().clone();
    match bar {
        Some(bar) => bar.suspend(|| eprintln!("{line}")),
        None => eprintln!("{line}"),
    }
}

/// A `tracing` writer that prints above the progress bar.
#[derive(Clone, Copy, Default)]
pub struct StderrAboveBar;

impl Write for StderrAboveBar {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let bar = active_bar().clone();
        match bar {
            Some(bar) => bar.suspend(|| std::io::stderr().write_all(buf))?,
            None => std::io::stderr().write_all(buf)?,
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for StderrAboveBar {
    type Writer = StderrAboveBar;
    fn make_writer(&'a self) -> Self::Writer {
        *self
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Phase {
    Idle,
    Listing(String),
    Fetching(String),
    Counting(String),
    Bytes(String),
}

/// Extra text for the bar and log lines (e.g. the client's retries), read on every tick.
type Note = Box<dyn Fn() -> String + Send + Sync>;

struct Inner {
    mode: Mode,
    bar: ProgressBar,
    phase: Mutex<(Phase, Instant)>,
    count: AtomicU64,
    total: AtomicU64,
    note: Mutex<Option<Note>>,
}

/// Progress of one command. Clones share the display.
#[derive(Clone)]
pub struct Progress {
    inner: Arc<Inner>,
}

/// How often a log line is printed when there is no bar.
const LOG_EVERY: Duration = Duration::from_secs(5);

impl Progress {
    /// Starts showing progress (in log mode, a line every few seconds from a background task,
    /// so it must be called inside the runtime).
    pub fn new(mode: Mode) -> Progress {
        let bar = match mode {
            Mode::Bar => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
            Mode::Log => ProgressBar::hidden(),
        };
        let inner = Arc::new(Inner {
            mode,
            bar: bar.clone(),
            phase: Mutex::new((Phase::Idle, Instant::now())),
            count: AtomicU64::new(0),
            total: AtomicU64::new(0),
            note: Mutex::new(None),
        });
        if mode == Mode::Bar {
            *active_bar() = Some(bar);
        }
        let weak = Arc::downgrade(&inner);
        tokio::spawn(async move {
            let every = match mode {
                Mode::Bar => Duration::from_millis(250),
                Mode::Log => LOG_EVERY,
            };
            let mut tick = tokio::time::interval(every);
            tick.tick().await;
            loop {
                tick.tick().await;
                let Some(inner) = weak.upgrade() else { return };
                match mode {
                    Mode::Bar => inner.bar.set_message(inner.note()),
                    Mode::Log => {
                        if let Some(line) = inner.status_line() {
                            let note = inner.note();
                            eprint_line(&if note.is_empty() { line } else { format!("{line}; {note}") });
                        }
                    }
                }
            }
        });
        Progress { inner }
    }

    /// Sets the extra text shown with the progress (read a few times a second).
    pub fn watch(&self, note: impl Fn() -> String + Send + Sync + 'static) {
        *self.inner.note.lock().unwrap_or_else(|p| p.into_inner()) = Some(Box::new(note));
    }

    /// The display mode.
    pub fn mode(&self) -> Mode {
        self.inner.mode
    }

    fn enter(&self, phase: Phase, total: Option<u64>, template: &str) {
        let inner = &self.inner;
        *inner.phase.lock().unwrap_or_else(|p| p.into_inner()) = (phase.clone(), Instant::now());
        inner.count.store(0, Ordering::Relaxed);
        inner.total.store(total.unwrap_or(0), Ordering::Relaxed);
        if inner.mode == Mode::Bar {
            let style = ProgressStyle::with_template(template)
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .with_key("rate", |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{:.0}/s", state.per_sec());
                })
                .progress_chars("=> ");
            inner.bar.reset();
            inner.bar.set_style(style);
            inner.bar.set_length(total.unwrap_or(0));
            inner.bar.set_position(0);
            inner.bar.set_prefix(match &phase {
                Phase::Listing(w) | Phase::Fetching(w) | Phase::Counting(w) | Phase::Bytes(w) => w.clone(),
                Phase::Idle => String::new(),
            });
            inner.bar.enable_steady_tick(Duration::from_millis(120));
        }
    }

    /// Phase 1 of an export: listing ids (a spinner and a count).
    pub fn listing(&self, what: &str) {
        self.enter(
            Phase::Listing(what.into()),
            None,
            "{spinner:.green} {prefix}: {human_pos} ids listed [{elapsed}] {msg}",
        );
        if self.inner.mode == Mode::Log {
            eprint_line(&format!("{what} …"));
        }
    }

    /// Phase 2 of an export: fetching `total` details (a bar with rate and ETA).
    pub fn fetching(&self, what: &str, total: u64) {
        self.enter(
            Phase::Fetching(what.into()),
            Some(total),
            "{spinner:.green} {prefix} [{bar:30.cyan/blue}] {human_pos}/{human_len} ({rate}, ETA {eta}) [{elapsed}] {msg}",
        );
        if self.inner.mode == Mode::Log {
            eprint_line(&format!("{what}: {total} to fetch …"));
        }
    }

    /// Records streamed without a known total (legacy forms, statistics cycles).
    pub fn counting(&self, what: &str) {
        self.enter(
            Phase::Counting(what.into()),
            None,
            "{spinner:.green} {prefix}: {human_pos} ({rate}) [{elapsed}] {msg}",
        );
        if self.inner.mode == Mode::Log {
            eprint_line(&format!("{what} …"));
        }
    }

    /// Bytes of a download.
    pub fn bytes(&self, what: &str) {
        self.enter(
            Phase::Bytes(what.into()),
            None,
            "{spinner:.green} {prefix}: {bytes} ({bytes_per_sec}) [{elapsed}] {msg}",
        );
        if self.inner.mode == Mode::Log {
            eprint_line(&format!("{what} …"));
        }
    }

    /// Adds to the current count.
    pub fn inc(&self, n: u64) {
        self.inner.count.fetch_add(n, Ordering::Relaxed);
        self.inner.bar.inc(n);
    }

    /// Sets the current count.
    pub fn set(&self, n: u64) {
        self.inner.count.store(n, Ordering::Relaxed);
        self.inner.bar.set_position(n);
    }

    /// Prints a line above the bar (or as a log line).
    pub fn line(&self, line: &str) {
        eprint_line(line);
    }

    /// Removes the bar; later output goes straight to stderr.
    pub fn finish(&self) {
        *self.inner.phase.lock().unwrap_or_else(|p| p.into_inner()) = (Phase::Idle, Instant::now());
        if self.inner.mode == Mode::Bar {
            self.inner.bar.finish_and_clear();
            *active_bar() = None;
        }
    }
}

impl Inner {
    fn note(&self) -> String {
        self.note.lock().unwrap_or_else(|p| p.into_inner()).as_ref().map(|f| f()).unwrap_or_default()
    }

    /// The periodic log line of the current phase.
    fn status_line(&self) -> Option<String> {
        let (phase, since) = self.phase.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let n = self.count.load(Ordering::Relaxed);
        let total = self.total.load(Ordering::Relaxed);
        let elapsed = since.elapsed();
        let rate = n as f64 / elapsed.as_secs_f64().max(0.001);
        Some(match phase {
            Phase::Idle => return None,
            Phase::Listing(w) => format!("{w}: {n} ids listed so far [{}]", HumanDuration(elapsed)),
            Phase::Fetching(w) => {
                let pct = if total == 0 { 100.0 } else { n as f64 * 100.0 / total as f64 };
                let eta = if rate > 0.0 && total > n {
                    format!(", ETA {}", HumanDuration(Duration::from_secs_f64((total - n) as f64 / rate)))
                } else {
                    String::new()
                };
                format!("{w}: {n}/{total} ({pct:.0}%), {rate:.0}/s{eta}")
            }
            Phase::Counting(w) => format!("{w}: {n} so far, {rate:.0}/s"),
            Phase::Bytes(w) => format!("{w}: {}", HumanBytes(n)),
        })
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        if self.mode == Mode::Bar {
            self.bar.finish_and_clear();
            *active_bar() = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn log_lines_report_counts_rate_and_eta() {
        let p = Progress::new(Mode::Log);
        p.fetching("fetching approval details", 100);
        p.inc(25);
        let line = p.inner.status_line().unwrap();
        assert!(line.starts_with("fetching approval details: 25/100 (25%)"), "{line}");
        assert!(line.contains("/s"), "{line}");
        p.listing("listing approvals");
        p.inc(7);
        assert!(p.inner.status_line().unwrap().contains("7 ids listed"));
        p.finish();
        assert!(p.inner.status_line().is_none());
    }
}
