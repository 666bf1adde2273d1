//! A small purpose-built HTTP server on 127.0.0.1:0 for what the emulator cannot do on
//! purpose: cursor cycles, ignored cursors, chosen error codes. Real HTTP over loopback; each
//! test scripts the answers with a closure and reads back what the client sent.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use wecom_client::{Client, ClientBuilder, RateLimit};

/// One request the server received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub path: String,
    pub query: HashMap<String, String>,
    pub headers: HeaderMap,
    /// The JSON body (`Null` when there was none).
    pub body: Value,
    /// How many earlier requests had the same path.
    pub nth: usize,
    pub at: Instant,
}

/// What the server sends back.
pub enum Answer {
    /// HTTP 200 with this JSON.
    Json(Value),
    /// Any status with these bytes.
    Raw(StatusCode, Vec<u8>),
}

impl From<Value> for Answer {
    fn from(v: Value) -> Self {
        Answer::Json(v)
    }
}

type Script = dyn Fn(&Seen) -> Answer + Send + Sync;

#[derive(Clone)]
struct Shared {
    script: Arc<Script>,
    log: Arc<Mutex<Vec<Seen>>>,
    base_url: Arc<String>,
}

/// A running loopback server.
pub struct Loopback {
    pub base_url: String,
    log: Arc<Mutex<Vec<Seen>>>,
}

pub const TOKEN_PATH: &str = "/cgi-bin/gettoken";
pub const CORP_ID: &str = "wwloopbackcorp";
pub const CORP_SECRET: &str = "loopback-secret";

/// A successful gettoken answer.
pub fn token_ok() -> Answer {
    json!({"errcode": 0, "errmsg": "ok", "access_token": "loopback-access-token", "expires_in": 7200}).into()
}

/// An error answer with `code`.
pub fn error(code: i64) -> Answer {
    json!({"errcode": code, "errmsg": format!("scripted error {code}")}).into()
}

/// Starts a server answering every request with `script`; `{base}` in a JSON string answer is
/// replaced by the server's own base URL (for links such as download URLs).
pub async fn serve(script: impl Fn(&Seen) -> Answer + Send + Sync + 'static) -> Loopback {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let log = Arc::new(Mutex::new(Vec::new()));
    let shared = Shared { script: Arc::new(script), log: log.clone(), base_url: Arc::new(base_url.clone()) };
    let app = Router::new().fallback(handle).with_state(shared);
    tokio::spawn(async move {
        axum::serve(listener, app).await.ok();
    });
    Loopback { base_url, log }
}

async fn handle(
    State(sh): State<Shared>,
    uri: Uri,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body = if body.is_empty() { Value::Null } else { serde_json::from_slice(&body).unwrap_or(Value::Null) };
    let seen = {
        let mut log = sh.log.lock().unwrap();
        let path = uri.path().to_string();
        let nth = log.iter().filter(|s| s.path == path).count();
        let seen = Seen { path, query, headers, body, nth, at: Instant::now() };
        log.push(seen.clone());
        seen
    };
    match (sh.script)(&seen) {
        Answer::Json(v) => {
            let text = v.to_string().replace("{base}", &sh.base_url);
            (StatusCode::OK, [("content-type", "application/json")], text).into_response()
        }
        Answer::Raw(status, bytes) => (status, bytes).into_response(),
    }
}

impl Loopback {
    /// Requests received for `path`, in order.
    pub fn requests(&self, path: &str) -> Vec<Seen> {
        self.log.lock().unwrap().iter().filter(|s| s.path == path).cloned().collect()
    }

    /// How many requests `path` received.
    pub fn calls(&self, path: &str) -> usize {
        self.requests(path).len()
    }

    /// A client for this server: quick retries, no client-side rate limit worth noticing.
    pub fn client(&self) -> ClientBuilder {
        Client::builder()
            .base_url(&self.base_url)
            .corp_id(CORP_ID)
            .corp_secret(CORP_SECRET)
            .retry_policy(super::fast_retries())
            .timeout(Duration::from_secs(10))
            .rate_limit_all(RateLimit::per_minute(super::TEST_RATE))
    }
}
