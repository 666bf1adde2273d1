//! Access tokens: fetched lazily, cached per base URL, corp and secret (process-wide), refreshed
//! shortly before expiry, fetched by exactly one task when many need one at once, never fetched
//! in a loop — and always fetched with the settings of the client that needs the token.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

use wecom_endpoints::Endpoint;
use wecom_models::Secret;
use wecom_models::auth::GetTokenRequest;

use crate::error::{ApiError, Error};
use crate::transport::{ApiCall, Core};

/// A token and how long it lives.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken {
    /// The token. Never logged.
    pub token: Secret,
    /// Lifetime from now.
    pub expires_in: Duration,
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken").field("token", &self.token).field("expires_in", &self.expires_in).finish()
    }
}

/// A boxed future, as token sources return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where tokens come from: the corp secret (built in), or a service of your own (e.g. a
/// central token service shared by many processes, so they do not each call gettoken).
///
/// ```
/// use std::time::Duration;
/// use wecom_client::{AccessToken, BoxFuture, Error, TokenSource};
///
/// struct Central; // asks your own token service
/// impl TokenSource for Central {
///     fn fetch(&self) -> BoxFuture<'_, Result<AccessToken, Error>> {
///         Box::pin(async {
///             Ok(AccessToken { token: "from-the-central-service".into(), expires_in: Duration::from_secs(600) })
///         })
///     }
/// }
/// let client = wecom_client::Client::builder().token_source(Central).build().unwrap();
/// ```
pub trait TokenSource: Send + Sync + 'static {
    /// Fetches a fresh token.
    fn fetch(&self) -> BoxFuture<'_, Result<AccessToken, Error>>;
}

#[derive(Clone)]
struct Cached {
    token: Secret,
    generation: u64,
    refresh_at: Instant,
}

/// A failure worth remembering for a while, so a wrong secret is not retried by every task
/// (repeated wrong secrets get the caller's IP banned for an hour).
struct Remembered {
    at: Instant,
    error: ApiError,
}

/// The cached token of one (base URL, corp, secret) — shared by every client of the process
/// with those credentials — or of one custom token source. It holds no way to fetch: the
/// client that needs a token fetches it with its own settings (see [`Tokens`]).
pub(crate) struct TokenCell {
    cached: Mutex<Option<Cached>>,
    refresh: tokio::sync::Mutex<()>,
    failure: Mutex<Option<Remembered>>,
    generation: Mutex<u64>,
}

/// How long a credential failure is remembered.
const REMEMBER_FAILURE: Duration = Duration::from_secs(60);

impl TokenCell {
    fn new() -> Self {
        TokenCell {
            cached: Mutex::new(None),
            refresh: tokio::sync::Mutex::new(()),
            failure: Mutex::new(None),
            generation: Mutex::new(0),
        }
    }

    fn fresh(&self) -> Option<(Secret, u64)> {
        let cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        cached.as_ref().filter(|c| Instant::now() < c.refresh_at).map(|c| (c.token.clone(), c.generation))
    }

    /// A valid token and its generation (for [`TokenCell::invalidate`]); when none is cached,
    /// `fetch` gets one — called by exactly one task at a time.
    async fn get<F>(&self, fetch: impl FnOnce() -> F) -> Result<(Secret, u64), Error>
    where
        F: Future<Output = Result<AccessToken, Error>>,
    {
        if let Some(t) = self.fresh() {
            return Ok(t);
        }
        // Single flight: one task fetches, the others wait here and then find it cached.
        let _guard = self.refresh.lock().await;
        if let Some(t) = self.fresh() {
            return Ok(t);
        }
        if let Some(err) = self.remembered_failure() {
            return Err(err);
        }
        match fetch().await {
            Ok(tok) => {
                let generation = {
                    let mut g = self.generation.lock().unwrap_or_else(|p| p.into_inner());
                    *g += 1;
                    *g
                };
                let refresh_at = Instant::now() + refresh_after(tok.expires_in);
                let value = (tok.token.clone(), generation);
                *self.cached.lock().unwrap_or_else(|p| p.into_inner()) =
                    Some(Cached { token: tok.token, generation, refresh_at });
                Ok(value)
            }
            Err(e) => {
                if let Some(api) = e.api().filter(|_| e.is_credentials()) {
                    *self.failure.lock().unwrap_or_else(|p| p.into_inner()) =
                        Some(Remembered { at: Instant::now(), error: api.clone() });
                }
                Err(e)
            }
        }
    }

    fn remembered_failure(&self) -> Option<Error> {
        let failure = self.failure.lock().unwrap_or_else(|p| p.into_inner());
        failure.as_ref().filter(|r| r.at.elapsed() < REMEMBER_FAILURE).map(|r| Error::Api(r.error.clone()))
    }

    /// Drops the token of `generation` if it is still the cached one (WeCom said it is invalid).
    fn invalidate(&self, generation: u64) {
        let mut cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        if cached.as_ref().is_some_and(|c| c.generation == generation) {
            *cached = None;
        }
    }
}

/// Refresh a little before expiry: 5 minutes early for WeCom's usual 2 hours, proportionally
/// less for short-lived tokens.
fn refresh_after(expires_in: Duration) -> Duration {
    let margin = (expires_in / 10).min(Duration::from_secs(300));
    expires_in.saturating_sub(margin)
}

/// The built-in token source: gettoken with the corp id and secret, sent by the client that
/// needs the token (its HTTP client, base URL, retry policy, limiter and statistics).
pub(crate) struct CorpSecret {
    corp_id: String,
    secret: Secret,
}

impl CorpSecret {
    // Boxed: gettoken goes through the same driver that asked for the token.
    fn fetch<'a>(&'a self, core: &'a Core) -> BoxFuture<'a, Result<AccessToken, Error>> {
        Box::pin(async move {
            let req = GetTokenRequest::new(self.corp_id.clone(), self.secret.clone());
            let resp = core.drive(&ApiCall(&req), None).await?;
            let token = resp.access_token.filter(|t| !t.is_empty()).ok_or_else(|| Error::Protocol {
                endpoint: GetTokenRequest::INFO.id,
                message: "gettoken answered without an access_token".into(),
            })?;
            let expires_in = Duration::from_secs(resp.expires_in.unwrap_or(7200));
            Ok(AccessToken { token, expires_in })
        })
    }
}

/// Where a client's tokens come from.
enum Source {
    Corp(CorpSecret),
    Custom(Box<dyn TokenSource>),
}

/// A client's tokens: the cache (shared process-wide for the same base URL, corp and secret;
/// private for a custom source) and this client's own way to fill it.
pub(crate) struct Tokens {
    cell: Arc<TokenCell>,
    source: Source,
}

impl Tokens {
    /// Tokens from gettoken, cached with every other client of the same base URL, corp and secret.
    pub(crate) fn corp_secret(base_url: &str, corp_id: String, secret: Secret) -> Self {
        Tokens { cell: shared_cell(base_url, &corp_id, &secret), source: Source::Corp(CorpSecret { corp_id, secret }) }
    }

    /// Tokens from a source of the user's, cached for this client and its clones.
    pub(crate) fn custom(source: Box<dyn TokenSource>) -> Self {
        Tokens { cell: Arc::new(TokenCell::new()), source: Source::Custom(source) }
    }

    /// A valid token and its generation; a fetch, if one is needed, is made with `core` (the
    /// calling client's) and counted in its statistics.
    pub(crate) async fn get(&self, core: &Core) -> Result<(Secret, u64), Error> {
        self.cell
            .get(|| async {
                core.stats.token_fetch();
                match &self.source {
                    Source::Corp(c) => c.fetch(core).await,
                    Source::Custom(s) => s.fetch().await,
                }
            })
            .await
    }

    /// WeCom rejected the token of `generation`: drop it so the next `get` fetches.
    pub(crate) fn invalidate(&self, generation: u64) {
        self.cell.invalidate(generation);
    }
}

/// The token cell shared by every client of the same base URL, corp and secret in this process
/// (so they do not each call gettoken: WeCom asks for tokens to be cached per app).
fn shared_cell(base_url: &str, corp_id: &str, secret: &Secret) -> Arc<TokenCell> {
    static CELLS: OnceLock<Mutex<HashMap<u64, Weak<TokenCell>>>> = OnceLock::new();
    let mut h = DefaultHasher::new();
    (base_url, corp_id, secret.expose()).hash(&mut h);
    let key = h.finish();
    let mut cells = CELLS.get_or_init(Default::default).lock().unwrap_or_else(|p| p.into_inner());
    cells.retain(|_, w| w.strong_count() > 0);
    if let Some(cell) = cells.get(&key).and_then(Weak::upgrade) {
        return cell;
    }
    let cell = Arc::new(TokenCell::new());
    cells.insert(key, Arc::downgrade(&cell));
    cell
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_margin_scales() {
        assert_eq!(refresh_after(Duration::from_secs(7200)), Duration::from_secs(6900));
        assert_eq!(refresh_after(Duration::from_secs(10)), Duration::from_secs(9));
    }
}
