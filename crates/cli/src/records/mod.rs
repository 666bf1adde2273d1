//! What each kind of record is made of: its key, its JSON line, and its columns — one
//! [`Column`] table per kind (and per child table) that the SQLite schema, the upserts and the
//! CSV header and rows are all derived from. Records describe data; `output` decides how it is
//! stored.
//!
//! `columns` (cells, column tables) and `record` (the kinds, the [`Record`] trait) come first;
//! `form` flattens forms; `approval`, `journal` and `legacy` hold each kind's tables.

mod approval;
mod columns;
mod form;
mod journal;
mod legacy;
mod record;

pub use approval::{approval_department, approvers_text, node_status_short, status_text};
pub use columns::{Cell, ChildTable, Children, Column, ColumnDef, SqlType, Used, int, text};
pub use form::{FIELD_COLUMNS, FieldRow, field_rows, form_text, join_users};
pub use journal::{journal_comments_text, journal_form_text, late_users, report_type_text};
pub use legacy::{legacy_form_text, legacy_value_text};
pub use record::{Kind, Record};

#[cfg(test)]
pub(crate) mod tests {
    pub(crate) use super::approval::tests::sample_approval;
}
