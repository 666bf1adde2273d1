//! Retry policy: what is retried, how often, and how long to wait.

use std::time::Duration;

use rand::Rng;

/// How failed calls are retried.
///
/// Retried: errcode -1 (busy), 45033 (concurrency), HTTP 5xx and 429, timeouts, connection
/// failures, bodies cut short or not JSON — with exponential backoff and full jitter. 45009
/// (per-minute limit hit) waits [`RetryPolicy::rate_limited_wait`], the rest of WeCom's block.
/// 40014/42001 refresh the token and retry once. Everything else fails at once. All endpoints
/// here are idempotent reads, so retrying is safe.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts in all, the first one included.
    pub max_attempts: u32,
    /// Backoff before the second attempt.
    pub initial_backoff: Duration,
    /// Longest backoff.
    pub max_backoff: Duration,
    /// Give up once this much time has passed since the first attempt.
    pub max_elapsed: Duration,
    /// Wait after a 45009: WeCom blocks the rest of the limit's window (60 s for per-minute limits).
    pub rate_limited_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 6,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            max_elapsed: Duration::from_secs(180),
            rate_limited_wait: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy { max_attempts: 1, ..RetryPolicy::default() }
    }

    /// Sets the number of attempts (at least 1).
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// Sets the first and largest backoff.
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// Sets the total time budget.
    pub fn max_elapsed(mut self, d: Duration) -> Self {
        self.max_elapsed = d;
        self
    }

    /// Sets the wait after a 45009.
    pub fn rate_limited_wait(mut self, d: Duration) -> Self {
        self.rate_limited_wait = d;
        self
    }

    /// The backoff before attempt `attempt + 1` (attempt counts from 1): full jitter over
    /// an exponentially growing cap.
    pub(crate) fn backoff_for(&self, attempt: u32) -> Duration {
        let exp = attempt.saturating_sub(1).min(20);
        let cap = self.initial_backoff.saturating_mul(1u32 << exp).min(self.max_backoff);
        let millis = cap.as_millis().min(u128::from(u64::MAX)) as u64;
        if millis == 0 {
            return Duration::ZERO;
        }
        // At least half the cap, so retries do spread out.
        Duration::from_millis(rand::rng().random_range(millis / 2..=millis))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::default().backoff(Duration::from_millis(100), Duration::from_millis(800));
        for _ in 0..50 {
            let b1 = p.backoff_for(1);
            assert!(b1 >= Duration::from_millis(50) && b1 <= Duration::from_millis(100), "{b1:?}");
            let b3 = p.backoff_for(3);
            assert!(b3 >= Duration::from_millis(200) && b3 <= Duration::from_millis(400), "{b3:?}");
            assert!(p.backoff_for(30) <= Duration::from_millis(800));
        }
    }
}
