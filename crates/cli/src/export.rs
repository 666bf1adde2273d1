//! The export engine: ids flow from the list stream to the detail fetchers (bounded
//! concurrency, in order) and records into the output as they come, so memory stays flat
//! however many records a range holds. Resume state lives in the output: what the checkpoints
//! cover is not listed (see [`crate::checkpoint`]) and ids already stored are skipped one by
//! one as they are listed. Ctrl-C stops cleanly.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use futures::StreamExt;
use futures::stream::BoxStream;
use wecom_client::endpoints::ErrorClass;
use wecom_client::{Error, TimeRange};

use crate::checkpoint::Resume;
use crate::error::{CliError, Result};
use crate::interrupt::Interrupt;
use crate::mirror::Stamp;
use crate::output::Writer;
use crate::output::sqlite::StoredKeys;
use crate::progress::Progress;
use crate::records::Record;

/// What an export did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Ids (or records) listed.
    pub listed: u64,
    /// Listed ids skipped because the database already held them.
    pub already_stored: u64,
    /// Records written (or upserted).
    pub written: u64,
    /// Records that could not be read; the export went on without them.
    pub failed: Vec<String>,
    /// Ctrl-C stopped the run.
    pub interrupted: bool,
    /// The whole range was already covered by checkpoints: nothing was listed.
    pub up_to_date: bool,
    /// The range was recorded as fully exported.
    pub checkpointed: bool,
}

impl Report {
    /// The run went to the end and every record was written.
    pub fn is_clean(&self) -> bool {
        !self.interrupted && self.failed.is_empty()
    }
}

/// The shared pieces a run needs.
pub struct Ctx<'a> {
    /// Progress display.
    pub progress: &'a Progress,
    /// Ctrl-C.
    pub interrupt: &'a Interrupt,
    /// Where WeCom is (named in network errors).
    pub base_url: &'a str,
}

/// A stream of ids (as the client's `ids`/`details_for` take them).
pub type Ids = BoxStream<'static, std::result::Result<String, Error>>;
/// Ids listed over a range.
pub type ListFn = Box<dyn Fn(TimeRange) -> Ids + Send>;
/// Details for a stream of ids: one result per id, in the ids' order (as the client's
/// `details_for` gives them), so each record can be matched with its id's fetch stamp.
pub type FetchFn<R> = Box<dyn Fn(Ids) -> BoxStream<'static, std::result::Result<R, Error>> + Send>;
/// Records over a range, streamed whole (legacy forms, statistics cycles).
pub type RecordsFn<R> = Box<dyn Fn(TimeRange) -> BoxStream<'static, std::result::Result<R, Error>> + Send>;

/// A record failure that concerns that record alone (it cannot be read, or WeCom refuses that
/// one id): the export goes on and reports it. Anything else — network, credentials,
/// permission, limits — stops the run.
pub fn is_record_local(e: &Error) -> bool {
    match e {
        Error::Record { source, .. } => match source.as_ref() {
            Error::Decode { .. } => true,
            Error::Api(a) => matches!(a.class, ErrorClass::InvalidRequest | ErrorClass::Internal | ErrorClass::Other),
            _ => false,
        },
        _ => false,
    }
}

/// A closed range the client accepts (`end > start`); a one-second piece is widened by one
/// second, which can only list ids that upserts and resume already handle.
pub fn time_range(start: u64, end: u64) -> Result<TimeRange> {
    TimeRange::new(start, end.max(start + 1)).map_err(|e| CliError::usage(e.to_string()))
}

/// The client ranges of a plan's pieces (checked before anything is listed).
fn piece_ranges(resume: &Resume) -> Result<Vec<TimeRange>> {
    resume.pieces().iter().map(|&(s, e)| time_range(s, e)).collect()
}

enum Next<T> {
    Item(T),
    End,
    Interrupted,
}

async fn next_or_interrupt<T>(stream: &mut BoxStream<'static, T>, interrupt: &Interrupt) -> Next<T> {
    if interrupt.is_set() {
        return Next::Interrupted;
    }
    tokio::select! {
        biased;
        () = interrupt.wait() => Next::Interrupted,
        item = stream.next() => match item {
            Some(item) => Next::Item(item),
            None => Next::End,
        },
    }
}

/// What the id filter saw, read by the run when the stream is done.
#[derive(Default)]
struct Tally {
    listed: AtomicU64,
    skipped: AtomicU64,
    /// A failed lookup: it ends the stream, and the run must not mistake that for an end.
    failure: Mutex<Option<CliError>>,
}

impl Tally {
    fn count(&self, progress: &Progress, skipped: bool) {
        self.listed.fetch_add(1, Ordering::Relaxed);
        self.skipped.fetch_add(u64::from(skipped), Ordering::Relaxed);
        progress.listed(1, u64::from(skipped));
    }
}

/// Listed ids, less those already stored (when `stored` is given), counted as they pass.
fn unstored_ids(ids: Ids, stored: Option<StoredKeys>, progress: Progress, tally: Arc<Tally>) -> Ids {
    ids.scan(stored, move |stored, item| {
        let next = match item {
            Ok(id) => match stored.as_ref().map(|keys| keys.contains(&id)).transpose() {
                Ok(found) => {
                    let found = found.unwrap_or(false);
                    tally.count(&progress, found);
                    Some((!found).then_some(Ok(id)))
                }
                Err(e) => {
                    *tally.failure.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
                    None
                }
            },
            Err(e) => Some(Some(Err(e))),
        };
        futures::future::ready(next)
    })
    .filter_map(futures::future::ready)
    .boxed()
}

/// Exports the records of every id listed over `resume`'s pieces into `writer`: `list` gives
/// the ids of a range, `fetch` their details (in order, with the client's bounded concurrency).
/// Nothing is collected: an id is checked against the store (when the plan skips stored ids)
/// as it is listed and fetched as soon as a fetcher is free. The range is checkpointed when
/// the run is clean. Whatever happens, what was written is flushed or committed before this
/// returns.
pub async fn by_ids<R: Record>(
    ctx: &Ctx<'_>,
    writer: &mut Writer,
    resume: &Resume,
    list: ListFn,
    fetch: FetchFn<R>,
) -> Result<Report> {
    let result = run_by_ids(ctx, writer, resume, list, fetch).await;
    finish(writer, resume, result)
}

async fn run_by_ids<R: Record>(
    ctx: &Ctx<'_>,
    writer: &mut Writer,
    resume: &Resume,
    list: ListFn,
    fetch: FetchFn<R>,
) -> Result<Report> {
    let mut report = Report { up_to_date: resume.up_to_date(), ..Report::default() };
    if report.up_to_date {
        return Ok(report);
    }
    let ranges = piece_ranges(resume)?;
    let stored = match writer.sqlite() {
        Some(db) if resume.skips_stored() => Some(db.stored_keys::<R>()?),
        _ => None,
    };
    let listed = futures::stream::iter(ranges).flat_map(list).boxed();
    let tally = Arc::new(Tally::default());
    let ids = unstored_ids(listed, stored, ctx.progress.clone(), tally.clone());

    ctx.progress.exporting(&format!("fetching {}", R::KIND.noun()));
    // Each id is stamped as a fetcher takes it, so copies of a form are ordered by when their
    // fetch started (crate::mirror); the stamps come back out in the same order as the records.
    let stamps = writer.sqlite().map(|db| (db.clock(), Arc::new(Mutex::new(VecDeque::new()))));
    let ids = match &stamps {
        Some((clock, queue)) => {
            let (clock, queue) = (clock.clone(), queue.clone());
            ids.inspect(move |_| lock(&queue).push_back(clock.next())).boxed()
        }
        None => ids,
    };
    let mut details = fetch(ids);
    let queue = stamps.map(|(_, queue)| queue);
    let outcome = write_all(ctx, writer, &mut details, &mut report, true, queue.as_deref()).await;
    report.listed = tally.listed.load(Ordering::Relaxed);
    report.already_stored = tally.skipped.load(Ordering::Relaxed);
    outcome?;
    match tally.failure.lock().unwrap_or_else(|p| p.into_inner()).take() {
        Some(e) => Err(e),
        None => Ok(report),
    }
}

/// Streams whole records over `resume`'s pieces straight into `writer` (legacy forms,
/// statistics cycles); `records` gives the records of a range. Checkpointed as [`by_ids`] is.
pub async fn streamed<R: Record>(
    ctx: &Ctx<'_>,
    writer: &mut Writer,
    resume: &Resume,
    what: &str,
    records: RecordsFn<R>,
) -> Result<Report> {
    let result = run_streamed(ctx, writer, resume, what, records).await;
    finish(writer, resume, result)
}

async fn run_streamed<R: Record>(
    ctx: &Ctx<'_>,
    writer: &mut Writer,
    resume: &Resume,
    what: &str,
    records: RecordsFn<R>,
) -> Result<Report> {
    let mut report = Report { up_to_date: resume.up_to_date(), ..Report::default() };
    if report.up_to_date {
        return Ok(report);
    }
    let ranges = piece_ranges(resume)?;
    ctx.progress.counting(what);
    let mut stream = futures::stream::iter(ranges).flat_map(records).boxed();
    write_all(ctx, writer, &mut stream, &mut report, false, None).await?;
    report.listed = report.written;
    Ok(report)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Writes every record of `stream` until it ends or Ctrl-C; a record-local failure is reported
/// and skipped (counted as progress when `count_failures`), any other stops the run. `stamps`
/// holds the fetch stamp of each item to come, in order.
async fn write_all<R: Record>(
    ctx: &Ctx<'_>,
    writer: &mut Writer,
    stream: &mut BoxStream<'static, std::result::Result<R, Error>>,
    report: &mut Report,
    count_failures: bool,
    stamps: Option<&Mutex<VecDeque<Stamp>>>,
) -> Result<()> {
    loop {
        let item = next_or_interrupt(stream, ctx.interrupt).await;
        let stamp = match (&item, stamps) {
            (Next::Item(_), Some(queue)) => lock(queue).pop_front(),
            _ => None,
        };
        match item {
            Next::Item(Ok(record)) => {
                writer.write_fetched(&record, stamp)?;
                report.written += 1;
                ctx.progress.inc(1);
            }
            Next::Item(Err(e)) if is_record_local(&e) => {
                ctx.progress.line(&format!("warning: skipped {e}"));
                report.failed.push(e.to_string());
                if count_failures {
                    ctx.progress.inc(1);
                }
            }
            Next::Item(Err(e)) => return Err(CliError::client(&e, ctx.base_url)),
            Next::End => return writer.ensure_created(),
            Next::Interrupted => {
                report.interrupted = true;
                return Ok(());
            }
        }
    }
}

/// Flushes or commits what was written, then records the checkpoint of a clean run.
fn finish(writer: &mut Writer, resume: &Resume, result: Result<Report>) -> Result<Report> {
    let finished = writer.finish();
    let mut report = result?;
    finished?;
    if !report.up_to_date {
        report.checkpointed = resume.finish(writer.sqlite(), report.is_clean())?;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use wecom_models::approval::ApprovalDetail;

    use super::*;
    use crate::checkpoint::Scope;
    use crate::output::{Format, Target};
    use crate::progress::Mode;
    use crate::records::Kind;
    use crate::records::tests::sample_approval;

    /// What the list and the fetchers did, in order.
    #[derive(Default)]
    struct Trace {
        listed: AtomicU64,
        fetched: AtomicU64,
        /// The most ids ever listed but not yet fetched.
        most_ahead: AtomicU64,
        first_fetch_after: AtomicU64,
    }

    /// `n` ids over any range, listed lazily; details made from the sample form.
    fn source(n: u64, trace: Arc<Trace>) -> (ListFn, FetchFn<ApprovalDetail>) {
        let t = trace.clone();
        let list: ListFn = Box::new(move |_| {
            let t = t.clone();
            futures::stream::iter(0..n)
                .map(move |i| {
                    t.listed.fetch_add(1, Ordering::SeqCst);
                    Ok(format!("{i:06}"))
                })
                .boxed()
        });
        let fetch: FetchFn<ApprovalDetail> = Box::new(move |ids| {
            let t = trace.clone();
            ids.map(move |id| {
                let listed = t.listed.load(Ordering::SeqCst);
                let fetched = t.fetched.fetch_add(1, Ordering::SeqCst);
                t.most_ahead.fetch_max(listed - fetched, Ordering::SeqCst);
                if fetched == 0 {
                    t.first_fetch_after.store(listed, Ordering::SeqCst);
                }
                let mut d = sample_approval();
                d.sp_no = id?;
                Ok(d)
            })
            .boxed()
        });
        (list, fetch)
    }

    fn ctx<'a>(progress: &'a Progress, interrupt: &'a Interrupt) -> Ctx<'a> {
        Ctx { progress, interrupt, base_url: "http://127.0.0.1:1" }
    }

    #[tokio::test]
    async fn ids_flow_to_the_fetchers_while_the_list_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let target = Target::Path(dir.path().join("a.ndjson"));
        let mut writer = Writer::open::<ApprovalDetail>(&target, Format::Ndjson, 10).unwrap();
        let (progress, interrupt) = (Progress::new(Mode::Log), Interrupt::never());
        let trace = Arc::new(Trace::default());
        let (list, fetch) = source(5000, trace.clone());
        let resume = Resume::untracked(Scope::all(Kind::Approvals), (0, 100));
        let report = by_ids(&ctx(&progress, &interrupt), &mut writer, &resume, list, fetch).await.unwrap();
        assert_eq!((report.listed, report.written, report.already_stored), (5000, 5000, 0));
        assert_eq!(trace.first_fetch_after.load(Ordering::SeqCst), 1, "the first detail comes after one id");
        assert!(trace.most_ahead.load(Ordering::SeqCst) <= 1, "no id is held back");
        let text = std::fs::read_to_string(dir.path().join("a.ndjson")).unwrap();
        assert_eq!(text.lines().count(), 5000);
        assert!(!report.checkpointed, "NDJSON has no checkpoints");
    }

    #[tokio::test]
    async fn a_database_skips_what_it_holds_one_id_at_a_time_and_checkpoints() {
        let dir = tempfile::tempdir().unwrap();
        let target = Target::Path(dir.path().join("a.sqlite"));
        let mut writer = Writer::open::<ApprovalDetail>(&target, Format::Sqlite, 100).unwrap();
        for i in (0..1000).step_by(2) {
            let mut d = sample_approval();
            d.sp_no = format!("{i:06}");
            writer.write(&d).unwrap();
        }
        writer.finish().unwrap();
        let (progress, interrupt) = (Progress::new(Mode::Log), Interrupt::never());
        let trace = Arc::new(Trace::default());
        let (list, fetch) = source(1000, trace.clone());
        let scope = Scope::all(Kind::Approvals);
        let resume = Resume::plan(writer.sqlite().map(|db| &*db), scope.clone(), (0, 100), false).unwrap();
        let report = by_ids(&ctx(&progress, &interrupt), &mut writer, &resume, list, fetch).await.unwrap();
        assert_eq!((report.listed, report.already_stored, report.written), (1000, 500, 500));
        assert_eq!(trace.fetched.load(Ordering::SeqCst), 500, "stored ids are not fetched");
        assert!(report.checkpointed);
        let db = writer.sqlite().unwrap();
        assert_eq!(db.count(Kind::Approvals).unwrap(), 1000);
        assert_eq!(scope.covered(db).unwrap(), [(0, 100)]);
    }

    #[tokio::test]
    async fn a_failed_lookup_fails_the_run_and_records_no_checkpoint() {
        let dir = tempfile::tempdir().unwrap();
        let target = Target::Path(dir.path().join("a.sqlite"));
        let mut writer = Writer::open::<ApprovalDetail>(&target, Format::Sqlite, 100).unwrap();
        let db = writer.sqlite().unwrap();
        let scope = Scope::all(Kind::Approvals);
        let resume = Resume::plan(Some(&*db), scope.clone(), (0, 100), false).unwrap();
        db.connection().execute_batch("DROP TABLE approvals").unwrap();
        let (progress, interrupt) = (Progress::new(Mode::Log), Interrupt::never());
        let (list, fetch) = source(10, Arc::new(Trace::default()));
        let e = by_ids(&ctx(&progress, &interrupt), &mut writer, &resume, list, fetch).await.unwrap_err();
        assert!(e.message().contains("cannot look up a key"), "{e}");
        assert_eq!(scope.covered(writer.sqlite().unwrap()).unwrap(), []);
    }
}
