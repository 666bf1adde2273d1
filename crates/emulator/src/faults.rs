//! Fault injection: reproducible, per-call random failures.

use std::time::Duration;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Probabilities of injected faults, each in `0.0..=1.0`, drawn per call from a
/// ChaCha generator seeded by [`Faults::seed`] and the call's index, so a run is
/// reproducible. At most one fault is injected per call (kinds are tried in field
/// order on one uniform draw; probabilities summing over 1 saturate).
///
/// Faults apply to the OA endpoints, and to gettoken only with
/// [`Faults::include_gettoken`]. As JSON (operator API) the delay is `delay_ms`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// Seed of the fault generator.
    pub seed: u64,
    /// `{"errcode":-1,"errmsg":"system busy…"}`.
    pub busy: f64,
    /// `{"errcode":45009,…}` without touching the real rate limiter.
    pub rate_limited: f64,
    /// HTTP 502 with an HTML body.
    pub http_502: f64,
    /// HTTP 503 with an HTML body.
    pub http_503: f64,
    /// Sleep [`Faults::delay_duration`], then answer normally.
    pub delay: f64,
    /// How long a `delay` fault sleeps.
    #[serde(rename = "delay_ms", with = "duration_ms")]
    pub delay_duration: Duration,
    /// Close the connection without any response.
    pub drop_connection: f64,
    /// Send the headers (Content-Length of the full body), half the body, then close.
    pub truncated_body: f64,
    /// HTTP 200 with an HTML body instead of JSON.
    pub non_json: f64,
    /// Also inject faults into gettoken.
    pub include_gettoken: bool,
}

impl Default for Faults {
    fn default() -> Self {
        Faults::none()
    }
}

/// The kinds of injected faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// errcode -1.
    Busy,
    /// errcode 45009.
    RateLimited,
    /// HTTP 502.
    Http502,
    /// HTTP 503.
    Http503,
    /// A delay before a normal answer.
    Delay,
    /// Connection closed without a response.
    DropConnection,
    /// Body cut short of its Content-Length.
    TruncatedBody,
    /// An HTML body.
    NonJson,
}

impl FaultKind {
    /// Every kind, in draw order.
    pub const ALL: [FaultKind; 8] = [
        FaultKind::Busy,
        FaultKind::RateLimited,
        FaultKind::Http502,
        FaultKind::Http503,
        FaultKind::Delay,
        FaultKind::DropConnection,
        FaultKind::TruncatedBody,
        FaultKind::NonJson,
    ];

    /// The name used in [`crate::EmulatorHandle::fault_counts`] (same as the `Faults` field).
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::Busy => "busy",
            FaultKind::RateLimited => "rate_limited",
            FaultKind::Http502 => "http_502",
            FaultKind::Http503 => "http_503",
            FaultKind::Delay => "delay",
            FaultKind::DropConnection => "drop_connection",
            FaultKind::TruncatedBody => "truncated_body",
            FaultKind::NonJson => "non_json",
        }
    }
}

impl Faults {
    /// No faults.
    pub fn none() -> Self {
        Faults {
            seed: 0,
            busy: 0.0,
            rate_limited: 0.0,
            http_502: 0.0,
            http_503: 0.0,
            delay: 0.0,
            delay_duration: Duration::from_millis(100),
            drop_connection: 0.0,
            truncated_body: 0.0,
            non_json: 0.0,
            include_gettoken: false,
        }
    }

    /// `total_probability` split evenly over all eight kinds.
    pub fn uniform(total_probability: f64, seed: u64) -> Self {
        let p = total_probability.clamp(0.0, 1.0) / FaultKind::ALL.len() as f64;
        Faults {
            seed,
            busy: p,
            rate_limited: p,
            http_502: p,
            http_503: p,
            delay: p,
            drop_connection: p,
            truncated_body: p,
            non_json: p,
            ..Faults::none()
        }
    }

    /// Only `kind`, with probability `p`.
    pub fn only(kind: FaultKind, p: f64, seed: u64) -> Self {
        let mut f = Faults { seed, ..Faults::none() };
        *f.slot(kind) = p;
        f
    }

    fn slot(&mut self, kind: FaultKind) -> &mut f64 {
        match kind {
            FaultKind::Busy => &mut self.busy,
            FaultKind::RateLimited => &mut self.rate_limited,
            FaultKind::Http502 => &mut self.http_502,
            FaultKind::Http503 => &mut self.http_503,
            FaultKind::Delay => &mut self.delay,
            FaultKind::DropConnection => &mut self.drop_connection,
            FaultKind::TruncatedBody => &mut self.truncated_body,
            FaultKind::NonJson => &mut self.non_json,
        }
    }

    /// Probability of `kind`.
    pub fn probability(&self, kind: FaultKind) -> f64 {
        let mut c = self.clone();
        *c.slot(kind)
    }

    /// Whether no fault can ever be drawn.
    pub fn is_none(&self) -> bool {
        FaultKind::ALL.iter().all(|k| self.probability(*k) <= 0.0)
    }

    /// The fault (if any) of the `index`-th faultable call. Pure: same inputs, same answer.
    pub fn draw(&self, index: u64) -> Option<FaultKind> {
        if self.is_none() {
            return None;
        }
        weighted_draw(self.seed, index, FaultKind::ALL.map(|k| (k, self.probability(k))))
    }
}

pub(crate) mod duration_ms {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_millis() as u64)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(Duration::from_millis(u64::deserialize(d)?))
    }
}

/// One pure draw among weighted kinds: the `stream`-th number of the ChaCha8 stream seeded with
/// `seed` falls in one kind's share of [0, 1), or in none (the rest). Kinds with a probability
/// that is not positive (or NaN) never come. Shared by call faults and push faults.
pub(crate) fn weighted_draw<K: Copy>(seed: u64, stream: u64, kinds: impl IntoIterator<Item = (K, f64)>) -> Option<K> {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    r.set_stream(stream);
    let x: f64 = r.random();
    let mut acc = 0.0;
    for (k, p) in kinds {
        if p.is_nan() || p <= 0.0 {
            continue;
        }
        acc += p;
        if x < acc {
            return Some(k);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reproducible_and_proportional() {
        let f = Faults::uniform(0.5, 9);
        let a: Vec<_> = (0..2000).map(|i| f.draw(i)).collect();
        let b: Vec<_> = (0..2000).map(|i| f.draw(i)).collect();
        assert_eq!(a, b);
        let hits = a.iter().filter(|x| x.is_some()).count();
        assert!((800..1200).contains(&hits), "{hits}");
        for k in FaultKind::ALL {
            assert!(a.contains(&Some(k)));
        }
        assert_eq!(Faults::only(FaultKind::NonJson, 1.0, 1).draw(5), Some(FaultKind::NonJson));
        assert_eq!(Faults::none().draw(5), None);
    }

    #[test]
    fn json_roundtrip() {
        let f = Faults::only(FaultKind::Delay, 1.0, 3);
        let s = serde_json::to_string(&f).unwrap();
        assert!(s.contains("\"delay_ms\":100"));
        let back: Faults = serde_json::from_str(&s).unwrap();
        assert_eq!(back, f);
        let partial: Faults = serde_json::from_str(r#"{"busy":0.5}"#).unwrap();
        assert_eq!(partial.busy, 0.5);
        assert_eq!(partial.delay_duration, Duration::from_millis(100));
    }
}
