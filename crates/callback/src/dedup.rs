//! The de-duplication memory of a [`Receiver`](crate::Receiver): the digests of recently
//! accepted messages (bounded by a capacity and a time to live) and the digests being
//! accepted right now.

use std::collections::HashSet;
use std::fmt;
use std::time::{Duration, Instant};

use hashlink::LinkedHashMap;
use sha2::{Digest, Sha256};

/// The de-duplication key of a callback message: the SHA-256 of its decrypted plaintext.
///
/// Two deliveries of one event (WeCom's retries, the copies of a duplicated push) carry the
/// same plaintext and so the same key, although their ciphertexts differ; two distinct
/// events differ somewhere in their content (another approver's status, another comment
/// id, …) even when they happen in the same second. See [the crate docs](crate#de-duplication)
/// for why this key and not `FromUserName + CreateTime`.
///
/// Its `Display` (and `Debug`) is 64 lowercase hex digits: a stable id for an event, e.g. the
/// primary key of an inbox table, which [`DedupKey::of`] recomputes from the stored XML.
///
/// ```
/// use wecom_callback::DedupKey;
///
/// let key = DedupKey::of("abc");
/// assert_eq!(key.to_string(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DedupKey([u8; 32]);

impl DedupKey {
    /// The key of a decrypted message (the event XML, exactly as decrypted).
    pub fn of(message: &str) -> Self {
        Self(Sha256::digest(message.as_bytes()).into())
    }

    /// The 32 bytes of the digest.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Display for DedupKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

impl fmt::Debug for DedupKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DedupKey({self})")
    }
}

/// How much a [`Receiver`](crate::Receiver) remembers of the messages it accepted.
///
/// A key is forgotten after `ttl`, or earlier when `capacity` newer keys were accepted since.
/// Memory is bounded by `capacity` keys (about 100 bytes each) plus the deliveries being
/// accepted at the moment. WeCom's retries of one event come within seconds (three attempts,
/// 5 s timeout each), so the defaults — 10 000 keys, 15 minutes — leave a wide margin: a
/// receiver that accepts more than 10 000 events in a few seconds should raise `capacity`.
///
/// ```
/// use std::time::Duration;
/// use wecom_callback::DedupConfig;
///
/// let config = DedupConfig { capacity: 100_000, ..DedupConfig::default() };
/// assert_eq!(config.ttl, Duration::from_secs(15 * 60));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DedupConfig {
    /// Most keys kept; the oldest is forgotten first. `0` turns de-duplication off (deliveries
    /// being accepted at the same moment are still told apart).
    pub capacity: usize,
    /// How long a key is kept after its message was accepted.
    pub ttl: Duration,
}

impl DedupConfig {
    /// Default `capacity`: 10 000 keys.
    pub const DEFAULT_CAPACITY: usize = 10_000;
    /// Default `ttl`: 15 minutes.
    pub const DEFAULT_TTL: Duration = Duration::from_secs(15 * 60);
}

impl Default for DedupConfig {
    fn default() -> Self {
        Self { capacity: Self::DEFAULT_CAPACITY, ttl: Self::DEFAULT_TTL }
    }
}

/// What the memory says about a key that is about to be delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Claim {
    /// Not seen: now marked as being accepted, until committed or released.
    New,
    /// Accepted before (and still remembered).
    Seen,
    /// Another delivery of the same message is being accepted right now.
    InFlight,
}

/// Accepted keys in acceptance order (so the oldest is at the front), and keys in flight.
pub(crate) struct DedupCache {
    config: DedupConfig,
    seen: LinkedHashMap<DedupKey, Instant>,
    in_flight: HashSet<DedupKey>,
    evicted: u64,
}

impl DedupCache {
    pub(crate) fn new(config: DedupConfig) -> Self {
        Self { config, seen: LinkedHashMap::new(), in_flight: HashSet::new(), evicted: 0 }
    }

    pub(crate) fn config(&self) -> DedupConfig {
        self.config
    }

    /// Forgets every key older than the TTL: they are at the front, accepted earliest.
    fn expire(&mut self, now: Instant) {
        while let Some((_, &at)) = self.seen.front() {
            if now.saturating_duration_since(at) < self.config.ttl {
                break;
            }
            self.seen.pop_front();
        }
    }

    pub(crate) fn claim(&mut self, key: DedupKey) -> Claim {
        self.expire(Instant::now());
        if self.seen.contains_key(&key) {
            Claim::Seen
        } else if self.in_flight.insert(key) {
            Claim::New
        } else {
            Claim::InFlight
        }
    }

    pub(crate) fn is_seen(&mut self, key: &DedupKey) -> bool {
        self.expire(Instant::now());
        self.seen.contains_key(key)
    }

    /// The message was accepted by the consumer: remember it.
    pub(crate) fn commit(&mut self, key: DedupKey) {
        self.in_flight.remove(&key);
        if self.config.capacity == 0 || self.config.ttl.is_zero() {
            return;
        }
        let now = Instant::now();
        self.expire(now);
        while self.seen.len() >= self.config.capacity {
            self.seen.pop_front();
            self.evicted += 1;
        }
        self.seen.insert(key, now);
    }

    /// The message was not accepted: a later delivery of it is new again.
    pub(crate) fn release(&mut self, key: DedupKey) {
        self.in_flight.remove(&key);
    }

    /// Keys remembered now (expired ones dropped first).
    pub(crate) fn remembered(&mut self) -> usize {
        self.expire(Instant::now());
        self.seen.len()
    }

    pub(crate) fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    pub(crate) fn evicted(&self) -> u64 {
        self.evicted
    }
}
