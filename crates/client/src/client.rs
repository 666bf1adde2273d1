//! The client and its builder: `execute` for any endpoint, statistics.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use wecom_endpoints::Endpoint;
use wecom_models::Secret;

use crate::concurrency::Gates;
use crate::drift::DriftRecorder;
use crate::error::Error;
use crate::ratelimit::{Limiters, RateLimit};
use crate::retry::RetryPolicy;
use crate::stats::{Counters, Stats};
use crate::token::{TokenSource, Tokens};
use crate::transport::{ApiCall, Core};

/// WeCom's API host.
pub const DEFAULT_BASE_URL: &str = "https://qyapi.weixin.qq.com";

/// A WeCom OA client. Cheap to clone; clones share tokens, rate limiters and statistics. Other
/// clients built with the same base URL, corp id and secret share the cached token too, but
/// each fetches (and counts) tokens with its own settings.
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
    pub(crate) tokens: Arc<Tokens>,
    pub(crate) concurrency: usize,
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
    drift: Option<DriftRecorder>,
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
            drift: None,
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

    /// How failed calls are retried: every call of this client, its gettoken calls and the GETs
    /// of downloads included.
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
    /// for no limit. The GETs that fetch WeDrive files are keyed [`crate::WEDRIVE_DOWNLOAD`].
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

    /// Records drift: what WeCom sends that the spec does not know (unknown fields at any
    /// depth, enum values, control kinds, error codes, required fields left out). Off by
    /// default; when on, each answer is parsed a second time and walked. Read it with
    /// [`Client::drift`]. `false` drops a recorder set before.
    pub fn record_drift(mut self, on: bool) -> Self {
        self.drift = match (on, self.drift.take()) {
            (true, Some(existing)) => Some(existing),
            (true, None) => Some(DriftRecorder::new()),
            (false, _) => None,
        };
        self
    }

    /// Records drift into `recorder` (shared with other clients, or kept by the caller).
    pub fn drift_recorder(mut self, recorder: DriftRecorder) -> Self {
        self.drift = Some(recorder);
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
            drift: self.drift,
        });
        let tokens = match (self.token_source, self.corp_id, self.corp_secret) {
            (Some(source), _, _) => Tokens::custom(source),
            (None, Some(corp_id), Some(secret)) => {
                if corp_id.is_empty() {
                    return Err(Error::Config("the corp id is empty".into()));
                }
                if secret.is_empty() {
                    return Err(Error::Config("the corp secret is empty".into()));
                }
                Tokens::corp_secret(&self.base_url, corp_id, secret)
            }
            (None, None, _) => {
                return Err(Error::Config("no corp id: set corp_id and corp_secret, or a token_source".into()));
            }
            (None, Some(_), None) => {
                return Err(Error::Config("no corp secret: set corp_secret, or a token_source".into()));
            }
        };
        let tokens = Arc::new(tokens);
        Ok(Client { core, tokens, concurrency: self.concurrency })
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
        self.core.drive(&ApiCall(request), tokens).await
    }

    /// What this client (and its clones) has done so far. Each client counts only its own
    /// work: a token another client with the same credentials fetched is not in these figures.
    pub fn stats(&self) -> Stats {
        self.core.stats.snapshot()
    }

    /// The drift recorder, when drift is recorded ([`ClientBuilder::record_drift`]).
    pub fn drift(&self) -> Option<&DriftRecorder> {
        self.core.drift.as_ref()
    }

    /// The base URL calls go to.
    pub fn base_url(&self) -> &str {
        &self.core.base_url
    }
}
