//! Support for the workspace's cross-crate tests.
//!
//! `fixture` is what `cargo xtask gen` renders from `tests/fixtures/spec/` (small specs, one per
//! feature of the spec format). It is the generator's snapshot, committed once: compiled here
//! (so it is known to build), kept fresh by `cargo xtask gen --check` and
//! `tests/tests/generator.rs`, and exercised by `tests/tests/fixture_behaviour.rs`.

#[rustfmt::skip]
pub mod fixture {
    pub mod endpoints;
    pub mod models;
}

use serde_json::Value;

/// The 18 approval control kinds of the getapprovaldetail appendix (附1–附18).
pub const APPROVAL_CONTROL_TAGS: [&str; 18] = [
    "Text",
    "Textarea",
    "Number",
    "Money",
    "Date",
    "Selector",
    "Contact",
    "Tips",
    "File",
    "Table",
    "Vacation",
    "Attendance",
    "PunchCorrection",
    "DateRange",
    "Location",
    "RelatedApproval",
    "Formula",
    "BankAccount",
];

/// Drops empty arrays, recursively: the padding WeCom adds to control values, which the
/// models do not keep. Round-trip tests compare JSON through this.
pub fn strip_empty_arrays(v: &Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !matches!(v, Value::Array(a) if a.is_empty()))
                .map(|(k, v)| (k.clone(), strip_empty_arrays(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(strip_empty_arrays).collect()),
        other => other.clone(),
    }
}
