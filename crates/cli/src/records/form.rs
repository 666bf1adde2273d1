//! Forms: every control flattened to rows (the `*_fields` tables) or to one text cell.

use wecom_models::common::{ApplyData, Control, ControlValue, UserRef};

use super::columns::{Cell, Column, int, text};

/// One control of a form, flattened for the `*_fields` tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRow {
    /// Position in depth-first order (a table, then its rows' controls).
    pub idx: i64,
    /// `idx` of the table control this one sits in, if any.
    pub parent_idx: Option<i64>,
    /// Row number inside that table, from 0.
    pub row: Option<i64>,
    /// Control id.
    pub control_id: String,
    /// Control kind (`Text`, `Money`, `Table`, … or an unknown kind as sent).
    pub control: String,
    /// Title (zh_CN, else the first one, else the id).
    pub title: String,
    /// The value as one line of text.
    pub value_text: String,
}

/// The columns of `approval_fields` and `journal_fields`.
pub const FIELD_COLUMNS: &[Column<FieldRow>] = &[
    Column::new(int("idx").key(), |f| Cell::Int(f.idx)),
    Column::new(int("parent_idx").nullable(), |f| f.parent_idx.into()),
    Column::new(int("row").nullable(), |f| f.row.into()),
    Column::new(text("control_id"), |f| f.control_id.as_str().into()),
    Column::new(text("control"), |f| f.control.as_str().into()),
    Column::new(text("title"), |f| f.title.as_str().into()),
    Column::new(text("value_text"), |f| f.value_text.as_str().into()),
];

/// Every control of a form, table rows included, in depth-first order.
pub fn field_rows(data: &ApplyData) -> Vec<FieldRow> {
    fn visit(controls: &[Control], parent: Option<(i64, i64)>, out: &mut Vec<FieldRow>) {
        for c in controls {
            let idx = out.len() as i64;
            out.push(FieldRow {
                idx,
                parent_idx: parent.map(|p| p.0),
                row: parent.map(|p| p.1),
                control_id: c.id.clone(),
                control: c.value.tag().to_owned(),
                title: c.title_in("zh_CN").to_owned(),
                value_text: c.value_text(),
            });
            if let ControlValue::Table(t) = &c.value {
                for (r, row) in t.children.iter().enumerate() {
                    visit(&row.list, Some((idx, r as i64)), out);
                }
            }
        }
    }
    let mut out = Vec::new();
    visit(&data.contents, None, &mut out);
    out
}

/// The form as one text cell: `title: value; …` over the top-level controls (a table renders
/// its rows in brackets); 说明 (Tips) controls carry no value and are left out.
pub fn form_text(data: &ApplyData) -> String {
    data.contents
        .iter()
        .filter(|c| !matches!(c.value, ControlValue::Tips(_)))
        .map(|c| format!("{}: {}", c.title_in("zh_CN"), c.value_text()))
        .collect::<Vec<_>>()
        .join("; ")
}

/// User ids joined by `, `.
pub fn join_users<'a>(users: impl IntoIterator<Item = &'a UserRef>) -> String {
    users.into_iter().map(|u| u.userid.as_str()).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::tests::sample_approval;

    #[test]
    fn fields_walk_table_rows_with_their_parent() {
        let d = sample_approval();
        let rows = field_rows(&d.apply_data);
        let shape: Vec<(i64, Option<i64>, Option<i64>, &str)> =
            rows.iter().map(|r| (r.idx, r.parent_idx, r.row, r.control.as_str())).collect();
        assert_eq!(
            shape,
            [
                (0, None, None, "Text"),
                (1, None, None, "Tips"),
                (2, None, None, "Table"),
                (3, Some(2), Some(0), "Money"),
                (4, Some(2), Some(1), "Money"),
                (5, None, None, "PhoneNumber")
            ]
        );
        assert_eq!(rows[3].title, "金额");
        assert_eq!(rows[4].value_text, "3");
    }
}
