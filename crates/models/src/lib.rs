//! Typed models of the WeCom (企业微信) OA server API: 审批 approvals and 汇报 journals, and the
//! approval callback events.
//!
//! Every type here is generated from `api-spec/*.toml` (see the repository README), with small
//! handwritten helpers in `*_ext.rs` files beside the generated modules. The types follow the
//! wire exactly:
//!
//! - open enums ([`approval::SpStatus`], control kinds, …) keep values this SDK does not know
//!   and write them back unchanged (see [Open enums](#open-enums));
//! - form controls ([`common::Control`]) are a tagged union with a typed payload per kind; a
//!   kind this SDK does not know keeps its tag and raw JSON;
//! - big ids stay exact (`u64`), and numbers WeCom carries in strings stay text
//!   ([`NumberString`]), so money never passes through a float; ids and times some answers
//!   send as numbers and others as strings of digits (approval `commentid`, `sptime`, …) are one
//!   `u64` either way;
//! - round trips invent nothing: a decoded response serializes back to the JSON that came —
//!   absent fields stay absent, an explicit `[]` or `null` stays, padding and number spellings
//!   come back as sent (request types are written as built);
//! - [`drift`] walks a raw body beside the spec and reports what it does not know;
//! - secrets ([`Secret`]) never show in `Debug`;
//! - callback events ([`event::Event`]) decode from the XML WeCom pushes, with the same open
//!   enums for statuses, and serialize to JSON for export (see [`event`]).
//!
//! ```
//! use wecom_models::approval::{GetApprovalDetailResponse, SpStatus};
//! use wecom_models::common::ControlValue;
//!
//! let body = r#"{"errcode":0,"errmsg":"ok","info":{"sp_no":"202501010001","sp_name":"报销",
//!   "sp_status":99,"template_id":"tpl","apply_time":1735660800,
//!   "applyer":{"userid":"WuJunJie","partyid":"2"},
//!   "apply_data":{"contents":[
//!     {"control":"Money","id":"Money-1","title":[{"text":"金额","lang":"zh_CN"}],"value":{"new_money":"700.10"}},
//!     {"control":"PhoneNumber","id":"Phone-1","title":[],"value":{"phone":"+86 100"}}]}}}"#;
//! let resp: GetApprovalDetailResponse = serde_json::from_str(body).unwrap();
//! assert_eq!(resp.info.sp_status.code(), 99);
//! assert!(resp.info.sp_status.is_unknown());
//! match &resp.info.apply_data.contents[0].value {
//!     ControlValue::Money(m) => assert_eq!(m.new_money.to_fixed(2), Some(70010)),
//!     other => panic!("{other:?}"),
//! }
//! let phone = &resp.info.apply_data.contents[1].value;
//! assert_eq!(phone.tag(), "PhoneNumber");
//! assert_eq!(phone.unknown_payload(), Some(&serde_json::json!({"phone": "+86 100"})));
//! ```
//!
//! # Open enums
//!
//! WeCom adds values to its enums (approval statuses, node statuses, control kinds, error
//! codes) without notice, and a new value must never fail a response. So every enum generated
//! from the spec is open: a value the spec does not list arrives in an `Unknown` variant and
//! is written back exactly as it came. The same policy covers
//! `wecom_endpoints::ErrorCode` and the unknown kind of a tagged union.
//!
//! The policy is smithy-rs's, so that learning a value never breaks your code:
//!
//! - **Don't match on `Unknown`.** When a later version of this crate learns `99`,
//!   `SpStatus::from(99)` becomes a named variant, and an arm written for `Unknown(..)` would
//!   silently stop matching it. The variant is `#[deprecated]` (a `match` on it warns, and fails
//!   under `-D warnings`), and its content is opaque ([`UnknownCode`], [`UnknownValue`],
//!   [`UnknownKind`]): it has no accessors of its own.
//! - **Read the raw value through the enum**, which works the same before and after the value
//!   is learned: `code()` on int enums, `as_str()` on string enums, `tag()` and
//!   `unknown_payload()` on union kinds, plus `is_known()`/`is_unknown()`.
//! - **Build from the wire value** with the infallible `From<i64>`, `From<&str>` or
//!   `From<String>` (or `from_code`/`from_wire`): `SpStatus::from(99)`, never
//!   `SpStatus::Unknown(..)`.
//! - Every enum is `#[non_exhaustive]`, so a `match` always ends with a catch-all arm.
//!
//! The recommended `match`: known variants first, then values you know about but this version
//! may not, compared by their wire value in a guard, then a catch-all:
//!
//! ```
//! use wecom_models::approval::SpStatus;
//!
//! fn label(status: SpStatus) -> String {
//!     match status {
//!         SpStatus::Approved => "approved".to_owned(),
//!         SpStatus::Rejected => "rejected".to_owned(),
//!         // A status added after this version: still right once a later version names it.
//!         other if other.code() == 99 => "archived".to_owned(),
//!         other => format!("status {}", other.code()),
//!     }
//! }
//!
//! assert_eq!(label(SpStatus::from(2)), "approved");
//! assert_eq!(label(SpStatus::from(99)), "archived");
//! assert_eq!(label(SpStatus::from(1234)), "status 1234");
//!
//! let unknown = SpStatus::from(99);
//! assert!(unknown.is_unknown() && unknown.description().is_none());
//! assert_eq!(unknown, SpStatus::from(99));
//! assert_eq!(serde_json::to_string(&unknown).unwrap(), "99"); // written back unchanged
//! ```
//!
//! Matching the variant itself is what the deprecation flags:
//!
//! ```compile_fail
//! #![deny(deprecated)]
//! use wecom_models::approval::SpStatus;
//!
//! fn is_archived(status: SpStatus) -> bool {
//!     matches!(status, SpStatus::Unknown(_)) // error: use of deprecated variant
//! }
//! ```

// Generated code names this crate by its public path, so the same output compiles here and in
// the fixture crate of the snapshot tests.
#![warn(missing_docs)]

extern crate self as wecom_models;

pub mod drift;
#[rustfmt::skip]
mod generated;
mod runtime;
mod unknown;
mod xml;

mod approval_ext;
mod common_ext;
mod journal_ext;

pub use runtime::{JsonString, NumberString, Secret};
pub use unknown::{UnknownCode, UnknownKind, UnknownValue};
pub use xml::EventError;

#[doc(hidden)]
pub use runtime::__private;

/// Access tokens (`gettoken`).
pub mod auth {
    pub use crate::generated::auth::*;
}

/// Types shared by approvals and journals: form controls and their values.
pub mod common {
    pub use crate::common_ext::*;
    pub use crate::generated::common::*;
}

/// 审批 (approval): form ids in a range, form details, and the legacy data API.
pub mod approval {
    pub use crate::approval_ext::*;
    pub use crate::generated::approval::*;
}

/// 汇报 (journal): record ids, record details, statistics and WeDrive downloads.
pub mod journal {
    pub use crate::generated::journal::*;
}

/// Callback events (回调事件): the approval events WeCom pushes, decoded from their XML.
pub mod event {
    pub use crate::generated::event::*;
    #[doc(no_inline)]
    pub use crate::xml::EventError;
}
