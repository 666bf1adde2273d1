//! The export engine: list ids, then fetch details; skip what a database already holds;
//! record checkpoints; stop cleanly on Ctrl-C.

use std::collections::HashSet;

use futures::StreamExt;
use futures::stream::BoxStream;
use wecom_client::endpoints::ErrorClass;
use wecom_client::{Error, TimeRange};

use crate::error::{CliError, Result};
use crate::interrupt::Interrupt;
use crate::output::Writer;
use crate::progress::Progress;
use crate::records::{Kind, Record};

/// What an export did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Ids listed in phase 1.
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

/// The shared pieces a run needs.
pub struct Ctx<'a> {
    /// Progress display.
    pub progress: &'a Progress,
    /// Ctrl-C.
    pub interrupt: &'a Interrupt,
    /// Where WeCom is (named in network errors).
    pub base_url: &'a str,
}

/// Ids listed over a range.
pub type ListFn = Box<dyn Fn(TimeRange) -> BoxStream<'static, std::result::Result<String, Error>> + Send>;
/// Details for a stream of ids.
pub type FetchFn<R> = Box<
    dyn Fn(BoxStream<'static, std::result::Result<String, Error>>) -> BoxStream<'static, std::result::Result<R, Error>>
        + Send,
>;

/// A two-phase export of one kind over one range.
pub struct Plan<R> {
    /// What is exported.
    pub kind: Kind,
    /// Canonical filter set (`""` for none): checkpoints are per (kind, filters).
    pub filters: String,
    /// Inclusive range, Unix seconds.
    pub range: (u64, u64),
    /// Ignore checkpoints and stored records (SQLite).
    pub refresh: bool,
    /// Phase 1.
    pub list: ListFn,
    /// Phase 2.
    pub fetch: FetchFn<R>,
}

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

/// Runs a two-phase export into `writer`. Whatever happens, what was written is flushed or
/// committed before this returns.
pub async fn two_phase<R: Record>(ctx: &Ctx<'_>, writer: &mut Writer, plan: Plan<R>) -> Result<Report> {
    let result = run_two_phase(ctx, writer, plan).await;
    let finished = writer.finish();
    let report = result?;
    finished?;
    Ok(report)
}

async fn run_two_phase<R: Record>(ctx: &Ctx<'_>, writer: &mut Writer, plan: Plan<R>) -> Result<Report> {
    let mut report = Report::default();
    let (start, end) = plan.range;
    let resumable = writer.sqlite().is_some() && !plan.refresh;
    let pieces = match writer.sqlite() {
        Some(db) if resumable => crate::output::sqlite::uncovered(start, end, &db.covered(plan.kind, &plan.filters)?),
        _ => vec![(start, end)],
    };
    if pieces.is_empty() {
        report.up_to_date = true;
        return Ok(report);
    }

    // Phase 1: the ids, so phase 2 has a real length and a re-run can skip what it has.
    let noun = plan.kind.noun();
    ctx.progress.listing(&format!("listing {noun}"));
    let mut seen = HashSet::new();
    let mut ids = Vec::new();
    for (s, e) in &pieces {
        let mut stream = (plan.list)(time_range(*s, *e)?);
        loop {
            match next_or_interrupt(&mut stream, ctx.interrupt).await {
                Next::Item(Ok(id)) => {
                    if seen.insert(id.clone()) {
                        ids.push(id);
                        ctx.progress.inc(1);
                    }
                }
                Next::Item(Err(e)) => return Err(CliError::client(&e, ctx.base_url)),
                Next::End => break,
                Next::Interrupted => {
                    report.interrupted = true;
                    return Ok(report);
                }
            }
        }
    }
    report.listed = ids.len() as u64;
    let todo: Vec<String> = match writer.sqlite() {
        Some(db) if resumable => {
            let stored = db.existing_keys(plan.kind)?;
            ids.into_iter().filter(|id| !stored.contains(id)).collect()
        }
        _ => ids,
    };
    report.already_stored = report.listed - todo.len() as u64;
    ctx.progress.line(&format!(
        "listed {} {noun}{}",
        report.listed,
        if report.already_stored > 0 {
            format!(" ({} already in the database, {} to fetch)", report.already_stored, todo.len())
        } else {
            String::new()
        }
    ));

    // Phase 2: details, in order, with bounded concurrency.
    ctx.progress.fetching(&format!("fetching {noun}"), todo.len() as u64);
    let ids = futures::stream::iter(todo.into_iter().map(Ok)).boxed();
    let mut details = (plan.fetch)(ids);
    loop {
        match next_or_interrupt(&mut details, ctx.interrupt).await {
            Next::Item(Ok(record)) => {
                writer.write(&record)?;
                report.written += 1;
                ctx.progress.inc(1);
            }
            Next::Item(Err(e)) if is_record_local(&e) => {
                ctx.progress.line(&format!("warning: skipped {e}"));
                report.failed.push(e.to_string());
                ctx.progress.inc(1);
            }
            Next::Item(Err(e)) => return Err(CliError::client(&e, ctx.base_url)),
            Next::End => break,
            Next::Interrupted => {
                report.interrupted = true;
                return Ok(report);
            }
        }
    }
    writer.ensure_created()?;
    if report.failed.is_empty() {
        if let Some(db) = writer.sqlite() {
            db.add_checkpoint(plan.kind, &plan.filters, start, end)?;
            report.checkpointed = true;
        }
    }
    Ok(report)
}

/// Streams records straight into `writer` (legacy forms, statistics cycles): one stream per
/// range piece; an empty `pieces` means nothing to do.
pub async fn streamed<R: Record>(
    ctx: &Ctx<'_>,
    writer: &mut Writer,
    what: &str,
    streams: Vec<BoxStream<'static, std::result::Result<R, Error>>>,
) -> Result<Report> {
    let result = run_streamed(ctx, writer, what, streams).await;
    let finished = writer.finish();
    let report = result?;
    finished?;
    Ok(report)
}

async fn run_streamed<R: Record>(
    ctx: &Ctx<'_>,
    writer: &mut Writer,
    what: &str,
    streams: Vec<BoxStream<'static, std::result::Result<R, Error>>>,
) -> Result<Report> {
    let mut report = Report::default();
    ctx.progress.counting(what);
    for mut stream in streams {
        loop {
            match next_or_interrupt(&mut stream, ctx.interrupt).await {
                Next::Item(Ok(record)) => {
                    writer.write(&record)?;
                    report.written += 1;
                    report.listed += 1;
                    ctx.progress.inc(1);
                }
                Next::Item(Err(e)) if is_record_local(&e) => {
                    ctx.progress.line(&format!("warning: skipped {e}"));
                    report.failed.push(e.to_string());
                }
                Next::Item(Err(e)) => return Err(CliError::client(&e, ctx.base_url)),
                Next::End => break,
                Next::Interrupted => {
                    report.interrupted = true;
                    return Ok(report);
                }
            }
        }
    }
    writer.ensure_created()?;
    Ok(report)
}
