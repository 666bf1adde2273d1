//! Pushing `sys_approval_change` callbacks the way WeCom delivers them: encrypted,
//! signed, POSTed to the callback URL, with a per-attempt timeout, a fixed number
//! of attempts, and reproducible delivery faults (dropped, duplicated, delayed,
//! reordered) drawn per event.
//!
//! Events are handed over in the order they happened; a single dispatcher decides
//! each event's fault and starts one task per delivery, so a slow receiver never
//! stalls the deliveries of other events.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rand::Rng;
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, oneshot, watch};

use crate::crypto::{MsgCrypt, envelope};
use crate::faults::{duration_ms, weighted_draw};
use crate::world::ApprovalEvent;

/// Default `AgentID` of the pushes: the approval app's id in the documented example.
pub const DEFAULT_AGENT_ID: &str = "3010040";

/// When a delivery attempt counts as failed (and is attempted again, up to
/// [`Delivery::attempts`]). The reference quotes both readings of WeCom's docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RetryOn {
    /// The older, stricter reading: a connection failure, a timeout, or any status
    /// other than 200. The default: it re-delivers more, so receivers are tested harder.
    #[default]
    NotOk,
    /// The newer reading: only a connection failure or a timeout; any HTTP answer
    /// (even a 500) ends the delivery.
    ConnectionFailure,
}

/// How pushes are delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Delivery {
    /// Timeout of one attempt, from connecting to the end of the response; WeCom: 5 s.
    #[serde(rename = "timeout_ms", with = "duration_ms")]
    pub timeout: Duration,
    /// Attempts in all per delivery (first one included); WeCom: 3.
    pub attempts: u32,
    /// Pause between a failed attempt and the next (WeCom's spacing is not documented).
    #[serde(rename = "retry_delay_ms", with = "duration_ms")]
    pub retry_delay: Duration,
    /// What counts as a failed attempt.
    pub retry_on: RetryOn,
}

impl Default for Delivery {
    fn default() -> Self {
        Delivery {
            timeout: Duration::from_secs(5),
            attempts: 3,
            retry_delay: Duration::from_secs(1),
            retry_on: RetryOn::NotOk,
        }
    }
}

/// The kinds of injected push faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PushFaultKind {
    /// Never delivered: every attempt is skipped.
    Dropped,
    /// Delivered [`PushFaults::copies`] times, one after the other: identical
    /// plaintext, fresh timestamp, nonce and random prefix (so the ciphertext differs).
    Duplicated,
    /// Held for [`PushFaults::delay_duration`], then delivered.
    Delayed,
    /// Held back until a later event's first attempt has been made (or
    /// [`PushFaults::reorder_hold`] passed), then delivered, newest held first.
    Reordered,
}

impl PushFaultKind {
    /// Every kind, in draw order.
    pub const ALL: [PushFaultKind; 4] =
        [PushFaultKind::Dropped, PushFaultKind::Duplicated, PushFaultKind::Delayed, PushFaultKind::Reordered];

    /// The name used in counts and JSON.
    pub fn name(self) -> &'static str {
        match self {
            PushFaultKind::Dropped => "dropped",
            PushFaultKind::Duplicated => "duplicated",
            PushFaultKind::Delayed => "delayed",
            PushFaultKind::Reordered => "reordered",
        }
    }
}

/// Probabilities of push faults, each in `0.0..=1.0`. One uniform draw per event
/// from ChaCha(`seed`, stream = the event's seq) decides at most one fault (kinds
/// tried in the order of [`PushFaultKind::ALL`]), so the same seed and the same
/// sequence of changes give the same faults, whenever they are set.
///
/// As JSON (operator API) durations are `delay_ms` and `reorder_hold_ms`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PushFaults {
    /// Seed of the fault draw.
    pub seed: u64,
    /// Probability that an event is dropped.
    pub drop: f64,
    /// Probability that an event is delivered [`PushFaults::copies`] times.
    pub duplicate: f64,
    /// Probability that an event is held for [`PushFaults::delay_duration`].
    pub delay: f64,
    /// Probability that an event is overtaken by a later one.
    pub reorder: f64,
    /// How long a delayed event is held.
    #[serde(rename = "delay_ms", with = "duration_ms")]
    pub delay_duration: Duration,
    /// Deliveries of a duplicated event (at least 2).
    pub copies: u32,
    /// Longest time a reordered event waits for a later event to overtake it.
    #[serde(rename = "reorder_hold_ms", with = "duration_ms")]
    pub reorder_hold: Duration,
}

impl Default for PushFaults {
    fn default() -> Self {
        PushFaults::none()
    }
}

impl PushFaults {
    /// No faults.
    pub fn none() -> Self {
        PushFaults {
            seed: 0,
            drop: 0.0,
            duplicate: 0.0,
            delay: 0.0,
            reorder: 0.0,
            delay_duration: Duration::from_millis(500),
            copies: 2,
            reorder_hold: Duration::from_millis(500),
        }
    }

    /// Only `kind`, with probability `p`.
    pub fn only(kind: PushFaultKind, p: f64, seed: u64) -> Self {
        let mut f = PushFaults { seed, ..PushFaults::none() };
        *f.slot(kind) = p;
        f
    }

    /// `total_probability` split evenly over the four kinds.
    pub fn uniform(total_probability: f64, seed: u64) -> Self {
        let p = total_probability.clamp(0.0, 1.0) / 4.0;
        PushFaults { seed, drop: p, duplicate: p, delay: p, reorder: p, ..PushFaults::none() }
    }

    fn slot(&mut self, kind: PushFaultKind) -> &mut f64 {
        match kind {
            PushFaultKind::Dropped => &mut self.drop,
            PushFaultKind::Duplicated => &mut self.duplicate,
            PushFaultKind::Delayed => &mut self.delay,
            PushFaultKind::Reordered => &mut self.reorder,
        }
    }

    /// Probability of `kind`.
    pub fn probability(&self, kind: PushFaultKind) -> f64 {
        match kind {
            PushFaultKind::Dropped => self.drop,
            PushFaultKind::Duplicated => self.duplicate,
            PushFaultKind::Delayed => self.delay,
            PushFaultKind::Reordered => self.reorder,
        }
    }

    /// The fault (if any) of the event with sequence number `seq`. Pure.
    pub fn draw(&self, seq: u64) -> Option<PushFaultKind> {
        if PushFaultKind::ALL.iter().all(|k| self.probability(*k).is_nan() || self.probability(*k) <= 0.0) {
            return None;
        }
        weighted_draw(self.seed, seq, PushFaultKind::ALL.map(|k| (k, self.probability(k))))
    }
}

/// What one delivery attempt got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum AttemptOutcome {
    /// The receiver answered with this HTTP status (the body was read to its end).
    Status {
        /// HTTP status code.
        code: u16,
    },
    /// No complete answer within [`Delivery::timeout`].
    Timeout,
    /// The connection failed (refused, reset, closed early…).
    ConnectionFailed {
        /// The client's error text.
        error: String,
    },
}

/// One POST of one event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryAttempt {
    /// Which delivery of the event (0; 1… for the copies of a duplicated event).
    pub copy: u32,
    /// 1-based attempt number within that delivery.
    pub attempt: u32,
    /// When it was sent (Unix milliseconds).
    pub sent_at_ms: i64,
    /// How long until the outcome.
    pub elapsed_ms: u64,
    /// The `timestamp` query parameter.
    pub timestamp: String,
    /// The `nonce` query parameter.
    pub nonce: String,
    /// The `msg_signature` query parameter.
    pub msg_signature: String,
    /// What came back.
    pub outcome: AttemptOutcome,
    /// Whether this attempt ended the delivery as accepted (see [`RetryOn`]).
    pub accepted: bool,
}

/// What happened to the pushes of one event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRecord {
    /// The event's seq (see [`ApprovalEvent::seq`]).
    pub seq: u64,
    /// The form.
    pub sp_no: String,
    /// The event was dropped: no attempt at all.
    pub dropped: bool,
    /// The event was delivered more than once.
    pub duplicated: bool,
    /// The event was held before delivery.
    pub delayed: bool,
    /// The event was held back so that a later one overtook it.
    pub reordered: bool,
    /// Deliveries planned: 0 when dropped, 1, or [`PushFaults::copies`].
    pub copies: u32,
    /// Every attempt, in the order made.
    pub attempts: Vec<DeliveryAttempt>,
    /// Deliveries that ended accepted (≤ `copies`; fewer when attempts ran out).
    pub accepted: u32,
    /// Every delivery of the event has ended (accepted or attempts exhausted).
    pub done: bool,
}

/// Counters of the push machinery.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushCounts {
    /// Events handed to the pusher while a callback target was set.
    pub events: u64,
    /// Events that happened with no callback target (not pushed).
    pub no_target: u64,
    /// Events dropped by an injected fault.
    pub dropped: u64,
    /// Events duplicated by an injected fault.
    pub duplicated: u64,
    /// Events delayed by an injected fault.
    pub delayed: u64,
    /// Events reordered by an injected fault.
    pub reordered: u64,
    /// POSTs made.
    pub attempts: u64,
    /// Attempts answered 200.
    pub ok_attempts: u64,
    /// Attempts that failed per [`RetryOn`].
    pub failed_attempts: u64,
    /// Attempts after the first of a delivery.
    pub retries: u64,
    /// Deliveries whose every attempt failed (WeCom gives up).
    pub given_up: u64,
}

/// Where pushes go. `Debug` never shows the token or key.
#[derive(Clone)]
pub(crate) struct Target {
    pub url: String,
    pub crypt: MsgCrypt,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target").field("url", &self.url).finish_non_exhaustive()
    }
}

/// Push configuration that can change at run time.
#[derive(Debug, Clone)]
pub(crate) struct PushSettings {
    pub target: Option<Target>,
    pub delivery: Delivery,
    pub faults: PushFaults,
}

/// One event on its way out, with the settings in force when it happened.
struct Job {
    ev: ApprovalEvent,
    fault: Option<PushFaultKind>,
    target: Target,
    delivery: Delivery,
    faults: PushFaults,
}

/// The push machinery's state, shared by the dispatcher, delivery tasks and the handle.
pub(crate) struct Pusher {
    pub corp_id: String,
    pub agent_id: String,
    settings: Mutex<PushSettings>,
    tx: mpsc::UnboundedSender<Job>,
    rx: Mutex<Option<mpsc::UnboundedReceiver<Job>>>,
    log: Mutex<Vec<DeliveryRecord>>,
    counts: Mutex<PushCounts>,
    pending: watch::Sender<usize>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn unix_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

impl Pusher {
    pub(crate) fn new(corp_id: String, agent_id: String, settings: PushSettings) -> Pusher {
        let (tx, rx) = mpsc::unbounded_channel();
        Pusher {
            corp_id,
            agent_id,
            settings: Mutex::new(settings),
            tx,
            rx: Mutex::new(Some(rx)),
            log: Mutex::new(Vec::new()),
            counts: Mutex::new(PushCounts::default()),
            pending: watch::channel(0).0,
        }
    }

    pub(crate) fn settings(&self) -> PushSettings {
        lock(&self.settings).clone()
    }

    pub(crate) fn set_target(&self, target: Option<Target>) {
        lock(&self.settings).target = target;
    }

    pub(crate) fn set_faults(&self, faults: PushFaults) {
        lock(&self.settings).faults = faults;
    }

    pub(crate) fn set_delivery(&self, delivery: Delivery) {
        lock(&self.settings).delivery = delivery;
    }

    pub(crate) fn counts(&self) -> PushCounts {
        lock(&self.counts).clone()
    }

    pub(crate) fn log_since(&self, after: u64) -> Vec<DeliveryRecord> {
        let log = lock(&self.log);
        let from = log.partition_point(|r| r.seq <= after);
        log[from..].to_vec()
    }

    /// Deliveries not finished yet.
    pub(crate) fn pending(&self) -> usize {
        *self.pending.borrow()
    }

    /// Waits until no delivery is pending; `false` at `timeout`.
    pub(crate) async fn wait_idle(&self, timeout: Duration) -> bool {
        let mut rx = self.pending.subscribe();
        tokio::time::timeout(timeout, rx.wait_for(|n| *n == 0)).await.is_ok_and(|r| r.is_ok())
    }

    /// Hands `ev` over for delivery. Called in event order (under the world lock).
    pub(crate) fn enqueue(&self, ev: &ApprovalEvent) {
        let s = lock(&self.settings).clone();
        let Some(target) = s.target else {
            lock(&self.counts).no_target += 1;
            return;
        };
        let fault = s.faults.draw(ev.seq);
        {
            let mut c = lock(&self.counts);
            c.events += 1;
            match fault {
                Some(PushFaultKind::Dropped) => c.dropped += 1,
                Some(PushFaultKind::Duplicated) => c.duplicated += 1,
                Some(PushFaultKind::Delayed) => c.delayed += 1,
                Some(PushFaultKind::Reordered) => c.reordered += 1,
                None => {}
            }
        }
        let copies = match fault {
            Some(PushFaultKind::Dropped) => 0,
            Some(PushFaultKind::Duplicated) => s.faults.copies.max(2),
            _ => 1,
        };
        lock(&self.log).push(DeliveryRecord {
            seq: ev.seq,
            sp_no: ev.sp_no.clone(),
            dropped: fault == Some(PushFaultKind::Dropped),
            duplicated: fault == Some(PushFaultKind::Duplicated),
            delayed: fault == Some(PushFaultKind::Delayed),
            reordered: fault == Some(PushFaultKind::Reordered),
            copies,
            attempts: Vec::new(),
            accepted: 0,
            done: copies == 0,
        });
        if copies == 0 {
            return;
        }
        self.pending.send_modify(|n| *n += 1);
        let job = Job { ev: ev.clone(), fault, target, delivery: s.delivery, faults: s.faults };
        if self.tx.send(job).is_err() {
            // The server has stopped: nothing will deliver it.
            self.finish(ev.seq);
        }
    }

    fn record(&self, seq: u64, attempt: DeliveryAttempt) {
        let mut log = lock(&self.log);
        let i = log.partition_point(|r| r.seq < seq);
        if let Some(r) = log.get_mut(i).filter(|r| r.seq == seq) {
            if attempt.accepted {
                r.accepted += 1;
            }
            r.attempts.push(attempt);
        }
    }

    fn finish(&self, seq: u64) {
        {
            let mut log = lock(&self.log);
            let i = log.partition_point(|r| r.seq < seq);
            if let Some(r) = log.get_mut(i).filter(|r| r.seq == seq) {
                r.done = true;
            }
        }
        self.pending.send_modify(|n| *n = n.saturating_sub(1));
    }

    /// Takes the receiving end of the queue (once, when the server starts).
    fn take_rx(&self) -> Option<mpsc::UnboundedReceiver<Job>> {
        lock(&self.rx).take()
    }
}

/// Runs the dispatcher until the queue closes (server shutdown drops the task).
pub(crate) async fn dispatcher(pusher: Arc<Pusher>) {
    let Some(mut rx) = pusher.take_rx() else {
        return;
    };
    let client = match reqwest::Client::builder().no_proxy().build() {
        Ok(c) => c,
        Err(e) => {
            tracing::error!("cannot build the push client: {e}");
            return;
        }
    };
    let mut held: Vec<Job> = Vec::new();
    let mut deadline: Option<tokio::time::Instant> = None;
    loop {
        let job = tokio::select! {
            j = rx.recv() => match j {
                Some(j) => j,
                None => break,
            },
            _ = async { tokio::time::sleep_until(deadline.unwrap_or_else(tokio::time::Instant::now)).await }, if deadline.is_some() => {
                // Nothing overtook the held events in time: release them newest first.
                deadline = None;
                let batch: Vec<Job> = held.drain(..).rev().collect();
                tokio::spawn(release(Arc::clone(&pusher), client.clone(), batch, None));
                continue;
            }
        };
        if job.fault == Some(PushFaultKind::Reordered) {
            if held.is_empty() {
                deadline = Some(tokio::time::Instant::now() + job.faults.reorder_hold);
            }
            held.push(job);
            continue;
        }
        // Longest wait for this event's first attempt (its delay included).
        let first_wait = job.delivery.timeout
            + Duration::from_secs(1)
            + if job.fault == Some(PushFaultKind::Delayed) { job.faults.delay_duration } else { Duration::ZERO };
        let (first_tx, first_rx) = oneshot::channel();
        tokio::spawn(deliver(Arc::clone(&pusher), client.clone(), job, Some(first_tx)));
        if !held.is_empty() {
            // The event just started overtakes every held one.
            deadline = None;
            let batch: Vec<Job> = held.drain(..).rev().collect();
            tokio::spawn(release(Arc::clone(&pusher), client.clone(), batch, Some((first_rx, first_wait))));
        }
    }
}

/// Delivers held events one after the other (each after the previous one's first
/// attempt), once `after` fires (or its wait cap passes).
async fn release(
    pusher: Arc<Pusher>,
    client: reqwest::Client,
    batch: Vec<Job>,
    after: Option<(oneshot::Receiver<()>, Duration)>,
) {
    if let Some((rx, wait)) = after {
        let _ = tokio::time::timeout(wait, rx).await;
    }
    for job in batch {
        let wait = job.delivery.timeout + Duration::from_secs(1);
        let (tx, rx) = oneshot::channel();
        tokio::spawn(deliver(Arc::clone(&pusher), client.clone(), job, Some(tx)));
        let _ = tokio::time::timeout(wait, rx).await;
    }
}

/// Every delivery of one event, each with up to `attempts` attempts.
async fn deliver(pusher: Arc<Pusher>, client: reqwest::Client, job: Job, mut first: Option<oneshot::Sender<()>>) {
    let copies = match job.fault {
        Some(PushFaultKind::Duplicated) => job.faults.copies.max(2),
        _ => 1,
    };
    if job.fault == Some(PushFaultKind::Delayed) {
        tokio::time::sleep(job.faults.delay_duration).await;
    }
    let attempts = job.delivery.attempts.max(1);
    let sep = if job.target.url.contains('?') { '&' } else { '?' };
    for copy in 0..copies {
        let mut accepted = false;
        for attempt in 1..=attempts {
            let timestamp = (unix_ms() / 1000).to_string();
            let nonce = rand::rng().random_range(1_000_000_000u64..10_000_000_000).to_string();
            let encrypt = job.target.crypt.encrypt(&job.ev.xml, &pusher.corp_id);
            let msg_signature = job.target.crypt.signature(&timestamp, &nonce, &encrypt);
            let body = envelope(&pusher.corp_id, &encrypt, &pusher.agent_id);
            let url =
                format!("{}{sep}msg_signature={msg_signature}&timestamp={timestamp}&nonce={nonce}", job.target.url);
            let sent_at_ms = unix_ms();
            let started = Instant::now();
            let sent = client
                .post(&url)
                .header(reqwest::header::CONTENT_TYPE, "text/xml; charset=utf-8")
                .body(body)
                .timeout(job.delivery.timeout)
                .send()
                .await;
            let outcome = match sent {
                Ok(resp) => {
                    let code = resp.status().as_u16();
                    match resp.bytes().await {
                        Ok(_) => AttemptOutcome::Status { code },
                        Err(e) if e.is_timeout() => AttemptOutcome::Timeout,
                        Err(e) => AttemptOutcome::ConnectionFailed { error: e.without_url().to_string() },
                    }
                }
                Err(e) if e.is_timeout() => AttemptOutcome::Timeout,
                Err(e) => AttemptOutcome::ConnectionFailed { error: e.without_url().to_string() },
            };
            accepted = matches!(
                (&outcome, job.delivery.retry_on),
                (AttemptOutcome::Status { code: 200 }, _) | (AttemptOutcome::Status { .. }, RetryOn::ConnectionFailure)
            );
            {
                let mut c = lock(&pusher.counts);
                c.attempts += 1;
                if attempt > 1 {
                    c.retries += 1;
                }
                if matches!(outcome, AttemptOutcome::Status { code: 200 }) {
                    c.ok_attempts += 1;
                }
                if !accepted {
                    c.failed_attempts += 1;
                }
            }
            tracing::debug!(seq = job.ev.seq, copy, attempt, ?outcome, "push attempt");
            pusher.record(
                job.ev.seq,
                DeliveryAttempt {
                    copy,
                    attempt,
                    sent_at_ms,
                    elapsed_ms: started.elapsed().as_millis() as u64,
                    timestamp,
                    nonce,
                    msg_signature,
                    outcome,
                    accepted,
                },
            );
            if let Some(tx) = first.take() {
                let _ = tx.send(());
            }
            if accepted {
                break;
            }
            if attempt < attempts {
                tokio::time::sleep(job.delivery.retry_delay).await;
            }
        }
        if !accepted {
            lock(&pusher.counts).given_up += 1;
        }
    }
    pusher.finish(job.ev.seq);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_are_reproducible_and_proportional() {
        let f = PushFaults::uniform(0.4, 9);
        let a: Vec<_> = (1..=4000).map(|s| f.draw(s)).collect();
        assert_eq!(a, (1..=4000).map(|s| f.draw(s)).collect::<Vec<_>>());
        let hits = a.iter().filter(|x| x.is_some()).count();
        assert!((1400..1800).contains(&hits), "{hits}");
        for k in PushFaultKind::ALL {
            let n = a.iter().filter(|x| **x == Some(k)).count();
            assert!((300..500).contains(&n), "{k:?}: {n}");
        }
        assert_eq!(PushFaults::only(PushFaultKind::Reordered, 1.0, 1).draw(3), Some(PushFaultKind::Reordered));
        assert_eq!(PushFaults::none().draw(3), None);
        assert_eq!(PushFaults { drop: f64::NAN, ..PushFaults::none() }.draw(3), None);
    }

    #[test]
    fn settings_as_json() {
        let f: PushFaults = serde_json::from_str(r#"{"drop":0.5,"delay_ms":20}"#).unwrap();
        assert_eq!((f.drop, f.delay_duration, f.copies), (0.5, Duration::from_millis(20), 2));
        let back: PushFaults = serde_json::from_value(serde_json::to_value(&f).unwrap()).unwrap();
        assert_eq!(back, f);
        let d: Delivery = serde_json::from_str(r#"{"retry_on":"connection_failure"}"#).unwrap();
        assert_eq!(d, Delivery { retry_on: RetryOn::ConnectionFailure, ..Delivery::default() });
        assert!(serde_json::to_string(&Delivery::default()).unwrap().contains(r#""timeout_ms":5000"#));
    }
}
