//! CSV: one row per record, with the summary columns and the form flattened to text.

use std::io::Write;

use super::{Target, create_file, io_error};
use crate::error::{CliError, Result};
use crate::records::Record;

/// Writes a header and one row per record (RFC 4180 quoting: commas and newlines in form
/// text are safe). The file is created (truncated) at the first record, so a run that fails
/// before it has anything leaves an existing file alone.
pub struct CsvWriter {
    out: Option<::csv::Writer<Box<dyn Write + Send>>>,
    header: &'static [&'static str],
    target: Target,
}

fn csv_error(target: &Target, e: ::csv::Error) -> CliError {
    match e.into_kind() {
        ::csv::ErrorKind::Io(io) => io_error(target, &io),
        other => CliError::runtime(format!("cannot write {target}: {other:?}")),
    }
}

impl CsvWriter {
    /// Prepares the output with its `header` (checks the directory; creates the file at the
    /// first record).
    pub fn open(target: &Target, header: &'static [&'static str]) -> Result<CsvWriter> {
        super::check_parent(target)?;
        Ok(CsvWriter { out: None, header, target: target.clone() })
    }

    fn out(&mut self) -> Result<&mut ::csv::Writer<Box<dyn Write + Send>>> {
        if self.out.is_none() {
            let mut out = ::csv::Writer::from_writer(create_file(&self.target)?);
            out.write_record(self.header).map_err(|e| csv_error(&self.target, e))?;
            self.out = Some(out);
        }
        Ok(self.out.as_mut().expect("just created"))
    }

    /// Creates the file (header only) if no record was written.
    pub fn ensure_created(&mut self) -> Result<()> {
        self.out()?;
        self.flush()
    }

    /// Writes a record's row and flushes it.
    pub fn write<R: Record>(&mut self, record: &R) -> Result<()> {
        let target = self.target.clone();
        self.out()?.write_record(record.csv_row()).map_err(|e| csv_error(&target, e))?;
        self.flush()
    }

    /// Flushes.
    pub fn flush(&mut self) -> Result<()> {
        match &mut self.out {
            Some(out) => out.flush().map_err(|e| io_error(&self.target, &e)),
            None => Ok(()),
        }
    }
}
