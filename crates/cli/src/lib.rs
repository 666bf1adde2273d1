//! `wecom`: export WeCom (企业微信) approvals (审批) and journals (汇报) to NDJSON, CSV or
//! SQLite, with progress, resumable.
//!
//! The binary is a thin `main` over this library so that date parsing, CSV rows and the
//! SQLite writer are unit-tested directly. Layers: the CLI knows users, files, progress and
//! output formats; everything about the wire lives in `wecom-client`.
//!
//! Modules, each depending only on those listed before it:
//! - [`error`], [`dates`], [`args`], [`interrupt`], [`progress`]: the basics;
//! - [`mirror`]: which of two details of a form is newer (every guarded write obeys it);
//! - [`records`]: each kind of record and its one column table;
//! - [`output`]: NDJSON, CSV and the SQLite store, all derived from the column tables;
//! - [`checkpoint`]: the resume rules (what is left to list, when a range is done);
//! - [`export`]: the engine (ids stream to the fetchers, records stream to the output);
//! - [`sync`]: `wecom approvals sync`: backfill, callbacks through a durable inbox, reconciliation;
//! - [`commands`]: the command line's commands, their shared job and the summary.

pub mod args;
pub mod checkpoint;
pub mod commands;
pub mod dates;
pub mod error;
pub mod export;
pub mod interrupt;
pub mod mirror;
pub mod output;
pub mod progress;
pub mod records;
pub mod sync;

pub use error::{CliError, Result};
