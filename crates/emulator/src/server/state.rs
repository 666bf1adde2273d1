//! Shared mutable state of a running emulator: tokens, counters, rate windows,
//! in-flight requests and faults.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::MonthRule;
use crate::activity::ActivitySettings;
use crate::dataset::Dataset;
use crate::faults::{FaultKind, Faults};
use crate::ids;
use crate::push::Pusher;
use crate::quirks::{self, Novelties, Quirks};
use crate::world::{ActivityMix, ApprovalEvent, Change, ChangeError, EventCtx, View, World};

/// The endpoints the emulator serves under `/cgi-bin/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Endpoint {
    GetToken,
    ApprovalInfo,
    ApprovalDetail,
    ApprovalData,
    JournalList,
    JournalDetail,
    JournalStat,
    JournalWedrive,
}

impl Endpoint {
    pub(crate) const ALL: [Endpoint; 8] = [
        Endpoint::GetToken,
        Endpoint::ApprovalInfo,
        Endpoint::ApprovalDetail,
        Endpoint::ApprovalData,
        Endpoint::JournalList,
        Endpoint::JournalDetail,
        Endpoint::JournalStat,
        Endpoint::JournalWedrive,
    ];

    /// Wire path.
    pub(crate) fn path(self) -> &'static str {
        match self {
            Endpoint::GetToken => "/cgi-bin/gettoken",
            Endpoint::ApprovalInfo => "/cgi-bin/oa/getapprovalinfo",
            Endpoint::ApprovalDetail => "/cgi-bin/oa/getapprovaldetail",
            Endpoint::ApprovalData => "/cgi-bin/corp/getapprovaldata",
            Endpoint::JournalList => "/cgi-bin/oa/journal/get_record_list",
            Endpoint::JournalDetail => "/cgi-bin/oa/journal/get_record_detail",
            Endpoint::JournalStat => "/cgi-bin/oa/journal/get_stat_list",
            Endpoint::JournalWedrive => "/cgi-bin/oa/journal/download_wedrive_file",
        }
    }

    pub(crate) fn from_path(path: &str) -> Option<Endpoint> {
        Endpoint::ALL.into_iter().find(|e| e.path() == path)
    }

    /// The list field error bodies keep as `[]` (observed quirk).
    pub(crate) fn list_key(self) -> Option<&'static str> {
        match self {
            Endpoint::ApprovalInfo => Some("sp_no_list"),
            Endpoint::JournalList => Some("journaluuid_list"),
            _ => None,
        }
    }
}

/// Fixed configuration of a running emulator.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub corp_id: String,
    pub corp_secret: String,
    pub token_ttl: Duration,
    pub rate_limit: u32,
    pub rate_window: Duration,
    pub concurrency_limit: Option<usize>,
    pub month_rule: MonthRule,
    /// getapprovalinfo answers 301112 for a window holding more forms than this.
    pub narrow_range_above: Option<usize>,
}

/// Result of checking an access token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenCheck {
    Valid,
    Missing,
    Invalid,
    Expired,
}

struct TokenEntry {
    expires: Instant,
    generation: u64,
}

#[derive(Default)]
struct TokenStore {
    tokens: HashMap<String, TokenEntry>,
    generation: u64,
    issued: u64,
}

#[derive(Default)]
struct Counters {
    calls: BTreeMap<String, u64>,
    errcodes: BTreeMap<i64, u64>,
    faults: BTreeMap<String, u64>,
    quirks: BTreeMap<String, u64>,
}

/// What a list of record positions was computed for: endpoint, window, filters, whether
/// positions have gaps, and the world's version (its event count).
pub(crate) type PositionsKey = (Endpoint, i64, i64, u64, bool, usize);

/// `(position, id)` of each record of a list, sorted by position.
pub(crate) type Positions = Arc<Vec<(u64, usize)>>;

/// The run-time switches a server starts with (each replaceable later).
pub(crate) struct Switches {
    pub faults: Faults,
    pub quirks: Quirks,
    pub novelties: Novelties,
}

/// Recently computed position lists (a walk asks for the same one page after page).
const POSITION_CACHE: usize = 4;

/// Novelty settings and the getapprovaldetail calls counted since they were set.
struct NoveltyState {
    settings: Novelties,
    detail_calls: u64,
}

struct RateWindow {
    started: Instant,
    count: u64,
}

struct FaultState {
    faults: Faults,
    index: u64,
}

/// Everything a request handler can see.
pub(crate) struct Shared {
    pub cfg: Config,
    pub ds: Dataset,
    pub base_url: String,
    /// Secret keying cursors and wedrive cookies.
    pub secret: u64,
    tokens: Mutex<TokenStore>,
    counters: Mutex<Counters>,
    rate: Mutex<HashMap<&'static str, RateWindow>>,
    inflight: Mutex<HashMap<&'static str, usize>>,
    faults: Mutex<FaultState>,
    hint: AtomicU64,
    /// Endpoint paths the app has no permission for (301055 / 301065).
    denied: Mutex<std::collections::HashSet<String>>,
    /// The readings taken where the docs allow several.
    quirks: Mutex<Quirks>,
    /// What is sent that no spec knows.
    novelties: Mutex<NoveltyState>,
    /// The last few position lists, newest last.
    positions: Mutex<Vec<(PositionsKey, Positions)>>,
    /// Changed and submitted forms, and the event log.
    world: RwLock<World>,
    /// Callback pushes.
    pub pusher: Arc<Pusher>,
    /// Activity settings; the scheduler wakes on every change.
    pub activity: tokio::sync::watch::Sender<ActivitySettings>,
    /// Whether the activity is making changes.
    pub activity_running: tokio::sync::watch::Sender<bool>,
    /// Changes the activity has made.
    pub activity_steps: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding one of these locks cannot leave the data inconsistent
    // in a way that matters here; keep serving.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Seconds since the Unix epoch.
pub(crate) fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

impl Shared {
    pub(crate) fn new(
        cfg: Config,
        ds: Dataset,
        base_url: String,
        switches: Switches,
        pusher: Pusher,
        activity: ActivitySettings,
    ) -> Shared {
        let Switches { faults, quirks, novelties } = switches;
        let secret = ids::hash(&[ds.seed, ids::hash_str(&cfg.corp_secret), 0x5EC]);
        let world = RwLock::new(World::new(&ds));
        Shared {
            world,
            pusher: Arc::new(pusher),
            activity: tokio::sync::watch::channel(activity).0,
            activity_running: tokio::sync::watch::channel(false).0,
            activity_steps: AtomicU64::new(0),
            cfg,
            ds,
            base_url,
            secret,
            tokens: Mutex::new(TokenStore::default()),
            counters: Mutex::new(Counters::default()),
            rate: Mutex::new(HashMap::new()),
            inflight: Mutex::new(HashMap::new()),
            faults: Mutex::new(FaultState { faults, index: 0 }),
            hint: AtomicU64::new(0),
            denied: Mutex::new(Default::default()),
            quirks: Mutex::new(quirks),
            novelties: Mutex::new(NoveltyState { settings: novelties, detail_calls: 0 }),
            positions: Mutex::new(Vec::new()),
        }
    }

    /// The `(position, id)` list for `key`, from the cache or built now by `build` (outside
    /// the cache's lock), so that a walk costs one pass over its window, not one per page.
    pub(crate) fn positions(&self, key: PositionsKey, build: impl FnOnce() -> Vec<(u64, usize)>) -> Positions {
        if let Some((_, list)) = lock(&self.positions).iter().find(|(k, _)| *k == key) {
            return Arc::clone(list);
        }
        let list = Arc::new(build());
        let mut cache = lock(&self.positions);
        if cache.len() >= POSITION_CACHE {
            cache.remove(0);
        }
        cache.push((key, Arc::clone(&list)));
        list
    }

    // ----- quirks and novelties ----------------------------------------------

    pub(crate) fn quirks(&self) -> Quirks {
        *lock(&self.quirks)
    }

    pub(crate) fn set_quirks(&self, q: Quirks) {
        *lock(&self.quirks) = q;
    }

    pub(crate) fn novelties(&self) -> Novelties {
        lock(&self.novelties).settings
    }

    /// Replaces the novelty settings; the getapprovaldetail call count restarts.
    pub(crate) fn set_novelties(&self, n: Novelties) {
        *lock(&self.novelties) = NoveltyState { settings: n, detail_calls: 0 };
    }

    /// Counts a getapprovaldetail call; `true` when it is to answer the novelty errcode.
    pub(crate) fn novelty_errcode_due(&self) -> bool {
        let mut st = lock(&self.novelties);
        st.detail_calls += 1;
        st.settings.errcode_every.is_some_and(|n| n > 0 && st.detail_calls % u64::from(n) == 0)
    }

    /// The getapprovaldetail `info` of a form as the endpoint renders it now (quirks and
    /// novelties applied).
    pub(crate) fn approval_detail(&self, sp_no: &str) -> Option<Value> {
        let padding = self.quirks().approval_padding;
        let mut info = self.view(|v| v.by_sp_no(sp_no).map(|i| v.detail(i, padding)))?;
        if self.novelties().enabled {
            quirks::decorate_approval(&mut info, padding);
        }
        Some(info)
    }

    /// The journal get_record_detail `info` of journal `idx` as the endpoint renders it now.
    pub(crate) fn journal_detail(&self, idx: usize) -> Value {
        self.ds.journal_detail(idx, self.quirks().journal_title_lang)
    }

    // ----- world -------------------------------------------------------------

    /// Read access to the world; hold it only while rendering.
    pub(crate) fn world(&self) -> RwLockReadGuard<'_, World> {
        self.world.read().unwrap_or_else(|e| e.into_inner())
    }

    fn world_mut(&self) -> RwLockWriteGuard<'_, World> {
        self.world.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` over the merged view of the world.
    pub(crate) fn view<T>(&self, f: impl FnOnce(&View<'_>) -> T) -> T {
        let w = self.world();
        f(&View { ds: &self.ds, w: &w })
    }

    /// Applies a change now and hands its event to the pusher (in event order).
    pub(crate) fn apply(&self, change: &Change) -> Result<ApprovalEvent, ChangeError> {
        let mut w = self.world_mut();
        let cx = EventCtx { corp_id: &self.cfg.corp_id, agent_id: &self.pusher.agent_id };
        let ev = w.apply(&self.ds, change, unix_now(), &cx)?;
        self.pusher.enqueue(&ev);
        Ok(ev)
    }

    /// One random change drawn from `mix`; `None` when the mix allows nothing.
    pub(crate) fn step(&self, mix: &ActivityMix) -> Option<Result<ApprovalEvent, ChangeError>> {
        let mut w = self.world_mut();
        let change = w.random_change(&self.ds, mix)?;
        let cx = EventCtx { corp_id: &self.cfg.corp_id, agent_id: &self.pusher.agent_id };
        let r = w.apply(&self.ds, &change, unix_now(), &cx);
        if let Ok(ev) = &r {
            self.pusher.enqueue(ev);
        }
        Some(r)
    }

    /// Sp_nos of the open forms, in API order.
    pub(crate) fn open_sp_nos(&self) -> Vec<String> {
        let mut w = self.world_mut();
        let ids = w.open_ids(&self.ds);
        let v = View { ds: &self.ds, w: &w };
        ids.into_iter().map(|i| v.sp_no(i)).collect()
    }

    /// Whether the activity has stopped for good (rate 0 or its end passed) and the
    /// scheduler has finished its last step.
    pub(crate) fn activity_stopped(&self) -> bool {
        let s = *self.activity.borrow();
        let over = s.per_minute == 0 || s.until.is_some_and(|u| Instant::now() >= u);
        over && !*self.activity_running.borrow()
    }

    /// Waits until [`Shared::activity_stopped`]; `false` at `timeout`.
    pub(crate) async fn wait_activity_stopped(&self, timeout: Duration) -> bool {
        let mut running = self.activity_running.subscribe();
        let wait = async {
            while !self.activity_stopped() {
                // The scheduler flips `running` when it notices the end; poll as well,
                // since the end itself is only a point in time.
                let _ = tokio::time::timeout(Duration::from_millis(20), running.changed()).await;
            }
        };
        tokio::time::timeout(timeout, wait).await.is_ok()
    }

    /// Waits until the activity has stopped and no delivery is pending; `false` at `timeout`.
    pub(crate) async fn settle(&self, timeout: Duration) -> bool {
        let start = Instant::now();
        self.wait_activity_stopped(timeout).await
            && self.pusher.wait_idle(timeout.saturating_sub(start.elapsed())).await
    }

    /// Events with seq > `after`.
    pub(crate) fn events_since(&self, after: u64) -> Vec<ApprovalEvent> {
        let w = self.world();
        let ev = w.events();
        let from = ev.partition_point(|e| e.seq <= after);
        ev[from..].to_vec()
    }

    // ----- tokens ------------------------------------------------------------

    /// Issues a fresh token valid for the configured TTL.
    pub(crate) fn issue_token(&self) -> String {
        let mut st = lock(&self.tokens);
        st.issued += 1;
        let now = Instant::now();
        if st.tokens.len() > 10_000 {
            let generation = st.generation;
            st.tokens.retain(|_, e| e.generation == generation && e.expires + Duration::from_secs(3600) > now);
        }
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0);
        let token = ids::b58_noise(ids::hash(&[self.secret, st.issued, nanos]), 96);
        let generation = st.generation;
        st.tokens.insert(token.clone(), TokenEntry { expires: now + self.cfg.token_ttl, generation });
        token
    }

    /// Checks an access token.
    pub(crate) fn check_token(&self, token: Option<&str>) -> TokenCheck {
        let Some(token) = token.filter(|t| !t.is_empty()) else {
            return TokenCheck::Missing;
        };
        let st = lock(&self.tokens);
        match st.tokens.get(token) {
            None => TokenCheck::Invalid,
            Some(e) if e.generation != st.generation => TokenCheck::Invalid,
            Some(e) if Instant::now() >= e.expires => TokenCheck::Expired,
            Some(_) => TokenCheck::Valid,
        }
    }

    /// Invalidates every token issued so far (they answer 40014 from now on).
    pub(crate) fn revoke_tokens(&self) {
        let mut st = lock(&self.tokens);
        st.generation += 1;
    }

    // ----- permissions -------------------------------------------------------

    /// Sets the endpoint paths the app may not call.
    pub(crate) fn set_denied(&self, paths: impl IntoIterator<Item = String>) {
        *lock(&self.denied) = paths.into_iter().collect();
    }

    /// Whether the app may not call `path`.
    pub(crate) fn is_denied(&self, path: &str) -> bool {
        lock(&self.denied).contains(path)
    }

    // ----- counters ----------------------------------------------------------

    pub(crate) fn count_call(&self, path: &str) {
        *lock(&self.counters).calls.entry(path.to_string()).or_default() += 1;
    }

    pub(crate) fn count_errcode(&self, code: i64) {
        *lock(&self.counters).errcodes.entry(code).or_default() += 1;
    }

    pub(crate) fn count_fault(&self, kind: FaultKind) {
        *lock(&self.counters).faults.entry(kind.name().to_string()).or_default() += 1;
    }

    pub(crate) fn call_counts(&self) -> BTreeMap<String, u64> {
        lock(&self.counters).calls.clone()
    }

    pub(crate) fn errcode_counts(&self) -> BTreeMap<i64, u64> {
        lock(&self.counters).errcodes.clone()
    }

    pub(crate) fn fault_counts(&self) -> BTreeMap<String, u64> {
        lock(&self.counters).faults.clone()
    }

    /// Counts a quirk or novelty as it happens (e.g. `getapprovalinfo.empty_page`).
    pub(crate) fn count_quirk(&self, name: &str) {
        *lock(&self.counters).quirks.entry(name.to_string()).or_default() += 1;
    }

    pub(crate) fn quirk_counts(&self) -> BTreeMap<String, u64> {
        lock(&self.counters).quirks.clone()
    }

    pub(crate) fn reset_counts(&self) {
        *lock(&self.counters) = Counters::default();
    }

    // ----- rate limit and concurrency --------------------------------------

    /// Counts a call against the endpoint's fixed window; `false` when over the limit.
    ///
    /// A window starts with the first call after the previous one ended and lasts
    /// `rate_window`; the (limit+1)-th call in it and every later one are refused.
    pub(crate) fn rate_admit(&self, ep: Endpoint) -> bool {
        if self.cfg.rate_limit == 0 {
            return true;
        }
        let now = Instant::now();
        let mut m = lock(&self.rate);
        let w = m.entry(ep.path()).or_insert(RateWindow { started: now, count: 0 });
        if now.duration_since(w.started) >= self.cfg.rate_window {
            w.started = now;
            w.count = 0;
        }
        w.count += 1;
        w.count <= self.cfg.rate_limit as u64
    }

    /// Enters the endpoint; `None` when the concurrency limit is reached (45033).
    pub(crate) fn enter(self: &Arc<Self>, ep: Endpoint) -> Option<InFlight> {
        let mut m = lock(&self.inflight);
        let n = m.entry(ep.path()).or_default();
        if self.cfg.concurrency_limit.is_some_and(|limit| *n >= limit) {
            return None;
        }
        *n += 1;
        Some(InFlight { shared: Arc::clone(self), path: ep.path() })
    }

    pub(crate) fn in_flight(&self, path: &str) -> usize {
        lock(&self.inflight).get(path).copied().unwrap_or(0)
    }

    pub(crate) fn in_flight_all(&self) -> BTreeMap<String, usize> {
        lock(&self.inflight).iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    // ----- faults ------------------------------------------------------------

    pub(crate) fn faults(&self) -> Faults {
        lock(&self.faults).faults.clone()
    }

    /// Replaces the fault settings and restarts the call index.
    pub(crate) fn set_faults(&self, faults: Faults) {
        *lock(&self.faults) = FaultState { faults, index: 0 };
    }

    /// Draws the fault of the next faultable call; `gettoken` tells whether the
    /// call is a gettoken (only faulted with `include_gettoken`).
    pub(crate) fn draw_fault(&self, gettoken: bool) -> Option<(FaultKind, Duration)> {
        let mut st = lock(&self.faults);
        if st.faults.is_none() || (gettoken && !st.faults.include_gettoken) {
            return None;
        }
        let i = st.index;
        st.index += 1;
        st.faults.draw(i).map(|k| (k, st.faults.delay_duration))
    }

    /// A fresh hint id for an errmsg, shaped like WeCom's.
    pub(crate) fn hint(&self) -> String {
        let n = self.hint.fetch_add(1, Ordering::Relaxed);
        format!("{}{:06}{:08}", unix_now(), n % 1_000_000, ids::hash(&[self.secret, n]) % 100_000_000)
    }
}

/// Guard of one in-flight request; leaving decrements the endpoint's count.
pub(crate) struct InFlight {
    shared: Arc<Shared>,
    path: &'static str,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut m = lock(&self.shared.inflight);
        if let Some(n) = m.get_mut(self.path) {
            *n = n.saturating_sub(1);
        }
    }
}
