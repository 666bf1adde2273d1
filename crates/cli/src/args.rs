//! The command line (clap derive).

// Doc comments here are the `--help` text, shown verbatim: URLs and `<placeholders>` stay as written.
#![allow(rustdoc::bare_urls, rustdoc::invalid_html_tags)]

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use wecom_client::DriftRecorder;

/// Calls per minute per endpoint WeCom documents, and the client's default budget.
pub const WECOM_RATE_LIMIT: u32 = 600;
/// Calls per minute per endpoint of the in-process `--emulator` and of the client using it.
pub const EMULATOR_RATE_LIMIT: u32 = 30_000;

const AFTER_HELP: &str = "\
Examples:
  wecom --emulator approvals export --since 2025-01-01 --until 2025-06-30 --out approvals.ndjson
  wecom approvals export --since 2025-01-01 --until 2025-03-31 --out oa.sqlite
  wecom journals export --since 2025-05-01 --until 2025-05-31 --department 2 --department 3 --out may.csv

Credentials come from --corp-id/--corp-secret or WECOM_CORP_ID/WECOM_CORP_SECRET; the app
must be allowed to pull approval data (admin console → 审批 → API → 可调用接口的应用).

Exit codes: 0 ok, 1 failure (network, API, permission, credentials), 2 bad usage or input,
130 interrupted by Ctrl-C (what was written is kept; re-run the command to resume).";

/// Export WeCom (企业微信) approvals (审批) and journals (汇报) to NDJSON, CSV or SQLite.
#[derive(Parser)]
#[command(name = "wecom", version, about, after_help = AFTER_HELP)]
pub struct Cli {
    /// Corp id (企业ID).
    #[arg(long, env = "WECOM_CORP_ID", global = true, help_heading = "Global options", value_name = "ID")]
    pub corp_id: Option<String>,

    /// The app's secret (never printed).
    #[arg(
        long,
        env = "WECOM_CORP_SECRET",
        hide_env_values = true,
        global = true,
        help_heading = "Global options",
        value_name = "SECRET"
    )]
    pub corp_secret: Option<SecretArg>,

    /// WeCom's API host [default: https://qyapi.weixin.qq.com].
    #[arg(long, env = "WECOM_BASE_URL", global = true, help_heading = "Global options", value_name = "URL")]
    pub base_url: Option<String>,

    /// Start the bundled emulator in-process (a sample company: 2000 approvals, 1000 journals,
    /// 2025-01-01..2025-06-30) and use it; credentials and --base-url are then ignored. Its rate
    /// limit and the client's are raised to 30000 calls/min per endpoint so a demo takes
    /// seconds (real WeCom allows 600/min).
    #[arg(long, global = true, help_heading = "Global options")]
    pub emulator: bool,

    /// Calls per minute per endpoint the client allows itself
    /// [default: 600, WeCom's documented limit; 30000 with --emulator].
    #[arg(long, env = "WECOM_RATE_LIMIT", global = true, help_heading = "Global options", value_name = "CALLS_PER_MIN",
          value_parser = clap::value_parser!(u32).range(1..))]
    pub rate_limit: Option<u32>,

    /// Detail calls kept in flight.
    #[arg(long, default_value_t = 8, global = true, help_heading = "Global options", value_name = "N",
          value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,

    /// Retries of a failed call (network errors, busy, 5xx) before giving up.
    #[arg(long, default_value_t = 5, global = true, help_heading = "Global options", value_name = "N")]
    pub retries: u32,

    /// First retry backoff in milliseconds (tests make it short).
    #[arg(long, env = "WECOM_RETRY_BACKOFF_MS", global = true, help_heading = "Global options", hide = true)]
    pub retry_backoff_ms: Option<u64>,

    /// Plain log lines instead of a progress bar (the default when stderr is not a terminal).
    #[arg(long, global = true, help_heading = "Global options")]
    pub no_progress: bool,

    /// Write what WeCom sent that the spec does not know (fields at any depth, enum values,
    /// control kinds, error codes, left-out fields) to FILE as JSON, for a maintainer to turn
    /// into spec edits. A short summary is printed after every run either way.
    #[arg(long, global = true, help_heading = "Global options", value_name = "FILE", conflicts_with = "no_drift")]
    pub drift_report: Option<PathBuf>,

    /// Do not check answers against the spec (saves a second parse of each answer).
    #[arg(long, global = true, help_heading = "Global options")]
    pub no_drift: bool,

    /// The run's drift record, shared by its client (not a flag).
    #[arg(skip)]
    pub drift: DriftRecorder,

    /// More logging on stderr (-v: info, -vv: debug); RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true, help_heading = "Global options")]
    pub verbose: u8,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The corp secret: kept out of `Debug` so it can never be logged by accident.
#[derive(Clone)]
pub struct SecretArg(pub String);

impl fmt::Debug for SecretArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretArg(<redacted>)")
    }
}

impl std::str::FromStr for SecretArg {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(SecretArg(s.to_owned()))
    }
}

/// The commands.
#[derive(Subcommand)]
pub enum Command {
    /// 审批: export approval forms.
    #[command(subcommand)]
    Approvals(ApprovalsCommand),
    /// 汇报: export journal records and statistics, download attachments.
    #[command(subcommand)]
    Journals(JournalsCommand),
    /// Run the bundled WeCom emulator in the foreground until Ctrl-C.
    Emulator(EmulatorArgs),
}

/// `wecom approvals …`.
#[derive(Subcommand)]
pub enum ApprovalsCommand {
    /// Export approval forms in full (getapprovalinfo + getapprovaldetail).
    Export(ApprovalExportArgs),
    /// Export forms through the legacy data API (corp/getapprovaldata).
    LegacyExport(LegacyExportArgs),
    /// Keep a SQLite mirror of every form current: backfill from --since, then apply callback
    /// events as they come (--listen) and reconcile every --reconcile-every, until Ctrl-C or
    /// --duration.
    Sync(SyncArgs),
}

/// `wecom journals …`.
#[derive(Subcommand)]
pub enum JournalsCommand {
    /// Export journal records in full (get_record_list + get_record_detail).
    Export(JournalExportArgs),
    /// Export the statistics cycles of a journal template (get_stat_list).
    Stats(StatsArgs),
    /// Download a WeDrive file attached to a journal record.
    Download(DownloadArgs),
}

/// The date range of an export.
#[derive(Args, Debug, Clone)]
pub struct RangeArgs {
    /// First day: YYYY-MM-DD (00:00:00 China Standard Time, UTC+8) or RFC 3339.
    #[arg(long, value_name = "DATE")]
    pub since: String,
    /// Last day, included whole: YYYY-MM-DD (until 23:59:59 UTC+8) or RFC 3339 (exact).
    /// Any span: the client splits it into the windows WeCom accepts.
    #[arg(long, value_name = "DATE")]
    pub until: String,
}

/// Output file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One full typed record per line (JSON).
    Ndjson,
    /// One row per record with summary columns and the form flattened to text.
    Csv,
    /// A database with tables for records, form fields, nodes and comments; resumable.
    Sqlite,
}

/// Where and how records are written.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Output")]
pub struct OutputArgs {
    /// Output file, or `-` for stdout (ndjson and csv only) [default: <what>.<format> in the
    /// current directory, e.g. approvals.ndjson].
    #[arg(long, value_name = "PATH|-")]
    pub out: Option<String>,
    /// Output format [default: from the --out extension (.ndjson/.jsonl, .csv,
    /// .sqlite/.sqlite3/.db), else ndjson].
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// SQLite: ignore checkpoints and records already stored; fetch the whole range again and
    /// update the rows (picks up later status changes).
    #[arg(long)]
    pub refresh: bool,
    /// SQLite: records per transaction (an interrupted run keeps every committed batch).
    #[arg(long, default_value_t = 200, hide = true)]
    pub batch_size: usize,
}

/// `wecom approvals export`.
#[derive(Args, Debug, Clone)]
pub struct ApprovalExportArgs {
    #[command(flatten)]
    pub range: RangeArgs,
    /// Only forms in this status (1 审批中, 2 已通过, 3 已驳回, 4 已撤销, 6 通过后撤销, 7 已删除, 10 已支付).
    #[arg(long, value_name = "N", help_heading = "Filters")]
    pub status: Option<i64>,
    /// Only forms of this template.
    #[arg(long, value_name = "ID", help_heading = "Filters")]
    pub template: Option<String>,
    /// Only forms of this applicant.
    #[arg(long, value_name = "USERID", help_heading = "Filters")]
    pub creator: Option<String>,
    /// Only forms whose applicant is in this department; repeat for several (OR).
    #[arg(long, value_name = "ID", help_heading = "Filters")]
    pub department: Vec<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `wecom approvals legacy-export`.
#[derive(Args, Debug, Clone)]
pub struct LegacyExportArgs {
    #[command(flatten)]
    pub range: RangeArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `wecom journals export`.
#[derive(Args, Debug, Clone)]
pub struct JournalExportArgs {
    #[command(flatten)]
    pub range: RangeArgs,
    /// Only records of this template.
    #[arg(long, value_name = "ID", help_heading = "Filters")]
    pub template: Option<String>,
    /// Only records of this submitter.
    #[arg(long, value_name = "USERID", help_heading = "Filters")]
    pub creator: Option<String>,
    /// Only records whose submitter is in this department; repeat for several (OR).
    #[arg(long, value_name = "ID", help_heading = "Filters")]
    pub department: Vec<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `wecom journals stats`.
#[derive(Args, Debug, Clone)]
pub struct StatsArgs {
    /// The journal template (汇报表单id).
    #[arg(long, value_name = "ID")]
    pub template: String,
    #[command(flatten)]
    pub range: RangeArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `wecom journals download`.
#[derive(Args, Debug, Clone)]
pub struct DownloadArgs {
    /// The journal record (journaluuid).
    #[arg(long, value_name = "UUID")]
    pub journal: String,
    /// The WeDrive file id (fileid).
    #[arg(long, value_name = "FILEID")]
    pub file: String,
    /// Where to save it (`-` for stdout). Written to PATH.part first, renamed when complete.
    #[arg(long, value_name = "PATH|-")]
    pub out: String,
}

/// `wecom approvals sync`.
#[derive(Args, Debug, Clone)]
pub struct SyncArgs {
    /// The mirror: a SQLite file (created if missing; a later run resumes it, and finishes
    /// what an earlier one left in its inbox).
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,
    /// First day mirrored: YYYY-MM-DD (00:00:00 UTC+8) or RFC 3339; forms submitted since then
    /// are backfilled [required, except with --emulator: the sample company's first day].
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Serve the callback URL on this address (e.g. 0.0.0.0:8080; with --emulator a free
    /// loopback port); without it, the mirror is kept by reconciliation alone.
    #[arg(long, value_name = "ADDR", help_heading = "Callbacks")]
    pub listen: Option<SocketAddr>,
    /// The callback URL's path.
    #[arg(long, default_value = "/wecom/callback", value_name = "PATH", help_heading = "Callbacks")]
    pub callback_path: String,
    /// The callback Token (接收消息 → 设置API接收; never printed).
    #[arg(long, env = "WECOM_CALLBACK_TOKEN", hide_env_values = true, value_name = "T", help_heading = "Callbacks")]
    pub callback_token: Option<SecretArg>,
    /// The callback EncodingAESKey, 43 characters (never printed).
    #[arg(long, env = "WECOM_CALLBACK_AES_KEY", hide_env_values = true, value_name = "K", help_heading = "Callbacks")]
    pub callback_aes_key: Option<SecretArg>,
    /// How often to reconcile: list forms submitted since the last checkpoint and re-read
    /// open (审批中) forms, so events WeCom never delivered are healed (e.g. 30s, 5m, 1h).
    #[arg(long, default_value = "5m", value_parser = crate::dates::parse_duration, value_name = "DURATION")]
    pub reconcile_every: Duration,
    /// Detail calls one reconcile cycle may spend [default: half of what the rate limit
    /// allows over one interval].
    #[arg(long, value_name = "CALLS", value_parser = clap::value_parser!(u64).range(1..))]
    pub reconcile_budget: Option<u64>,
    /// Stop after this long (then apply what is pending and reconcile once more)
    /// [default: until Ctrl-C].
    #[arg(long, value_parser = crate::dates::parse_duration, value_name = "DURATION")]
    pub duration: Option<Duration>,
    /// With --emulator: changes per minute the emulator's activity makes (pushed to this
    /// command's listener).
    #[arg(long, default_value_t = 120, value_name = "N", hide = true)]
    pub emulator_activity: u32,
    /// SQLite: records per transaction during the backfill. 1 by default: a batch holds the
    /// write lock until its last detail is fetched (seconds at WeCom's 600 calls/min), and the
    /// callback inbox must not wait behind it (its hook has 3 s before WeCom gets a 503).
    #[arg(long, default_value_t = 1, hide = true)]
    pub batch_size: usize,
}

/// `wecom emulator`.
#[derive(Args, Debug, Clone)]
pub struct EmulatorArgs {
    /// Listen address (loopback only; port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:18080", value_name = "ADDR")]
    pub addr: SocketAddr,
    /// Approval forms in the sample company.
    #[arg(long, default_value_t = 2000, value_name = "N")]
    pub approvals: usize,
    /// Journal records in the sample company.
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub journals: usize,
    /// Dataset seed (same seed and sizes, same company).
    #[arg(long, default_value_t = 42, value_name = "N")]
    pub seed: u64,
    /// Calls per minute per endpoint before 45009 (WeCom's documented 600 by default).
    #[arg(long, default_value_t = WECOM_RATE_LIMIT, value_name = "CALLS_PER_MIN")]
    pub rate_limit: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn the_secret_never_shows_in_debug() {
        let cli = Cli::try_parse_from(["wecom", "--corp-secret", "s3cr3t-xyz", "emulator"]).unwrap();
        assert_eq!(format!("{:?}", cli.corp_secret), "Some(SecretArg(<redacted>))");
    }
}
