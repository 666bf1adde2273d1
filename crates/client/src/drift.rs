//! The drift recorder: what WeCom sends that the spec does not know, aggregated for a report
//! a maintainer turns into spec edits (edit `api-spec/`, run `cargo xtask gen`).
//!
//! Off unless asked for ([`crate::ClientBuilder::record_drift`] or
//! [`crate::ClientBuilder::drift_recorder`]). When on, each successful answer is parsed a
//! second time as `serde_json::Value` and walked beside the spec
//! ([`wecom_models::drift::Inspect`]); an answer with an error code the spec does not list is
//! recorded too. When off, nothing is parsed twice and nothing is walked.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use wecom_models::drift::{Finding, Inspect, Path, Sink};

pub use wecom_models::drift::DriftKind;

use crate::redact;

/// Version of the [`DriftReport`] JSON layout.
pub const DRIFT_REPORT_SCHEMA_VERSION: u32 = 1;

/// Distinct findings kept; more are counted in [`DriftReport::dropped`].
const MAX_FINDINGS: usize = 1000;

/// Records drift for one or more clients (clones share the record).
///
/// ```
/// use wecom_client::{Client, DriftRecorder};
///
/// let drift = DriftRecorder::new();
/// let client = Client::builder()
///     .corp_id("ww0123456789")
///     .corp_secret("secret")
///     .drift_recorder(drift.clone())
///     .build()
///     .unwrap();
/// // … run an export with `client` …
/// let report = drift.report("my-tool 1.0");
/// assert_eq!(report.schema_version, 1);
/// assert!(report.findings.is_empty());
/// # drop(client);
/// ```
#[derive(Clone, Default)]
pub struct DriftRecorder {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    paused: AtomicBool,
    inspections: AtomicU64,
    dropped: AtomicU64,
    findings: Mutex<BTreeMap<Key, Entry>>,
}

/// What findings are aggregated by: the same place of the same endpoint, the same kind, the
/// same unknown value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    endpoint: &'static str,
    path: String,
    kind: DriftKind,
    value: Option<String>,
}

#[derive(Debug, Clone)]
struct Entry {
    spec_type: &'static str,
    count: u64,
    example: Option<String>,
    example_path: String,
}

impl fmt::Debug for DriftRecorder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DriftRecorder")
            .field("enabled", &self.is_enabled())
            .field("findings", &self.lock().len())
            .field("inspections", &self.inspections())
            .finish()
    }
}

impl DriftRecorder {
    /// A recorder, recording.
    pub fn new() -> Self {
        Self::default()
    }

    /// Pauses (`false`) or resumes (`true`) recording; while paused, answers are not parsed a
    /// second time.
    pub fn set_enabled(&self, on: bool) {
        self.inner.paused.store(!on, Ordering::Relaxed);
    }

    /// Whether answers are being inspected.
    pub fn is_enabled(&self) -> bool {
        !self.inner.paused.load(Ordering::Relaxed)
    }

    /// Answers inspected so far (each parsed a second time and walked).
    pub fn inspections(&self) -> u64 {
        self.inner.inspections.load(Ordering::Relaxed)
    }

    /// True when nothing new was seen.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// Forgets every finding (the inspection count stays).
    pub fn clear(&self) {
        self.lock().clear();
        self.inner.dropped.store(0, Ordering::Relaxed);
    }

    /// The findings so far, sorted by endpoint, path, kind and value.
    pub fn findings(&self) -> Vec<DriftFinding> {
        self.lock()
            .iter()
            .map(|(k, e)| DriftFinding {
                endpoint: k.endpoint.to_owned(),
                path: k.path.clone(),
                kind: k.kind,
                value: k.value.clone(),
                spec_type: e.spec_type.to_owned(),
                spec_file: spec_file(e.spec_type),
                count: e.count,
                example: e.example.clone(),
                example_path: e.example_path.clone(),
            })
            .collect()
    }

    /// A report of the findings so far, stamped now, naming the tool that wrote it
    /// (`"wecom-cli 0.1.0"`).
    pub fn report(&self, tool: impl Into<String>) -> DriftReport {
        DriftReport {
            schema_version: DRIFT_REPORT_SCHEMA_VERSION,
            generated_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            tool: tool.into(),
            findings: self.findings(),
            dropped: self.inner.dropped.load(Ordering::Relaxed),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<Key, Entry>> {
        self.inner.findings.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Parses `body` a second time and walks it as `R`. `known` are secrets to scrub.
    pub(crate) fn inspect<R: Inspect>(&self, endpoint: &'static str, body: &[u8], known: &[&str]) {
        if !self.is_enabled() {
            return;
        }
        self.inner.inspections.fetch_add(1, Ordering::Relaxed);
        let Ok(raw) = serde_json::from_slice::<Value>(body) else { return };
        let mut collector = Collector { endpoint, known, found: Vec::new() };
        R::inspect(&raw, &mut Path::new(), &mut collector);
        self.merge(collector.found);
    }

    /// An answer with an error code the spec does not list; `errmsg` is already scrubbed.
    pub(crate) fn unknown_error_code(&self, endpoint: &'static str, code: i64, errmsg: &str) {
        if !self.is_enabled() {
            return;
        }
        let key =
            Key { endpoint, path: "errcode".into(), kind: DriftKind::UnknownErrorCode, value: Some(code.to_string()) };
        let example = Some(redact::truncate(errmsg, redact::DRIFT_EXAMPLE_CHARS));
        self.merge(vec![(
            key,
            Entry { spec_type: "errors::ErrorCode", count: 1, example, example_path: "errcode".into() },
        )]);
    }

    fn merge(&self, found: Vec<(Key, Entry)>) {
        if found.is_empty() {
            return;
        }
        let mut map = self.lock();
        for (key, entry) in found {
            if let Some(e) = map.get_mut(&key) {
                e.count += 1;
            } else if map.len() < MAX_FINDINGS {
                map.insert(key, entry);
            } else {
                self.inner.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// The spec file a finding's type lives in: `common::TextValue` → `api-spec/common.toml`.
fn spec_file(spec_type: &str) -> String {
    let family = spec_type.split("::").next().unwrap_or(spec_type);
    format!("api-spec/{family}.toml")
}

/// Turns the walk's findings into keys and entries, redacting as it goes.
struct Collector<'k> {
    endpoint: &'static str,
    known: &'k [&'k str],
    found: Vec<(Key, Entry)>,
}

impl Sink for Collector<'_> {
    fn record(&mut self, at: &Path<'_>, f: Finding<'_>) {
        // A key that names a secret keeps its value out of the report whatever it holds.
        let secret = at.last_key().is_some_and(redact::is_secret_key);
        let text = |v: &Value| redact::drift_text(v, secret, self.known);
        let key = Key { endpoint: self.endpoint, path: at.normalized(), kind: f.kind, value: f.value.map(text) };
        // An unknown kind's payload is shown without the `[]` padding of the other kinds.
        let example = match (f.kind, f.example) {
            (DriftKind::UnknownKind, Some(Value::Object(map))) => {
                let shown: serde_json::Map<String, Value> = map
                    .iter()
                    .filter(|(_, v)| !matches!(v, Value::Array(a) if a.is_empty()))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                Some(text(&Value::Object(shown)))
            }
            (_, example) => example.map(text),
        };
        let entry = Entry { spec_type: f.spec_type, count: 1, example, example_path: at.to_string() };
        self.found.push((key, entry));
    }
}

/// One aggregated finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DriftFinding {
    /// The endpoint id, e.g. `approval.get_approval_detail`.
    pub endpoint: String,
    /// Where, with indices written `[]`: `info.apply_data.contents[].value.phone`.
    pub path: String,
    /// What it is.
    pub kind: DriftKind,
    /// The unknown enum value, union tag or error code (`99`, `PhoneNumber`, `45099`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The spec item to edit: `common::TextValue`, `approval::SpStatus`, `common::Control`.
    pub spec_type: String,
    /// The spec file it is in: `api-spec/common.toml`.
    pub spec_file: String,
    /// How many times it was seen.
    pub count: u64,
    /// The first value seen (JSON, at most 120 characters, secrets redacted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<String>,
    /// Where the example was, with indices: `info.apply_data.contents[3].value.phone`.
    pub example_path: String,
}

/// What `--drift-report` writes: the findings of a run, for a maintainer to turn into spec
/// edits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DriftReport {
    /// [`DRIFT_REPORT_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// When the report was made (RFC 3339, UTC).
    pub generated_at: String,
    /// The tool and its version.
    pub tool: String,
    /// The findings, sorted by endpoint, path, kind and value.
    pub findings: Vec<DriftFinding>,
    /// Distinct findings beyond the first 1000, not kept.
    pub dropped: u64,
}
