//! NDJSON: one full typed record per line, flushed as it goes.

use std::io::{BufWriter, Write};

use super::{Target, create_file, io_error};
use crate::error::{CliError, Result};
use crate::records::Record;

/// Writes one JSON document per line. The file is created (truncated) at the first record, so
/// a run that fails before it has anything leaves an existing file alone.
pub struct NdjsonWriter {
    out: Option<BufWriter<Box<dyn Write + Send>>>,
    target: Target,
}

impl NdjsonWriter {
    /// Prepares the output (checks the directory; creates the file at the first record).
    pub fn open(target: &Target) -> Result<NdjsonWriter> {
        super::check_parent(target)?;
        Ok(NdjsonWriter { out: None, target: target.clone() })
    }

    fn out(&mut self) -> Result<&mut BufWriter<Box<dyn Write + Send>>> {
        if self.out.is_none() {
            self.out = Some(BufWriter::new(create_file(&self.target)?));
        }
        Ok(self.out.as_mut().expect("just created"))
    }

    /// Creates the (empty) file if no record was written.
    pub fn ensure_created(&mut self) -> Result<()> {
        self.out().map(|_| ())
    }

    /// Writes a record as one line and flushes it, so an interrupted run leaves whole lines.
    pub fn write<R: Record>(&mut self, record: &R) -> Result<()> {
        let line =
            record.to_json().map_err(|e| CliError::runtime(format!("cannot serialize {}: {e}", record.key())))?;
        let target = self.target.clone();
        let out = self.out()?;
        out.write_all(line.as_bytes()).map_err(|e| io_error(&target, &e))?;
        out.write_all(b"\n").map_err(|e| io_error(&target, &e))?;
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
