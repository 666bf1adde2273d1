//! The end of a run: the summary on stderr and the exit status of an interrupted or partial
//! run; and the live note (retries, 45009s) beside the progress.

use std::time::{Duration, Instant};

use wecom_client::{Client, Stats};

use crate::dates::format_short;
use crate::error::{CliError, Result};
use crate::export::Report;
use crate::output::{Format, Target};
use crate::progress::Progress;

/// The client's retries and 45009s so far, for the progress display.
pub(super) fn stats_note(client: &Client) -> impl Fn() -> String + Send + Sync + 'static {
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

/// What a summary reports.
pub(super) struct Finish<'a> {
    /// What was exported, plural (`approvals`).
    pub noun: &'a str,
    /// Where it went.
    pub target: &'a Target,
    /// In which format.
    pub format: Format,
    /// What the engine did.
    pub report: &'a Report,
    /// The client's counters.
    pub stats: Stats,
    /// When the export started.
    pub started: Instant,
    /// The range asked for.
    pub range: Option<(u64, u64)>,
    /// Records of this kind in the database, for SQLite.
    pub db_total: Option<u64>,
}

/// `1 window`, `2 windows`, `3 retries`.
pub(super) fn plural(n: u64, word: &str) -> String {
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

/// Clears the progress display before an error is printed.
pub(super) fn report_or_fail(progress: &Progress, r: Result<Report>) -> Result<Report> {
    if r.is_err() {
        progress.finish();
    }
    r
}

/// Prints the end-of-run summary; an interrupted or partial run becomes its error.
pub(super) fn finish(progress: &Progress, f: Finish<'_>) -> Result<()> {
    progress.finish();
    for l in lines(&f, f.started.elapsed()) {
        progress.line(&l);
    }
    let Finish { noun, target, format, report, .. } = f;
    if report.interrupted {
        let how = if format == Format::Sqlite {
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

/// The summary's lines.
fn lines(f: &Finish<'_>, elapsed: Duration) -> Vec<String> {
    let Finish { noun, target, format, report, stats, range, db_total, .. } = f;
    let format = format.name();
    let range_text = |(s, e): (u64, u64)| format!("{} .. {}", format_short(s as i64), format_short(e as i64));
    let mut lines = Vec::new();
    if report.up_to_date {
        lines.push(format!(
            "nothing to do: {} already fully exported to {target} (use --refresh to fetch it again)",
            range.map(range_text).unwrap_or_default()
        ));
    } else {
        lines.push(format!(
            "{} {} {noun} to {target} ({format}) in {:.1}s",
            if report.interrupted { "interrupted after writing" } else { "wrote" },
            report.written,
            elapsed.as_secs_f64()
        ));
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
        if let (true, Some(r)) = (report.checkpointed, range) {
            l.push_str(&format!("; {} checkpointed", range_text(*r)));
        }
        lines.push(l);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finish_of<'a>(report: &'a Report, target: &'a Target, db_total: Option<u64>) -> Finish<'a> {
        Finish {
            noun: "approvals",
            target,
            format: Format::Sqlite,
            report,
            stats: Stats::default(),
            started: Instant::now(),
            range: Some((1_735_660_800, 1_735_747_199)),
            db_total,
        }
    }

    #[test]
    fn the_summary_says_what_was_listed_skipped_written_and_checkpointed() {
        let target = Target::Path("oa.sqlite".into());
        let report = Report { listed: 10, already_stored: 4, written: 6, checkpointed: true, ..Report::default() };
        let text = lines(&finish_of(&report, &target, Some(10)), Duration::from_secs(2));
        assert_eq!(text[0], "wrote 6 approvals to oa.sqlite (sqlite) in 2.0s");
        assert_eq!(text[1], "  10 listed in 0 windows, 0 pages, 4 already in the database; 6 written (3/s)");
        assert!(text[2].starts_with("  API: 0 calls, 0 retries, 0 × 45009"), "{}", text[2]);
        assert_eq!(
            text[3],
            "  database: 10 approvals in oa.sqlite; 2025-01-01 00:00:00 .. 2025-01-01 23:59:59 checkpointed"
        );

        let done = Report { up_to_date: true, ..Report::default() };
        let text = lines(&finish_of(&done, &target, Some(10)), Duration::from_secs(0));
        assert!(text[0].starts_with("nothing to do: 2025-01-01 00:00:00 .. "), "{}", text[0]);
        assert_eq!(text.len(), 2);
    }

    #[test]
    fn plurals() {
        assert_eq!(plural(1, "window"), "1 window");
        assert_eq!(plural(2, "retry"), "2 retries");
        assert_eq!(plural(0, "token fetch"), "0 token fetches");
    }
}
