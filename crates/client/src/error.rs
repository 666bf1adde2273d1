//! The client's typed error.

use std::fmt;
use std::time::Duration;

use wecom_endpoints::{ErrorClass, ErrorCode, ValidationError};

/// Everything that can go wrong calling WeCom.
///
/// No variant ever holds the corp secret, an access token or a download cookie: URLs are
/// stripped from transport errors and known secrets are scrubbed from server text.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request breaks a documented limit; nothing was sent.
    #[error("invalid request: {0}")]
    Validation(#[from] ValidationError),

    /// WeCom answered with a non-zero `errcode`.
    #[error("{0}")]
    Api(ApiError),

    /// The HTTP exchange failed (connection, timeout, a body cut short).
    #[error("{endpoint}: {kind}: {message}")]
    Transport {
        /// Endpoint id.
        endpoint: &'static str,
        /// What failed.
        kind: TransportKind,
        /// Details (URLs removed).
        message: String,
    },

    /// WeCom answered with an HTTP status other than 200.
    #[error("{endpoint}: HTTP {status}: {body_excerpt}")]
    Http {
        /// Endpoint id (`journal.download_wedrive_file` also for the GET of the file itself).
        endpoint: &'static str,
        /// The status code.
        status: u16,
        /// The start of the body, secrets removed.
        body_excerpt: String,
    },

    /// The answer could not be read as the endpoint's response type.
    #[error("{endpoint}: could not read the answer (HTTP {status}): {message}; body starts: {body_excerpt}")]
    Decode {
        /// Endpoint id.
        endpoint: &'static str,
        /// HTTP status.
        status: u16,
        /// What did not fit, and where: `info.comments[0].commentid: invalid value: …`.
        message: String,
        /// The start of the body, secrets removed.
        body_excerpt: String,
    },

    /// Retries ran out; `last` is the final failure.
    #[error("{endpoint}: gave up after {attempts} attempts in {elapsed:.1?}: {last}")]
    RetriesExhausted {
        /// Endpoint id.
        endpoint: &'static str,
        /// Attempts made.
        attempts: u32,
        /// Time spent.
        elapsed: Duration,
        /// The last failure.
        last: Box<Error>,
    },

    /// The server broke its own paging contract (e.g. a cursor that does not advance).
    #[error("{endpoint}: {message}")]
    Protocol {
        /// Endpoint id.
        endpoint: &'static str,
        /// What happened.
        message: String,
    },

    /// Paging a window stopped because the server made no progress: it handed back a cursor
    /// already used in the window (A → B → A …), or kept answering pages of records already
    /// seen in the window (a cursor it ignores). Nothing after the last good page was fetched;
    /// retry the window later, or report the server.
    #[error(
        "{endpoint}: paging the window {start}–{end} made no progress: {stall}; stopped after {calls} calls instead of looping"
    )]
    NoProgress {
        /// Endpoint id.
        endpoint: &'static str,
        /// Start of the window, Unix seconds.
        start: u64,
        /// End of the window, Unix seconds.
        end: u64,
        /// What the server did.
        stall: Stall,
        /// Page calls made in the window.
        calls: u32,
    },

    /// A record-level failure inside a stream: which record, and why.
    #[error("{id}: {source}")]
    Record {
        /// The record id (sp_no, journal uuid, …).
        id: String,
        /// The failure.
        source: Box<Error>,
    },

    /// A user-supplied token source failed.
    #[error("token source: {0}")]
    TokenSource(String),

    /// The client is misconfigured.
    #[error("configuration: {0}")]
    Config(String),

    /// Writing a download failed.
    #[error("writing the download: {0}")]
    Io(#[from] std::io::Error),
}

/// What kind of transport failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportKind {
    /// Could not connect.
    Connect,
    /// The call took too long.
    Timeout,
    /// The body was cut short or the connection dropped.
    Body,
    /// A 200 answer that is not JSON (a proxy error page, say).
    NotJson,
    /// Anything else.
    Other,
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportKind::Connect => "connection failed",
            TransportKind::Timeout => "timed out",
            TransportKind::Body => "answer cut short",
            TransportKind::NotJson => "answer is not JSON",
            TransportKind::Other => "transport error",
        })
    }
}

/// How a paged walk failed to make progress (see [`Error::NoProgress`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stall {
    /// The server answered with a cursor this window had already asked for.
    CursorRepeated {
        /// The cursor, as `Debug` prints it.
        cursor: String,
    },
    /// Pages in a row held only records already seen in this window.
    NoNewRecords {
        /// How many such pages came in a row.
        pages: u32,
    },
}

impl fmt::Display for Stall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stall::CursorRepeated { cursor } => {
                write!(f, "the server returned the cursor {cursor} a second time (a cursor cycle)")
            }
            Stall::NoNewRecords { pages } => {
                write!(f, "{pages} pages in a row held only records already seen (the cursor is ignored)")
            }
        }
    }
}

/// A non-zero `errcode` from WeCom, with what it means and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// Endpoint id, e.g. `approval.get_approval_detail`.
    pub endpoint: &'static str,
    /// The code.
    pub code: ErrorCode,
    /// What the client does with it.
    pub class: ErrorClass,
    /// The documented meaning (Chinese), the endpoint's own wording when it has one.
    pub meaning_zh: &'static str,
    /// The documented meaning (English gloss).
    pub meaning_en: &'static str,
    /// The server's `errmsg` (secrets scrubbed).
    pub errmsg: String,
    /// What to do, e.g. the admin-console step for a permission error.
    pub hint: Option<&'static str>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} {} ({})", self.endpoint, self.code.code(), self.meaning_en, self.meaning_zh)?;
        if self.class == ErrorClass::Credential {
            f.write_str(" — the corp id or secret is wrong; check the credentials, retrying cannot help")?;
        }
        if let Some(hint) = self.hint {
            write!(f, " — {hint}")?;
        }
        if !self.errmsg.is_empty() {
            write!(f, " [errmsg: {}]", self.errmsg)?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

impl Error {
    /// The WeCom code behind the error, if any (looking through retries and records).
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Error::Api(e) => Some(e.code),
            Error::RetriesExhausted { last, .. } => last.code(),
            Error::Record { source, .. } => source.code(),
            _ => None,
        }
    }

    /// The class of the WeCom code behind the error, if any.
    pub fn class(&self) -> Option<ErrorClass> {
        self.code().map(ErrorCode::class)
    }

    /// The API error behind this one, if any.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            Error::RetriesExhausted { last, .. } => last.api(),
            Error::Record { source, .. } => source.api(),
            _ => None,
        }
    }

    /// The endpoint id the error is about, if any.
    pub fn endpoint(&self) -> Option<&'static str> {
        match self {
            Error::Validation(e) => e.endpoint(),
            Error::Api(e) => Some(e.endpoint),
            Error::Transport { endpoint, .. }
            | Error::Http { endpoint, .. }
            | Error::Decode { endpoint, .. }
            | Error::RetriesExhausted { endpoint, .. }
            | Error::Protocol { endpoint, .. }
            | Error::NoProgress { endpoint, .. } => Some(endpoint),
            Error::Record { source, .. } => source.endpoint(),
            _ => None,
        }
    }

    /// True for a wrong corp id or secret.
    pub fn is_credentials(&self) -> bool {
        self.class() == Some(ErrorClass::Credential)
    }

    /// True when WeCom failed internally (301026, 301067, 620004) and kept failing through the
    /// retries the policy allows.
    pub fn is_internal(&self) -> bool {
        self.class() == Some(ErrorClass::Internal)
    }

    /// True for a permission problem an admin must fix.
    pub fn is_permission(&self) -> bool {
        self.class() == Some(ErrorClass::Permission)
    }

    /// Whether a later attempt might succeed (used by the retry loop).
    pub(crate) fn is_transient(&self) -> bool {
        match self {
            Error::Transport { .. } => true,
            Error::Http { status, .. } => *status >= 500 || *status == 429,
            Error::Api(e) => matches!(e.class, ErrorClass::Retry | ErrorClass::RateLimited),
            _ => false,
        }
    }
}
