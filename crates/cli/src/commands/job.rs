//! What every export command does around the engine: check the range and the output, connect,
//! open the output (a database bound to the corp), plan the resume, run, summarize.

use std::time::Instant;

use wecom_client::Client;

use super::session::connect;
use super::summary::{self, Finish};
use crate::args::{Cli, OutputArgs, RangeArgs};
use crate::checkpoint::{Resume, Scope};
use crate::dates;
use crate::error::Result;
use crate::export::{self, Ctx, FetchFn, ListFn, RecordsFn};
use crate::interrupt::Interrupt;
use crate::output::{self, Writer};
use crate::progress::{Mode, Progress};
use crate::records::Record;

/// One export: its range, its output and what it resumes by.
pub(super) struct Job<'a> {
    /// `--since`/`--until`.
    pub range: &'a RangeArgs,
    /// `--out`, `--format`, `--refresh`.
    pub output: &'a OutputArgs,
    /// Default file stem (`approvals` → `approvals.ndjson`).
    pub stem: &'static str,
    /// The checkpoints it reads and records.
    pub scope: Scope,
    /// False for an export that never resumes (journal statistics).
    pub resumable: bool,
}

/// Where the records come from.
pub(super) enum Source<R> {
    /// Ids listed over a range, then their details.
    Ids {
        /// The ids of a range.
        list: ListFn,
        /// Details for ids.
        fetch: FetchFn<R>,
    },
    /// Whole records over a range.
    Records {
        /// Progress label.
        what: &'static str,
        /// The records of a range.
        records: RecordsFn<R>,
    },
}

/// Runs an export of records `R`; `source` builds their streams on the connected client.
pub(super) async fn run<R: Record>(
    cli: &Cli,
    job: Job<'_>,
    interrupt: &Interrupt,
    source: impl FnOnce(&Client) -> Source<R>,
) -> Result<()> {
    let range = dates::range(&job.range.since, &job.range.until)?;
    // Bad --out/--format fail before connecting.
    let (target, format) = output::resolve(job.output.out.as_deref(), job.output.format, job.stem)?;
    let session = connect(cli).await?;
    let mut writer = Writer::open::<R>(&target, format, job.output.batch_size)?;
    if let Some(db) = writer.sqlite() {
        db.bind_corp(&session.corp_id)?;
    }
    let progress = Progress::new(Mode::detect(cli.no_progress));
    progress.watch(summary::stats_note(&session.client));
    let resume = if job.resumable {
        Resume::plan(writer.sqlite().map(|db| &*db), job.scope, range, job.output.refresh)?
    } else {
        Resume::untracked(job.scope, range)
    };

    let started = Instant::now();
    let ctx = Ctx { progress: &progress, interrupt, base_url: &session.base_url };
    let report = match source(&session.client) {
        Source::Ids { list, fetch } => export::by_ids(&ctx, &mut writer, &resume, list, fetch).await,
        Source::Records { what, records } => export::streamed(&ctx, &mut writer, &resume, what, records).await,
    };
    let report = summary::report_or_fail(&progress, report)?;
    let db_total = writer.sqlite().map(|db| db.count(R::KIND)).transpose()?;
    let stats = session.client.stats();
    summary::finish(
        &progress,
        Finish {
            noun: R::KIND.noun(),
            target: &target,
            format,
            report: &report,
            stats,
            started,
            range: Some(range),
            db_total,
        },
    )
}
