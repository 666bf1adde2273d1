//! The one retry driver: every HTTP exchange — gettoken, any endpoint, the GET of a WeDrive
//! download — is an [`Attempt`] that [`Core::drive`] sends under the same rate limiter,
//! concurrency gate, token rules, retry budget, tracing span and statistics.

use std::future::Future;
use std::time::Instant;

use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use tracing::Instrument;
use wecom_endpoints::{ApiResponse, Endpoint, EndpointInfo, ErrorCode, Method};
use wecom_models::Secret;

use crate::concurrency::Gates;
use crate::drift::DriftRecorder;
use crate::error::{ApiError, Error, TransportKind};
use crate::ratelimit::Limiters;
use crate::redact;
use crate::retry::{Next, RetryPolicy};
use crate::stats::Counters;
use crate::token::Tokens;

/// Transport, retry policy, limiters, gates and statistics: everything a call needs but tokens.
pub(crate) struct Core {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: String,
    pub(crate) timeout: std::time::Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) limiters: Limiters,
    pub(crate) gates: Gates,
    pub(crate) stats: Counters,
    /// Secrets to scrub from any server text that makes it into an error.
    pub(crate) secrets: Vec<Secret>,
    pub(crate) corp_id: Option<String>,
    /// Where drift goes, when recorded.
    pub(crate) drift: Option<DriftRecorder>,
}

/// Who an exchange is for: the endpoint id errors and spans name, and the limiter/gate key.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target {
    /// Endpoint id, e.g. `approval.get_approval_detail`.
    pub(crate) endpoint: &'static str,
    /// Rate-limiter and concurrency-gate key: the wire path, or a name of its own.
    pub(crate) key: &'static str,
    /// Documented calls per minute, if any.
    pub(crate) per_minute: Option<u32>,
}

/// One try of an exchange. The driver does everything around it: limiter, token, gate,
/// span, statistics, retries.
pub(crate) trait Attempt: Sync {
    /// What a successful try gives.
    type Output: Send;

    /// Where the exchange goes.
    fn target(&self) -> Target;

    /// Sends the exchange once (with `token` when the call carries one). Counts the call with
    /// [`Counters::call`] right before sending.
    fn send(&self, core: &Core, token: Option<&Secret>) -> impl Future<Output = Result<Self::Output, Error>> + Send;
}

impl Core {
    /// Sends `op` until it succeeds or the retry policy says stop. With `tokens`, each try takes
    /// a token right before it is sent (after the rate limiter, so a queued call never holds a
    /// stale token), and a token WeCom rejects is refreshed once and the call retried once.
    pub(crate) async fn drive<A: Attempt>(&self, op: &A, tokens: Option<&Tokens>) -> Result<A::Output, Error> {
        let target = op.target();
        let mut budget = self.retry.budget();
        let gate = self.gates.get(target.key);
        loop {
            let attempt = budget.begin();
            self.stats.throttled(self.limiters.until_ready(target.key, target.per_minute).await);
            let token = match tokens {
                Some(t) => Some(t.get(self).await?),
                None => None,
            };
            if attempt > 1 {
                self.stats.retry();
            }
            let span = tracing::debug_span!(
                "wecom_call",
                endpoint = target.endpoint,
                attempt,
                errcode = tracing::field::Empty,
                status = tracing::field::Empty,
                latency_ms = tracing::field::Empty,
            );
            let permit = gate.acquire().await;
            let sent = Instant::now();
            let result = op.send(self, token.as_ref().map(|t| &t.0)).instrument(span.clone()).await;
            span.record("latency_ms", sent.elapsed().as_millis() as u64);
            match &result {
                Ok(_) => gate.succeeded(),
                Err(e) if e.code() == Some(ErrorCode::ApiConcurrencyOutOfLimit) => {
                    let limit = gate.overloaded();
                    self.stats.concurrency_backoff();
                    tracing::info!(endpoint = target.endpoint, limit, "45033: fewer calls in flight for this endpoint");
                }
                Err(_) => {}
            }
            drop(permit);
            let err = match result {
                Ok(out) => return Ok(out),
                Err(e) => e,
            };
            if let Some(code) = err.code() {
                span.record("errcode", code.code());
                if code == ErrorCode::ApiFreqOutOfLimit {
                    self.stats.rate_limited();
                }
            }
            match budget.after(&self.retry, &err, token.is_some()) {
                Next::RefreshToken => {
                    self.stats.token_refresh();
                    tracing::info!(endpoint = target.endpoint, code = ?err.code().map(ErrorCode::code), "access token rejected; refreshing it once");
                    if let (Some(t), Some((_, generation))) = (tokens, &token) {
                        t.invalidate(*generation);
                    }
                }
                Next::RetryAfter(wait) => {
                    tracing::warn!(endpoint = target.endpoint, attempt, wait_ms = wait.as_millis() as u64, error = %err, "retrying");
                    tokio::time::sleep(wait).await;
                }
                Next::GiveUp => return Err(budget.give_up(target.endpoint, err)),
            }
        }
    }

    /// Secrets to scrub from server text: the client's, plus the token of this try.
    pub(crate) fn known_secrets<'a>(&'a self, token: Option<&'a Secret>) -> Vec<&'a str> {
        self.secrets.iter().map(Secret::expose).chain(token.map(Secret::expose)).collect()
    }
}

/// A call of an endpoint: the request goes as the query (GET) or a JSON body (POST), the
/// access token in the URL.
pub(crate) struct ApiCall<'r, E>(pub(crate) &'r E);

impl<E: Endpoint> Attempt for ApiCall<'_, E> {
    type Output = E::Response;

    fn target(&self) -> Target {
        Target { endpoint: E::INFO.id, key: E::INFO.path, per_minute: E::INFO.rate_limit_per_minute }
    }

    async fn send(&self, core: &Core, token: Option<&Secret>) -> Result<E::Response, Error> {
        let info = E::INFO;
        let url = format!("{}{}", core.base_url, info.path);
        let mut builder = match info.method {
            Method::Get => core.http.get(&url).query(self.0),
            Method::Post => core.http.post(&url).json(self.0),
        };
        if let Some(t) = token {
            builder = builder.query(&[("access_token", t.expose())]);
        }
        core.stats.call();
        let response = builder.timeout(core.timeout).send().await.map_err(|e| transport_error(info.id, &e))?;
        let status = response.status().as_u16();
        tracing::Span::current().record("status", status);
        let body = response.bytes().await.map_err(|e| transport_error(info.id, &e))?;
        let known = core.known_secrets(token);
        if status != 200 {
            return Err(Error::Http { endpoint: info.id, status, body_excerpt: redact::excerpt(&body, &known) });
        }
        let answer = decode::<E::Response>(info, status, &body, &known);
        if answer.is_ok() {
            tracing::Span::current().record("errcode", 0);
        }
        // Off the fast path: with no recorder, nothing more happens to the body.
        if let Some(drift) = &core.drift {
            match &answer {
                Ok(_) => drift.inspect::<E::Response>(info.id, &body, &known),
                Err(Error::Api(api)) if api.code.is_unknown() => {
                    drift.unknown_error_code(info.id, api.code.code(), &api.errmsg)
                }
                Err(_) => {}
            }
        }
        answer
    }
}

#[derive(Deserialize)]
struct Probe {
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
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
                message: decode_message::<R>(body, e),
                body_excerpt: redact::excerpt(body, known),
            }),
        },
    }
}

/// What failed to decode, at which field: read again (only on this error path) with the path
/// tracked, e.g. `info.comments[0].commentid: invalid value: string "x1", expected …`.
fn decode_message<R: DeserializeOwned>(body: &[u8], first: serde_json::Error) -> String {
    let mut de = serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize::<_, R>(&mut de) {
        Err(e) if e.path().iter().next().is_some() => format!("{}: {}", e.path(), e.inner()),
        _ => first.to_string(),
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
        // A decode error names the field, however deep.
        let body = br#"{"errcode":0,"info":{"sp_no":"1","sp_name":"n","sp_status":1,"template_id":"t",
            "apply_time":1,"comments":[{"commentUserInfo":{"userid":"u"},"commentid":-5}]}}"#;
        let e = decode::<R>(info, 200, body, &[]).unwrap_err();
        assert!(e.to_string().contains("info.comments[0].commentid: invalid value: integer `-5`"), "{e}");
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
