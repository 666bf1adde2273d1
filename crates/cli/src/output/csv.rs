//! CSV: one row per record, with the summary columns and the form flattened to text.

use std::io::Write;

use super::{Target, create_file, io_error};
use crate::dates::format_cst;
use crate::error::{CliError, Result};
use crate::records::{Cell, Record};

/// The header of records `R`: their CSV columns, in table order.
pub fn header<R: Record>() -> Vec<&'static str> {
    R::COLUMNS.iter().filter(|c| c.def.in_csv()).map(|c| c.def.name).collect()
}

/// The row of a record, one cell per header column.
pub fn row<R: Record>(record: &R) -> Vec<String> {
    R::COLUMNS.iter().filter(|c| c.def.in_csv()).map(|c| text((c.get)(record))).collect()
}

/// A cell as CSV shows it: times in RFC 3339 (UTC+8), `NULL` empty.
fn text(cell: Cell) -> String {
    match cell {
        Cell::Time(t) => format_cst(t),
        Cell::Text(s) => s,
        other => other.raw_text(),
    }
}

/// Writes a header and one row per record (RFC 4180 quoting: commas and newlines in form
/// text are safe). The file is created (truncated) at the first record, so a run that fails
/// before it has anything leaves an existing file alone.
pub struct CsvWriter {
    out: Option<::csv::Writer<Box<dyn Write + Send>>>,
    header: Vec<&'static str>,
    target: Target,
}

fn csv_error(target: &Target, e: ::csv::Error) -> CliError {
    match e.into_kind() {
        ::csv::ErrorKind::Io(io) => io_error(target, &io),
        other => CliError::runtime(format!("cannot write {target}: {other:?}")),
    }
}

impl CsvWriter {
    /// Prepares the output for records `R` (checks the directory; creates the file at the
    /// first record).
    pub fn open<R: Record>(target: &Target) -> Result<CsvWriter> {
        super::check_parent(target)?;
        Ok(CsvWriter { out: None, header: header::<R>(), target: target.clone() })
    }

    fn out(&mut self) -> Result<&mut ::csv::Writer<Box<dyn Write + Send>>> {
        if self.out.is_none() {
            let mut out = ::csv::Writer::from_writer(create_file(&self.target)?);
            out.write_record(&self.header).map_err(|e| csv_error(&self.target, e))?;
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
        self.out()?.write_record(row(record)).map_err(|e| csv_error(&target, e))?;
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

#[cfg(test)]
mod tests {
    use wecom_client::LegacyForm;
    use wecom_models::approval::{ApprovalDetail, SpStatus};
    use wecom_models::journal::{JournalRecord, StatCycle};

    use super::*;
    use crate::records::tests::sample_approval;

    #[test]
    fn headers_are_the_documented_ones() {
        // The README's CSV table: these never change without a note to users.
        assert_eq!(
            header::<ApprovalDetail>(),
            [
                "sp_no",
                "sp_name",
                "template_id",
                "applicant",
                "department",
                "status",
                "status_text",
                "apply_time",
                "approvers",
                "cc",
                "form"
            ]
        );
        assert_eq!(
            header::<JournalRecord>(),
            [
                "journal_uuid",
                "template_name",
                "template_id",
                "submitter",
                "report_time",
                "receivers",
                "read_by",
                "form",
                "comments"
            ]
        );
        assert_eq!(
            header::<LegacyForm>(),
            ["sp_num", "spname", "apply_name", "apply_org", "apply_user_id", "status", "apply_time", "form"]
        );
        assert_eq!(
            header::<StatCycle>(),
            [
                "template_id",
                "template_name",
                "cycle_begin",
                "cycle_end",
                "report_type",
                "reported",
                "unreported",
                "late"
            ]
        );
    }

    #[test]
    fn approval_row_has_the_summary_columns() {
        let d = sample_approval();
        let row = row(&d);
        assert_eq!(row.len(), header::<ApprovalDetail>().len());
        assert_eq!(row[0], "202501010001");
        assert_eq!(row[3], "WuJunJie");
        assert_eq!(row[4], "3");
        assert_eq!(row[5], "2");
        assert_eq!(row[6], "已通过: approved");
        assert_eq!(row[7], "2025-01-01T00:00:00+08:00");
        assert_eq!(row[8], "LiSi(已同意) → WangWu(审批中), ZhaoLiu(审批中)");
        assert_eq!(row[9], "ChenQi, SunBa");
        assert_eq!(row[10], "事由: 出差, \"北京\"\n第二行; 明细: [金额: 12.50] [金额: 3]; 电话: {\"phone\":\"100\"}");
    }

    #[test]
    fn unknown_statuses_do_not_break_rows() {
        let mut d = sample_approval();
        d.sp_status = SpStatus::from(99);
        let row = row(&d);
        assert_eq!((row[5].as_str(), row[6].as_str()), ("99", "unknown"));
    }
}
