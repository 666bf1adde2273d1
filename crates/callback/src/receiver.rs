//! [`Receiver`]: opens each callback POST, types the event, and de-duplicates deliveries with
//! bounded memory, recording a delivery as seen only once the consumer has accepted it.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use wecom_models::event::{Event, EventError};

use crate::dedup::{Claim as CacheClaim, DedupCache};
use crate::{CallbackError, CallbackQuery, DedupConfig, DedupKey, Opened, Verifier};

/// Receives WeCom's callback requests for one app: verifies and opens them (through a
/// [`Verifier`]), types the event ([`Event::from_xml`]) and tells new deliveries from
/// duplicates.
///
/// Transport-free and runtime-free: call [`Receiver::receive`] with the raw query string and
/// body of each POST from any web framework (the `axum` feature does it for you). Cheap to
/// clone (the clones share their memory and counters); `Send + Sync`.
///
/// A new delivery comes out as a [`Pending`]: hand its event to your consumer, then
/// [`accept`](Pending::accept) it — only then is its key remembered, so a delivery you answer
/// with an error (and that WeCom sends again) is not taken for a duplicate. Dropping a
/// `Pending` without accepting it forgets it.
///
/// ```
/// use wecom_callback::{CallbackQuery, Crypto, Received, Receiver, Verifier};
/// use wecom_callback::event::Event;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let receiver = Receiver::new(Verifier::new(Crypto::new("Token123", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")?, "ww1"));
/// # let wecom = Crypto::new("Token123", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")?;
/// # let xml = "<xml><ToUserName>ww1</ToUserName><FromUserName>sys</FromUserName><CreateTime>1571732272</CreateTime>\
/// #   <MsgType>event</MsgType><Event>sys_approval_change</Event><AgentID>3010040</AgentID><ApprovalInfo>\
/// #   <SpNo>201910220003</SpNo><SpStatus>1</SpStatus><StatuChangeEvent>1</StatuChangeEvent></ApprovalInfo></xml>";
/// # let post = |crypto: &Crypto| {
/// #     let encrypt = crypto.encrypt(xml, "ww1");
/// #     let signature = crypto.signature("1571732272", "42", &encrypt);
/// #     (format!("msg_signature={signature}&timestamp=1571732272&nonce=42"), format!("<xml><Encrypt>{encrypt}</Encrypt></xml>"))
/// # };
/// # let (raw_query, body) = post(&wecom);
/// // For each POST: the raw query string (after `?`) and the body.
/// match receiver.receive(&CallbackQuery::parse(&raw_query)?, &body)? {
///     Received::New(pending) => {
///         if let Ok(Event::SysApprovalChange(change)) = pending.event().event() {
///             assert_eq!(change.approval_info.sp_no.as_deref(), Some("201910220003"));
///         }
///         // … store or enqueue pending.event() first, then:
///         let _event = pending.accept(); // remembered from now on; answer an empty 200
///     }
///     Received::Duplicate(_) => {}      // accepted before: answer an empty 200
///     Received::InFlight(_) => {}       // being accepted right now: answer 503, WeCom retries
///     _ => {}
/// }
///
/// // WeCom sends the same event again (new ciphertext, same plaintext): a duplicate.
/// let (raw_query, body) = post(&wecom);
/// assert!(matches!(receiver.receive(&CallbackQuery::parse(&raw_query)?, &body)?, Received::Duplicate(_)));
/// assert_eq!(receiver.stats().duplicates, 1);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Receiver {
    inner: Arc<Inner>,
}

struct Inner {
    verifier: Verifier,
    cache: Mutex<DedupCache>,
    counters: Counters,
}

impl fmt::Debug for Receiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("verifier", &self.inner.verifier)
            .field("dedup", &self.dedup_config())
            .field("stats", &self.stats())
            .finish()
    }
}

impl Receiver {
    /// A receiver with the default de-duplication memory ([`DedupConfig::default`]: 10 000
    /// keys, 15 minutes).
    pub fn new(verifier: Verifier) -> Self {
        Self::with_dedup(verifier, DedupConfig::default())
    }

    /// A receiver with its own de-duplication memory.
    pub fn with_dedup(verifier: Verifier, dedup: DedupConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                verifier,
                cache: Mutex::new(DedupCache::new(dedup)),
                counters: Counters::default(),
            }),
        }
    }

    /// The verifier (cipher and receive-id policy).
    pub fn verifier(&self) -> &Verifier {
        &self.inner.verifier
    }

    /// The de-duplication memory's settings.
    pub fn dedup_config(&self) -> DedupConfig {
        self.cache().config()
    }

    /// Answers WeCom's URL verification GET: [`Verifier::verify_url`], counted in
    /// [`ReceiverStats::url_verifications`] (or as a rejection).
    pub fn verify_url(&self, query: &CallbackQuery) -> Result<String, ReceiveError> {
        match self.inner.verifier.verify_url(query) {
            Ok(plaintext) => {
                bump(&self.inner.counters.url_verifications);
                Ok(plaintext)
            }
            Err(error) => Err(self.rejected(error)),
        }
    }

    /// Receives one callback POST: opens it ([`Verifier::open`]: envelope, signature, decryption,
    /// receive id), reads the event ([`Event::from_xml`]) and looks its [`DedupKey`] up.
    ///
    /// - [`Received::New`]: not seen before; the key is now *in flight* until the returned
    ///   [`Pending`] is accepted (remembered) or dropped (forgotten).
    /// - [`Received::Duplicate`]: accepted before and still remembered: answer 200, nothing to do.
    /// - [`Received::InFlight`]: another delivery of the same message is being accepted right
    ///   now; answer so that WeCom tries again (503), or wait and call [`Receiver::claim`].
    ///
    /// An event whose XML cannot be typed is still a new delivery, never an error: its
    /// [`CallbackEvent`] holds the XML and the [`EventError`], so nothing verified is lost.
    ///
    /// # Errors
    ///
    /// [`ReceiveError::Forbidden`] for a bad signature or an unexpected receive id (answer 403),
    /// [`ReceiveError::Malformed`] for anything else wrong with the request (answer 400).
    pub fn receive(&self, query: &CallbackQuery, body: impl AsRef<[u8]>) -> Result<Received, ReceiveError> {
        bump(&self.inner.counters.received);
        let opened = self.inner.verifier.open(query, body).map_err(|error| self.rejected(error))?;
        Ok(self.claim(CallbackEvent::from_opened(opened)))
    }

    /// Looks a decrypted event up in the de-duplication memory again: after
    /// [`Received::InFlight`], once the other delivery may have been accepted or given up.
    /// Counts its outcome like [`Receiver::receive`] does.
    pub fn claim(&self, event: CallbackEvent) -> Received {
        self.claim_counting(event, true)
    }

    /// [`Receiver::claim`] for a delivery already counted as in flight: counts it only once it
    /// turns out new or a duplicate.
    #[cfg_attr(not(feature = "axum"), allow(dead_code))]
    pub(crate) fn reclaim(&self, event: CallbackEvent) -> Received {
        self.claim_counting(event, false)
    }

    fn claim_counting(&self, event: CallbackEvent, count_in_flight: bool) -> Received {
        let claim = self.cache().claim(event.key);
        let counters = &self.inner.counters;
        match claim {
            CacheClaim::New => {
                bump(&counters.new);
                if event.event.is_err() {
                    bump(&counters.unparsed);
                }
                Received::New(Pending {
                    claim: Claim { key: event.key, receiver: Arc::clone(&self.inner), done: false },
                    event,
                })
            }
            CacheClaim::Seen => {
                bump(&counters.duplicates);
                Received::Duplicate(event)
            }
            CacheClaim::InFlight => {
                if count_in_flight {
                    bump(&counters.in_flight);
                }
                Received::InFlight(event)
            }
        }
    }

    /// Whether the message with this key was accepted and is still remembered.
    pub fn is_remembered(&self, key: &DedupKey) -> bool {
        self.cache().is_seen(key)
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> ReceiverStats {
        let c = &self.inner.counters;
        let load = |n: &AtomicU64| n.load(Ordering::Relaxed);
        let (remembered, in_flight_now, evicted) = {
            let mut cache = self.cache();
            (cache.remembered(), cache.in_flight(), cache.evicted())
        };
        ReceiverStats {
            received: load(&c.received),
            new: load(&c.new),
            accepted: load(&c.accepted),
            released: load(&c.released),
            duplicates: load(&c.duplicates),
            in_flight: load(&c.in_flight),
            unparsed: load(&c.unparsed),
            bad_signature: load(&c.bad_signature),
            receive_id_mismatch: load(&c.receive_id_mismatch),
            malformed: load(&c.malformed),
            url_verifications: load(&c.url_verifications),
            remembered,
            in_flight_now,
            evicted,
        }
    }

    fn cache(&self) -> MutexGuard<'_, DedupCache> {
        self.inner.cache()
    }

    /// Counts a refused request and classifies its error.
    pub(crate) fn rejected(&self, error: CallbackError) -> ReceiveError {
        let counters = &self.inner.counters;
        match error {
            CallbackError::SignatureMismatch => {
                bump(&counters.bad_signature);
                ReceiveError::Forbidden(error)
            }
            CallbackError::ReceiveIdMismatch { .. } => {
                bump(&counters.receive_id_mismatch);
                ReceiveError::Forbidden(error)
            }
            other => {
                bump(&counters.malformed);
                ReceiveError::Malformed(other)
            }
        }
    }
}

impl Inner {
    /// The memory stays usable after a panic elsewhere: its state is updated atomically.
    fn cache(&self) -> MutexGuard<'_, DedupCache> {
        self.cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

#[derive(Default)]
struct Counters {
    received: AtomicU64,
    new: AtomicU64,
    accepted: AtomicU64,
    released: AtomicU64,
    duplicates: AtomicU64,
    in_flight: AtomicU64,
    unparsed: AtomicU64,
    bad_signature: AtomicU64,
    receive_id_mismatch: AtomicU64,
    malformed: AtomicU64,
    url_verifications: AtomicU64,
}

/// The counters of a [`Receiver`] (a snapshot from [`Receiver::stats`]).
///
/// Every POST given to [`Receiver::receive`] counts in `received` and in exactly one of
/// `new`, `duplicates`, `in_flight`, `bad_signature`, `receive_id_mismatch` and `malformed`
/// (a later [`Receiver::claim`] of the same delivery counts once more; the `axum` service
/// counts a delivery that waited for an in-flight one in `in_flight` and then in `new` or
/// `duplicates`). Every `new` delivery ends in `accepted` or `released`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReceiverStats {
    /// POSTs received.
    pub received: u64,
    /// Deliveries of a message not seen before, handed out as [`Pending`].
    pub new: u64,
    /// New deliveries the consumer accepted (their keys are remembered).
    pub accepted: u64,
    /// New deliveries given up without being accepted (dropped or released): a later
    /// delivery of the same message is new again.
    pub released: u64,
    /// Deliveries of a message already accepted (WeCom's retries, duplicated pushes).
    pub duplicates: u64,
    /// Deliveries that arrived while the same message was being accepted.
    pub in_flight: u64,
    /// New deliveries whose event XML could not be typed (kept as XML with the error).
    pub unparsed: u64,
    /// Requests refused because `msg_signature` did not match (403).
    pub bad_signature: u64,
    /// Requests refused because the receive id is not the expected one (403).
    pub receive_id_mismatch: u64,
    /// Requests refused as malformed: query, envelope, ciphertext (400).
    pub malformed: u64,
    /// URL verifications answered.
    pub url_verifications: u64,
    /// Keys remembered now.
    pub remembered: usize,
    /// Deliveries being accepted now.
    pub in_flight_now: usize,
    /// Keys forgotten before their time to live because the memory was full.
    pub evicted: u64,
}

/// Why a request was refused, with the HTTP status to answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReceiveError {
    /// Not for us: the signature does not match, or the receive id is not the expected one
    /// (answer 403).
    #[error("callback refused: {0}")]
    Forbidden(#[source] CallbackError),
    /// The query, the envelope or the ciphertext is malformed (answer 400).
    #[error("malformed callback: {0}")]
    Malformed(#[source] CallbackError),
}

impl ReceiveError {
    /// The HTTP status to answer: 403 or 400.
    pub fn status(&self) -> u16 {
        match self {
            Self::Forbidden(_) => 403,
            Self::Malformed(_) => 400,
        }
    }

    /// The underlying error.
    pub fn callback_error(&self) -> &CallbackError {
        match self {
            Self::Forbidden(error) | Self::Malformed(error) => error,
        }
    }
}

/// What [`Receiver::receive`] found.
#[derive(Debug)]
#[non_exhaustive]
pub enum Received {
    /// A message not seen before: deliver it, then [`Pending::accept`] it.
    New(Pending),
    /// A message accepted before (and still remembered): answer 200 and do nothing else.
    Duplicate(CallbackEvent),
    /// The same message is being accepted right now by another request: answer 503 so WeCom
    /// tries again, or wait a little and [`Receiver::claim`] it again.
    InFlight(CallbackEvent),
}

impl Received {
    /// The event, whatever the outcome.
    pub fn event(&self) -> &CallbackEvent {
        match self {
            Self::New(pending) => pending.event(),
            Self::Duplicate(event) | Self::InFlight(event) => event,
        }
    }
}

/// A new delivery, marked *in flight* until it is accepted (its key is then remembered) or
/// dropped (its key is forgotten, so WeCom's next delivery of it is new again).
#[derive(Debug)]
pub struct Pending {
    event: CallbackEvent,
    claim: Claim,
}

impl Pending {
    /// The delivered event.
    pub fn event(&self) -> &CallbackEvent {
        &self.event
    }

    /// The consumer has the event (stored, queued…): remember its key and hand it over.
    pub fn accept(self) -> CallbackEvent {
        self.claim.accept();
        self.event
    }

    /// The consumer could not take the event: forget its key now (dropping does the same).
    pub fn release(self) -> CallbackEvent {
        self.claim.release();
        self.event
    }

    /// Splits the event from its claim, e.g. to move the event into a consumer that may fail
    /// and [`accept`](Claim::accept) or [`release`](Claim::release) the claim afterwards.
    pub fn into_parts(self) -> (CallbackEvent, Claim) {
        (self.event, self.claim)
    }
}

/// The mark of a delivery being accepted. [`accept`](Claim::accept) remembers its key;
/// [`release`](Claim::release) — or dropping it, e.g. when a task panics — forgets it.
pub struct Claim {
    key: DedupKey,
    receiver: Arc<Inner>,
    done: bool,
}

impl fmt::Debug for Claim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Claim").field("key", &self.key).finish_non_exhaustive()
    }
}

impl Claim {
    /// The key of the claimed message.
    pub fn key(&self) -> DedupKey {
        self.key
    }

    /// The message is accepted: remember its key.
    pub fn accept(mut self) {
        self.done = true;
        self.receiver.cache().commit(self.key);
        bump(&self.receiver.counters.accepted);
    }

    /// The message is not accepted: forget it.
    pub fn release(mut self) {
        self.done = true;
        self.forget();
    }

    fn forget(&self) {
        self.receiver.cache().release(self.key);
        bump(&self.receiver.counters.released);
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        if !self.done {
            self.forget();
        }
    }
}

/// One decrypted callback message: its XML exactly as decrypted, the typed event (or why it
/// could not be typed), its [`DedupKey`] and the envelope's metadata.
///
/// Keep [`xml`](Self::xml) if you need fields this SDK does not model: the typed event does
/// not hold it.
#[derive(Debug, Clone, PartialEq)]
pub struct CallbackEvent {
    xml: String,
    event: Result<Event, EventError>,
    key: DedupKey,
    receive_id: String,
    to_user_name: Option<String>,
    agent_id: Option<String>,
    received_at: SystemTime,
}

impl CallbackEvent {
    fn from_opened(opened: Opened) -> Self {
        let to_user_name = opened.to_user_name().map(str::to_owned);
        let agent_id = opened.agent_id().map(str::to_owned);
        let decrypted = opened.into_decrypted();
        let receive_id = decrypted.receive_id().to_owned();
        let xml = decrypted.into_message();
        Self {
            event: Event::from_xml(&xml),
            key: DedupKey::of(&xml),
            xml,
            receive_id,
            to_user_name,
            agent_id,
            received_at: SystemTime::now(),
        }
    }

    /// The decrypted message XML, exactly as WeCom sent it.
    pub fn xml(&self) -> &str {
        &self.xml
    }

    /// The typed event, or why the XML could not be typed (the XML is still in [`xml`](Self::xml)).
    /// An event this SDK does not know is `Ok`: see [`Event::is_unknown`].
    pub fn event(&self) -> Result<&Event, &EventError> {
        self.event.as_ref()
    }

    /// The de-duplication key: SHA-256 of [`xml`](Self::xml).
    pub fn key(&self) -> DedupKey {
        self.key
    }

    /// The receive id inside the plaintext (accepted by the policy).
    pub fn receive_id(&self) -> &str {
        &self.receive_id
    }

    /// The envelope's `ToUserName`; `None` when absent or empty.
    pub fn to_user_name(&self) -> Option<&str> {
        self.to_user_name.as_deref()
    }

    /// The envelope's `AgentID`, as text; `None` when absent or empty.
    pub fn agent_id(&self) -> Option<&str> {
        self.agent_id.as_deref()
    }

    /// When this delivery was received.
    pub fn received_at(&self) -> SystemTime {
        self.received_at
    }

    /// The XML and the typed event (or its error).
    pub fn into_parts(self) -> (String, Result<Event, EventError>) {
        (self.xml, self.event)
    }
}
