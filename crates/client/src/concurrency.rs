//! Calls in flight per endpoint: unlimited until WeCom answers 45033 (too many concurrent
//! calls), then adapted (AIMD). A separate concern from the per-minute rate limiters.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

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
mod tests {
    use std::time::Duration;

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
