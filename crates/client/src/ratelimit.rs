//! Client-side rate limiting, per endpoint, shared by every clone of a client.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

/// A call budget: at most `calls` per `per`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Calls allowed…
    pub calls: u32,
    /// …in this much time.
    pub per: Duration,
}

impl RateLimit {
    /// `calls` per minute.
    pub fn per_minute(calls: u32) -> Self {
        RateLimit { calls, per: Duration::from_secs(60) }
    }

    /// The governor quota that stays under `calls` in any window of length `per`, whatever
    /// its alignment, with room to spare for network jitter: a small burst `b` and a steady
    /// `calls - 2b` per `per`. (With burst `b` and `s` per window, a window can hold at most
    /// `b + s - 1` calls; this leaves `b + 1` spare: 589 of 600 per minute.)
    fn quota(self) -> Option<Quota> {
        let calls = self.calls.max(1);
        let burst = (calls / 60).clamp(1, calls);
        let steady = calls.saturating_sub(2 * burst).max(1);
        let period = self.per.checked_div(steady)?;
        if period.is_zero() {
            return None;
        }
        Some(Quota::with_period(period)?.allow_burst(NonZeroU32::new(burst)?))
    }
}

/// Per-endpoint limiters, created on first use.
#[derive(Debug, Default)]
pub(crate) struct Limiters {
    /// Endpoint path → its budget (overrides); `None` turns limiting off for that path.
    overrides: HashMap<String, Option<RateLimit>>,
    /// Applies to every endpoint without an override or a documented limit.
    default: Option<RateLimit>,
    /// Whether limiting is on at all.
    enabled: bool,
    live: Mutex<HashMap<&'static str, Arc<DefaultDirectRateLimiter>>>,
}

impl Limiters {
    pub(crate) fn new(
        enabled: bool,
        default: Option<RateLimit>,
        overrides: HashMap<String, Option<RateLimit>>,
    ) -> Self {
        Limiters { overrides, default, enabled, live: Mutex::new(HashMap::new()) }
    }

    /// The budget of an endpoint: an override, else the documented limit, else the default.
    pub(crate) fn budget(&self, path: &str, documented_per_minute: Option<u32>) -> Option<RateLimit> {
        if !self.enabled {
            return None;
        }
        match self.overrides.get(path) {
            Some(o) => *o,
            None => documented_per_minute.map(RateLimit::per_minute).or(self.default),
        }
    }

    /// Waits until the endpoint may be called.
    pub(crate) async fn until_ready(&self, path: &'static str, documented_per_minute: Option<u32>) -> Duration {
        let Some(limiter) = self.limiter(path, documented_per_minute) else { return Duration::ZERO };
        let started = std::time::Instant::now();
        limiter.until_ready().await;
        started.elapsed()
    }

    fn limiter(&self, path: &'static str, documented: Option<u32>) -> Option<Arc<DefaultDirectRateLimiter>> {
        let mut live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(l) = live.get(path) {
            return Some(l.clone());
        }
        let quota = self.budget(path, documented)?.quota()?;
        let limiter = Arc::new(RateLimiter::direct(quota));
        live.insert(path, limiter.clone());
        Some(limiter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quota_never_exceeds_the_budget() {
        // 600/min: burst 10 + 580 steady → at most 589 in any minute.
        let q = RateLimit::per_minute(600).quota().unwrap();
        assert_eq!(q.burst_size().get(), 10);
        let per_call = q.replenish_interval();
        assert!(per_call >= Duration::from_millis(103) && per_call <= Duration::from_millis(104), "{per_call:?}");
        let q = RateLimit { calls: 40, per: Duration::from_secs(1) }.quota().unwrap();
        assert_eq!((q.burst_size().get(), q.replenish_interval()), (1, Duration::from_secs(1) / 38));
        assert_eq!(
            RateLimit { calls: 1, per: Duration::from_secs(1) }.quota().unwrap().replenish_interval(),
            Duration::from_secs(1)
        );
        let small = RateLimit { calls: 3, per: Duration::from_secs(1) }.quota().unwrap();
        assert_eq!(small.burst_size().get(), 1);
        assert!(RateLimit { calls: 5, per: Duration::ZERO }.quota().is_none());
    }

    #[test]
    fn budgets_resolve_overrides_then_documented_then_default() {
        let mut o = HashMap::new();
        o.insert("/a".to_string(), None);
        o.insert("/b".to_string(), Some(RateLimit::per_minute(5)));
        let l = Limiters::new(true, Some(RateLimit::per_minute(7)), o);
        assert_eq!(l.budget("/a", Some(600)), None);
        assert_eq!(l.budget("/b", Some(600)), Some(RateLimit::per_minute(5)));
        assert_eq!(l.budget("/c", Some(600)), Some(RateLimit::per_minute(600)));
        assert_eq!(l.budget("/d", None), Some(RateLimit::per_minute(7)));
        assert_eq!(Limiters::new(false, None, HashMap::new()).budget("/c", Some(600)), None);
    }
}

/// Limits calls in flight per endpoint after WeCom says 45033 (too many concurrent calls):
/// unlimited until then; on 45033 the limit halves (at least 1); after as many successes as
/// the limit it grows by one (additive increase, multiplicative decrease).
#[derive(Debug)]
pub(crate) struct Gate {
    state: Mutex<GateState>,
    notify: tokio::sync::Notify,
}

#[derive(Debug)]
struct GateState {
    limit: usize,
    in_flight: usize,
    successes: usize,
}

/// Effectively no limit.
const UNLIMITED: usize = usize::MAX / 2;

impl Default for Gate {
    fn default() -> Self {
        Gate {
            state: Mutex::new(GateState { limit: UNLIMITED, in_flight: 0, successes: 0 }),
            notify: Default::default(),
        }
    }
}

/// A call in flight; dropping it frees the place.
pub(crate) struct GatePermit(Arc<Gate>);

impl Drop for GatePermit {
    fn drop(&mut self) {
        self.0.lock().in_flight -= 1;
        self.0.notify.notify_one();
    }
}

impl Gate {
    fn lock(&self) -> std::sync::MutexGuard<'_, GateState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits for a place.
    pub(crate) async fn acquire(self: &Arc<Self>) -> GatePermit {
        loop {
            let notified = self.notify.notified();
            {
                let mut s = self.lock();
                if s.in_flight < s.limit {
                    s.in_flight += 1;
                    return GatePermit(self.clone());
                }
            }
            notified.await;
        }
    }

    /// WeCom refused a call for concurrency: halve the limit.
    pub(crate) fn overloaded(&self) -> usize {
        let mut s = self.lock();
        s.limit = (s.in_flight.min(s.limit) / 2).max(1);
        s.successes = 0;
        s.limit
    }

    /// A call went through: slowly allow more.
    pub(crate) fn succeeded(&self) {
        let mut s = self.lock();
        if s.limit < UNLIMITED {
            s.successes += 1;
            if s.successes >= s.limit {
                s.limit += 1;
                s.successes = 0;
                drop(s);
                self.notify.notify_one();
            }
        }
    }

    /// The current limit (`None` when unlimited).
    #[cfg(test)]
    fn limit(&self) -> Option<usize> {
        let l = self.lock().limit;
        (l < UNLIMITED).then_some(l)
    }
}

/// One gate per endpoint path.
#[derive(Debug, Default)]
pub(crate) struct Gates(Mutex<HashMap<&'static str, Arc<Gate>>>);

impl Gates {
    pub(crate) fn get(&self, path: &'static str) -> Arc<Gate> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).entry(path).or_default().clone()
    }
}

#[cfg(test)]
mod gate_tests {
    use super::*;

    #[tokio::test]
    async fn gate_halves_on_overload_and_recovers() {
        let gate = Arc::new(Gate::default());
        let permits: Vec<GatePermit> = futures_join(&gate, 8).await;
        assert_eq!(gate.limit(), None);
        assert_eq!(gate.overloaded(), 4);
        drop(permits);
        let held: Vec<GatePermit> = futures_join(&gate, 4).await;
        let waiting = {
            let g = gate.clone();
            tokio::spawn(async move { g.acquire().await })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiting.is_finished(), "a fifth call waits");
        drop(held);
        let _p = waiting.await.unwrap();
        for _ in 0..4 {
            gate.succeeded();
        }
        assert_eq!(gate.limit(), Some(5));
    }

    async fn futures_join(gate: &Arc<Gate>, n: usize) -> Vec<GatePermit> {
        let mut out = Vec::new();
        for _ in 0..n {
            out.push(gate.acquire().await);
        }
        out
    }
}
