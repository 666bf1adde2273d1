//! # wecom-emulator
//!
//! A faithful local WeCom (企业微信) OA server for tests, demos and benchmarks.
//!
//! It serves `GET /cgi-bin/gettoken` and the seven OA endpoints (journal
//! get_record_list / get_record_detail / get_stat_list / download_wedrive_file,
//! approval getapprovalinfo / getapprovaldetail, legacy corp/getapprovaldata) over
//! a deterministic synthetic company, speaking the wire format exactly as the
//! official docs show it — quirks included — with WeCom's windows, page sizes,
//! cursors, error codes, token life cycle and rate limits, plus reproducible
//! fault injection and ground truth for tests.
//!
//! ```no_run
//! # async fn demo() -> Result<(), wecom_emulator::EmulatorError> {
//! use wecom_emulator::{ApprovalFilter, Emulator};
//!
//! let emu = Emulator::builder().seed(7).approvals(500).start().await?;
//! let base = emu.base_url(); // "http://127.0.0.1:PORT"
//! // … point a client at `base`, using emu.corp_id() / emu.corp_secret() …
//! let (start, end) = emu.date_range();
//! let expected = emu.approval_ids(start, start + 31 * 86_400, &ApprovalFilter::new());
//! # let _ = (base, end, expected);
//! # Ok(()) }
//! ```
//!
//! The world can also change while it runs: forms are submitted, approved,
//! rejected, withdrawn, transferred, urged and commented on — by the handle
//! ([`EmulatorHandle::apply`]), the operator API, or a seeded activity — and every
//! change is pushed to a callback URL as an encrypted `sys_approval_change`, with
//! WeCom's delivery rules (5 s timeout, 3 attempts) and reproducible push faults:
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use wecom_emulator::{Emulator, PushFaultKind, PushFaults};
//!
//! let emu = Emulator::builder()
//!     .callback("http://127.0.0.1:9000/wecom/callback", "Token123", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
//!     .activity(120) // changes per minute
//!     .activity_for(Duration::from_secs(20))
//!     .push_faults(PushFaults::only(PushFaultKind::Dropped, 0.1, 7))
//!     .start()
//!     .await?;
//! let ev = emu.submit_approval()?; // one change now, pushed too
//! assert!(emu.settle(Duration::from_secs(60)).await); // activity over, deliveries ended
//! let truth = emu.events(); // every change, with the exact plaintext XML pushed
//! let fates = emu.deliveries(); // per event: faults, attempts, outcomes
//! # let _ = (ev, truth, fates);
//! # Ok(()) }
//! ```
//!
//! Where the docs allow several readings the emulator takes the most awkward one by
//! default ([`Quirks`]: opaque journal cursors, short and empty pages before the last,
//! journal titles without `lang`, approval padding as the example…), each switchable so a
//! client can be tested under both; [`Novelties`] makes it send what no spec knows yet:
//!
//! ```no_run
//! # async fn demo() -> Result<(), wecom_emulator::EmulatorError> {
//! use wecom_emulator::{Emulator, JournalCursor, Quirks};
//!
//! let awkward = Emulator::builder().start().await?; // Quirks::default()
//! let plain = Emulator::builder().quirks(Quirks::plain()).start().await?;
//! let offsets = Emulator::builder().journal_cursor(JournalCursor::Offset).short_pages(false).start().await?;
//! let drifting = Emulator::builder().novelties(true).novelty_errcode_every(Some(50)).start().await?;
//! # let _ = (awkward, plain, offsets, drifting);
//! # Ok(()) }
//! ```
//!
//! The emulator deliberately depends on neither `wecom-models` nor `wecom-callback`:
//! its JSON and XML are built from literal templates and its callback cipher
//! ([`crypto`]) is its own, so that a wrong model or cipher cannot hide behind an
//! emulator that shares its mistakes.
#![warn(missing_docs)]

mod activity;
pub mod crypto;
mod dataset;
mod faults;
mod filter;
mod ids;
mod push;
pub mod quirks;
mod server;
pub mod time;
mod wedrive;
mod world;

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

pub use activity::ActivityStatus;
pub use faults::{FaultKind, Faults};
pub use filter::{ApprovalFilter, JournalFilter};
pub use push::{
    AttemptOutcome, DEFAULT_AGENT_ID, Delivery, DeliveryAttempt, DeliveryRecord, PushCounts, PushFaultKind, PushFaults,
    RetryOn,
};
pub use quirks::{JournalCursor, NOVELTY_ERRCODE, Novelties, Padding, Quirks};
pub use world::{ActivityMix, ApprovalEvent, Change, ChangeError, ChangeKind};

use activity::ActivitySettings;
use crypto::MsgCrypt;
use dataset::{Dataset, DatasetConfig};
use push::{PushSettings, Pusher, Target};
use server::state::{Config, Shared, Switches};
use world::View;

/// Default corp id.
pub const DEFAULT_CORP_ID: &str = "wwemulatorcorp0001";
/// Default corp secret.
pub const DEFAULT_CORP_SECRET: &str = "emulator-secret";
/// Default dataset start: 2025-01-01T00:00:00+08:00.
pub const DEFAULT_START: i64 = 1_735_660_800;
/// Default dataset end: 2025-06-30T23:59:59+08:00.
pub const DEFAULT_END: i64 = 1_751_299_199;
/// Path under which wedrive downloads are counted in [`EmulatorHandle::call_counts`].
pub const WEDRIVE_DOWNLOAD_PATH: &str = server::operator::WEDRIVE_PATH;

/// How "一个月" (the journal get_record_list window) is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum MonthRule {
    /// `endtime <= starttime + 1 calendar month` in UTC+8, the day clamped to the
    /// end of the target month (Jan 31 10:00 → Feb 28 10:00).
    #[default]
    Calendar,
    /// `endtime - starttime <= n * 86400`.
    Days(u32),
}

/// Why an emulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    /// The emulator only listens on loopback addresses.
    #[error("refusing to listen on non-loopback address {0}: the emulator serves loopback only")]
    NonLoopback(SocketAddr),
    /// Binding the listener failed.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// An option is out of range.
    #[error("invalid emulator configuration: {0}")]
    Config(String),
}

/// Entry point: `Emulator::builder()…start().await`.
#[derive(Debug, Clone, Copy)]
pub struct Emulator;

impl Emulator {
    /// A builder with every default.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }
}

/// Configures and starts an emulator. Every setter consumes and returns the builder.
#[derive(Debug, Clone)]
pub struct EmulatorBuilder {
    addr: SocketAddr,
    corp_id: String,
    corp_secret: String,
    seed: u64,
    approvals: usize,
    journals: usize,
    users: usize,
    start: i64,
    end: i64,
    token_ttl: Duration,
    rate_limit: u32,
    rate_window: Duration,
    concurrency_limit: Option<usize>,
    narrow_range_above: Option<usize>,
    denied: Vec<String>,
    faults: Faults,
    month_rule: MonthRule,
    callback: Option<CallbackSpec>,
    agent_id: String,
    delivery: Delivery,
    push_faults: PushFaults,
    activity: u32,
    activity_for: Option<Duration>,
    activity_mix: ActivityMix,
    quirks: Quirks,
    novelties: Novelties,
}

/// Callback URL and secrets as given to the builder; `Debug` shows the URL only.
#[derive(Clone)]
struct CallbackSpec {
    url: String,
    token: String,
    aes_key: String,
}

impl std::fmt::Debug for CallbackSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallbackSpec").field("url", &self.url).finish_non_exhaustive()
    }
}

/// Checks a callback target; the error names what is wrong, never the secret.
pub(crate) fn callback_target(url: &str, token: &str, aes_key: &str) -> Result<Target, EmulatorError> {
    let parsed =
        reqwest::Url::parse(url).map_err(|e| EmulatorError::Config(format!("invalid callback URL {url:?}: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(EmulatorError::Config(format!("callback URL {url:?} must be http:// or https://")));
    }
    if token.is_empty() {
        return Err(EmulatorError::Config("callback token must not be empty".into()));
    }
    let crypt = MsgCrypt::new(token, aes_key).map_err(|e| EmulatorError::Config(format!("callback {e}")))?;
    Ok(Target { url: url.to_string(), crypt })
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        EmulatorBuilder {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            corp_id: DEFAULT_CORP_ID.into(),
            corp_secret: DEFAULT_CORP_SECRET.into(),
            seed: 42,
            approvals: 2000,
            journals: 1000,
            users: 60,
            start: DEFAULT_START,
            end: DEFAULT_END,
            token_ttl: Duration::from_secs(7200),
            rate_limit: 600,
            rate_window: Duration::from_secs(60),
            concurrency_limit: None,
            narrow_range_above: None,
            denied: Vec::new(),
            faults: Faults::none(),
            month_rule: MonthRule::Calendar,
            callback: None,
            agent_id: DEFAULT_AGENT_ID.into(),
            delivery: Delivery::default(),
            push_faults: PushFaults::none(),
            activity: 0,
            activity_for: None,
            activity_mix: ActivityMix::default(),
            quirks: Quirks::default(),
            novelties: Novelties::default(),
        }
    }
}

impl EmulatorBuilder {
    /// Listen address; default `127.0.0.1:0` (a random free port). Non-loopback
    /// addresses are refused by [`EmulatorBuilder::start`].
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }
    /// Corp id gettoken accepts; default [`DEFAULT_CORP_ID`].
    pub fn corp_id(mut self, corp_id: impl Into<String>) -> Self {
        self.corp_id = corp_id.into();
        self
    }
    /// Secret gettoken accepts; default [`DEFAULT_CORP_SECRET`].
    pub fn corp_secret(mut self, secret: impl Into<String>) -> Self {
        self.corp_secret = secret.into();
        self
    }
    /// Dataset seed; default 42. Same seed and sizes, same company.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// Number of approval forms; default 2000.
    pub fn approvals(mut self, n: usize) -> Self {
        self.approvals = n;
        self
    }
    /// Number of journal records; default 1000.
    pub fn journals(mut self, n: usize) -> Self {
        self.journals = n;
        self
    }
    /// Number of users (8..=65535); default 60.
    pub fn users(mut self, n: usize) -> Self {
        self.users = n;
        self
    }
    /// Inclusive range of record times (Unix seconds); default
    /// 2025-01-01T00:00:00+08:00 ..= 2025-06-30T23:59:59+08:00.
    pub fn date_range(mut self, start_unix: i64, end_unix: i64) -> Self {
        self.start = start_unix;
        self.end = end_unix;
        self
    }
    /// Token lifetime; default 7200 s. `expires_in` reports it in whole seconds.
    pub fn token_ttl(mut self, ttl: Duration) -> Self {
        self.token_ttl = ttl;
        self
    }
    /// Calls per rate window per endpoint path (gettoken included); default 600.
    /// 0 disables rate limiting.
    pub fn rate_limit_per_minute(mut self, n: u32) -> Self {
        self.rate_limit = n;
        self
    }
    /// Length of the rate window (the "minute"); default 60 s.
    pub fn rate_window(mut self, window: Duration) -> Self {
        self.rate_window = window;
        self
    }
    /// In-flight requests allowed per endpoint; above it → 45033. Default `None`.
    pub fn concurrency_limit(mut self, limit: Option<usize>) -> Self {
        self.concurrency_limit = limit;
        self
    }

    /// getapprovalinfo answers 301112 (请缩小查询时间范围重试, narrow the time range) for a
    /// window holding more than `n` forms (after filters). Default: never.
    pub fn narrow_range_above(mut self, n: Option<usize>) -> Self {
        self.narrow_range_above = n;
        self
    }

    /// The app has no permission for this endpoint path: after the token check it answers
    /// 301055 (approval endpoints) or 301065 (journal endpoints). May be given several times.
    pub fn deny_permission(mut self, path: impl Into<String>) -> Self {
        self.denied.push(path.into());
        self
    }
    /// Fault injection; default none.
    pub fn faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }
    /// How journal get_record_list reads "一个月"; default [`MonthRule::Calendar`].
    pub fn month_rule(mut self, rule: MonthRule) -> Self {
        self.month_rule = rule;
        self
    }

    /// Pushes every change as an encrypted `sys_approval_change` POST to `url`
    /// (`?msg_signature=…&timestamp=…&nonce=…` appended), signed with `token` and
    /// encrypted with `encoding_aes_key` (43 characters), receive id = the corp id.
    /// A bad URL or key makes [`EmulatorBuilder::start`] fail with [`EmulatorError::Config`].
    pub fn callback(
        mut self,
        url: impl Into<String>,
        token: impl Into<String>,
        encoding_aes_key: impl Into<String>,
    ) -> Self {
        self.callback = Some(CallbackSpec { url: url.into(), token: token.into(), aes_key: encoding_aes_key.into() });
        self
    }
    /// `AgentID` in the pushes (digits); default [`DEFAULT_AGENT_ID`], the approval app.
    pub fn agent_id(mut self, agent_id: impl Into<String>) -> Self {
        self.agent_id = agent_id.into();
        self
    }
    /// Delivery behaviour (timeout, attempts, retry rule); default WeCom's: 5 s, 3 attempts,
    /// retry on anything but a 200.
    pub fn delivery(mut self, delivery: Delivery) -> Self {
        self.delivery = delivery;
        self
    }
    /// Push faults (dropped, duplicated, delayed, reordered); default none.
    pub fn push_faults(mut self, faults: PushFaults) -> Self {
        self.push_faults = faults;
        self
    }
    /// Random changes per minute made by the activity from the start (0 = none, the
    /// default): new forms, approvals, rejections, withdrawals, comments… on the
    /// emulator's own runtime. Works without a callback too (the world still changes).
    pub fn activity(mut self, changes_per_minute: u32) -> Self {
        self.activity = changes_per_minute;
        self
    }
    /// The activity stops this long after the start, so a run can settle and be compared.
    pub fn activity_for(mut self, duration: Duration) -> Self {
        self.activity_for = Some(duration);
        self
    }
    /// What the activity does (relative weights); default [`ActivityMix::default`].
    pub fn activity_mix(mut self, mix: ActivityMix) -> Self {
        self.activity_mix = mix;
        self
    }

    /// Every reading where the docs allow several at once; default [`Quirks::default`] (the
    /// awkward ones). [`Quirks::plain`] gives the lenient readings.
    pub fn quirks(mut self, quirks: Quirks) -> Self {
        self.quirks = quirks;
        self
    }
    /// What journal get_record_list's `next_cursor` is; default [`JournalCursor::Opaque`]
    /// (positions with gaps, seed 93393), [`JournalCursor::Offset`] = `cursor + count`.
    pub fn journal_cursor(mut self, cursor: JournalCursor) -> Self {
        self.quirks.journal_cursor = cursor;
        self
    }
    /// Pages shorter than `size`/`limit` (some empty) before the last, as 96509 allows;
    /// default `true`. `false`: every page but the last is full.
    pub fn short_pages(mut self, on: bool) -> Self {
        self.quirks.short_pages = on;
        self
    }
    /// Journal control titles carry `lang`; default `false` (the 93394 example has none).
    pub fn journal_title_lang(mut self, on: bool) -> Self {
        self.quirks.journal_title_lang = on;
        self
    }
    /// The empty arrays approval control values are padded with; default
    /// [`Padding::Example`] (the getapprovaldetail example's six keys).
    pub fn approval_padding(mut self, padding: Padding) -> Self {
        self.quirks.approval_padding = padding;
        self
    }
    /// Refuse a repeated journal filter key (other than `department`) with 301066; default
    /// `false` (no doc says so: values of one key are OR-ed).
    pub fn reject_repeated_journal_filters(mut self, on: bool) -> Self {
        self.quirks.reject_repeated_journal_filters = on;
        self
    }
    /// errcode for an unknown `journaluuid`; default 301066 (the journal endpoints' own error
    /// table); 301084 is the global table's journal_uuid非法.
    pub fn unknown_journal_errcode(mut self, code: i64) -> Self {
        self.quirks.unknown_journal_errcode = code;
        self
    }
    /// Legacy getapprovaldata `total` counts deleted forms too (never returned); default `true`.
    pub fn legacy_total_includes_deleted(mut self, on: bool) -> Self {
        self.quirks.legacy_total_includes_deleted = on;
        self
    }
    /// Send things no spec knows in getapprovaldetail answers (see [`Novelties::enabled`]
    /// and the README); default off.
    pub fn novelties(mut self, on: bool) -> Self {
        self.novelties.enabled = on;
        self
    }
    /// Every N-th getapprovaldetail call answers [`NOVELTY_ERRCODE`], a code no spec knows;
    /// default `None`.
    pub fn novelty_errcode_every(mut self, every: Option<u32>) -> Self {
        self.novelties.errcode_every = every;
        self
    }

    /// Generates the dataset, binds the listener and starts serving. The server
    /// runs on its own thread and tokio runtime, so it keeps answering even while
    /// the caller blocks; it stops when the last handle is dropped.
    pub async fn start(self) -> Result<EmulatorHandle, EmulatorError> {
        self.start_blocking()
    }

    /// [`EmulatorBuilder::start`] for synchronous code (no runtime needed).
    pub fn start_blocking(self) -> Result<EmulatorHandle, EmulatorError> {
        if !server::is_loopback(&self.addr) {
            return Err(EmulatorError::NonLoopback(self.addr));
        }
        if self.end <= self.start {
            return Err(EmulatorError::Config(format!(
                "date_range end {} must be after start {}",
                self.end, self.start
            )));
        }
        if self.start < 0 || self.end > 4_102_444_800 {
            return Err(EmulatorError::Config("date_range must lie between 1970 and 2100".into()));
        }
        if self.corp_id.is_empty() || self.corp_secret.is_empty() {
            return Err(EmulatorError::Config("corp_id and corp_secret must not be empty".into()));
        }
        if self.rate_window.is_zero() {
            return Err(EmulatorError::Config("rate_window must be positive".into()));
        }
        if self.concurrency_limit == Some(0) {
            return Err(EmulatorError::Config("concurrency_limit must be at least 1".into()));
        }
        if self.approvals > 10_000_000 || self.journals > 10_000_000 {
            return Err(EmulatorError::Config("at most 10 000 000 approvals and journals".into()));
        }
        if self.agent_id.is_empty() || !self.agent_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(EmulatorError::Config(format!("agent_id {:?} must be digits", self.agent_id)));
        }
        if self.novelties.errcode_every == Some(0) {
            return Err(EmulatorError::Config("novelty_errcode_every must be at least 1".into()));
        }
        if self.quirks.unknown_journal_errcode == 0 {
            return Err(EmulatorError::Config("unknown_journal_errcode must not be 0 (success)".into()));
        }
        if self.delivery.attempts == 0 || self.delivery.timeout.is_zero() {
            return Err(EmulatorError::Config("delivery needs at least 1 attempt and a positive timeout".into()));
        }
        let target = match &self.callback {
            Some(c) => Some(callback_target(&c.url, &c.token, &c.aes_key)?),
            None => None,
        };
        let dcfg = DatasetConfig {
            seed: self.seed,
            corp_id: self.corp_id.clone(),
            approvals: self.approvals,
            journals: self.journals,
            users: self.users,
            start: self.start,
            end: self.end,
        };
        let ds = Dataset::build(&dcfg);
        let bind_err = |source| EmulatorError::Bind { addr: self.addr, source };
        let listener = std::net::TcpListener::bind(self.addr).map_err(bind_err)?;
        let local = listener.local_addr().map_err(bind_err)?;
        let cfg = Config {
            corp_id: self.corp_id.clone(),
            corp_secret: self.corp_secret,
            token_ttl: self.token_ttl,
            rate_limit: self.rate_limit,
            rate_window: self.rate_window,
            concurrency_limit: self.concurrency_limit,
            month_rule: self.month_rule,
            narrow_range_above: self.narrow_range_above,
        };
        let pusher = Pusher::new(
            self.corp_id.clone(),
            self.agent_id.clone(),
            PushSettings { target, delivery: self.delivery, faults: self.push_faults.clone() },
        );
        let activity = ActivitySettings::new(self.activity, self.activity_for, self.activity_mix);
        let switches = Switches { faults: self.faults, quirks: self.quirks, novelties: self.novelties };
        let shared = Arc::new(Shared::new(cfg, ds, format!("http://{local}"), switches, pusher, activity));
        shared.set_denied(self.denied);
        let running = server::spawn(listener, shared).map_err(|source| EmulatorError::Bind { addr: local, source })?;
        Ok(EmulatorHandle {
            inner: Arc::new(Inner {
                shared: running.shared,
                cancel: running.cancel,
                done: Mutex::new(Some(running.done)),
                addr: local,
            }),
        })
    }
}

struct Inner {
    shared: Arc<Shared>,
    cancel: CancellationToken,
    done: Mutex<Option<tokio::sync::oneshot::Receiver<()>>>,
    addr: SocketAddr,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// A running emulator. Cheap to clone; the server stops when the last clone is
/// dropped (or at [`EmulatorHandle::shutdown`]).
#[derive(Clone)]
pub struct EmulatorHandle {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for EmulatorHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorHandle").field("base_url", &self.base_url()).field("corp_id", &self.corp_id()).finish()
    }
}

/// A user of the synthetic company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    /// userid.
    pub userid: String,
    /// Display name.
    pub name: String,
    /// Main department id (the `partyid` of `applyer`, what `department` filters match).
    pub department: u32,
}

/// A department of the synthetic company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentInfo {
    /// Department id.
    pub id: u32,
    /// Name.
    pub name: String,
    /// Parent id (0 for the root).
    pub parent_id: u32,
}

/// An approval template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalTemplateInfo {
    /// template_id.
    pub template_id: String,
    /// Name (`sp_name`).
    pub name: String,
    /// The `record_type` filter value it answers to, if any.
    pub record_type: Option<u8>,
    /// Its top-level control types, in order.
    pub controls: Vec<String>,
}

/// A journal template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalTemplateInfo {
    /// template_id.
    pub template_id: String,
    /// Name.
    pub name: String,
    /// 2 daily, 3 weekly, 4 monthly; `None` for the built-in 汇报 template (no stats).
    pub report_type: Option<u8>,
    /// Its control types, in order (empty for the built-in template).
    pub controls: Vec<String>,
    /// userids that must report.
    pub report_users: Vec<String>,
}

/// Everything about the generated company except the records themselves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatasetSummary {
    /// Corp id.
    pub corp_id: String,
    /// Dataset seed.
    pub seed: u64,
    /// First second of the record range.
    pub start: i64,
    /// Last second of the record range (inclusive).
    pub end: i64,
    /// Number of approval forms (seeded and submitted since the start).
    pub approvals: usize,
    /// Number of forms the legacy API can see (deleted ones excluded).
    pub legacy_approvals: usize,
    /// Number of journal records.
    pub journals: usize,
    /// Number of wedrive files.
    pub wedrive_files: usize,
    /// Departments.
    pub departments: Vec<DepartmentInfo>,
    /// Users.
    pub users: Vec<UserInfo>,
    /// Approval templates.
    pub approval_templates: Vec<ApprovalTemplateInfo>,
    /// Journal templates.
    pub journal_templates: Vec<JournalTemplateInfo>,
}

pub(crate) fn summary(v: &View<'_>) -> DatasetSummary {
    let ds = v.ds;
    DatasetSummary {
        corp_id: ds.corp_id.clone(),
        seed: ds.seed,
        start: ds.start,
        end: ds.end,
        approvals: v.count(),
        legacy_approvals: (0..v.count()).filter(|&i| v.legacy_visible(i)).count(),
        journals: ds.journals.len(),
        wedrive_files: ds.wedrive_all().count(),
        departments: ds
            .departments
            .iter()
            .map(|d| DepartmentInfo { id: d.id, name: d.name.into(), parent_id: d.parent })
            .collect(),
        users: ds
            .users
            .iter()
            .map(|u| UserInfo { userid: u.userid.clone(), name: u.name.clone(), department: u.dept })
            .collect(),
        approval_templates: ds
            .approval_templates
            .iter()
            .map(|t| ApprovalTemplateInfo {
                template_id: t.id.clone(),
                name: t.name.into(),
                record_type: (t.record_type != 0).then_some(t.record_type),
                controls: t.controls.iter().map(|c| c.kind.control().into()).collect(),
            })
            .collect(),
        journal_templates: ds
            .journal_templates
            .iter()
            .map(|t| JournalTemplateInfo {
                template_id: t.id.clone(),
                name: t.name.into(),
                report_type: t.report_type,
                controls: t.controls.iter().map(|c| c.kind.control().into()).collect(),
                report_users: t.range_users.iter().map(|u| ds.users[*u as usize].userid.clone()).collect(),
            })
            .collect(),
    }
}

impl EmulatorHandle {
    fn sh(&self) -> &Shared {
        &self.inner.shared
    }

    /// `"http://127.0.0.1:PORT"` (no trailing slash).
    pub fn base_url(&self) -> String {
        self.sh().base_url.clone()
    }
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.inner.addr
    }
    /// Corp id gettoken accepts.
    pub fn corp_id(&self) -> &str {
        &self.sh().cfg.corp_id
    }
    /// Secret gettoken accepts.
    pub fn corp_secret(&self) -> &str {
        &self.sh().cfg.corp_secret
    }
    /// The configured token lifetime.
    pub fn token_ttl(&self) -> Duration {
        self.sh().cfg.token_ttl
    }

    // ----- controls ------------------------------------------------------------

    /// Replaces the endpoint paths the app has no permission for (see
    /// [`EmulatorBuilder::deny_permission`]); an empty list allows everything again.
    pub fn set_denied_permissions(&self, paths: impl IntoIterator<Item = impl Into<String>>) {
        self.inner.shared.set_denied(paths.into_iter().map(Into::into));
    }

    /// Invalidates every token issued so far: the next OA call with one gets 40014.
    pub fn revoke_tokens(&self) {
        self.sh().revoke_tokens();
    }
    /// Mints a valid token directly (not counted as a gettoken call).
    pub fn issue_token(&self) -> String {
        self.sh().issue_token()
    }
    /// Replaces the fault settings (the per-call index restarts at 0).
    pub fn set_faults(&self, faults: Faults) {
        self.sh().set_faults(faults);
    }
    /// The current fault settings.
    pub fn faults(&self) -> Faults {
        self.sh().faults()
    }
    /// Replaces the quirks (from the next request on; cursors handed out before may then
    /// point elsewhere).
    pub fn set_quirks(&self, quirks: Quirks) {
        self.sh().set_quirks(quirks);
    }
    /// The quirks in force.
    pub fn quirks(&self) -> Quirks {
        self.sh().quirks()
    }
    /// Replaces the novelty settings (the getapprovaldetail call count of
    /// [`Novelties::errcode_every`] restarts).
    pub fn set_novelties(&self, novelties: Novelties) {
        self.sh().set_novelties(novelties);
    }
    /// The novelty settings in force.
    pub fn novelties(&self) -> Novelties {
        self.sh().novelties()
    }

    // ----- counters ------------------------------------------------------------

    /// Calls received on a wire path (e.g. `"/cgi-bin/gettoken"`,
    /// `"/cgi-bin/oa/getapprovaldetail"`, [`WEDRIVE_DOWNLOAD_PATH`]), whatever their outcome.
    pub fn call_count(&self, path: &str) -> u64 {
        self.sh().call_counts().get(path).copied().unwrap_or(0)
    }
    /// Calls per wire path.
    pub fn call_counts(&self) -> BTreeMap<String, u64> {
        self.sh().call_counts()
    }
    /// How many JSON responses carried `errcode` (0 counts successes).
    pub fn errcode_count(&self, errcode: i64) -> u64 {
        self.sh().errcode_counts().get(&errcode).copied().unwrap_or(0)
    }
    /// Responses per errcode.
    pub fn errcode_counts(&self) -> BTreeMap<i64, u64> {
        self.sh().errcode_counts()
    }
    /// Injected faults per kind ([`FaultKind::name`]).
    pub fn fault_counts(&self) -> BTreeMap<String, u64> {
        self.sh().fault_counts()
    }
    /// Quirks and novelties as they happened: `getapprovalinfo.short_page`,
    /// `getapprovalinfo.empty_page`, `get_record_list.short_page`, `get_record_list.empty_page`
    /// (pages before the last only), `novelty.detail` (answers carrying novelties),
    /// `novelty.errcode` (answers of [`NOVELTY_ERRCODE`]).
    pub fn quirk_counts(&self) -> BTreeMap<String, u64> {
        self.sh().quirk_counts()
    }
    /// Requests currently being handled on a wire path.
    pub fn in_flight(&self, path: &str) -> usize {
        self.sh().in_flight(path)
    }
    /// Zeroes call, errcode and fault counters.
    pub fn reset_counts(&self) {
        self.sh().reset_counts();
    }

    // ----- ground truth ----------------------------------------------------------

    /// The first and last second (inclusive) of the record range.
    pub fn date_range(&self) -> (i64, i64) {
        (self.sh().ds.start, self.sh().ds.end)
    }
    /// `sp_no`s with `start <= apply_time <= end` matching `filter`, in API order
    /// (by time, then id).
    ///
    /// Forms submitted since the start are included (their apply time is the moment
    /// they were submitted, after the seeded range) and `sp_status` filters on the
    /// current status.
    pub fn approval_ids(&self, start: i64, end: i64, filter: &ApprovalFilter) -> Vec<String> {
        self.sh().view(|v| v.indices(start, end, filter).into_iter().map(|i| v.sp_no(i)).collect())
    }
    /// Journal uuids with `start <= report_time <= end` matching `filter`, in API order.
    pub fn journal_ids(&self, start: i64, end: i64, filter: &JournalFilter) -> Vec<String> {
        let ds = &self.sh().ds;
        ds.journal_indices(start, end, filter).into_iter().map(|i| ds.journal_uuid(i)).collect()
    }
    /// `sp_num`s the legacy getapprovaldata returns for the window, in order
    /// (forms deleted by an admin, `sp_status` 7, are not visible there).
    pub fn legacy_sp_nums(&self, start: i64, end: i64) -> Vec<u64> {
        self.sh().view(|v| v.window(start, end).filter(|&i| v.legacy_visible(i)).map(|i| v.sp_num(i)).collect())
    }
    /// Every wedrive file as (journaluuid, fileid).
    pub fn wedrive_files(&self) -> Vec<(String, String)> {
        let ds = &self.sh().ds;
        ds.wedrive_all().map(|(j, k)| (ds.journal_uuid(j), ds.wedrive_fileid(j, k))).collect()
    }
    /// Size of a wedrive file.
    pub fn wedrive_file_size(&self, fileid: &str) -> Option<u64> {
        let ds = &self.sh().ds;
        ds.wedrive_lookup(fileid).map(|(j, k)| ds.wedrive_size(j, k))
    }
    /// The exact bytes the download URL serves for `fileid`.
    pub fn wedrive_file_bytes(&self, fileid: &str) -> Option<Vec<u8>> {
        let ds = &self.sh().ds;
        let (j, k) = ds.wedrive_lookup(fileid)?;
        let size = ds.wedrive_size(j, k);
        let mut out = Vec::with_capacity(size as usize);
        for chunk in wedrive::WedriveReader::new(ds.wedrive_content_key(j, k), size) {
            out.extend_from_slice(&chunk);
        }
        Some(out)
    }
    /// The getapprovaldetail `info` of a form as the endpoint renders it now (with the quirks
    /// and novelties in force).
    pub fn approval_detail(&self, sp_no: &str) -> Option<Value> {
        self.sh().approval_detail(sp_no)
    }
    /// The current `sp_status` of a form.
    pub fn approval_status(&self, sp_no: &str) -> Option<u8> {
        self.sh().view(|v| v.by_sp_no(sp_no).map(|i| v.status(i)))
    }
    /// The legacy getapprovaldata `data[]` entry of a form.
    pub fn legacy_record(&self, sp_no: &str) -> Option<Value> {
        self.sh().view(|v| v.by_sp_no(sp_no).filter(|&i| v.legacy_visible(i)).map(|i| v.legacy_record(i)))
    }
    /// The journal get_record_detail `info` of a record.
    pub fn journal_detail(&self, journaluuid: &str) -> Option<Value> {
        let sh = self.sh();
        sh.ds.journal_by_uuid(journaluuid).map(|i| sh.journal_detail(i))
    }
    /// Finished stat cycles `(cycle_begin_time, cycle_end_time)` of a journal template
    /// whose begin lies in `[start, end]`: exactly the entries get_stat_list returns.
    pub fn stat_cycles(&self, template_id: &str, start: i64, end: i64) -> Vec<(i64, i64)> {
        let ds = &self.sh().ds;
        match ds.journal_templates.iter().position(|t| t.id == template_id) {
            Some(t) => ds.stat_cycles(t, start, end),
            None => Vec::new(),
        }
    }
    /// Template ids of the journal templates with statistics (report_type 2/3/4).
    pub fn stat_template_ids(&self) -> Vec<String> {
        self.sh().ds.journal_templates.iter().filter(|t| t.report_type.is_some()).map(|t| t.id.clone()).collect()
    }
    /// Summary of the company: users, departments, templates, counts.
    pub fn summary(&self) -> DatasetSummary {
        self.sh().view(summary)
    }
    /// Users of the company.
    pub fn users(&self) -> Vec<UserInfo> {
        self.summary().users
    }
    /// Departments of the company.
    pub fn departments(&self) -> Vec<DepartmentInfo> {
        self.summary().departments
    }
    /// Approval templates.
    pub fn approval_templates(&self) -> Vec<ApprovalTemplateInfo> {
        self.summary().approval_templates
    }
    /// Journal templates.
    pub fn journal_templates(&self) -> Vec<JournalTemplateInfo> {
        self.summary().journal_templates
    }
    /// Number of approval forms (seeded and submitted since the start).
    pub fn approval_count(&self) -> usize {
        self.sh().view(|v| v.count())
    }
    /// Number of journal records.
    pub fn journal_count(&self) -> usize {
        self.sh().ds.journals.len()
    }

    // ----- the world over time -------------------------------------------------

    /// Applies a change now: the detail endpoints show it at once, and it is pushed
    /// (when a callback is set) as a `sys_approval_change` agreeing with that detail.
    /// Returns the event, as appended to [`EmulatorHandle::events`].
    pub fn apply(&self, change: Change) -> Result<ApprovalEvent, ChangeError> {
        self.sh().apply(&change)
    }
    /// Submits a new form (random applicant and template): sp_status 1, every node pending.
    pub fn submit_approval(&self) -> Result<ApprovalEvent, ChangeError> {
        self.apply(Change::submit())
    }
    /// A random pending approver of the current node of `sp_no` approves.
    pub fn approve(&self, sp_no: &str) -> Result<ApprovalEvent, ChangeError> {
        self.apply(Change::approve(sp_no))
    }
    /// A random pending approver of the current node of `sp_no` rejects it (→ 3).
    pub fn reject(&self, sp_no: &str) -> Result<ApprovalEvent, ChangeError> {
        self.apply(Change::reject(sp_no))
    }
    /// The applicant withdraws the open form `sp_no` (→ 4).
    pub fn revoke(&self, sp_no: &str) -> Result<ApprovalEvent, ChangeError> {
        self.apply(Change::revoke(sp_no))
    }
    /// A member comments on `sp_no` (a fresh string commentid; status unchanged).
    pub fn comment(&self, sp_no: &str, content: &str) -> Result<ApprovalEvent, ChangeError> {
        self.apply(Change::comment(sp_no, Some(content.to_string())))
    }
    /// One random change, as the activity makes them (with its mix).
    pub fn step(&self) -> Result<ApprovalEvent, ChangeError> {
        let mix = self.sh().activity.borrow().mix;
        self.sh().step(&mix).unwrap_or(Err(ChangeError::NoChange))
    }
    /// Every change since the start, in order: the ground truth.
    pub fn events(&self) -> Vec<ApprovalEvent> {
        self.sh().events_since(0)
    }
    /// Changes with `seq > after`.
    pub fn events_since(&self, after: u64) -> Vec<ApprovalEvent> {
        self.sh().events_since(after)
    }
    /// `sp_no`s of the forms still open (sp_status 1 审批中), in API order.
    pub fn open_approvals(&self) -> Vec<String> {
        self.sh().open_sp_nos()
    }
    /// The latest apply time of any form: the seeded range's end, or the last submission.
    pub fn latest_apply_time(&self) -> i64 {
        self.sh().view(|v| v.last_time())
    }

    // ----- pushes --------------------------------------------------------------

    /// Points the pushes at a new callback target (from the next change on).
    pub fn set_callback(&self, url: &str, token: &str, encoding_aes_key: &str) -> Result<(), EmulatorError> {
        self.sh().pusher.set_target(Some(callback_target(url, token, encoding_aes_key)?));
        Ok(())
    }
    /// Stops pushing (changes still happen and are logged).
    pub fn clear_callback(&self) {
        self.sh().pusher.set_target(None);
    }
    /// The callback URL, if pushes are on.
    pub fn callback_url(&self) -> Option<String> {
        self.sh().pusher.settings().target.map(|t| t.url)
    }
    /// Replaces the push faults (events from now on; draws depend on the event seq).
    pub fn set_push_faults(&self, faults: PushFaults) {
        self.sh().pusher.set_faults(faults);
    }
    /// The push faults in force.
    pub fn push_faults(&self) -> PushFaults {
        self.sh().pusher.settings().faults
    }
    /// Replaces the delivery settings (events from now on).
    pub fn set_delivery(&self, delivery: Delivery) {
        self.sh().pusher.set_delivery(delivery);
    }
    /// The delivery settings in force.
    pub fn delivery(&self) -> Delivery {
        self.sh().pusher.settings().delivery
    }
    /// What happened to the pushes of every event pushed so far, in event order.
    pub fn deliveries(&self) -> Vec<DeliveryRecord> {
        self.sh().pusher.log_since(0)
    }
    /// Delivery records of events with `seq > after`.
    pub fn deliveries_since(&self, after: u64) -> Vec<DeliveryRecord> {
        self.sh().pusher.log_since(after)
    }
    /// Push counters (events, faults per kind, attempts, retries, give-ups).
    pub fn push_counts(&self) -> PushCounts {
        self.sh().pusher.counts()
    }
    /// Events whose deliveries have not all ended yet.
    pub fn pending_deliveries(&self) -> usize {
        self.sh().pusher.pending()
    }
    /// Waits until every delivery started so far has ended (accepted, given up or
    /// dropped); `false` if that did not happen within `timeout`.
    pub async fn wait_deliveries_idle(&self, timeout: Duration) -> bool {
        self.sh().pusher.wait_idle(timeout).await
    }

    // ----- activity --------------------------------------------------------------

    /// Starts (or replaces) the activity: `changes_per_minute` random changes per
    /// minute, for `duration` (forever when `None`); 0 stops it.
    pub fn set_activity(&self, changes_per_minute: u32, duration: Option<Duration>) {
        let mix = self.sh().activity.borrow().mix;
        self.sh().activity.send_replace(ActivitySettings::new(changes_per_minute, duration, mix));
    }
    /// Replaces what the activity does (keeps its rate and end).
    pub fn set_activity_mix(&self, mix: ActivityMix) {
        self.sh().activity.send_modify(|s| s.mix = mix);
    }
    /// Stops the activity now.
    pub fn stop_activity(&self) {
        self.set_activity(0, None);
    }
    /// What the activity is doing.
    pub fn activity(&self) -> ActivityStatus {
        let s = *self.sh().activity.borrow();
        ActivityStatus {
            changes_per_minute: s.per_minute,
            running: *self.sh().activity_running.borrow() && s.per_minute > 0,
            steps: self.sh().activity_steps.load(std::sync::atomic::Ordering::Relaxed),
            ends_at_ms: s.until_unix_ms,
            mix: s.mix,
        }
    }
    /// Waits until the activity has stopped (its `activity_for` elapsed, or it was
    /// stopped) and its last change is made; `false` at `timeout` (always, for an
    /// activity without an end).
    pub async fn wait_activity_finished(&self, timeout: Duration) -> bool {
        self.sh().wait_activity_stopped(timeout).await
    }
    /// Waits until the activity has stopped and every delivery has ended: the world
    /// and the receiver can then be compared. `false` at `timeout`.
    pub async fn settle(&self, timeout: Duration) -> bool {
        self.sh().settle(timeout).await
    }
    /// [`EmulatorHandle::settle`] for synchronous code (no runtime needed).
    pub fn settle_blocking(&self, timeout: Duration) -> bool {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            if self.sh().activity_stopped() && self.sh().pusher.pending() == 0 {
                return true;
            }
            if std::time::Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Stops the server now (for every clone of this handle) and waits until its
    /// thread has ended. Open connections are closed.
    pub async fn shutdown(self) {
        self.inner.cancel.cancel();
        let done = self.inner.done.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(d) = done {
            let _ = d.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync_clone<T: Send + Sync + Clone + 'static>() {}

    #[test]
    fn handle_is_shareable() {
        assert_send_sync_clone::<EmulatorHandle>();
        assert_send_sync_clone::<Faults>();
        assert_send_sync_clone::<EmulatorBuilder>();
    }

    #[test]
    fn an_empty_dataset_grows() {
        let emu = Emulator::builder().approvals(0).journals(0).start_blocking().expect("starts");
        assert!(emu.open_approvals().is_empty());
        let ev = emu.submit_approval().expect("submit");
        assert_eq!(emu.open_approvals(), vec![ev.sp_no.clone()]);
        assert_eq!(emu.approval_count(), 1);
        let d = emu.approval_detail(&ev.sp_no).expect("detail");
        assert_eq!(d["sp_status"], 1);
        for _ in 0..12 {
            if emu.approval_status(&ev.sp_no) != Some(1) {
                break;
            }
            emu.approve(&ev.sp_no).expect("approve");
        }
        assert_eq!(emu.approval_status(&ev.sp_no), Some(2));
        assert!(matches!(
            emu.reject(&ev.sp_no),
            Err(ChangeError::WrongStatus { kind: ChangeKind::Reject, sp_status: 2, .. })
        ));
    }

    #[test]
    fn start_blocking_without_runtime() {
        let emu = Emulator::builder().approvals(10).journals(10).start_blocking().expect("starts");
        let mut s = std::net::TcpStream::connect(emu.addr()).expect("connect");
        use std::io::{Read, Write};
        s.write_all(b"GET /_emulator/stats HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        assert!(out.starts_with("HTTP/1.1 200"), "{out}");
    }
}
