//! What a client has done: counters bumped by the client's own parts, read as [`Stats`].

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// What a client (and its clones) has done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Stats {
    /// HTTP calls sent (gettoken, retries and download GETs included).
    pub calls: u64,
    /// Calls that were retries.
    pub retries: u64,
    /// Tokens this client fetched (gettoken or its token source), successful or not. A token
    /// another client with the same credentials fetched and this one reused is not counted.
    pub token_fetches: u64,
    /// Tokens WeCom rejected (40014/42001, or 40001 on a call other than gettoken) and the
    /// client refreshed.
    pub token_refreshes: u64,
    /// 45009 answers received.
    pub rate_limited: u64,
    /// 45033 answers received (each lowers the endpoint's calls in flight).
    pub concurrency_backoffs: u64,
    /// Time spent waiting for the client-side rate limiters.
    pub throttled: Duration,
    /// List pages fetched.
    pub pages: u64,
    /// Time windows walked.
    pub windows: u64,
    /// Windows split in two after WeCom asked for a shorter range (301112).
    pub window_splits: u64,
    /// Bytes of WeDrive files downloaded.
    pub bytes_downloaded: u64,
}

/// The counters behind [`Stats`], shared by a client's clones. Only these methods change them.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    calls: AtomicU64,
    retries: AtomicU64,
    token_fetches: AtomicU64,
    token_refreshes: AtomicU64,
    rate_limited: AtomicU64,
    concurrency_backoffs: AtomicU64,
    throttled_micros: AtomicU64,
    pages: AtomicU64,
    windows: AtomicU64,
    window_splits: AtomicU64,
    bytes_downloaded: AtomicU64,
}

fn bump(counter: &AtomicU64, n: u64) {
    counter.fetch_add(n, Ordering::Relaxed);
}

impl Counters {
    /// An HTTP exchange is about to be sent.
    pub(crate) fn call(&self) {
        bump(&self.calls, 1);
    }

    /// An attempt after the first of the same call.
    pub(crate) fn retry(&self) {
        bump(&self.retries, 1);
    }

    /// This client asked its token source for a token.
    pub(crate) fn token_fetch(&self) {
        bump(&self.token_fetches, 1);
    }

    /// WeCom rejected a token and it is being refreshed.
    pub(crate) fn token_refresh(&self) {
        bump(&self.token_refreshes, 1);
    }

    /// WeCom answered 45009.
    pub(crate) fn rate_limited(&self) {
        bump(&self.rate_limited, 1);
    }

    /// WeCom answered 45033.
    pub(crate) fn concurrency_backoff(&self) {
        bump(&self.concurrency_backoffs, 1);
    }

    /// Time spent in a client-side rate limiter.
    pub(crate) fn throttled(&self, waited: Duration) {
        bump(&self.throttled_micros, u64::try_from(waited.as_micros()).unwrap_or(u64::MAX));
    }

    /// A list page was fetched.
    pub(crate) fn page(&self) {
        bump(&self.pages, 1);
    }

    /// A time window is being walked.
    pub(crate) fn window(&self) {
        bump(&self.windows, 1);
    }

    /// A window was halved after 301112.
    pub(crate) fn window_split(&self) {
        bump(&self.window_splits, 1);
    }

    /// `n` bytes of a WeDrive file were written out.
    pub(crate) fn downloaded(&self, n: u64) {
        bump(&self.bytes_downloaded, n);
    }

    /// The counters as they are now.
    pub(crate) fn snapshot(&self) -> Stats {
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        Stats {
            calls: get(&self.calls),
            retries: get(&self.retries),
            token_fetches: get(&self.token_fetches),
            token_refreshes: get(&self.token_refreshes),
            rate_limited: get(&self.rate_limited),
            concurrency_backoffs: get(&self.concurrency_backoffs),
            throttled: Duration::from_micros(get(&self.throttled_micros)),
            pages: get(&self.pages),
            windows: get(&self.windows),
            window_splits: get(&self.window_splits),
            bytes_downloaded: get(&self.bytes_downloaded),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_add_up() {
        let c = Counters::default();
        c.call();
        c.call();
        c.retry();
        c.downloaded(10);
        c.downloaded(5);
        c.throttled(Duration::from_millis(3));
        let s = c.snapshot();
        assert_eq!((s.calls, s.retries, s.bytes_downloaded), (2, 1, 15));
        assert_eq!(s.throttled, Duration::from_millis(3));
    }
}
