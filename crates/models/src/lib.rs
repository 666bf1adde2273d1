//! Typed models of the WeCom (企业微信) OA server API: 审批 approvals and 汇报 journals.
//!
//! Every type here is generated from `api-spec/*.toml` (see the repository README), with small
//! handwritten helpers in `*_ext.rs` files beside the generated modules. The types follow the
//! wire exactly:
//!
//! - open enums ([`approval::SpStatus`], control kinds, …) keep values this SDK does not know in
//!   an `Unknown` variant and write them back unchanged;
//! - form controls ([`common::Control`]) are a tagged union with a typed payload per kind and an
//!   `Unknown` kind that keeps the raw JSON;
//! - big ids stay exact (`u64`), and numbers WeCom carries in strings stay text
//!   ([`NumberString`]), so money never passes through a float;
//! - secrets ([`Secret`]) never show in `Debug`.
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
//! assert_eq!(resp.info.sp_status, SpStatus::Unknown(99));
//! match &resp.info.apply_data.contents[0].value {
//!     ControlValue::Money(m) => assert_eq!(m.new_money.to_fixed(2), Some(70010)),
//!     other => panic!("{other:?}"),
//! }
//! assert_eq!(resp.info.apply_data.contents[1].value.tag(), "PhoneNumber");
//! ```

// Generated code names this crate by its public path, so the same output compiles here and in
// the fixture crate of the snapshot tests.
#![warn(missing_docs)]

extern crate self as wecom_models;

#[rustfmt::skip]
mod generated;
mod runtime;

mod approval_ext;
mod common_ext;
mod journal_ext;

pub use runtime::{JsonString, NumberString, Secret};

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
