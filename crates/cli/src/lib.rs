//! `wecom`: export WeCom (企业微信) approvals (审批) and journals (汇报) to NDJSON, CSV or
//! SQLite, with progress, resumable.
//!
//! The binary is a thin `main` over this library so that date parsing, CSV rows and the
//! SQLite writer are unit-tested directly. Layers: the CLI knows users, files, progress and
//! output formats; everything about the wire lives in `wecom-client`.

pub mod args;
pub mod commands;
pub mod dates;
pub mod error;
pub mod export;
pub mod interrupt;
pub mod output;
pub mod progress;
pub mod records;

pub use error::{CliError, Result};
