//! The opaque values held by the `Unknown` variant of every open enum and union.
//!
//! They keep what WeCom sent so it is written back unchanged, and offer nothing else: read the
//! value through the enum (`code()`, `as_str()`, `tag()`, `unknown_payload()`), never by
//! matching `Unknown(..)`, so a value that a later version of this crate learns keeps working
//! (see the crate docs, *Open enums*).

use std::fmt;

/// The integer of an open int enum (`SpStatus`, `ErrorCode`, …) that this SDK does not know.
///
/// Opaque on purpose: read it with the enum's `code()`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct UnknownCode(pub(crate) i64);

impl fmt::Debug for UnknownCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// The string of an open string enum (`ApprovalFilterKey`, control kinds, …) that this SDK does
/// not know.
///
/// Opaque on purpose: read it with the enum's `as_str()`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct UnknownValue(pub(crate) String);

impl fmt::Debug for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// A kind of tagged union (a form control, …) that this SDK does not know: its tag and its raw
/// JSON payload.
///
/// Opaque on purpose: read them with the enum's `tag()` and `unknown_payload()`.
#[derive(Clone, PartialEq)]
pub struct UnknownKind {
    pub(crate) tag: String,
    pub(crate) value: serde_json::Value,
}

impl fmt::Debug for UnknownKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnknownKind").field("tag", &self.tag).field("value", &self.value).finish()
    }
}
