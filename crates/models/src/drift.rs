//! Drift: what WeCom sends that the spec does not know yet.
//!
//! Every generated type implements [`Inspect`]: given the raw JSON a value was decoded from, it
//! walks it beside the spec and reports to a [`Sink`] each key no field claims (at any depth),
//! each enum value and union kind the spec does not list, and each required field the server
//! left out (read as its default). Nothing here runs while decoding: a client that wants a
//! drift report parses the body a second time as [`serde_json::Value`] and walks it, so
//! decoding costs the same whether or not anyone records drift.
//!
//! ```
//! use wecom_models::approval::GetApprovalDetailResponse;
//! use wecom_models::drift::{self, DriftKind};
//!
//! let body = serde_json::json!({"errcode": 0, "errmsg": "ok", "info": {
//!     "sp_no": "1", "sp_name": "n", "sp_status": 99, "template_id": "t", "apply_time": 1,
//!     "apply_data": {"contents": [
//!         {"control": "Text", "id": "Text-1", "value": {"text": "hi", "tips": [], "rich": "<b>"}}]},
//!     "archived": true}});
//! let found = drift::collect::<GetApprovalDetailResponse>(&body);
//! let seen: Vec<(String, DriftKind)> = found.iter().map(|f| (f.path.clone(), f.kind)).collect();
//! assert_eq!(seen, [
//!     ("info.apply_data.contents[0].value.rich".to_owned(), DriftKind::UnknownField),
//!     ("info.archived".to_owned(), DriftKind::UnknownField),
//!     ("info.sp_status".to_owned(), DriftKind::UnknownEnumValue),
//! ]);
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A type that can say what in a raw JSON value its spec does not know.
///
/// Implemented by generated code for every response-side struct, enum and tagged union.
pub trait Inspect {
    /// Walks `raw` (the JSON a value of this type is read from), reporting to `out`. `at` is
    /// where `raw` sits in the whole body; it is the same on return.
    fn inspect<'a>(raw: &'a Value, at: &mut Path<'a>, out: &mut dyn Sink);
}

/// One step of a [`Path`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment<'a> {
    /// An object key.
    Key(&'a str),
    /// An array index.
    Index(usize),
}

/// Where in a body a value is: `info.apply_data.contents[3].value`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Path<'a> {
    segments: Vec<Segment<'a>>,
}

impl<'a> Path<'a> {
    /// The body itself.
    pub fn new() -> Self {
        Path { segments: Vec::new() }
    }

    /// Steps into an object key.
    pub fn push_key(&mut self, key: &'a str) {
        self.segments.push(Segment::Key(key));
    }

    /// Steps into an array item.
    pub fn push_index(&mut self, index: usize) {
        self.segments.push(Segment::Index(index));
    }

    /// Steps back out.
    pub fn pop(&mut self) {
        self.segments.pop();
    }

    /// The steps, outermost first.
    pub fn segments(&self) -> &[Segment<'a>] {
        &self.segments
    }

    /// The last object key, if the path ends in one.
    pub fn last_key(&self) -> Option<&'a str> {
        match self.segments.last() {
            Some(Segment::Key(k)) => Some(k),
            _ => None,
        }
    }

    /// The path with every index written `[]` (`info.apply_data.contents[].value`), so the same
    /// place in different records reads the same.
    pub fn normalized(&self) -> String {
        self.write(false)
    }

    fn write(&self, indices: bool) -> String {
        let mut out = String::new();
        for s in &self.segments {
            match s {
                Segment::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                }
                Segment::Index(i) if indices => out.push_str(&format!("[{i}]")),
                Segment::Index(_) => out.push_str("[]"),
            }
        }
        out
    }
}

impl fmt::Display for Path<'_> {
    /// The path with its indices: `info.apply_data.contents[3].value.phone`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.write(true))
    }
}

/// What kind of novelty a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DriftKind {
    /// A key no field of the struct claims.
    UnknownField,
    /// A value an open enum does not list.
    UnknownEnumValue,
    /// A kind of a tagged union (a form control) the spec does not list.
    UnknownKind,
    /// A required field the server left out (it was read as its default).
    MissingField,
    /// An `errcode` the spec does not list (recorded by clients on API errors).
    UnknownErrorCode,
}

impl DriftKind {
    /// The snake_case name, as in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            DriftKind::UnknownField => "unknown_field",
            DriftKind::UnknownEnumValue => "unknown_enum_value",
            DriftKind::UnknownKind => "unknown_kind",
            DriftKind::MissingField => "missing_field",
            DriftKind::UnknownErrorCode => "unknown_error_code",
        }
    }
}

impl fmt::Display for DriftKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One novelty, as an [`Inspect`] walk reports it.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct Finding<'a> {
    /// What it is.
    pub kind: DriftKind,
    /// The spec item to edit: the struct for fields (`common::TextValue`), the enum for values
    /// (`approval::SpStatus`), the union for kinds (`common::Control`).
    pub spec_type: &'static str,
    /// The unknown enum value or union tag itself (`99`, `"PhoneNumber"`).
    pub value: Option<&'a Value>,
    /// What came: the unknown field's value, the unknown kind's payload, the enum value.
    pub example: Option<&'a Value>,
}

impl<'a> Finding<'a> {
    /// A finding.
    pub fn new(kind: DriftKind, spec_type: &'static str, value: Option<&'a Value>, example: Option<&'a Value>) -> Self {
        Finding { kind, spec_type, value, example }
    }
}

/// Where an [`Inspect`] walk reports.
pub trait Sink {
    /// One finding at `at` (for fields: the path of the field itself).
    fn record(&mut self, at: &Path<'_>, finding: Finding<'_>);
}

/// A finding with its path, owned: what [`collect`] returns.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Collected {
    /// The path with indices (`info.apply_data.contents[3].value.phone`).
    pub path: String,
    /// What it is.
    pub kind: DriftKind,
    /// The spec item to edit.
    pub spec_type: &'static str,
    /// The unknown value or tag.
    pub value: Option<Value>,
    /// What came.
    pub example: Option<Value>,
}

impl Sink for Vec<Collected> {
    fn record(&mut self, at: &Path<'_>, f: Finding<'_>) {
        self.push(Collected {
            path: at.to_string(),
            kind: f.kind,
            spec_type: f.spec_type,
            value: f.value.cloned(),
            example: f.example.cloned(),
        });
    }
}

/// Walks a whole body as `T` and returns every finding, in body order (object keys in the
/// order `serde_json` keeps them).
pub fn collect<T: Inspect>(raw: &Value) -> Vec<Collected> {
    let mut out = Vec::new();
    T::inspect(raw, &mut Path::new(), &mut out);
    out
}

/// Helpers for generated `Inspect` impls. Not a stable API.
#[doc(hidden)]
pub mod __private {
    use super::*;

    /// A field whose type has its own walk.
    pub fn field<'a, T: Inspect>(at: &mut Path<'a>, key: &'a str, value: &'a Value, out: &mut dyn Sink) {
        at.push_key(key);
        T::inspect(value, at, out);
        at.pop();
    }

    /// A list whose items have their own walk.
    pub fn list<'a, T: Inspect>(at: &mut Path<'a>, key: &'a str, value: &'a Value, out: &mut dyn Sink) {
        if let Value::Array(items) = value {
            at.push_key(key);
            for (i, item) in items.iter().enumerate() {
                at.push_index(i);
                T::inspect(item, at, out);
                at.pop();
            }
            at.pop();
        }
    }

    /// A key no field claims.
    pub fn unknown_field<'a>(
        at: &mut Path<'a>,
        key: &'a str,
        value: &'a Value,
        spec_type: &'static str,
        out: &mut dyn Sink,
    ) {
        at.push_key(key);
        out.record(at, Finding::new(DriftKind::UnknownField, spec_type, None, Some(value)));
        at.pop();
    }

    /// A padding key of a union payload: `[]` is expected, anything else is news.
    pub fn padding<'a>(at: &mut Path<'a>, key: &'a str, value: &'a Value, spec_type: &'static str, out: &mut dyn Sink) {
        if !matches!(value, Value::Array(a) if a.is_empty()) {
            unknown_field(at, key, value, spec_type, out);
        }
    }

    /// A required field read leniently: reports it when none of its keys is in `object`.
    pub fn require<'a>(
        at: &mut Path<'a>,
        object: &serde_json::Map<String, Value>,
        keys: &[&'a str],
        spec_type: &'static str,
        out: &mut dyn Sink,
    ) {
        if !keys.iter().any(|k| object.contains_key(*k)) {
            at.push_key(keys[0]);
            out.record(at, Finding::new(DriftKind::MissingField, spec_type, None, None));
            at.pop();
        }
    }

    /// An int enum's value (a number or a numeric string): reported when `known` says no.
    pub fn int_enum(raw: &Value, at: &Path<'_>, spec_type: &'static str, known: fn(i64) -> bool, out: &mut dyn Sink) {
        let code = match raw {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        };
        if code.is_some_and(|c| !known(c)) {
            out.record(at, Finding::new(DriftKind::UnknownEnumValue, spec_type, Some(raw), Some(raw)));
        }
    }

    /// A string enum's value: reported when `known` says no.
    pub fn string_enum(
        raw: &Value,
        at: &Path<'_>,
        spec_type: &'static str,
        known: fn(&str) -> bool,
        out: &mut dyn Sink,
    ) {
        if raw.as_str().is_some_and(|s| !known(s)) {
            out.record(at, Finding::new(DriftKind::UnknownEnumValue, spec_type, Some(raw), Some(raw)));
        }
    }

    /// A union kind the spec does not list: reported at the tag, with the payload as example.
    pub fn unknown_kind<'a>(
        at: &mut Path<'a>,
        tag_key: &'a str,
        tag: &'a Value,
        payload: Option<&'a Value>,
        spec_type: &'static str,
        out: &mut dyn Sink,
    ) {
        at.push_key(tag_key);
        out.record(at, Finding::new(DriftKind::UnknownKind, spec_type, Some(tag), payload));
        at.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_print_with_and_without_indices() {
        let mut p = Path::new();
        p.push_key("info");
        p.push_key("contents");
        p.push_index(3);
        p.push_key("value");
        assert_eq!(p.to_string(), "info.contents[3].value");
        assert_eq!(p.normalized(), "info.contents[].value");
        assert_eq!(p.last_key(), Some("value"));
        p.pop();
        assert_eq!(p.last_key(), None);
        assert_eq!(Path::new().to_string(), "");
    }

    #[test]
    fn kinds_serialize_snake_case() {
        assert_eq!(serde_json::to_string(&DriftKind::UnknownEnumValue).unwrap(), "\"unknown_enum_value\"");
        assert_eq!(DriftKind::MissingField.to_string(), "missing_field");
    }
}
