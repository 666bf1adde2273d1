//! The client: builder, `execute`, and the retry/token/rate-limit loop around one call.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use tracing::Instrument;
use wecom_endpoints::{ApiResponse, Endpoint, EndpointInfo, ErrorClass, ErrorCode, Method};
use wecom_models::Secret;
use wecom_models::auth::GetTokenRequest;

use crate::error::{ApiError, Error, TransportKind};
use crate::ratelimit::{Gates, Limiters, RateLimit};
use crate::redact;
use crate::retry::RetryPolicy;
use crate::token::{AccessToken, BoxFuture, TokenCell, TokenSource, shared_cell};

/// WeCom's API host.
pub const DEFAULT_BASE_URL: &str = "https://qyapi.weixin.qq.com";

/// A WeCom OA client. Cheap to clone; clones share tokens, rate limiters and statistics.
///
/// ```no_run
/// # async fn run() -> Result<(), wecom_client::Error> {
/// use wecom_client::Client;
/// use wecom_models::approval::GetApprovalDetailRequest;
///
/// let client = Client::builder().corp_id("ww0123456789").corp_secret("the app secret").build()?;
/// let detail = client.execute(&GetApprovalDetailRequest::new("202401010001")).await?;
/// println!("{} is {:?}", detail.info.sp_no, detail.info.sp_status);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) core: Arc<Core>,
    pub(crate) tokens: Arc<TokenCell>,
    pub(crate) concurrency: usize,
}

/// Transport, retry policy, limiters and statistics: everything but tokens.
pub(crate) struct Core {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: String,
    pub(crate) timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) limiters: Limiters,
    pub(crate) gates: Gates,
    pub(crate) stats: Counters,
    /// Secrets to scrub from any server text that makes it into an error.
    pub(crate) secrets: Vec<Secret>,
    pub(crate) corp_id: Option<String>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.core.base_url)
            .field("corp_id", &self.core.corp_id)
            .field("retry", &self.core.retry)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Client`].
pub struct ClientBuilder {
    corp_id: Option<String>,
    corp_secret: Option<Secret>,
    token_source: Option<Box<dyn TokenSource>>,
    base_url: String,
    timeout: Duration,
    connect_timeout: Duration,
    retry: RetryPolicy,
    rate_limiting: bool,
    default_rate: Option<RateLimit>,
    rate_overrides: HashMap<String, Option<RateLimit>>,
    user_agent: String,
    http: Option<reqwest::Client>,
    concurrency: usize,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("corp_id", &self.corp_id)
            .field("corp_secret", &self.corp_secret)
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            corp_id: None,
            corp_secret: None,
            token_source: None,
            base_url: DEFAULT_BASE_URL.to_string(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            rate_limiting: true,
            default_rate: None,
            rate_overrides: HashMap::new(),
            user_agent: concat!("wecom-rs/", env!("CARGO_PKG_VERSION")).to_string(),
            http: None,
            concurrency: 8,
        }
    }
}

impl ClientBuilder {
    /// The corp id (企业ID).
    pub fn corp_id(mut self, corp_id: impl Into<String>) -> Self {
        self.corp_id = Some(corp_id.into());
        self
    }

    /// The app's secret; tokens are then fetched with gettoken.
    pub fn corp_secret(mut self, secret: impl Into<Secret>) -> Self {
        self.corp_secret = Some(secret.into());
        self
    }

    /// Tokens from your own source instead of gettoken (e.g. a central token service).
    pub fn token_source(mut self, source: impl TokenSource) -> Self {
        self.token_source = Some(Box::new(source));
        self
    }

    /// Where WeCom is: `https://qyapi.weixin.qq.com` by default; the emulator's URL in tests.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into().trim_end_matches('/').to_string();
        self
    }

    /// Timeout of one API call (default 30 s). Downloads are bounded by idle time instead.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Connect timeout (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How failed calls are retried.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Client-side rate limiting (on by default, at each endpoint's documented limit, so an
    /// export never sees 45009). Turning it off is for tests of the server's limits.
    pub fn rate_limiting(mut self, on: bool) -> Self {
        self.rate_limiting = on;
        self
    }

    /// Sets the budget of one endpoint path (e.g. `/cgi-bin/oa/getapprovaldetail`), or `None`
    /// for no limit.
    pub fn rate_limit(mut self, path: impl Into<String>, limit: Option<RateLimit>) -> Self {
        self.rate_overrides.insert(path.into(), limit);
        self
    }

    /// Sets the budget of every OA endpoint at once (e.g. to match a WeCom tenant with
    /// different limits, or a shortened window in the emulator).
    pub fn rate_limit_all(mut self, limit: RateLimit) -> Self {
        for info in wecom_endpoints::ALL {
            if info.access_token {
                self.rate_overrides.insert(info.path.to_string(), Some(limit));
            }
        }
        self.default_rate = Some(limit);
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = ua.into();
        self
    }

    /// Shares an existing reqwest client (its own timeouts then apply).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// How many detail calls the `details` streams keep in flight (default 8).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// Builds the client. Fails without credentials or a token source, or with a bad URL.
    pub fn build(self) -> Result<Client, Error> {
        let url = reqwest::Url::parse(&self.base_url)
            .map_err(|e| Error::Config(format!("base URL `{}` is not a URL: {e}", self.base_url)))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Error::Config(format!("base URL `{}` must be http or https", self.base_url)));
        }
        let http = match self.http {
            Some(h) => h,
            None => reqwest::Client::builder()
                .user_agent(self.user_agent.clone())
                .connect_timeout(self.connect_timeout)
                .read_timeout(self.timeout)
                .build()
                .map_err(|e| Error::Config(format!("HTTP client: {}", e.without_url())))?,
        };
        let mut secrets = Vec::new();
        if let Some(s) = &self.corp_secret {
            secrets.push(s.clone());
        }
        let core = Arc::new(Core {
            http,
            base_url: self.base_url.clone(),
            timeout: self.timeout,
            retry: self.retry,
            limiters: Limiters::new(self.rate_limiting, self.default_rate, self.rate_overrides),
            gates: Gates::default(),
            stats: Counters::default(),
            secrets,
            corp_id: self.corp_id.clone(),
        });
        let tokens = match (self.token_source, self.corp_id, self.corp_secret) {
            (Some(source), _, _) => Arc::new(TokenCell::new(source)),
            (None, Some(corp_id), Some(secret)) => {
                if corp_id.is_empty() {
                    return Err(Error::Config("the corp id is empty".into()));
                }
                if secret.is_empty() {
                    return Err(Error::Config("the corp secret is empty".into()));
                }
                let source_core = core.clone();
                let source_secret = secret.clone();
                let id = corp_id.clone();
                shared_cell(&self.base_url, &corp_id, &secret, move || {
                    Box::new(CorpSecret { core: source_core, corp_id: id, secret: source_secret })
                })
            }
            (None, None, _) => {
                return Err(Error::Config("no corp id: set corp_id and corp_secret, or a token_source".into()));
            }
            (None, Some(_), None) => {
                return Err(Error::Config("no corp secret: set corp_secret, or a token_source".into()));
            }
        };
        Ok(Client { core, tokens, concurrency: self.concurrency })
    }
}

/// The built-in token source: gettoken with the corp id and secret.
struct CorpSecret {
    core: Arc<Core>,
    corp_id: String,
    secret: Secret,
}

impl TokenSource for CorpSecret {
    fn fetch(&self) -> BoxFuture<'_, Result<AccessToken, Error>> {
        Box::pin(async move {
            let req = GetTokenRequest::new(self.corp_id.clone(), self.secret.clone());
            let resp = self.core.call_with_retries(&req, None).await?;
            let token = resp.access_token.filter(|t| !t.is_empty()).ok_or_else(|| Error::Protocol {
                endpoint: GetTokenRequest::INFO.id,
                message: "gettoken answered without an access_token".into(),
            })?;
            let expires_in = Duration::from_secs(resp.expires_in.unwrap_or(7200));
            Ok(AccessToken { token, expires_in })
        })
    }
}

impl Client {
    /// A builder with the defaults: WeCom's URL, 30 s timeout, retries, documented rate limits.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Executes any endpoint: validates the request (a bad one costs no call), fetches a
    /// token, waits for the endpoint's rate limiter, sends, retries what is transient,
    /// refreshes the token once on 40014/42001, and returns the typed answer or a typed error.
    pub async fn execute<E: Endpoint>(&self, request: &E) -> Result<E::Response, Error> {
        request.validate()?;
        let tokens = E::INFO.access_token.then_some(&*self.tokens);
        self.core.call_with_retries(request, tokens).await
    }

    /// What this client has done so far.
    pub fn stats(&self) -> Stats {
        let c = &self.core.stats;
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        Stats {
            calls: get(&c.calls),
            retries: get(&c.retries),
            token_fetches: self.tokens.fetches(),
            token_refreshes: get(&c.token_refreshes),
            rate_limited: get(&c.rate_limited),
            concurrency_backoffs: get(&c.concurrency_backoffs),
            throttled: Duration::from_micros(get(&c.throttled_micros)),
            pages: get(&c.pages),
            windows: get(&c.windows),
            window_splits: get(&c.window_splits),
            bytes_downloaded: get(&c.bytes_downloaded),
        }
    }

    /// The base URL calls go to.
    pub fn base_url(&self) -> &str {
        &self.core.base_url
    }
}

/// Counters behind [`Client::stats`].
#[derive(Default)]
pub(crate) struct Counters {
    pub(crate) calls: AtomicU64,
    pub(crate) retries: AtomicU64,
    pub(crate) token_refreshes: AtomicU64,
    pub(crate) rate_limited: AtomicU64,
    pub(crate) concurrency_backoffs: AtomicU64,
    pub(crate) throttled_micros: AtomicU64,
    pub(crate) pages: AtomicU64,
    pub(crate) windows: AtomicU64,
    pub(crate) window_splits: AtomicU64,
    pub(crate) bytes_downloaded: AtomicU64,
}

/// What a client (and its clones) has done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Stats {
    /// HTTP calls sent (gettoken and retries included).
    pub calls: u64,
    /// Calls that were retries.
    pub retries: u64,
    /// gettoken (or token source) fetches.
    pub token_fetches: u64,
    /// Tokens WeCom rejected (40014/42001) and the client refreshed.
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

#[derive(Deserialize)]
struct Probe {
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
}

impl Core {
    /// One endpoint call with the retry loop. With `tokens`, each attempt takes a token right
    /// before it is sent (after the rate limiter, so a queued call never holds a stale
    /// token), and a token WeCom rejects (40014/42001) is refreshed once and the call retried
    /// once.
    pub(crate) async fn call_with_retries<E: Endpoint>(
        &self,
        request: &E,
        tokens: Option<&TokenCell>,
    ) -> Result<E::Response, Error> {
        let info = E::INFO;
        let started = Instant::now();
        let mut attempt: u32 = 0;
        let mut refreshed = false;
        let gate = self.gates.get(info.path);
        loop {
            attempt += 1;
            let waited = self.limiters.until_ready(info.path, info.rate_limit_per_minute).await;
            self.stats.throttled_micros.fetch_add(waited.as_micros() as u64, Ordering::Relaxed);
            let token = match tokens {
                Some(cell) => Some(cell.get().await?),
                None => None,
            };
            if attempt > 1 {
                self.stats.retries.fetch_add(1, Ordering::Relaxed);
            }
            let span = tracing::debug_span!(
                "wecom_call",
                endpoint = info.id,
                attempt,
                errcode = tracing::field::Empty,
                status = tracing::field::Empty,
                latency_ms = tracing::field::Empty,
            );
            let permit = gate.acquire().await;
            let sent = Instant::now();
            let result = self.attempt::<E>(request, token.as_ref().map(|t| &t.0)).instrument(span.clone()).await;
            span.record("latency_ms", sent.elapsed().as_millis() as u64);
            if result.is_ok() {
                gate.succeeded();
            } else if result.as_ref().err().and_then(Error::code) == Some(ErrorCode::ApiConcurrencyOutOfLimit) {
                let limit = gate.overloaded();
                self.stats.concurrency_backoffs.fetch_add(1, Ordering::Relaxed);
                tracing::info!(endpoint = info.id, limit, "45033: fewer calls in flight for this endpoint");
            }
            drop(permit);
            let err = match result {
                Ok(resp) => {
                    span.record("errcode", 0);
                    return Ok(resp);
                }
                Err(e) => e,
            };
            if let Some(code) = err.code() {
                span.record("errcode", code.code());
            }
            if let (Some(cell), Some((_, generation))) = (tokens, &token) {
                if err.class() == Some(ErrorClass::TokenInvalid) && !refreshed {
                    // WeCom dropped the token early, or it expired: one refresh, one retry.
                    refreshed = true;
                    attempt -= 1;
                    self.stats.token_refreshes.fetch_add(1, Ordering::Relaxed);
                    tracing::info!(endpoint = info.id, code = ?err.code().map(ErrorCode::code), "access token rejected; refreshing it once");
                    cell.invalidate(*generation);
                    continue;
                }
            }
            if err.code() == Some(ErrorCode::ApiFreqOutOfLimit) {
                self.stats.rate_limited.fetch_add(1, Ordering::Relaxed);
            }
            if !err.is_transient() {
                return Err(err);
            }
            let wait = if err.code() == Some(ErrorCode::ApiFreqOutOfLimit) {
                self.retry.rate_limited_wait
            } else {
                self.retry.backoff_for(attempt)
            };
            let elapsed = started.elapsed();
            if attempt >= self.retry.max_attempts || elapsed + wait > self.retry.max_elapsed {
                if attempt == 1 {
                    return Err(err);
                }
                return Err(Error::RetriesExhausted {
                    endpoint: info.id,
                    attempts: attempt,
                    elapsed,
                    last: Box::new(err),
                });
            }
            tracing::warn!(endpoint = info.id, attempt, wait_ms = wait.as_millis() as u64, error = %err, "retrying");
            tokio::time::sleep(wait).await;
        }
    }

    async fn attempt<E: Endpoint>(&self, request: &E, token: Option<&Secret>) -> Result<E::Response, Error> {
        let info = E::INFO;
        let url = format!("{}{}", self.base_url, info.path);
        let mut builder = match info.method {
            Method::Get => self.http.get(&url).query(request),
            Method::Post => self.http.post(&url).json(request),
        };
        if let Some(t) = token {
            builder = builder.query(&[("access_token", t.expose())]);
        }
        self.stats.calls.fetch_add(1, Ordering::Relaxed);
        let response = builder.timeout(self.timeout).send().await.map_err(|e| transport_error(info.id, &e))?;
        let status = response.status().as_u16();
        tracing::Span::current().record("status", status);
        let body = response.bytes().await.map_err(|e| transport_error(info.id, &e))?;
        let known = self.known_secrets(token);
        if status != 200 {
            return Err(Error::Http { endpoint: info.id, status, body_excerpt: redact::excerpt(&body, &known) });
        }
        decode::<E::Response>(info, status, &body, &known)
    }

    fn known_secrets<'a>(&'a self, token: Option<&'a Secret>) -> Vec<&'a str> {
        self.secrets.iter().map(Secret::expose).chain(token.map(Secret::expose)).collect()
    }
}

/// Reads an answer: the typed body on success, an [`ApiError`] for a non-zero errcode, a
/// retryable transport error for a body that is not JSON, a decode error otherwise.
pub(crate) fn decode<R: DeserializeOwned + ApiResponse>(
    info: &'static EndpointInfo,
    status: u16,
    body: &[u8],
    known: &[&str],
) -> Result<R, Error> {
    match serde_json::from_slice::<R>(body) {
        Ok(r) if r.errcode() == 0 => Ok(r),
        Ok(r) => Err(api_error(info, r.errcode(), r.errmsg(), known)),
        Err(e) => match serde_json::from_slice::<Probe>(body) {
            Ok(p) if p.errcode != 0 => Err(api_error(info, p.errcode, &p.errmsg, known)),
            _ if serde_json::from_slice::<IgnoredAny>(body).is_err() => Err(Error::Transport {
                endpoint: info.id,
                kind: TransportKind::NotJson,
                message: format!("HTTP {status}, body starts: {}", redact::excerpt(body, known)),
            }),
            _ => Err(Error::Decode {
                endpoint: info.id,
                status,
                message: e.to_string(),
                body_excerpt: redact::excerpt(body, known),
            }),
        },
    }
}

fn api_error(info: &'static EndpointInfo, code: i64, errmsg: &str, known: &[&str]) -> Error {
    let code = ErrorCode::from_code(code);
    let (zh, en) = info.meaning(code);
    Error::Api(ApiError {
        endpoint: info.id,
        code,
        class: code.class(),
        meaning_zh: zh,
        meaning_en: en,
        errmsg: redact::scrub(errmsg, known),
        hint: info.hint(code),
    })
}

/// A reqwest failure, without the URL (it carries the access token) and classified.
pub(crate) fn transport_error(endpoint: &'static str, e: &reqwest::Error) -> Error {
    let kind = if e.is_timeout() {
        TransportKind::Timeout
    } else if e.is_connect() {
        TransportKind::Connect
    } else if e.is_body() || e.is_decode() || e.is_request() {
        TransportKind::Body
    } else {
        TransportKind::Other
    };
    let mut message = strip_urls(&e.to_string());
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&strip_urls(&s.to_string()));
        source = s.source();
    }
    Error::Transport { endpoint, kind, message }
}

/// Removes anything that looks like a URL (query strings carry the access token).
fn strip_urls(text: &str) -> String {
    text.split(' ')
        .map(|w| {
            let t = w.trim_matches(|c| c == '(' || c == ')');
            if t.starts_with("http://") || t.starts_with("https://") { "<url>" } else { w }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use wecom_models::approval::GetApprovalDetailRequest;

    #[test]
    fn decode_sorts_answers() {
        type R = <GetApprovalDetailRequest as Endpoint>::Response;
        let info = GetApprovalDetailRequest::INFO;
        let e = decode::<R>(info, 200, br#"{"errcode":301055,"errmsg":"no auth"}"#, &[]).unwrap_err();
        let api = e.api().unwrap();
        assert_eq!(api.code, ErrorCode::NoApprovalPermission);
        assert!(api.hint.unwrap().contains("可调用接口的应用"));
        assert!(e.to_string().contains("301055"), "{e}");
        let e = decode::<R>(info, 200, b"<html>bad gateway</html>", &[]).unwrap_err();
        assert!(matches!(e, Error::Transport { kind: TransportKind::NotJson, .. }), "{e}");
        assert!(e.is_transient());
        let e = decode::<R>(info, 200, br#"{"errcode":0,"info":{"sp_status":"x"}}"#, &[]).unwrap_err();
        assert!(matches!(e, Error::Decode { .. }), "{e}");
        assert!(!e.is_transient());
        let e = decode::<R>(
            info,
            200,
            br#"{"errcode":40014,"errmsg":"invalid access_token tok-SECRET1"}"#,
            &["tok-SECRET1"],
        )
        .unwrap_err();
        assert!(!e.to_string().contains("tok-SECRET1"), "{e}");
    }

    #[test]
    fn urls_are_stripped() {
        assert_eq!(
            strip_urls("error sending request for url (http://127.0.0.1:1/cgi-bin/x?access_token=abc)"),
            "error sending request for url <url>"
        );
    }
}
