//! Progress on stderr: an indicatif bar on a terminal, plain log lines otherwise.

use std::io::{IsTerminal, Write};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use indicatif::{HumanBytes, HumanCount, HumanDuration, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use tokio::io::AsyncWrite;

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
    Exporting(String),
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
    /// Ids listed so far (an export lists and fetches at once, so there is no total).
    listed: Arc<AtomicU64>,
    /// Listed ids skipped because the output already holds them.
    skipped: Arc<AtomicU64>,
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
            listed: Arc::new(AtomicU64::new(0)),
            skipped: Arc::new(AtomicU64::new(0)),
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

    fn enter(&self, phase: Phase, template: &str) {
        let inner = &self.inner;
        *inner.phase.lock().unwrap_or_else(|p| p.into_inner()) = (phase.clone(), Instant::now());
        inner.count.store(0, Ordering::Relaxed);
        inner.listed.store(0, Ordering::Relaxed);
        inner.skipped.store(0, Ordering::Relaxed);
        if inner.mode == Mode::Bar {
            let (listed, skipped) = (inner.listed.clone(), inner.skipped.clone());
            let style = ProgressStyle::with_template(template)
                .unwrap_or_else(|_| ProgressStyle::default_spinner())
                .with_key("rate", |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{:.0}/s", state.per_sec());
                })
                .with_key("listed", move |_: &ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{}", HumanCount(listed.load(Ordering::Relaxed)));
                    match skipped.load(Ordering::Relaxed) {
                        0 => {}
                        n => {
                            let _ = write!(w, ", {} already stored", HumanCount(n));
                        }
                    }
                });
            inner.bar.reset();
            inner.bar.set_style(style);
            inner.bar.set_position(0);
            inner.bar.set_prefix(match &phase {
                Phase::Exporting(w) | Phase::Counting(w) | Phase::Bytes(w) => w.clone(),
                Phase::Idle => String::new(),
            });
            inner.bar.enable_steady_tick(Duration::from_millis(120));
        }
    }

    /// An export that lists ids and fetches their details at once: the count is of details
    /// done, [`Progress::listed`] adds to the ids listed. No total is known until the end.
    pub fn exporting(&self, what: &str) {
        self.enter(
            Phase::Exporting(what.into()),
            "{spinner:.green} {prefix}: {human_pos} fetched of {listed} listed ({rate}) [{elapsed}] {msg}",
        );
        if self.inner.mode == Mode::Log {
            eprint_line(&format!("{what} …"));
        }
    }

    /// Ids listed: `skipped` of them are already stored and will not be fetched.
    pub fn listed(&self, n: u64, skipped: u64) {
        self.inner.listed.fetch_add(n, Ordering::Relaxed);
        self.inner.skipped.fetch_add(skipped, Ordering::Relaxed);
    }

    /// Records streamed without a known total (legacy forms, statistics cycles).
    pub fn counting(&self, what: &str) {
        self.enter(Phase::Counting(what.into()), "{spinner:.green} {prefix}: {human_pos} ({rate}) [{elapsed}] {msg}");
        if self.inner.mode == Mode::Log {
            eprint_line(&format!("{what} …"));
        }
    }

    /// Bytes of a download.
    pub fn bytes(&self, what: &str) {
        self.enter(Phase::Bytes(what.into()), "{spinner:.green} {prefix}: {bytes} ({bytes_per_sec}) [{elapsed}] {msg}");
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

/// Counts the bytes written through it into the progress display (downloads).
pub struct CountingWriter<'a, W> {
    /// Where the bytes go.
    pub inner: W,
    progress: &'a Progress,
}

impl<'a, W> CountingWriter<'a, W> {
    /// Wraps `inner`.
    pub fn new(inner: W, progress: &'a Progress) -> Self {
        CountingWriter { inner, progress }
    }
}

impl<W: AsyncWrite + Unpin> AsyncWrite for CountingWriter<'_, W> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = &poll {
            self.progress.inc(*n as u64);
        }
        poll
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
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
        let elapsed = since.elapsed();
        let rate = n as f64 / elapsed.as_secs_f64().max(0.001);
        Some(match phase {
            Phase::Idle => return None,
            Phase::Exporting(w) => {
                let listed = self.listed.load(Ordering::Relaxed);
                let stored = match self.skipped.load(Ordering::Relaxed) {
                    0 => String::new(),
                    k => format!(" ({k} already stored)"),
                };
                format!("{w}: {n} fetched of {listed} listed{stored}, {rate:.0}/s [{}]", HumanDuration(elapsed))
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
    async fn log_lines_report_fetched_listed_and_rate() {
        let p = Progress::new(Mode::Log);
        p.exporting("fetching approvals");
        p.listed(40, 10);
        p.inc(25);
        let line = p.inner.status_line().unwrap();
        assert!(line.starts_with("fetching approvals: 25 fetched of 40 listed (10 already stored), "), "{line}");
        assert!(line.contains("/s"), "{line}");
        p.counting("fetching stat cycles");
        p.inc(7);
        assert!(p.inner.status_line().unwrap().starts_with("fetching stat cycles: 7 so far"));
        p.finish();
        assert!(p.inner.status_line().is_none());
    }

    #[tokio::test]
    async fn the_counting_writer_counts_bytes() {
        use tokio::io::AsyncWriteExt;
        let p = Progress::new(Mode::Log);
        p.bytes("downloading f");
        let mut w = CountingWriter::new(Vec::new(), &p);
        w.write_all(b"hello").await.unwrap();
        w.write_all(b", world").await.unwrap();
        assert_eq!(w.inner, b"hello, world");
        assert_eq!(p.inner.status_line().unwrap(), "downloading f: 12 B");
    }
}
