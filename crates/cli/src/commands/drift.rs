//! The end of every run: a few lines on stderr about what WeCom sent that the spec does not
//! know, and the `--drift-report` file a maintainer turns into spec edits.

use std::path::Path;

use wecom_client::{DriftFinding, DriftReport};

use crate::args::Cli;
use crate::error::{CliError, Result};
use crate::progress::eprint_line;

/// Findings listed in the summary; the report has them all.
const SHOWN: usize = 5;

/// What the report names as its writer.
const TOOL: &str = concat!("wecom-cli ", env!("CARGO_PKG_VERSION"));

/// Prints the summary (when anything was found) and writes the report (when asked).
pub(super) fn finish(cli: &Cli) -> Result<()> {
    if cli.no_drift {
        return Ok(());
    }
    let report = cli.drift.report(TOOL);
    for line in summary(&report, cli.drift_report.as_deref()) {
        eprint_line(&line);
    }
    match &cli.drift_report {
        Some(path) => write(&report, path),
        None => Ok(()),
    }
}

/// The summary lines: nothing when nothing was found.
pub(super) fn summary(report: &DriftReport, file: Option<&Path>) -> Vec<String> {
    let findings = &report.findings;
    if findings.is_empty() {
        return Vec::new();
    }
    let seen: u64 = findings.iter().map(|f| f.count).sum();
    let mut lines = vec![format!(
        "drift: WeCom sent {} thing{} the spec does not know ({seen} time{}):",
        findings.len(),
        if findings.len() == 1 { "" } else { "s" },
        if seen == 1 { "" } else { "s" },
    )];
    let mut by_count: Vec<&DriftFinding> = findings.iter().collect();
    by_count.sort_by_key(|f| std::cmp::Reverse(f.count));
    for f in by_count.iter().take(SHOWN) {
        let value = f.value.as_deref().map(|v| format!(" {v}")).unwrap_or_default();
        lines.push(format!("  {} {}{value} at {} ({}) ×{}", f.endpoint, f.kind, f.path, f.spec_type, f.count));
    }
    if findings.len() > SHOWN {
        lines.push(format!("  … and {} more", findings.len() - SHOWN));
    }
    lines.push(match file {
        Some(path) => format!("  details in {}", path.display()),
        None => "  write them to a file with --drift-report FILE".to_owned(),
    });
    lines
}

fn write(report: &DriftReport, path: &Path) -> Result<()> {
    let mut text = serde_json::to_string_pretty(report)
        .map_err(|e| CliError::runtime(format!("cannot encode the drift report: {e}")))?;
    text.push('\n');
    std::fs::write(path, text)
        .map_err(|e| CliError::runtime(format!("cannot write the drift report to {}: {e}", path.display())))
}
