//! The [`Endpoint`] trait and the static facts about an endpoint.

use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;
use wecom_models::drift::Inspect;

use crate::{ErrorCode, MaxSpan, Validate};

/// An endpoint request: implemented (in generated code) on every `…Request` type of
/// `wecom_models`, so a client can execute any of them generically.
pub trait Endpoint: Validate + Serialize + Send + Sync {
    /// The body the server answers with; it can also be inspected for drift (what the spec
    /// does not know).
    type Response: ApiResponse + DeserializeOwned + Inspect + Send + 'static;
    /// Everything the spec says about this endpoint.
    const INFO: &'static EndpointInfo;
}

/// The return code every WeCom answer carries.
pub trait ApiResponse {
    /// `errcode`: 0 on success.
    fn errcode(&self) -> i64;
    /// `errmsg`: `"ok"` on success.
    fn errmsg(&self) -> &str;
}

/// HTTP method of an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// Parameters in the query string.
    Get,
    /// A JSON body.
    Post,
}

impl Method {
    /// `"GET"` or `"POST"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the spec says about one endpoint (built by generated code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndpointInfo {
    /// `<family>.<name>`, e.g. `approval.get_approval_detail`.
    pub id: &'static str,
    /// The family (`auth`, `journal`, `approval`).
    pub family: &'static str,
    /// The name within the family.
    pub name: &'static str,
    /// HTTP method.
    pub method: Method,
    /// Wire path, e.g. `/cgi-bin/oa/getapprovaldetail`.
    pub path: &'static str,
    /// First line of the endpoint's doc.
    pub summary: &'static str,
    /// The official documentation page.
    pub doc_url: &'static str,
    /// Whether the call needs `access_token` (every call but gettoken).
    pub access_token: bool,
    /// Documented calls per minute per corp, when stated.
    pub rate_limit_per_minute: Option<u32>,
    /// Set when WeCom deprecates the endpoint: what to use instead.
    pub deprecated: Option<&'static str>,
    /// The error codes the endpoint documents, in its own words.
    pub errors: &'static [EndpointError],
    /// Page size, for paged endpoints.
    pub page: Option<PageInfo>,
    /// Time window, for windowed endpoints.
    pub window: Option<WindowInfo>,
    /// Cursor, for paged endpoints.
    pub cursor: Option<CursorInfo>,
}

impl EndpointInfo {
    /// The endpoint's own entry for an error code, if it documents one.
    pub fn error(&self, code: ErrorCode) -> Option<&'static EndpointError> {
        self.errors.iter().find(|e| e.code == code)
    }

    /// Meaning of `code` for this endpoint: the endpoint's own text when it documents the code,
    /// else the global one. Returns (Chinese, English).
    pub fn meaning(&self, code: ErrorCode) -> (&'static str, &'static str) {
        match self.error(code) {
            Some(e) => (e.zh, e.en),
            None => (code.meaning_zh(), code.meaning_en()),
        }
    }

    /// What a person should do about `code` on this endpoint, if anything is known.
    pub fn hint(&self, code: ErrorCode) -> Option<&'static str> {
        self.error(code).and_then(|e| e.hint).or_else(|| code.hint())
    }
}

/// An error code an endpoint documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndpointError {
    /// The code.
    pub code: ErrorCode,
    /// The endpoint's own Chinese text.
    pub zh: &'static str,
    /// English gloss.
    pub en: &'static str,
    /// What to do, e.g. the admin-console step for a permission error.
    pub hint: Option<&'static str>,
}

/// Page size of a paged endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageInfo {
    /// Request field carrying the page size (`size`, `limit`); `None` when fixed by the server.
    pub size_field: Option<&'static str>,
    /// The largest page.
    pub max: u32,
}

/// Time window of a windowed endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowInfo {
    /// Request field holding the start (Unix seconds).
    pub start_field: &'static str,
    /// Request field holding the end (Unix seconds).
    pub end_field: &'static str,
    /// Longest window the server accepts.
    pub max_span: MaxSpan,
}

/// Cursor of a paged endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CursorInfo {
    /// How the cursor works.
    pub style: crate::CursorStyle,
    /// Request field carrying the cursor.
    pub request_field: &'static str,
    /// Response field carrying the next cursor.
    pub response_field: &'static str,
    /// Response list holding the page's items.
    pub items_field: &'static str,
}

/// What a client does with an error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorClass {
    /// 0: not an error.
    Success,
    /// Transient (`-1` system busy): retry with backoff.
    Retry,
    /// Too many calls (45009 per-minute limit, 45033 concurrency): slow down and retry.
    RateLimited,
    /// The access token is invalid or expired (40014, 42001): refresh it once and retry once.
    TokenInvalid,
    /// Corp id or secret is wrong (40001, 40013, …): fail at once; retrying cannot help.
    Credential,
    /// The app lacks a permission or the caller's IP is not trusted: an admin must act.
    Permission,
    /// The request itself is wrong: fix it.
    InvalidRequest,
    /// WeCom failed internally on this request.
    Internal,
    /// Anything else.
    Other,
}

impl ErrorClass {
    /// Whether a client may retry a call that failed with this class (after refreshing the
    /// token for [`ErrorClass::TokenInvalid`]).
    pub const fn is_retryable(self) -> bool {
        matches!(self, ErrorClass::Retry | ErrorClass::RateLimited | ErrorClass::TokenInvalid)
    }

    /// snake_case name, as in `api-spec/errors.toml`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorClass::Success => "success",
            ErrorClass::Retry => "retry",
            ErrorClass::RateLimited => "rate_limited",
            ErrorClass::TokenInvalid => "token_invalid",
            ErrorClass::Credential => "credential",
            ErrorClass::Permission => "permission",
            ErrorClass::InvalidRequest => "invalid_request",
            ErrorClass::Internal => "internal",
            ErrorClass::Other => "other",
        }
    }
}

impl fmt::Display for ErrorClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
