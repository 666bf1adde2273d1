//! Transport-free descriptions of the WeCom (企业微信) OA endpoints.
//!
//! For every endpoint in `api-spec/`, this crate implements (in generated code) a few small
//! traits on the request types of [`wecom_models`]:
//!
//! - [`Endpoint`]: method, path, response type, rate limit, documented error codes
//!   ([`EndpointInfo`]);
//! - [`Paged`]: how the endpoint's cursor works (journal `cursor`/`next_cursor`/`endflag`,
//!   approval `new_cursor`/`new_next_cursor`, legacy `next_spnum`/`count`), so one pager
//!   serves all three styles;
//! - [`Windowed`]: which fields form the time window and how long it may be;
//! - [`Validate`]: checks a request before it is sent — a window over the limit or inverted,
//!   a page size of 0 or over 100, a filter over 256 bytes, a missing required field — with an
//!   error naming the field and the limit.
//!
//! It also holds the generated [`ErrorCode`] enum with every documented code, its meaning and
//! the [`ErrorClass`] a client acts on. There is no HTTP here: `wecom-client` executes.
//!
//! ```
//! use wecom_endpoints::{Endpoint, Validate, Windowed, ErrorCode, ErrorClass};
//! use wecom_models::approval::GetApprovalInfoRequest;
//!
//! let req = GetApprovalInfoRequest::new(1_700_000_000, 1_700_000_000 + 40 * 86_400);
//! assert_eq!(GetApprovalInfoRequest::INFO.path, "/cgi-bin/oa/getapprovalinfo");
//! let err = req.validate().unwrap_err();
//! assert_eq!(err.field(), "endtime");
//! assert!(err.to_string().contains("31 days"), "{err}");
//!
//! assert_eq!(ErrorCode::from_code(42001).class(), ErrorClass::TokenInvalid);
//! ```

// The generated code names this crate by its public path, so it compiles unchanged both here
// and in the fixture crate of the snapshot tests.
#![warn(missing_docs)]

extern crate self as wecom_endpoints;

mod endpoint;
#[rustfmt::skip]
mod generated;
mod paging;
mod validate;
mod window;

pub use endpoint::{
    ApiResponse, CursorInfo, Endpoint, EndpointError, EndpointInfo, ErrorClass, Method, PageInfo, WindowInfo,
};
pub use generated::ALL;
pub use generated::errors::ErrorCode;
pub use paging::{CursorStyle, Paged};
pub use validate::{Problem, Validate, ValidationError};
pub use window::{MaxSpan, Windowed};

/// Endpoint descriptions of the 汇报 (journal) family, as `static` items.
pub mod journal {
    pub use crate::generated::journal::*;
}

/// Endpoint descriptions of the 审批 (approval) family, as `static` items.
pub mod approval {
    pub use crate::generated::approval::*;
}

/// Endpoint descriptions of access tokens.
pub mod auth {
    pub use crate::generated::auth::*;
}

/// Plumbing for generated code. Not a stable API.
#[doc(hidden)]
pub mod __private {
    pub use crate::validate::checks::*;
}
