//! Access tokens: fetched lazily, cached per corp and secret, refreshed shortly before expiry,
//! fetched by exactly one task when many need one at once, never fetched in a loop.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

use wecom_models::Secret;

use crate::Error;

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
    message: Error,
}

/// The shared state for one (endpoint, corp, secret).
pub(crate) struct TokenCell {
    source: Box<dyn TokenSource>,
    cached: Mutex<Option<Cached>>,
    refresh: tokio::sync::Mutex<()>,
    failure: Mutex<Option<Remembered>>,
    generation: Mutex<u64>,
    fetches: std::sync::atomic::AtomicU64,
}

/// How long a credential failure is remembered.
const REMEMBER_FAILURE: Duration = Duration::from_secs(60);

impl TokenCell {
    pub(crate) fn new(source: Box<dyn TokenSource>) -> Self {
        TokenCell {
            source,
            cached: Mutex::new(None),
            refresh: tokio::sync::Mutex::new(()),
            failure: Mutex::new(None),
            generation: Mutex::new(0),
            fetches: Default::default(),
        }
    }

    /// Successful and failed fetches so far.
    pub(crate) fn fetches(&self) -> u64 {
        self.fetches.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn fresh(&self) -> Option<(Secret, u64)> {
        let cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        cached.as_ref().filter(|c| Instant::now() < c.refresh_at).map(|c| (c.token.clone(), c.generation))
    }

    /// A valid token and its generation (for [`TokenCell::invalidate`]).
    pub(crate) async fn get(&self) -> Result<(Secret, u64), Error> {
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
        self.fetches.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        match self.source.fetch().await {
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
                if e.is_credentials() {
                    let copy = Error::Api(e.api().cloned().expect("credential errors are API errors"));
                    *self.failure.lock().unwrap_or_else(|p| p.into_inner()) =
                        Some(Remembered { at: Instant::now(), message: copy });
                }
                Err(e)
            }
        }
    }

    fn remembered_failure(&self) -> Option<Error> {
        let failure = self.failure.lock().unwrap_or_else(|p| p.into_inner());
        match &*failure {
            Some(r) if r.at.elapsed() < REMEMBER_FAILURE => match &r.message {
                Error::Api(a) => Some(Error::Api(a.clone())),
                _ => None,
            },
            _ => None,
        }
    }

    /// Drops the token of `generation` if it is still the cached one (WeCom said it is invalid).
    pub(crate) fn invalidate(&self, generation: u64) {
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

/// Token cells shared by every client of the same base URL, corp and secret in this process.
pub(crate) fn shared_cell(
    base_url: &str,
    corp_id: &str,
    secret: &Secret,
    make: impl FnOnce() -> Box<dyn TokenSource>,
) -> Arc<TokenCell> {
    static CELLS: OnceLock<Mutex<HashMap<u64, Weak<TokenCell>>>> = OnceLock::new();
    let mut h = DefaultHasher::new();
    (base_url, corp_id, secret.expose()).hash(&mut h);
    let key = h.finish();
    let mut cells = CELLS.get_or_init(Default::default).lock().unwrap_or_else(|p| p.into_inner());
    cells.retain(|_, w| w.strong_count() > 0);
    if let Some(cell) = cells.get(&key).and_then(Weak::upgrade) {
        return cell;
    }
    let cell = Arc::new(TokenCell::new(make()));
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
