//! The activity: a scheduler that applies one random change every `60 / N` seconds
//! (N changes per minute) until its end, on the server's runtime.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::server::state::Shared;
use crate::world::ActivityMix;

/// Activity settings in force (changed with [`crate::EmulatorHandle::set_activity`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ActivitySettings {
    pub per_minute: u32,
    pub until: Option<Instant>,
    pub until_unix_ms: Option<i64>,
    pub mix: ActivityMix,
}

impl ActivitySettings {
    pub(crate) fn new(per_minute: u32, duration: Option<Duration>, mix: ActivityMix) -> ActivitySettings {
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        ActivitySettings {
            per_minute,
            until: duration.map(|d| Instant::now() + d),
            until_unix_ms: duration.map(|d| now_ms + d.as_millis() as i64),
            mix,
        }
    }

    fn active(&self) -> bool {
        self.per_minute > 0 && self.until.is_none_or(|u| Instant::now() < u)
    }
}

/// What the activity is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityStatus {
    /// Configured rate (0 = off).
    pub changes_per_minute: u32,
    /// Whether changes are still being made.
    pub running: bool,
    /// Changes the activity has made so far.
    pub steps: u64,
    /// When it stops (Unix milliseconds), if it has an end.
    pub ends_at_ms: Option<i64>,
    /// The mix of changes.
    pub mix: ActivityMix,
}

/// Runs the scheduler until the runtime stops.
pub(crate) async fn run(shared: Arc<Shared>) {
    let mut rx = shared.activity.subscribe();
    loop {
        let s = *rx.borrow_and_update();
        let active = s.active();
        shared.activity_running.send_replace(active);
        if !active {
            if rx.changed().await.is_err() {
                return;
            }
            continue;
        }
        let interval = Duration::from_secs_f64(60.0 / s.per_minute as f64);
        let mut next = tokio::time::Instant::now() + interval;
        let until = s.until.map(tokio::time::Instant::from_std);
        loop {
            let wake = until.map_or(next, |u| next.min(u));
            tokio::select! {
                _ = tokio::time::sleep_until(wake) => {}
                r = rx.changed() => {
                    if r.is_err() {
                        return;
                    }
                    break;
                }
            }
            if until.is_some_and(|u| tokio::time::Instant::now() >= u) {
                break;
            }
            if let Some(Err(e)) = shared.step(&s.mix) {
                tracing::warn!("activity step failed: {e}");
            }
            shared.activity_steps.fetch_add(1, Ordering::Relaxed);
            next += interval;
        }
    }
}
