//! Output files: where records go and in which format.

pub mod csv;
pub mod ndjson;
pub mod sqlite;

use std::fmt;
use std::path::{Path, PathBuf};

pub use crate::args::Format;
use crate::error::{CliError, Result};
use crate::records::Record;

/// Where records are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Standard output (`--out -`).
    Stdout,
    /// A file.
    Path(PathBuf),
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Stdout => f.write_str("stdout"),
            Target::Path(p) => write!(f, "{}", p.display()),
        }
    }
}

impl Format {
    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Ndjson => "ndjson",
            Format::Csv => "csv",
            Format::Sqlite => "sqlite",
        }
    }

    /// The name `--format` takes.
    pub fn name(self) -> &'static str {
        self.extension()
    }
}

/// The format a file name implies: `.ndjson`/`.jsonl`, `.csv`, `.sqlite`/`.sqlite3`/`.db`.
pub fn format_from_path(path: &Path) -> Option<Format> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "ndjson" | "jsonl" => Some(Format::Ndjson),
        "csv" => Some(Format::Csv),
        "sqlite" | "sqlite3" | "db" => Some(Format::Sqlite),
        _ => None,
    }
}

/// Resolves `--out` and `--format`. Without `--out` the file is `<stem>.<ext>` in the current
/// directory; without `--format` the format comes from the extension (stdout: NDJSON).
pub fn resolve(out: Option<&str>, format: Option<Format>, stem: &str) -> Result<(Target, Format)> {
    match out {
        None => {
            let format = format.unwrap_or(Format::Ndjson);
            Ok((Target::Path(PathBuf::from(format!("{stem}.{}", format.extension()))), format))
        }
        Some("-") => {
            let format = format.unwrap_or(Format::Ndjson);
            if format == Format::Sqlite {
                return Err(CliError::usage(
                    "SQLite needs a file: --out - (stdout) works with --format ndjson or csv only; give --out PATH.sqlite",
                ));
            }
            Ok((Target::Stdout, format))
        }
        Some("") => Err(CliError::usage("--out is empty: give a file path, or - for stdout")),
        Some(path) => {
            let path = PathBuf::from(path);
            let format = match format {
                Some(f) => f,
                None => format_from_path(&path).ok_or_else(|| {
                    CliError::usage(format!(
                        "cannot tell the format of --out {}: use a .ndjson/.jsonl, .csv or .sqlite/.sqlite3/.db \
                         file, or give --format ndjson|csv|sqlite",
                        path.display()
                    ))
                })?,
            };
            Ok((Target::Path(path), format))
        }
    }
}

/// An open output of any format.
pub enum Writer {
    /// NDJSON lines.
    Ndjson(ndjson::NdjsonWriter),
    /// CSV rows.
    Csv(Box<csv::CsvWriter>),
    /// A SQLite database.
    Sqlite(sqlite::SqliteStore),
}

impl Writer {
    /// Opens (creates or truncates; SQLite: creates or reuses) the output for records `R`.
    pub fn open<R: Record>(target: &Target, format: Format, batch_size: usize) -> Result<Writer> {
        Ok(match format {
            Format::Ndjson => Writer::Ndjson(ndjson::NdjsonWriter::open(target)?),
            Format::Csv => Writer::Csv(Box::new(csv::CsvWriter::open::<R>(target)?)),
            Format::Sqlite => match target {
                Target::Path(p) => Writer::Sqlite(sqlite::SqliteStore::open(p, batch_size)?),
                Target::Stdout => return Err(CliError::usage("SQLite needs a file path, not stdout")),
            },
        })
    }

    /// Writes one record (NDJSON and CSV are flushed at once; SQLite commits in batches).
    pub fn write<R: Record>(&mut self, record: &R) -> Result<()> {
        match self {
            Writer::Ndjson(w) => w.write(record),
            Writer::Csv(w) => w.write(record),
            Writer::Sqlite(s) => s.write(record),
        }
    }

    /// [`Writer::write`] for a record whose fetch started at `stamp` (SQLite orders the copies
    /// of a form by it, see [`crate::mirror`]; the other formats ignore it).
    pub fn write_fetched<R: Record>(&mut self, record: &R, stamp: Option<crate::mirror::Stamp>) -> Result<()> {
        match self {
            Writer::Sqlite(s) => s.write_fetched(record, stamp),
            other => other.write(record),
        }
    }

    /// Creates an NDJSON/CSV file even when no record was written (a complete, empty export).
    pub fn ensure_created(&mut self) -> Result<()> {
        match self {
            Writer::Ndjson(w) => w.ensure_created(),
            Writer::Csv(w) => w.ensure_created(),
            Writer::Sqlite(_) => Ok(()),
        }
    }

    /// Flushes or commits everything written so far.
    pub fn finish(&mut self) -> Result<()> {
        match self {
            Writer::Ndjson(w) => w.flush(),
            Writer::Csv(w) => w.flush(),
            Writer::Sqlite(s) => s.commit(),
        }
    }

    /// The database, when writing SQLite.
    pub fn sqlite(&mut self) -> Option<&mut sqlite::SqliteStore> {
        match self {
            Writer::Sqlite(s) => Some(s),
            _ => None,
        }
    }
}

/// Fails early when the output's directory does not exist (not after a long listing).
pub(crate) fn check_parent(target: &Target) -> Result<()> {
    if let Target::Path(p) = target {
        if let Some(parent) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
            if !parent.is_dir() {
                return Err(CliError::usage(format!(
                    "cannot write {}: directory {} does not exist",
                    p.display(),
                    parent.display()
                )));
            }
        }
        if p.is_dir() {
            return Err(CliError::usage(format!("cannot write {}: it is a directory", p.display())));
        }
    }
    Ok(())
}

/// Creates (truncates) the output file, or returns stdout.
pub(crate) fn create_file(target: &Target) -> Result<Box<dyn std::io::Write + Send>> {
    Ok(match target {
        Target::Stdout => Box::new(std::io::stdout()),
        Target::Path(p) => Box::new(
            std::fs::File::create(p).map_err(|e| CliError::runtime(format!("cannot create {}: {e}", p.display())))?,
        ),
    })
}

/// An I/O failure on the output, worded for a person.
pub(crate) fn io_error(target: &Target, e: &std::io::Error) -> CliError {
    CliError::runtime(format!("cannot write {target}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_come_from_flags_then_extensions() {
        let r = |out: Option<&str>, f: Option<Format>| resolve(out, f, "approvals");
        assert_eq!(r(None, None).unwrap(), (Target::Path("approvals.ndjson".into()), Format::Ndjson));
        assert_eq!(r(None, Some(Format::Csv)).unwrap(), (Target::Path("approvals.csv".into()), Format::Csv));
        assert_eq!(r(Some("-"), None).unwrap(), (Target::Stdout, Format::Ndjson));
        assert_eq!(r(Some("-"), Some(Format::Csv)).unwrap(), (Target::Stdout, Format::Csv));
        assert_eq!(r(Some("x/a.JSONL"), None).unwrap().1, Format::Ndjson);
        assert_eq!(r(Some("a.db"), None).unwrap().1, Format::Sqlite);
        assert_eq!(r(Some("a.sqlite3"), None).unwrap().1, Format::Sqlite);
        assert_eq!(r(Some("a.txt"), Some(Format::Csv)).unwrap().1, Format::Csv);
        let e = r(Some("-"), Some(Format::Sqlite)).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.message().contains("SQLite needs a file"), "{e}");
        let e = r(Some("a.xlsx"), None).unwrap_err();
        assert!(e.message().contains("cannot tell the format"), "{e}");
    }
}
