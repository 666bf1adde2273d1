//! The commands: parse inputs, connect, run an export, print the summary.

use std::path::PathBuf;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::io::{AsyncWrite, AsyncWriteExt};
use wecom_client::{Client, RateLimit, RetryPolicy, Stats};
use wecom_emulator::{Emulator, EmulatorHandle};
use wecom_models::approval::{ApprovalDetail, ApprovalFilter, SpStatus};
use wecom_models::journal::{JournalFilter, JournalRecord, StatCycle};

use crate::args::{
    ApprovalExportArgs, ApprovalsCommand, Cli, Command, DownloadArgs, EMULATOR_RATE_LIMIT, EmulatorArgs,
    JournalExportArgs, JournalsCommand, LegacyExportArgs, OutputArgs, RangeArgs, StatsArgs,
};
use crate::dates::{self, format_short};
use crate::error::{CliError, Result};
use crate::export::{self, Ctx, Plan, Report};
use crate::interrupt::Interrupt;
use crate::output::{self, Format, Target, Writer};
use crate::progress::{Mode, Progress};
use crate::records::{Kind, Record};

/// Runs the command line.
pub async fn run(cli: Cli) -> Result<()> {
    // First of all, so a Ctrl-C at any point stops the run cleanly.
    let interrupt = Interrupt::install();
    let i = &interrupt;
    match &cli.command {
        Command::Emulator(a) => run_emulator(a, i).await,
        Command::Approvals(ApprovalsCommand::Export(a)) => approvals_export(&cli, a, i).await,
        Command::Approvals(ApprovalsCommand::LegacyExport(a)) => legacy_export(&cli, a, i).await,
        Command::Journals(JournalsCommand::Export(a)) => journals_export(&cli, a, i).await,
        Command::Journals(JournalsCommand::Stats(a)) => journal_stats(&cli, a, i).await,
        Command::Journals(JournalsCommand::Download(a)) => journal_download(&cli, a, i).await,
    }
}

/// A client, and the in-process emulator it talks to when `--emulator` is given.
pub struct Session {
    /// The client.
    pub client: Client,
    /// Where WeCom is.
    pub base_url: String,
    /// The corp whose data this is.
    pub corp_id: String,
    /// Keeps the in-process emulator running.
    pub emulator: Option<EmulatorHandle>,
}

/// The retry policy of the flags.
fn retry_policy(cli: &Cli) -> RetryPolicy {
    let mut policy = RetryPolicy::default().max_attempts(cli.retries.saturating_add(1));
    if let Some(ms) = cli.retry_backoff_ms {
        let first = Duration::from_millis(ms);
        policy = policy.backoff(first, first * 50).rate_limited_wait(first * 10);
    }
    policy
}

/// Connects: to the in-process emulator, or to WeCom with the credentials of the flags or the
/// environment (exit 2 naming both when they are missing).
pub async fn connect(cli: &Cli) -> Result<Session> {
    let (base_url, corp_id, secret, emulator, rate) = if cli.emulator {
        let emu = Emulator::builder()
            .rate_limit_per_minute(EMULATOR_RATE_LIMIT)
            .start()
            .await
            .map_err(|e| CliError::runtime(format!("cannot start the emulator: {e}")))?;
        let s = emu.summary();
        crate::progress::eprint_line(&format!(
            "using the bundled emulator at {} (sample company {}: {} approvals, {} journals, {} .. {} UTC+8; \
             {} calls/min per endpoint)",
            emu.base_url(),
            emu.corp_id(),
            s.approvals,
            s.journals,
            &format_short(s.start)[..10],
            &format_short(s.end)[..10],
            EMULATOR_RATE_LIMIT
        ));
        let rate = Some(cli.rate_limit.unwrap_or(EMULATOR_RATE_LIMIT));
        (emu.base_url(), emu.corp_id().to_owned(), emu.corp_secret().to_owned(), Some(emu), rate)
    } else {
        let corp_id = cli.corp_id.clone().filter(|s| !s.trim().is_empty());
        let secret = cli.corp_secret.clone().map(|s| s.0).filter(|s| !s.trim().is_empty());
        let (corp_id, secret) = match (corp_id, secret) {
            (Some(c), Some(s)) => (c, s),
            (c, s) => {
                let missing = match (c.is_none(), s.is_none()) {
                    (true, true) => "no corp id and no corp secret",
                    (true, false) => "no corp id",
                    _ => "no corp secret",
                };
                return Err(CliError::usage(format!(
                    "missing credentials ({missing}): pass --corp-id and --corp-secret, or set WECOM_CORP_ID and \
                     WECOM_CORP_SECRET (or try --emulator)"
                )));
            }
        };
        let base = cli.base_url.clone().unwrap_or_else(|| wecom_client::DEFAULT_BASE_URL.to_owned());
        (base, corp_id, secret, None, cli.rate_limit)
    };
    let mut builder = Client::builder()
        .base_url(base_url.clone())
        .corp_id(corp_id.clone())
        .corp_secret(secret)
        .retry_policy(retry_policy(cli))
        .concurrency(usize::from(cli.concurrency));
    if let Some(rate) = rate {
        builder = builder.rate_limit_all(RateLimit::per_minute(rate));
    }
    let client = builder.build().map_err(|e| match e {
        wecom_client::Error::Config(m) => CliError::usage(format!("invalid configuration: {m}")),
        other => CliError::runtime(other.to_string()),
    })?;
    Ok(Session { client, base_url: client_base(&base_url), corp_id, emulator })
}

fn client_base(url: &str) -> String {
    url.trim_end_matches('/').to_owned()
}

/// Output, format and an open writer (SQLite bound to the corp).
struct Out {
    target: Target,
    format: Format,
    writer: Writer,
}

fn open_output<R: Record>(o: &OutputArgs, stem: &str, corp_id: &str) -> Result<Out> {
    let (target, format) = output::resolve(o.out.as_deref(), o.format, stem)?;
    let mut writer = Writer::open::<R>(&target, format, o.batch_size)?;
    if let Some(db) = writer.sqlite() {
        db.bind_corp(corp_id)?;
    }
    Ok(Out { target, format, writer })
}

/// The canonical filter set of a checkpoint: sorted keys, departments sorted, `""` for none.
pub fn filters_key(pairs: &[(&str, Option<String>)], departments: &[String]) -> String {
    let mut map = serde_json::Map::new();
    for (k, v) in pairs {
        if let Some(v) = v {
            map.insert((*k).to_owned(), serde_json::Value::String(v.clone()));
        }
    }
    if !departments.is_empty() {
        let mut d = departments.to_vec();
        d.sort();
        d.dedup();
        map.insert("department".into(), serde_json::Value::from(d));
    }
    if map.is_empty() { String::new() } else { serde_json::Value::Object(map).to_string() }
}

fn stats_note(client: &Client) -> impl Fn() -> String + Send + Sync + 'static {
    let client = client.clone();
    move || {
        let s = client.stats();
        let mut parts = Vec::new();
        if s.retries > 0 {
            parts.push(format!("{} retries", s.retries));
        }
        if s.rate_limited > 0 {
            parts.push(format!("{} × 45009", s.rate_limited));
        }
        parts.join(", ")
    }
}

struct Finish<'a> {
    noun: &'a str,
    out: &'a Out,
    report: &'a Report,
    stats: Stats,
    started: Instant,
    range: Option<(u64, u64)>,
    db_total: Option<u64>,
}

/// `1 window`, `2 windows`, `3 retries`.
fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else if let Some(stem) = word.strip_suffix('y') {
        format!("{n} {stem}ies")
    } else if word.ends_with("ch") {
        format!("{n} {word}es")
    } else {
        format!("{n} {word}s")
    }
}

/// The end-of-run summary on stderr, and the exit status of an interrupted or partial run.
fn finish(progress: &Progress, f: Finish<'_>) -> Result<()> {
    progress.finish();
    let Finish { noun, out, report, stats, started, range, db_total } = f;
    let elapsed = started.elapsed();
    let format = out.format.name();
    let target = &out.target;
    let mut lines = Vec::new();
    if report.up_to_date {
        lines.push(format!(
            "nothing to do: {} already fully exported to {target} (use --refresh to fetch it again)",
            range.map(|(s, e)| format!("{} .. {}", format_short(s as i64), format_short(e as i64))).unwrap_or_default()
        ));
    } else {
        lines.push(format!(
            "{} {} {noun} to {target} ({format}) in {:.1}s",
            if report.interrupted { "interrupted after writing" } else { "wrote" },
            report.written,
            elapsed.as_secs_f64()
        ));
    }
    if !report.up_to_date {
        let rate = report.written as f64 / elapsed.as_secs_f64().max(0.001);
        let mut ids = format!(
            "  {} listed in {}, {}",
            report.listed,
            plural(stats.windows, "window"),
            plural(stats.pages, "page")
        );
        if report.already_stored > 0 {
            ids.push_str(&format!(", {} already in the database", report.already_stored));
        }
        ids.push_str(&format!("; {} written ({rate:.0}/s)", report.written));
        if !report.failed.is_empty() {
            ids.push_str(&format!(", {} could not be read", report.failed.len()));
        }
        lines.push(ids);
        lines.push(format!(
            "  API: {}, {}, {} × 45009 (rate limited), {}",
            plural(stats.calls, "call"),
            plural(stats.retries, "retry"),
            stats.rate_limited,
            plural(stats.token_fetches, "token fetch")
        ));
    }
    if let Some(total) = db_total {
        let mut l = format!("  database: {total} {noun} in {target}");
        if report.checkpointed {
            if let Some((s, e)) = range {
                l.push_str(&format!("; {} .. {} checkpointed", format_short(s as i64), format_short(e as i64)));
            }
        }
        lines.push(l);
    }
    for l in &lines {
        progress.line(l);
    }
    if report.interrupted {
        let how = if out.format == Format::Sqlite {
            "run the same command again to resume".to_owned()
        } else {
            format!("run the same command again to start over, or use --format sqlite to make {noun} exports resumable")
        };
        return Err(CliError::Interrupted(format!(
            "interrupted after {} {noun} (kept in {target}); {how}",
            report.written
        )));
    }
    if let Some(first) = report.failed.first() {
        return Err(CliError::runtime(format!(
            "{} {noun} could not be read (first: {first}); the others were written — run the command again to retry them",
            report.failed.len()
        )));
    }
    Ok(())
}

fn setup(cli: &Cli) -> Progress {
    Progress::new(Mode::detect(cli.no_progress))
}

async fn approvals_export(cli: &Cli, a: &ApprovalExportArgs, interrupt: &Interrupt) -> Result<()> {
    let mut filters = Vec::new();
    if let Some(s) = a.status {
        filters.push(ApprovalFilter::sp_status(SpStatus::from_code(s)));
    }
    if let Some(t) = &a.template {
        filters.push(ApprovalFilter::template_id(t));
    }
    if let Some(c) = &a.creator {
        filters.push(ApprovalFilter::creator(c));
    }
    for d in &a.department {
        filters.push(ApprovalFilter::department(d));
    }
    let key = filters_key(
        &[
            ("status", a.status.map(|s| s.to_string())),
            ("template", a.template.clone()),
            ("creator", a.creator.clone()),
        ],
        &a.department,
    );
    let job = ExportJob { range: &a.range, output: &a.output, noun: "approvals", kind: Kind::Approvals, filters: key };
    export_by_ids::<ApprovalDetail>(cli, job, interrupt, |client| {
        let approvals = client.approvals();
        let fetcher = approvals.clone();
        (Box::new(move |r| approvals.ids(r, filters.clone())), Box::new(move |ids| fetcher.details_for(ids)))
    })
    .await
}

async fn journals_export(cli: &Cli, a: &JournalExportArgs, interrupt: &Interrupt) -> Result<()> {
    let mut filters = Vec::new();
    if let Some(t) = &a.template {
        filters.push(JournalFilter::template_id(t));
    }
    if let Some(c) = &a.creator {
        filters.push(JournalFilter::creator(c));
    }
    for d in &a.department {
        filters.push(JournalFilter::department(d));
    }
    let key = filters_key(&[("template", a.template.clone()), ("creator", a.creator.clone())], &a.department);
    let job = ExportJob { range: &a.range, output: &a.output, noun: "journals", kind: Kind::Journals, filters: key };
    export_by_ids::<JournalRecord>(cli, job, interrupt, |client| {
        let journals = client.journals();
        let fetcher = journals.clone();
        (Box::new(move |r| journals.ids(r, filters.clone())), Box::new(move |ids| fetcher.details_for(ids)))
    })
    .await
}

/// What an id-listing export writes where.
struct ExportJob<'a> {
    range: &'a RangeArgs,
    output: &'a OutputArgs,
    /// Plural noun and default file stem (`approvals`).
    noun: &'static str,
    kind: Kind,
    /// Canonical filter set, for checkpoints.
    filters: String,
}

/// The shared body of `approvals export` and `journals export`: list ids, then fetch details
/// (skipping what an SQLite target already holds), with progress, checkpoint and summary.
async fn export_by_ids<R: Record>(
    cli: &Cli,
    job: ExportJob<'_>,
    interrupt: &Interrupt,
    phases: impl FnOnce(&Client) -> (export::ListFn, export::FetchFn<R>),
) -> Result<()> {
    let range = dates::range(&job.range.since, &job.range.until)?;
    output::resolve(job.output.out.as_deref(), job.output.format, job.noun)?;
    let session = connect(cli).await?;
    let mut out = open_output::<R>(job.output, job.noun, &session.corp_id)?;
    let progress = setup(cli);
    progress.watch(stats_note(&session.client));
    let (list, fetch) = phases(&session.client);
    let plan = Plan { kind: job.kind, filters: job.filters, range, refresh: job.output.refresh, list, fetch };
    let started = Instant::now();
    let ctx = Ctx { progress: &progress, interrupt, base_url: &session.base_url };
    let report = export::two_phase(&ctx, &mut out.writer, plan).await;
    let report = report_or_fail(&progress, report)?;
    let db_total = match out.writer.sqlite() {
        Some(db) => Some(db.count(job.kind)?),
        None => None,
    };
    let stats = session.client.stats();
    finish(
        &progress,
        Finish { noun: job.noun, out: &out, report: &report, stats, started, range: Some(range), db_total },
    )
}

async fn legacy_export(cli: &Cli, a: &LegacyExportArgs, interrupt: &Interrupt) -> Result<()> {
    let (start, end) = dates::range(&a.range.since, &a.range.until)?;
    output::resolve(a.output.out.as_deref(), a.output.format, "legacy-approvals")?;
    let session = connect(cli).await?;
    let mut out = open_output::<wecom_client::LegacyForm>(&a.output, "legacy-approvals", &session.corp_id)?;
    let progress = setup(cli);
    progress.watch(stats_note(&session.client));

    // No ids phase here: the legacy API pages whole forms. Checkpoints still skip covered
    // ranges, and upserts by sp_num make a resumed run rewrite rather than duplicate.
    let pieces = match out.writer.sqlite() {
        Some(db) if !a.output.refresh => {
            crate::output::sqlite::uncovered(start, end, &db.covered(Kind::LegacyApprovals, "")?)
        }
        _ => vec![(start, end)],
    };
    let mut streams = Vec::new();
    for (s, e) in &pieces {
        streams.push(session.client.approvals().legacy(export::time_range(*s, *e)?));
    }
    let started = Instant::now();
    let ctx = Ctx { progress: &progress, interrupt, base_url: &session.base_url };
    let report = export::streamed(&ctx, &mut out.writer, "fetching legacy approvals", streams).await;
    let mut report = report_or_fail(&progress, report)?;
    report.up_to_date = pieces.is_empty();
    let mut db_total = None;
    if let Some(db) = out.writer.sqlite() {
        if !report.interrupted && report.failed.is_empty() && !report.up_to_date {
            db.add_checkpoint(Kind::LegacyApprovals, "", start, end)?;
            report.checkpointed = true;
        }
        db_total = Some(db.count(Kind::LegacyApprovals)?);
    }
    let stats = session.client.stats();
    finish(
        &progress,
        Finish {
            noun: "legacy approvals",
            out: &out,
            report: &report,
            stats,
            started,
            range: Some((start, end)),
            db_total,
        },
    )
}

async fn journal_stats(cli: &Cli, a: &StatsArgs, interrupt: &Interrupt) -> Result<()> {
    let (start, end) = dates::range(&a.range.since, &a.range.until)?;
    output::resolve(a.output.out.as_deref(), a.output.format, "journal-stats")?;
    let session = connect(cli).await?;
    let mut out = open_output::<StatCycle>(&a.output, "journal-stats", &session.corp_id)?;
    let progress = setup(cli);
    progress.watch(stats_note(&session.client));
    let stream = session.client.journals().stats(a.template.clone(), export::time_range(start, end)?);
    let started = Instant::now();
    let ctx = Ctx { progress: &progress, interrupt, base_url: &session.base_url };
    let report = export::streamed(&ctx, &mut out.writer, "fetching stat cycles", vec![stream]).await;
    let report = report_or_fail(&progress, report)?;
    let db_total = match out.writer.sqlite() {
        Some(db) => Some(db.count(Kind::StatCycles)?),
        None => None,
    };
    let stats = session.client.stats();
    finish(
        &progress,
        Finish { noun: "stat cycles", out: &out, report: &report, stats, started, range: Some((start, end)), db_total },
    )
}

/// Clears the progress display before an error is printed.
fn report_or_fail(progress: &Progress, r: Result<Report>) -> Result<Report> {
    if r.is_err() {
        progress.finish();
    }
    r
}

/// Counts bytes into the progress display as they are written.
struct Counting<'a, W> {
    inner: W,
    progress: &'a Progress,
}

impl<W: AsyncWrite + Unpin> AsyncWrite for Counting<'_, W> {
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

async fn journal_download(cli: &Cli, a: &DownloadArgs, interrupt: &Interrupt) -> Result<()> {
    if a.out.is_empty() {
        return Err(CliError::usage("--out is empty: give a file path, or - for stdout"));
    }
    let session = connect(cli).await?;
    let progress = setup(cli);
    progress.watch(stats_note(&session.client));
    progress.bytes(&format!("downloading {}", a.file));
    let started = Instant::now();
    let journals = session.client.journals();
    let base_url = session.base_url.clone();

    let (written, saved_to) = if a.out == "-" {
        let mut w = Counting { inner: tokio::io::stdout(), progress: &progress };
        let result = tokio::select! {
            biased;
            () = interrupt.wait() => None,
            r = journals.download_wedrive_file(&a.journal, &a.file, &mut w) => Some(r),
        };
        progress.finish();
        match result {
            None => return Err(CliError::Interrupted("interrupted; the download to stdout is incomplete".into())),
            Some(Err(e)) => return Err(CliError::client(&e, &base_url)),
            Some(Ok(n)) => (n, "stdout".to_owned()),
        }
    } else {
        // Written beside the target and renamed when complete: a file at PATH is always whole.
        let path = PathBuf::from(&a.out);
        let mut part = path.clone().into_os_string();
        part.push(".part");
        let part = PathBuf::from(part);
        let file = tokio::fs::File::create(&part)
            .await
            .map_err(|e| CliError::runtime(format!("cannot create {}: {e}", part.display())))?;
        let mut w = Counting { inner: file, progress: &progress };
        let result = tokio::select! {
            biased;
            () = interrupt.wait() => None,
            r = journals.download_wedrive_file(&a.journal, &a.file, &mut w) => Some(r),
        };
        progress.finish();
        let ok = match result {
            Some(Ok(n)) => w
                .inner
                .shutdown()
                .await
                .map(|()| n)
                .map_err(|e| CliError::runtime(format!("cannot write {}: {e}", part.display()))),
            Some(Err(e)) => Err(CliError::client(&e, &base_url)),
            None => Err(CliError::Interrupted(format!(
                "interrupted; nothing saved to {} — run the same command again to download it",
                path.display()
            ))),
        };
        drop(w);
        match ok {
            Ok(n) => {
                tokio::fs::rename(&part, &path).await.map_err(|e| {
                    CliError::runtime(format!("cannot move {} to {}: {e}", part.display(), path.display()))
                })?;
                (n, path.display().to_string())
            }
            Err(e) => {
                let _ = tokio::fs::remove_file(&part).await;
                return Err(e);
            }
        }
    };
    let stats = session.client.stats();
    progress.line(&format!(
        "saved {written} bytes ({}) to {saved_to} in {:.1}s; API: {} calls, {} retries",
        indicatif::HumanBytes(written),
        started.elapsed().as_secs_f64(),
        stats.calls,
        stats.retries
    ));
    Ok(())
}

/// `wecom emulator`: the emulator in the foreground until Ctrl-C.
async fn run_emulator(a: &EmulatorArgs, interrupt: &Interrupt) -> Result<()> {
    let emu = Emulator::builder()
        .addr(a.addr)
        .approvals(a.approvals)
        .journals(a.journals)
        .seed(a.seed)
        .rate_limit_per_minute(a.rate_limit)
        .start()
        .await
        .map_err(|e| match e {
            wecom_emulator::EmulatorError::Bind { .. } => CliError::runtime(e.to_string()),
            other => CliError::usage(other.to_string()),
        })?;
    let base = emu.base_url();
    let s = emu.summary();
    let (id, secret) = (emu.corp_id().to_owned(), emu.corp_secret().to_owned());
    let first_day = format_short(s.start)[..10].to_owned();
    let last_day = format_short(s.end)[..10].to_owned();
    let text = format!(
        "wecom emulator listening on {base}
  corp id:     {id}
  corp secret: {secret}
  dataset:     {} approvals, {} journals, {} users, seed {}, {first_day} .. {last_day} (UTC+8)
  rate limit:  {} calls/min per endpoint

Try:
  wecom --base-url {base} --corp-id {id} --corp-secret {secret} \\
        approvals export --since {first_day} --until {last_day} --out approvals.sqlite
  curl -s '{base}/cgi-bin/gettoken?corpid={id}&corpsecret={secret}'
  curl -s '{base}/_emulator/'

Ctrl-C to stop.",
        s.approvals,
        s.journals,
        s.users.len(),
        s.seed,
        a.rate_limit
    );
    {
        use std::io::Write;
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{text}");
        let _ = stdout.flush();
    }
    interrupt.wait().await;
    emu.shutdown().await;
    eprintln!("emulator stopped");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_keys_are_canonical() {
        assert_eq!(filters_key(&[("creator", None)], &[]), "");
        let a = filters_key(&[("creator", Some("x".into()))], &["3".into(), "2".into(), "3".into()]);
        let b = filters_key(&[("creator", Some("x".into()))], &["2".into(), "3".into()]);
        assert_eq!(a, b);
        assert_eq!(a, r#"{"creator":"x","department":["2","3"]}"#);
    }
}
