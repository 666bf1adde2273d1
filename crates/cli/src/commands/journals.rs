//! `wecom journals …`: `export` (ids, then details), `stats` (statistics cycles) and
//! `download` (a WeDrive file of a record).

use std::path::PathBuf;
use std::time::Instant;

use tokio::io::AsyncWriteExt;
use wecom_models::journal::{JournalFilter, JournalRecord, StatCycle};

use super::job::{self, Job, Source};
use super::session::connect;
use super::summary::stats_note;
use crate::args::{Cli, DownloadArgs, JournalExportArgs, StatsArgs};
use crate::checkpoint::Scope;
use crate::error::{CliError, Result};
use crate::interrupt::Interrupt;
use crate::progress::{CountingWriter, Mode, Progress};
use crate::records::Kind;

/// `wecom journals export`.
pub(super) async fn export(cli: &Cli, a: &JournalExportArgs, interrupt: &Interrupt) -> Result<()> {
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
    let scope = Scope::filtered(
        Kind::Journals,
        &[("template", a.template.clone()), ("creator", a.creator.clone())],
        &a.department,
    );
    let job = Job { range: &a.range, output: &a.output, stem: "journals", scope, resumable: true };
    job::run::<JournalRecord>(cli, job, interrupt, |client| {
        let journals = client.journals();
        let fetcher = journals.clone();
        Source::Ids {
            list: Box::new(move |r| journals.ids(r, filters.clone())),
            fetch: Box::new(move |ids| fetcher.details_for(ids)),
        }
    })
    .await
}

/// `wecom journals stats`: cycles are few and cheap, so this export never resumes.
pub(super) async fn stats(cli: &Cli, a: &StatsArgs, interrupt: &Interrupt) -> Result<()> {
    let job = Job {
        range: &a.range,
        output: &a.output,
        stem: "journal-stats",
        scope: Scope::all(Kind::StatCycles),
        resumable: false,
    };
    let template = a.template.clone();
    job::run::<StatCycle>(cli, job, interrupt, |client| {
        let journals = client.journals();
        Source::Records {
            what: "fetching stat cycles",
            records: Box::new(move |r| journals.stats(template.clone(), r)),
        }
    })
    .await
}

/// `wecom journals download`: to stdout, or to `PATH.part` renamed to PATH when complete, so a
/// file at PATH is always whole.
pub(super) async fn download(cli: &Cli, a: &DownloadArgs, interrupt: &Interrupt) -> Result<()> {
    if a.out.is_empty() {
        return Err(CliError::usage("--out is empty: give a file path, or - for stdout"));
    }
    let session = connect(cli).await?;
    let progress = Progress::new(Mode::detect(cli.no_progress));
    progress.watch(stats_note(&session.client));
    progress.bytes(&format!("downloading {}", a.file));
    let started = Instant::now();
    let journals = session.client.journals();
    let base_url = session.base_url.clone();

    let (written, saved_to) = if a.out == "-" {
        let mut w = CountingWriter::new(tokio::io::stdout(), &progress);
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
        let path = PathBuf::from(&a.out);
        let mut part = path.clone().into_os_string();
        part.push(".part");
        let part = PathBuf::from(part);
        let file = tokio::fs::File::create(&part)
            .await
            .map_err(|e| CliError::runtime(format!("cannot create {}: {e}", part.display())))?;
        let mut w = CountingWriter::new(file, &progress);
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
