//! Support for the workspace's cross-crate tests.
//!
//! `fixture` is what `cargo xtask gen` renders from `tests/fixtures/spec/` (a small spec that
//! uses every feature of the spec format). It is compiled here, so the snapshot tests in
//! `tests/tests/snapshots.rs` are known to describe code that builds, and exercised by
//! `tests/tests/fixture_behaviour.rs`.

#[rustfmt::skip]
pub mod fixture {
    pub mod endpoints;
    pub mod models;
}
