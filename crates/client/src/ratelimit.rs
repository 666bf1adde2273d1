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
