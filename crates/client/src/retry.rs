//! Retry policy: what is retried, how often, and how long to wait — the one place that decides
//! what happens after a failed attempt (the driver in `transport.rs` only carries it out).

use std::time::{Duration, Instant};

use rand::Rng;
use wecom_endpoints::{ErrorClass, ErrorCode};

use crate::Error;

/// How failed calls are retried.
///
/// Retried: errcode -1 (busy), 45033 (concurrency), HTTP 5xx and 429, timeouts, connection
/// failures, bodies cut short or not JSON — with exponential backoff and jitter. 45009
/// (per-minute limit hit) waits [`RetryPolicy::rate_limited_wait`], the rest of WeCom's block.
/// WeCom's internal failures ("内部接口失败": 301026, 301067, 620004, class
/// [`ErrorClass::Internal`]) are retried at most [`RetryPolicy::internal_retries`] times (2 by
/// default), then surfaced. A rejected token (40014/42001, and 40001 on any call but gettoken)
/// is refreshed once and the call retried once; 40001 from gettoken itself fails at once.
/// Everything else fails at once. All endpoints here are idempotent reads, so retrying is safe.
///
/// Every retry, whatever the call (gettoken, any endpoint, the GET of a download), counts
/// against [`RetryPolicy::max_attempts`] and [`RetryPolicy::max_elapsed`].
///
/// ```
/// use std::time::Duration;
/// use wecom_client::RetryPolicy;
///
/// let policy = RetryPolicy::default()
///     .max_attempts(4)
///     .backoff(Duration::from_millis(100), Duration::from_secs(2))
///     .internal_retries(1);
/// assert_eq!(policy.internal_retries, 1);
/// ```
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
    /// Retries after a WeCom internal failure ([`ErrorClass::Internal`]) within one call.
    pub internal_retries: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 6,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            max_elapsed: Duration::from_secs(180),
            rate_limited_wait: Duration::from_secs(60),
            internal_retries: 2,
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

    /// Sets how many times a WeCom internal failure (301026, 301067, 620004) is retried within
    /// one call (default 2; 0 surfaces it at once).
    pub fn internal_retries(mut self, n: u32) -> Self {
        self.internal_retries = n;
        self
    }

    /// A fresh budget for one call.
    pub(crate) fn budget(&self) -> Budget {
        Budget { started: Instant::now(), attempt: 0, internal_failures: 0, refreshed: false }
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

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Next {
    /// Drop the rejected token, fetch a new one and send again (not counted as an attempt).
    RefreshToken,
    /// Wait this long, then send again.
    RetryAfter(Duration),
    /// Stop: the failure is final.
    GiveUp,
}

/// How much of its retry budget one call has used.
#[derive(Debug)]
pub(crate) struct Budget {
    started: Instant,
    attempt: u32,
    internal_failures: u32,
    refreshed: bool,
}

impl Budget {
    /// Starts an attempt; returns its number (from 1).
    pub(crate) fn begin(&mut self) -> u32 {
        self.attempt += 1;
        self.attempt
    }

    /// Decides what follows a failed attempt. `with_token` tells whether the attempt carried an
    /// access token (every call but gettoken and download GETs).
    pub(crate) fn after(&mut self, policy: &RetryPolicy, err: &Error, with_token: bool) -> Next {
        let code = err.code();
        let token_rejected = err.class() == Some(ErrorClass::TokenInvalid) || code == Some(ErrorCode::InvalidSecret);
        if with_token && token_rejected && !self.refreshed {
            // Expired or revoked early (40014/42001), or issued for a secret since reset
            // (40001 on a call): one refresh, one retry, never a loop.
            self.refreshed = true;
            self.attempt -= 1;
            return Next::RefreshToken;
        }
        let wait = if code == Some(ErrorCode::ApiFreqOutOfLimit) {
            policy.rate_limited_wait
        } else if err.class() == Some(ErrorClass::Internal) {
            self.internal_failures += 1;
            if self.internal_failures > policy.internal_retries {
                return Next::GiveUp;
            }
            policy.backoff_for(self.attempt)
        } else if err.is_transient() {
            policy.backoff_for(self.attempt)
        } else {
            return Next::GiveUp;
        };
        if self.attempt >= policy.max_attempts || self.started.elapsed() + wait > policy.max_elapsed {
            return Next::GiveUp;
        }
        Next::RetryAfter(wait)
    }

    /// The error a call that gives up with `last` reports: `last` itself after one attempt,
    /// else [`Error::RetriesExhausted`].
    pub(crate) fn give_up(&self, endpoint: &'static str, last: Error) -> Error {
        if self.attempt <= 1 {
            return last;
        }
        Error::RetriesExhausted {
            endpoint,
            attempts: self.attempt,
            elapsed: self.started.elapsed(),
            last: Box::new(last),
        }
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

    fn api(code: i64) -> Error {
        let code = ErrorCode::from_code(code);
        Error::Api(crate::ApiError {
            endpoint: "x",
            code,
            class: code.class(),
            meaning_zh: "",
            meaning_en: "",
            errmsg: String::new(),
            hint: None,
        })
    }

    #[test]
    fn a_rejected_token_is_refreshed_once_per_call() {
        let p = RetryPolicy::default().backoff(Duration::ZERO, Duration::ZERO);
        for code in [40014, 42001, 40001] {
            let mut b = p.budget();
            b.begin();
            assert_eq!(b.after(&p, &api(code), true), Next::RefreshToken, "{code}");
            b.begin();
            assert_eq!(b.after(&p, &api(code), true), Next::GiveUp, "{code}: never a loop");
            assert!(matches!(b.give_up("x", api(code)), Error::Api(_)), "the refresh is not an attempt");
        }
        let mut b = p.budget();
        b.begin();
        assert_eq!(b.after(&p, &api(40001), false), Next::GiveUp, "40001 from gettoken fails at once");
        let mut b = p.budget();
        b.begin();
        assert_eq!(b.after(&p, &api(41001), true), Next::GiveUp, "41001 is a bug, not a token problem");
    }

    #[test]
    fn internal_failures_have_their_own_budget() {
        let p = RetryPolicy::default().backoff(Duration::ZERO, Duration::ZERO);
        let mut b = p.budget();
        let mut attempts = 0;
        loop {
            attempts += 1;
            b.begin();
            if b.after(&p, &api(301026), true) == Next::GiveUp {
                break;
            }
        }
        assert_eq!(attempts, 3, "one call, two retries");
        // Other transient failures in between do not use it up.
        let mut b = p.budget();
        for code in [301026, -1, 620004, -1] {
            b.begin();
            assert!(matches!(b.after(&p, &api(code), true), Next::RetryAfter(_)), "{code}");
        }
        b.begin();
        assert_eq!(b.after(&p, &api(301067), true), Next::GiveUp);
        assert!(matches!(b.give_up("x", api(301067)), Error::RetriesExhausted { attempts: 5, .. }));
    }
}
