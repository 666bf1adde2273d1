//! `wecom approvals sync`: a mirror of every approval form in a SQLite file, kept current by
//! callbacks and healed by reconciliation.
//!
//! The parts, in one process:
//!
//! - the **inbox** ([`Inbox`]): the callback router's accept hook writes each event to
//!   `callback_inbox` (on its own connection, `synchronous=FULL`) *before* WeCom gets its 200;
//!   a repeat of an event is a no-op (the key is the SHA-256 of its plaintext);
//! - the **mirror** ([`Mirror`]): the one task that writes forms. It drains the inbox — all
//!   pending events of one form become one detail fetch — and reconciles: it lists the forms
//!   submitted since the last checkpoint and re-reads forms still open (审批中), within a call
//!   budget per cycle. Every write is a guarded upsert ([`crate::mirror`]): the detail, not the
//!   event, is stored, and an older detail never replaces a newer one. The inbox rows a fetch
//!   answered are marked `done` in the same transaction as the upsert and their event-log rows,
//!   so a run killed at any point redoes at most a fetch, never an application.
//!
//! Only one part of the mirror calls WeCom at a time (backfill, then live and reconcile taking
//! turns), so the client's call counter split by part is exact.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use rusqlite::{Connection, Transaction, TransactionBehavior, params};
use tokio::sync::Notify;
use wecom_callback::CallbackEvent;
use wecom_callback::axum::{BoxError, Delivery};
use wecom_callback::event::Event;
use wecom_client::endpoints::ErrorClass;
use wecom_client::{Approvals, Error, Stats};
use wecom_models::approval::ApprovalDetail;

use crate::checkpoint::Scope;
use crate::error::{CliError, Result};
use crate::export::time_range;
use crate::interrupt::Interrupt;
use crate::mirror::{Clock, Decision, Stamp};
use crate::output::sqlite::{self, SqliteStore, guarded_upsert};
use crate::records::{Kind, Record};

/// Inbox state of an event whose form's detail is not stored yet.
pub const PENDING: &str = "pending";
/// Inbox state of an event applied (its form's detail, fetched after it arrived, is stored).
pub const DONE: &str = "done";
/// Inbox state of an event that names no approval form (another event, or XML not typed).
pub const IGNORED: &str = "ignored";
/// Inbox state of an event whose form WeCom refused to show; the next run retries it.
pub const FAILED: &str = "failed";

/// How far back a reconcile lists before the last checkpoint's end (a form can become
/// visible to the list API a little after its submit time).
pub const RECONCILE_OVERLAP_SECS: u64 = 600;

/// What the sync has done so far; shared by the hook, the mirror and the status line.
#[derive(Debug, Default)]
pub struct Counters {
    /// Events written to the inbox (new ones).
    pub events: AtomicU64,
    /// Deliveries of an event already in the inbox (WeCom's retries, duplicated pushes).
    pub duplicates: AtomicU64,
    /// Detail fetches for inbox events.
    pub live_fetches: AtomicU64,
    /// Inbox events applied.
    pub applied: AtomicU64,
    /// Inbox events that name no form.
    pub ignored: AtomicU64,
    /// Events (or forms) WeCom refused.
    pub failed: AtomicU64,
    /// Events waiting in the inbox (as of the last look).
    pub pending: AtomicU64,
    /// Reconcile cycles run.
    pub cycles: AtomicU64,
    /// Forms found by a reconcile listing that the mirror did not have.
    pub new_forms: AtomicU64,
    /// Open forms re-read by reconciles.
    pub reread: AtomicU64,
    /// Forms a reconcile found changed (a change the callbacks had not brought).
    pub reconciled: AtomicU64,
}

impl Counters {
    fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// A counter's value.
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn now_text() -> String {
    chrono::Utc::now().with_timezone(&crate::dates::cst()).to_rfc3339_opts(chrono::SecondsFormat::Millis, false)
}

/// What an inbox row says about its event.
struct Row {
    event: String,
    sp_no: Option<String>,
    change_event: Option<i64>,
    event_status: Option<i64>,
    create_time: Option<i64>,
    error: Option<String>,
}

impl Row {
    fn of(event: &CallbackEvent) -> Row {
        match event.event() {
            Ok(Event::SysApprovalChange(e)) => {
                let info = &e.approval_info;
                let sp_no = info.sp_no_str.clone().or_else(|| info.sp_no.clone()).filter(|s| !s.trim().is_empty());
                Row {
                    event: "sys_approval_change".into(),
                    error: sp_no.is_none().then(|| "the event names no form (no SpNo)".to_owned()),
                    sp_no,
                    change_event: Some(info.statu_change_event.code()),
                    event_status: Some(info.sp_status.code()),
                    create_time: Some(e.header.create_time),
                }
            }
            Ok(other) => Row {
                event: other.name().to_owned(),
                sp_no: None,
                change_event: None,
                event_status: None,
                create_time: Some(other.header().create_time),
                error: None,
            },
            Err(e) => Row {
                event: "unparsed".into(),
                sp_no: None,
                change_event: None,
                event_status: None,
                create_time: None,
                error: Some(e.to_string()),
            },
        }
    }
}

/// The durable inbox the callback router's accept hook writes to. Cheap to clone.
#[derive(Clone)]
pub struct Inbox {
    conn: Arc<Mutex<Connection>>,
    notify: Arc<Notify>,
    counters: Arc<Counters>,
}

impl Inbox {
    /// Opens the inbox of the database at `path` (its tables must exist: open a
    /// [`SqliteStore`] first). Commits are `synchronous=FULL`: an event WeCom was told it was
    /// received survives a power cut too.
    pub fn open(path: &Path, notify: Arc<Notify>, counters: Arc<Counters>) -> Result<Inbox> {
        let conn = sqlite::connect(path, "FULL")
            .map_err(|e| CliError::runtime(format!("SQLite {}: cannot open the inbox: {e}", path.display())))?;
        Ok(Inbox { conn: Arc::new(Mutex::new(conn)), notify, counters })
    }

    /// Stores an event (a no-op when its key is already there); true when it was new.
    pub fn insert(&self, event: &CallbackEvent) -> rusqlite::Result<bool> {
        let row = Row::of(event);
        let state = if row.sp_no.is_some() { PENDING } else { IGNORED };
        let conn = lock(&self.conn);
        let n = conn
            .prepare_cached(
                "INSERT INTO callback_inbox (key, event, sp_no, change_event, event_status, create_time, xml, error, \
                 state, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (key) DO NOTHING",
            )?
            .execute(params![
                event.key().to_string(),
                row.event,
                row.sp_no,
                row.change_event,
                row.event_status,
                row.create_time,
                event.xml(),
                row.error,
                state,
                now_text()
            ])?;
        drop(conn);
        match (n, state) {
            (0, _) => Counters::add(&self.counters.duplicates, 1),
            (_, PENDING) => {
                Counters::add(&self.counters.events, 1);
                Counters::add(&self.counters.pending, 1);
                self.notify.notify_one();
            }
            _ => {
                Counters::add(&self.counters.events, 1);
                Counters::add(&self.counters.ignored, 1);
            }
        }
        Ok(n > 0)
    }

    /// The accept-mode delivery of `wecom-callback`'s router: each event is in the inbox
    /// before WeCom gets its 200 (a failed write answers 503, and WeCom retries).
    pub fn delivery(&self) -> Delivery {
        let inbox = self.clone();
        Delivery::accept(move |event: CallbackEvent| {
            let inbox = inbox.clone();
            async move {
                tokio::task::spawn_blocking(move || inbox.insert(&event)).await.map_err(BoxError::from)??;
                Ok::<(), BoxError>(())
            }
        })
    }
}

/// One inbox event as the mirror applies it.
#[derive(Debug, Clone)]
struct Pending {
    key: String,
    change_event: Option<i64>,
    event_status: Option<i64>,
    create_time: Option<i64>,
}

/// The pending events of one form.
#[derive(Debug, Clone)]
struct Group {
    sp_no: String,
    events: Vec<Pending>,
}

/// Where a detail came from, as the event log says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Callback,
    Reconcile,
}

impl Source {
    fn name(self) -> &'static str {
        match self {
            Source::Callback => "callback",
            Source::Reconcile => "reconcile",
        }
    }
}

/// The calls one part of the sync made (a difference of the client's counters).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Calls {
    /// HTTP calls (retries and token fetches included).
    pub calls: u64,
    /// Of which retries.
    pub retries: u64,
    /// 45009 answers.
    pub rate_limited: u64,
}

impl Calls {
    /// `after - before`.
    pub fn between(before: &Stats, after: &Stats) -> Calls {
        Calls {
            calls: after.calls.saturating_sub(before.calls),
            retries: after.retries.saturating_sub(before.retries),
            rate_limited: after.rate_limited.saturating_sub(before.rate_limited),
        }
    }

    /// Adds `other`.
    pub fn add(&mut self, other: Calls) {
        self.calls += other.calls;
        self.retries += other.retries;
        self.rate_limited += other.rate_limited;
    }
}

/// Whether a failed detail read is about that form alone (WeCom refuses it: gone, not
/// visible, undecodable), so it is set aside; anything else is retried later.
fn is_form_local(e: &Error) -> bool {
    match e {
        Error::Record { source, .. } => is_form_local(source),
        Error::Decode { .. } => true,
        Error::Api(a) => matches!(a.class, ErrorClass::InvalidRequest | ErrorClass::Other),
        _ => false,
    }
}

/// The writer of the mirror: drains the inbox and reconciles, one at a time.
pub struct Mirror<'a> {
    store: &'a mut SqliteStore,
    approvals: Approvals,
    clock: Arc<Clock>,
    counters: Arc<Counters>,
    concurrency: usize,
    /// Where the mirror starts (`--since`): a reconcile with no checkpoint lists from here.
    since: u64,
}

/// What a reconcile cycle did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cycle {
    /// Ids listed since the last checkpoint.
    pub listed: u64,
    /// Of which new to the mirror (fetched and stored).
    pub new_forms: u64,
    /// Open forms re-read.
    pub reread: u64,
    /// Re-read forms whose stored detail changed.
    pub changed: u64,
}

impl<'a> Mirror<'a> {
    /// The mirror over `store`, fetching with `approvals`, `concurrency` details at a time.
    pub fn new(
        store: &'a mut SqliteStore,
        approvals: Approvals,
        counters: Arc<Counters>,
        concurrency: usize,
        since: u64,
    ) -> Mirror<'a> {
        let clock = store.clock();
        Mirror { store, approvals, clock, counters, concurrency: concurrency.max(1), since }
    }

    fn error(&self, what: &str, e: rusqlite::Error) -> CliError {
        CliError::runtime(format!("SQLite: cannot {what}: {e}"))
    }

    /// Events a previous run could not apply because WeCom refused their form become
    /// pending again (they are retried once per run); returns how many.
    pub fn retry_failed(&mut self) -> Result<u64> {
        self.store.commit()?;
        let n = self
            .store
            .connection()
            .execute("UPDATE callback_inbox SET state = ?1 WHERE state = ?2", params![PENDING, FAILED])
            .map_err(|e| self.error("reset failed inbox events", e))?;
        self.refresh_pending()?;
        Ok(n as u64)
    }

    /// Re-reads the number of pending inbox events into the counters.
    pub fn refresh_pending(&self) -> Result<u64> {
        let n: i64 = self
            .store
            .connection()
            .query_row("SELECT COUNT(*) FROM callback_inbox WHERE state = ?1", [PENDING], |r| r.get(0))
            .map_err(|e| self.error("count pending inbox events", e))?;
        self.counters.pending.store(n as u64, Ordering::Relaxed);
        Ok(n as u64)
    }

    /// Up to `limit` forms with pending events, oldest event first, each with all its
    /// pending events (read now: an event that arrives after this is left for the next fetch).
    fn pending_groups(&self, limit: usize) -> Result<Vec<Group>> {
        let read = || -> rusqlite::Result<Vec<Group>> {
            let conn = self.store.connection();
            let mut stmt = conn.prepare_cached(
                "SELECT key, sp_no, change_event, event_status, create_time FROM callback_inbox \
                 WHERE state = ?1 AND sp_no IS NOT NULL ORDER BY rowid",
            )?;
            let mut groups: Vec<Group> = Vec::new();
            let mut at = std::collections::HashMap::<String, usize>::new();
            let mut rows = stmt.query([PENDING])?;
            while let Some(r) = rows.next()? {
                let sp_no: String = r.get(1)?;
                let event = Pending {
                    key: r.get(0)?,
                    change_event: r.get(2)?,
                    event_status: r.get(3)?,
                    create_time: r.get(4)?,
                };
                match at.get(&sp_no) {
                    Some(&i) => groups[i].events.push(event),
                    None if groups.len() < limit => {
                        at.insert(sp_no.clone(), groups.len());
                        groups.push(Group { sp_no, events: vec![event] });
                    }
                    None => {}
                }
            }
            Ok(groups)
        };
        read().map_err(|e| self.error("read the inbox", e))
    }

    /// Stores `detail` (fetched from `stamp` on) if it is newer than the stored copy, marks
    /// `events` done and logs them, in one transaction. A reconcile read that changed the form
    /// is logged too (with no event key). Returns whether the stored detail changed.
    fn apply(&mut self, detail: &ApprovalDetail, stamp: Stamp, source: Source, events: &[Pending]) -> Result<bool> {
        self.store.commit()?;
        let conn = self.store.connection();
        let run = || -> rusqlite::Result<bool> {
            let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
            let applied = guarded_upsert(&tx, detail, stamp)?;
            let outcome = match applied.decision {
                Decision::Store => "stored",
                Decision::Keep => "kept",
            };
            let status = applied.status.unwrap_or_else(|| detail.sp_status.code());
            let now = now_text();
            let sp_no = detail.key();
            let mut log = tx.prepare_cached(
                "INSERT INTO approval_events (key, source, sp_no, change_event, event_status, create_time, status, \
                 outcome, fetch_stamp, applied_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) \
                 ON CONFLICT (key) DO NOTHING",
            )?;
            let mut done = tx.prepare_cached(
                "UPDATE callback_inbox SET state = ?1, done_at = ?2, attempts = attempts + 1 WHERE key = ?3 AND state = ?4",
            )?;
            for e in events {
                if done.execute(params![DONE, now, e.key, PENDING])? == 1 {
                    log.execute(params![
                        e.key,
                        source.name(),
                        sp_no,
                        e.change_event,
                        e.event_status,
                        e.create_time,
                        status,
                        outcome,
                        stamp,
                        now
                    ])?;
                }
            }
            let changed = applied.decision == Decision::Store && applied.changed;
            if events.is_empty() && changed {
                log.execute(params![
                    Option::<String>::None,
                    source.name(),
                    sp_no,
                    Option::<i64>::None,
                    Option::<i64>::None,
                    Option::<i64>::None,
                    status,
                    outcome,
                    stamp,
                    now
                ])?;
            }
            drop((log, done));
            tx.commit()?;
            Ok(changed)
        };
        run().map_err(|e| self.error(&format!("store form {}", detail.key()), e))
    }

    /// Sets the events of a form WeCom refused aside as `failed` (retried by the next run).
    fn set_failed(&mut self, group: &Group, error: &Error) -> Result<()> {
        self.store.commit()?;
        let conn = self.store.connection();
        let run = || -> rusqlite::Result<()> {
            let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
            for e in &group.events {
                tx.execute(
                    "UPDATE callback_inbox SET state = ?1, error = ?2, attempts = attempts + 1 WHERE key = ?3 AND state = ?4",
                    params![FAILED, error.to_string(), e.key, PENDING],
                )?;
            }
            tx.commit()
        };
        run().map_err(|e| self.error("update the inbox", e))
    }

    /// Fetches the details of `sp_nos`, `concurrency` at a time, each stamped as its fetch
    /// starts; results in completion order.
    fn fetch<T: Send + 'static>(
        &self,
        items: Vec<(String, T)>,
    ) -> impl futures::Stream<Item = (T, Stamp, std::result::Result<ApprovalDetail, Error>)> + use<T> {
        let (approvals, clock) = (self.approvals.clone(), self.clock.clone());
        futures::stream::iter(items)
            .map(move |(sp_no, item)| {
                let (approvals, clock) = (approvals.clone(), clock.clone());
                async move {
                    let stamp = clock.next();
                    let detail = approvals.detail(sp_no).await;
                    (item, stamp, detail)
                }
            })
            .buffer_unordered(self.concurrency)
    }

    /// Applies every pending inbox event: one fetch per form, however many events it has.
    /// Stops at the first failure that is not the form's own (network, credentials…), leaving
    /// the rest pending for the next call; returns the events applied.
    pub async fn drain(&mut self, interrupt: &Interrupt) -> Result<u64> {
        let mut applied = 0;
        loop {
            let groups = self.pending_groups(self.concurrency * 16)?;
            if groups.is_empty() || interrupt.is_set() {
                break;
            }
            let items = groups.into_iter().map(|g| (g.sp_no.clone(), g)).collect();
            let mut fetched = self.fetch(items);
            let mut stalled = None;
            while let Some((group, stamp, detail)) = fetched.next().await {
                Counters::add(&self.counters.live_fetches, 1);
                match detail {
                    Ok(d) => {
                        self.apply(&d, stamp, Source::Callback, &group.events)?;
                        applied += group.events.len() as u64;
                        Counters::add(&self.counters.applied, group.events.len() as u64);
                    }
                    Err(e) if is_form_local(&e) => {
                        tracing::warn!("form {}: {e}; its events are set aside until the next run", group.sp_no);
                        Counters::add(&self.counters.failed, group.events.len() as u64);
                        self.set_failed(&group, &e)?;
                    }
                    Err(e) => stalled = Some(e),
                }
            }
            self.refresh_pending()?;
            if let Some(e) = stalled {
                tracing::warn!("reading a form failed: {e}; its events stay in the inbox and are retried");
                break;
            }
        }
        Ok(applied)
    }

    /// One reconcile cycle: lists the forms submitted since the last checkpoint (less
    /// [`RECONCILE_OVERLAP_SECS`]) up to now and fetches those the mirror lacks, records the
    /// checkpoint, then re-reads the open forms read least recently, as many as the `budget`
    /// of detail calls left.
    pub async fn reconcile(&mut self, budget: u64, interrupt: &Interrupt) -> Result<Cycle> {
        let mut cycle = Cycle::default();
        let scope = Scope::all(Kind::Approvals);
        let covered = scope.covered(self.store)?;
        let from =
            covered.iter().map(|&(_, e)| e).max().map_or(self.since, |e| e.saturating_sub(RECONCILE_OVERLAP_SECS));
        let to = (chrono::Utc::now().timestamp() as u64).max(from + 1);
        let ids: Vec<String> = self
            .approvals
            .ids(time_range(from, to)?, [])
            .try_collect()
            .await
            .map_err(|e| CliError::runtime(format!("reconcile: listing forms failed: {e}")))?;
        cycle.listed = ids.len() as u64;
        let mut new = Vec::new();
        for id in ids {
            if !self.store.contains::<ApprovalDetail>(&id)? {
                new.push((id, ()));
            }
        }
        let mut complete = true;
        let mut fetched = self.fetch(new);
        while let Some(((), stamp, detail)) = fetched.next().await {
            match detail {
                Ok(d) => {
                    self.apply(&d, stamp, Source::Reconcile, &[])?;
                    cycle.new_forms += 1;
                }
                Err(e) => {
                    tracing::warn!("reconcile: a new form could not be read: {e}");
                    complete = false;
                }
            }
        }
        drop(fetched);
        if complete && !interrupt.is_set() {
            scope.record(self.store, from, to)?;
        }

        let left = budget.saturating_sub(cycle.new_forms);
        let open = self.open_forms(left)?;
        let mut fetched = self.fetch(open.into_iter().map(|id| (id, ())).collect());
        while let Some(((), stamp, detail)) = fetched.next().await {
            cycle.reread += 1;
            match detail {
                Ok(d) => {
                    if self.apply(&d, stamp, Source::Reconcile, &[])? {
                        cycle.changed += 1;
                    }
                }
                Err(e) => tracing::warn!("reconcile: an open form could not be re-read: {e}"),
            }
        }
        Counters::add(&self.counters.cycles, 1);
        Counters::add(&self.counters.new_forms, cycle.new_forms);
        Counters::add(&self.counters.reread, cycle.reread);
        Counters::add(&self.counters.reconciled, cycle.changed + cycle.new_forms);
        Ok(cycle)
    }

    /// Up to `limit` open (审批中) forms, the least recently read first.
    fn open_forms(&self, limit: u64) -> Result<Vec<String>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let read = || -> rusqlite::Result<Vec<String>> {
            let conn = self.store.connection();
            let mut stmt = conn.prepare_cached(
                "SELECT a.sp_no FROM approvals a LEFT JOIN approval_versions v ON v.sp_no = a.sp_no \
                 WHERE a.status = 1 ORDER BY COALESCE(v.stamp, 0), a.sp_no LIMIT ?1",
            )?;
            stmt.query_map([limit as i64], |r| r.get(0))?.collect()
        };
        read().map_err(|e| self.error("list open forms", e))
    }

    /// Open forms in the mirror.
    pub fn open_count(&self) -> Result<u64> {
        self.store
            .connection()
            .query_row("SELECT COUNT(*) FROM approvals WHERE status = 1", [], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(|e| self.error("count open forms", e))
    }
}

/// The detail calls a reconcile cycle may spend: half of what the per-endpoint limit allows
/// over one interval (the other half stays for live fetches and backfill), at least one.
pub fn default_budget(calls_per_minute: u32, every: Duration) -> u64 {
    let per_interval = u128::from(calls_per_minute) * every.as_millis() / 60_000;
    u64::try_from(per_interval / 2).unwrap_or(u64::MAX).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_is_half_the_interval_s_allowance() {
        assert_eq!(default_budget(600, Duration::from_secs(300)), 1500);
        assert_eq!(default_budget(600, Duration::from_secs(60)), 300);
        assert_eq!(default_budget(600, Duration::from_millis(50)), 1);
    }

    #[test]
    fn calls_are_differences() {
        let before = Stats::default();
        let mut after = Stats::default();
        after.calls = 10;
        after.rate_limited = 1;
        let mut c = Calls::between(&before, &after);
        assert_eq!(c, Calls { calls: 10, retries: 0, rate_limited: 1 });
        c.add(c);
        assert_eq!(c.calls, 20);
    }
}
