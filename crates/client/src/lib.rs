//! A WeCom (企业微信) OA client: 审批 approvals and 汇报 journals, with the hard parts done.
//!
//! - **Tokens**: fetched lazily, cached per base URL, corp and secret (shared by every client in
//!   the process), refreshed shortly before expiry, fetched by exactly one task when many need
//!   one at once — and always fetched by the client that needs one, with its own HTTP client,
//!   retry policy and statistics. On 40014/42001 (and 40001 on any call but gettoken) the token
//!   is refreshed once and the call retried once; a wrong secret (40001 from gettoken) fails at
//!   once, and is not retried by other tasks for a minute (WeCom bans an IP that keeps sending
//!   a wrong secret).
//! - **One retry driver** for every exchange — gettoken, any endpoint, the GET of a download:
//!   -1, 45033, HTTP 5xx, timeouts, dropped connections and non-JSON answers are retried with
//!   exponential backoff and jitter, bounded in attempts and time; 45009 waits out WeCom's
//!   block; WeCom's internal failures (301026, 301067, 620004) are retried at most twice
//!   ([`RetryPolicy::internal_retries`]); 41001 (no token in the request) is a bug, not retried.
//! - **Rate limits**: a client-side limiter per endpoint at its documented limit, shared by
//!   every clone, so an export never sees 45009; 45033 lowers the calls in flight (AIMD).
//! - **Pagination and windows**: every paged endpoint is a lazy [`Stream`](futures::Stream)
//!   following its cursor style to the end; a range of any length is split into windows each
//!   endpoint accepts, in order, without duplicates at window edges; a window WeCom finds too
//!   long (301112) is halved. Paging always ends: a cursor handed back twice in a window, or
//!   two pages in a row of only records already seen, is an [`Error::NoProgress`] naming the
//!   endpoint and the window.
//! - **Validation**: a request that breaks a documented limit costs no call.
//! - **Errors**: typed, with the endpoint, the code, its meaning and class, the server's
//!   message and what to do; never the secret, the token or a download cookie. An answer that
//!   does not decode names the field (`info.comments[0].commentid: …`).
//! - **Drift**: on request ([`ClientBuilder::record_drift`]), what WeCom sends that the spec
//!   does not know — fields at any depth, enum values, control kinds, error codes — is
//!   recorded with a path, a count and a redacted example ([`DriftRecorder`], [`DriftReport`]),
//!   for a maintainer to turn into spec edits. Off, it costs nothing.
//!
//! ```no_run
//! # async fn run() -> Result<(), wecom_client::Error> {
//! use futures::TryStreamExt;
//! use wecom_client::{Client, TimeRange};
//! use wecom_models::approval::ApprovalFilter;
//!
//! let client = Client::builder().corp_id("ww0123456789").corp_secret("app secret").build()?;
//! // 2025-01-01 .. 2025-06-30 (China Standard Time): split into 31-day windows for you.
//! let range = TimeRange::new(1_735_660_800, 1_751_299_199)?;
//! let mut details = client.approvals().details(range, [ApprovalFilter::creator("WuJunJie")]);
//! while let Some(detail) = details.try_next().await? {
//!     println!("{} {:?}", detail.sp_no, detail.sp_status);
//! }
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

mod client;
mod concurrency;
mod drift;
mod error;
mod families;
mod paging;
mod range;
mod ratelimit;
mod redact;
mod retry;
mod stats;
mod token;
mod transport;

pub use client::{Client, ClientBuilder, DEFAULT_BASE_URL};
pub use drift::{DRIFT_REPORT_SCHEMA_VERSION, DriftFinding, DriftKind, DriftRecorder, DriftReport};
pub use error::{ApiError, Error, Stall, TransportKind};
pub use families::{Approvals, Journals, LegacyForm, WEDRIVE_DOWNLOAD};
pub use range::TimeRange;
pub use ratelimit::RateLimit;
pub use retry::RetryPolicy;
pub use stats::Stats;
pub use token::{AccessToken, BoxFuture, TokenSource};

pub use wecom_endpoints as endpoints;
pub use wecom_models as models;
