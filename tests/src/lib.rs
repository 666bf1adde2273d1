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
