//! A ready [axum](https://docs.rs/axum) router for one callback URL (feature `axum`): answers
//! WeCom's verification GET and each event POST, and hands new events to your code in one of
//! two [`Delivery`] modes.
//!
//! | request | answer |
//! |---|---|
//! | GET with a valid signature | 200, the decrypted `echostr` as the whole body, at once |
//! | POST, new event delivered (see [`Delivery`]) | 200, empty body |
//! | POST, a duplicate of an accepted event | 200, empty body (the event is not delivered again) |
//! | POST, the event could not be delivered before the deadline, or the consumer failed | 503: WeCom may try again, and the next delivery is new |
//! | bad `msg_signature`, or a receive id the policy refuses | 403 |
//! | malformed query, envelope or ciphertext | 400 |
//! | body over [`CallbackService::body_limit`] (default 1 MiB) | 413 |
//!
//! ```no_run
//! use wecom_callback::axum::{CallbackService, Delivery, router};
//! use wecom_callback::{Crypto, Receiver, Verifier};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let verifier = Verifier::new(Crypto::new("Token123", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")?, "ww1");
//! let (events, mut inbox) = tokio::sync::mpsc::channel(1024);
//! let app = router("/wecom/callback", CallbackService::new(Receiver::new(verifier), Delivery::channel(events)));
//! let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
//! tokio::spawn(async move { axum::serve(listener, app).await });
//! while let Some(event) = inbox.recv().await {
//!     println!("{} {}", event.key(), event.xml());
//! }
//! # Ok(()) }
//! ```

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use ::axum::Router;
use ::axum::body::Bytes;
use ::axum::extract::rejection::BytesRejection;
use ::axum::extract::{DefaultBodyLimit, RawQuery, State};
use ::axum::http::{StatusCode, header};
use ::axum::response::{IntoResponse, Response};
use ::axum::routing::{MethodRouter, get};
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::SendTimeoutError;
use tokio::time::Instant;

use crate::{CallbackEvent, CallbackQuery, Pending, ReceiveError, Received, Receiver};

/// The error an accept hook may return.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

type BoxFuture = Pin<Box<dyn Future<Output = Result<(), BoxError>> + Send>>;
type AcceptHook = dyn Fn(CallbackEvent) -> BoxFuture + Send + Sync;

/// How a [`CallbackService`] hands a new event over before WeCom gets its 200.
///
/// - [`Delivery::channel`]: the event goes into a bounded `tokio::sync::mpsc` channel and the
///   200 goes out at once, so a slow consumer never makes WeCom time out and retry. When the
///   channel is full the request waits for room up to the [deadline](Delivery::deadline)
///   (default 2 s), then answers 503 so WeCom may try again instead of the event being
///   dropped silently. An event in the channel counts as accepted: if your process dies
///   before the consumer has stored it, it is gone (heal with the pull APIs, or use the
///   accept mode).
/// - [`Delivery::accept`]: your async hook runs *before* the 200 — a durable write (an inbox
///   table) — with a [deadline](Delivery::deadline) (default 3 s) well under WeCom's 5 s. The
///   200 goes out once the hook returns `Ok`; if it fails, panics or misses the deadline the
///   answer is 503 and the event is not remembered, so WeCom's next delivery of it is
///   delivered again. A hook that misses the deadline keeps running: if it then succeeds the
///   event counts as accepted and the retry is answered as a duplicate. So make the hook
///   idempotent on [`CallbackEvent::key`] (`INSERT … ON CONFLICT DO NOTHING`): a hook whose
///   write landed but whose answer was lost may see the event again.
///
/// A delivery that arrives while the same event is being accepted waits for that outcome
/// (within the same deadline) and is then answered as a duplicate, or delivered itself if
/// the first attempt failed.
#[derive(Clone)]
pub struct Delivery {
    mode: Mode,
    deadline: Duration,
}

#[derive(Clone)]
enum Mode {
    Channel(mpsc::Sender<CallbackEvent>),
    Accept(Arc<AcceptHook>),
}

impl std::fmt::Debug for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mode = match self.mode {
            Mode::Channel(_) => "channel",
            Mode::Accept(_) => "accept",
        };
        f.debug_struct("Delivery").field("mode", &mode).field("deadline", &self.deadline).finish()
    }
}

impl Delivery {
    /// Longest [deadline](Delivery::deadline) allowed: WeCom gives up on a request after 5 s.
    pub const MAX_DEADLINE: Duration = Duration::from_secs(4);
    /// Default deadline of the channel mode: how long to wait for room in a full channel.
    pub const DEFAULT_CHANNEL_DEADLINE: Duration = Duration::from_secs(2);
    /// Default deadline of the accept mode: how long the hook may take.
    pub const DEFAULT_ACCEPT_DEADLINE: Duration = Duration::from_secs(3);

    /// Channel mode: each new event is sent to `sender`; the 200 goes out as soon as it is in
    /// the channel. Size the channel for your bursts (a few thousand events is cheap).
    pub fn channel(sender: mpsc::Sender<CallbackEvent>) -> Self {
        Self { mode: Mode::Channel(sender), deadline: Self::DEFAULT_CHANNEL_DEADLINE }
    }

    /// Acknowledge-after-accept mode: `hook(event)` is awaited before the 200, e.g. to write
    /// the event to a durable inbox. `Ok` accepts the event; an error (or a panic, or missing
    /// the deadline) answers 503.
    ///
    /// ```
    /// use wecom_callback::CallbackEvent;
    /// use wecom_callback::axum::Delivery;
    ///
    /// let delivery = Delivery::accept(|event: CallbackEvent| async move {
    ///     // e.g. INSERT INTO inbox(key, xml) VALUES (?1, ?2) ON CONFLICT DO NOTHING
    ///     let _ = (event.key().to_string(), event.xml());
    ///     Ok::<(), std::io::Error>(())
    /// });
    /// # let _ = delivery;
    /// ```
    pub fn accept<F, Fut, E>(hook: F) -> Self
    where
        F: Fn(CallbackEvent) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<BoxError> + 'static,
    {
        let hook = move |event: CallbackEvent| -> BoxFuture {
            let future = hook(event);
            Box::pin(async move { future.await.map_err(Into::into) })
        };
        Self { mode: Mode::Accept(Arc::new(hook)), deadline: Self::DEFAULT_ACCEPT_DEADLINE }
    }

    /// The longest a POST waits before answering 503, counted from when the request was
    /// opened: for room in the channel, or for the hook. At most [`Delivery::MAX_DEADLINE`]
    /// (a longer one is cut to it).
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline.min(Self::MAX_DEADLINE);
        self
    }

    /// The deadline in force.
    pub fn current_deadline(&self) -> Duration {
        self.deadline
    }
}

/// The callback endpoint of one app: a [`Receiver`] and a [`Delivery`]; serve it with
/// [`router`] (or [`CallbackService::router`], [`CallbackService::method_router`]).
///
/// Cheap to clone (clones share the receiver and the counters).
#[derive(Clone, Debug)]
pub struct CallbackService {
    receiver: Receiver,
    delivery: Delivery,
    body_limit: usize,
    counters: Arc<Counters>,
}

/// How often a delivery that found its event in flight looks again.
const IN_FLIGHT_POLL: Duration = Duration::from_millis(10);

impl CallbackService {
    /// Default [body limit](CallbackService::body_limit): 1 MiB (an approval event is a few KB).
    pub const DEFAULT_BODY_LIMIT: usize = 1 << 20;

    /// A service answering for `receiver`, handing new events over by `delivery`.
    pub fn new(receiver: Receiver, delivery: Delivery) -> Self {
        Self { receiver, delivery, body_limit: Self::DEFAULT_BODY_LIMIT, counters: Arc::default() }
    }

    /// Largest POST body accepted; a larger one is answered 413.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// The receiver (its [`stats`](Receiver::stats) count every request).
    pub fn receiver(&self) -> &Receiver {
        &self.receiver
    }

    /// A snapshot of this service's own counters (see also [`Receiver::stats`]).
    pub fn stats(&self) -> ServiceStats {
        let load = |n: &AtomicU64| n.load(Ordering::Relaxed);
        let c = &self.counters;
        ServiceStats {
            too_large: load(&c.too_large),
            channel_full: load(&c.channel_full),
            channel_closed: load(&c.channel_closed),
            accept_failed: load(&c.accept_failed),
            accept_timed_out: load(&c.accept_timed_out),
            in_flight_timed_out: load(&c.in_flight_timed_out),
        }
    }

    /// GET and POST handlers for one path, to mount with `Router::route(path, …)`.
    pub fn method_router(self) -> MethodRouter {
        let limit = self.body_limit;
        get(on_get).post(on_post).layer(DefaultBodyLimit::max(limit)).with_state(self)
    }

    /// A router serving this service at `path` (e.g. `"/wecom/callback"`); merge it into your
    /// app with `Router::merge`.
    ///
    /// # Panics
    ///
    /// When `path` is not a valid axum route (it must start with `/`), as `Router::route` does.
    pub fn router(self, path: &str) -> Router {
        Router::new().route(path, self.method_router())
    }

    async fn deliver(&self, pending: Pending, deadline: Instant) -> Response {
        let (event, claim) = pending.into_parts();
        let key = claim.key();
        match &self.delivery.mode {
            Mode::Channel(sender) => {
                match sender.send_timeout(event, deadline.saturating_duration_since(Instant::now())).await {
                    Ok(()) => {
                        claim.accept();
                        empty(StatusCode::OK)
                    }
                    Err(SendTimeoutError::Timeout(_)) => {
                        claim.release();
                        bump(&self.counters.channel_full);
                        tracing::warn!(%key, "callback channel full: answered 503, WeCom may deliver the event again");
                        unavailable("the event channel is full")
                    }
                    Err(SendTimeoutError::Closed(_)) => {
                        claim.release();
                        bump(&self.counters.channel_closed);
                        tracing::error!(%key, "callback channel closed (its receiver was dropped): answered 503");
                        unavailable("the event channel is closed")
                    }
                }
            }
            Mode::Accept(hook) => {
                let future = hook(event);
                // A task of its own, so a hook that misses the deadline still finishes and
                // settles its claim (a retry arriving meanwhile waits for that).
                let task = tokio::spawn(async move {
                    let result = future.await;
                    match result {
                        Ok(()) => claim.accept(),
                        Err(_) => claim.release(),
                    }
                    result
                });
                match tokio::time::timeout_at(deadline, task).await {
                    Ok(Ok(Ok(()))) => empty(StatusCode::OK),
                    Ok(Ok(Err(error))) => {
                        bump(&self.counters.accept_failed);
                        tracing::warn!(%key, %error, "callback accept hook failed: answered 503");
                        unavailable("the event could not be accepted")
                    }
                    Ok(Err(join_error)) => {
                        bump(&self.counters.accept_failed);
                        tracing::error!(%key, error = %join_error, "callback accept hook panicked: answered 503");
                        unavailable("the event could not be accepted")
                    }
                    Err(_) => {
                        bump(&self.counters.accept_timed_out);
                        tracing::warn!(%key, deadline = ?self.delivery.deadline, "callback accept hook missed its deadline: answered 503");
                        unavailable("the event was not accepted in time")
                    }
                }
            }
        }
    }
}

/// Serves `service` at `path`: [`CallbackService::router`].
///
/// # Panics
///
/// When `path` is not a valid axum route (it must start with `/`).
pub fn router(path: &str, service: CallbackService) -> Router {
    service.router(path)
}

/// The counters of a [`CallbackService`] (a snapshot from [`CallbackService::stats`]); the
/// [`Receiver`]'s own count the rest (received, duplicates, signature failures, …).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServiceStats {
    /// POSTs refused with 413 (body over the limit).
    pub too_large: u64,
    /// Channel mode: 503s because the channel stayed full until the deadline.
    pub channel_full: u64,
    /// Channel mode: 503s because the channel's receiver was dropped.
    pub channel_closed: u64,
    /// Accept mode: 503s because the hook failed or panicked.
    pub accept_failed: u64,
    /// Accept mode: 503s because the hook missed the deadline.
    pub accept_timed_out: u64,
    /// 503s because another delivery of the same event was still being accepted at the deadline.
    pub in_flight_timed_out: u64,
}

#[derive(Debug, Default)]
struct Counters {
    too_large: AtomicU64,
    channel_full: AtomicU64,
    channel_closed: AtomicU64,
    accept_failed: AtomicU64,
    accept_timed_out: AtomicU64,
    in_flight_timed_out: AtomicU64,
}

fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

fn empty(status: StatusCode) -> Response {
    status.into_response()
}

fn unavailable(reason: &'static str) -> Response {
    (StatusCode::SERVICE_UNAVAILABLE, reason).into_response()
}

fn refused(error: &ReceiveError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
    tracing::debug!(%error, "callback request refused");
    (status, error.to_string()).into_response()
}

fn parse_query(service: &CallbackService, raw: Option<&str>) -> Result<CallbackQuery, ReceiveError> {
    CallbackQuery::parse(raw.unwrap_or_default()).map_err(|error| service.receiver.rejected(error))
}

async fn on_get(State(service): State<CallbackService>, RawQuery(raw): RawQuery) -> Response {
    let query = match parse_query(&service, raw.as_deref()) {
        Ok(query) => query,
        Err(error) => return refused(&error),
    };
    match service.receiver.verify_url(&query) {
        Ok(plaintext) => ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], plaintext).into_response(),
        Err(error) => refused(&error),
    }
}

async fn on_post(
    State(service): State<CallbackService>,
    RawQuery(raw): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let deadline = Instant::now() + service.delivery.deadline;
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                bump(&service.counters.too_large);
            }
            return rejection.into_response();
        }
    };
    let query = match parse_query(&service, raw.as_deref()) {
        Ok(query) => query,
        Err(error) => return refused(&error),
    };
    let mut received = match service.receiver.receive(&query, &body) {
        Ok(received) => received,
        Err(error) => return refused(&error),
    };
    loop {
        match received {
            Received::New(pending) => return service.deliver(pending, deadline).await,
            Received::Duplicate(event) => {
                tracing::debug!(key = %event.key(), "duplicate callback delivery: answered 200");
                return empty(StatusCode::OK);
            }
            Received::InFlight(event) => {
                if Instant::now() >= deadline {
                    bump(&service.counters.in_flight_timed_out);
                    return unavailable("the same event is still being accepted");
                }
                tokio::time::sleep(IN_FLIGHT_POLL.min(deadline.saturating_duration_since(Instant::now()))).await;
                received = service.receiver.reclaim(event);
            }
        }
    }
}
