//! Legacy approval data (corp/getapprovaldata): columns of `legacy_approvals` and its fields.

use wecom_client::LegacyForm;
use wecom_models::approval::{LegacyApplyItem, LegacyApproval};

use super::columns::{Cell, ChildTable, Children, Column, int, text};
use super::record::{Kind, Record};
use crate::dates::format_cst;

/// A legacy item's value as text: strings as sent, lists joined by `、`.
pub fn legacy_value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) => items.iter().map(legacy_value_text).collect::<Vec<_>>().join("、"),
        other => other.to_string(),
    }
}

/// A legacy form's items as `title: value; …`.
pub fn legacy_form_text(f: &LegacyForm) -> String {
    f.items.iter().map(|i| format!("{}: {}", i.title, legacy_value_text(&i.value))).collect::<Vec<_>>().join("; ")
}

fn legacy_json(a: &LegacyApproval, f: &LegacyForm) -> serde_json::Result<serde_json::Value> {
    let mut v = serde_json::to_value(a)?;
    if let serde_json::Value::Object(map) = &mut v {
        map.insert("apply_items".into(), serde_json::to_value(&f.items)?);
        if let Some(e) = &f.items_error {
            map.insert("apply_items_error".into(), serde_json::Value::String(e.clone()));
        }
    }
    Ok(v)
}

/// One item of a legacy form, with its position (`legacy_fields`).
pub struct ItemRow {
    idx: i64,
    item: LegacyApplyItem,
}

const FIELDS: Children<LegacyForm, ItemRow> = Children {
    table: "legacy_fields",
    columns: &[
        Column::new(int("idx").key(), |r| Cell::Int(r.idx)),
        Column::new(text("item_id"), |r| r.item.id.as_str().into()),
        Column::new(text("kind"), |r| r.item.kind.as_str().into()),
        Column::new(text("title"), |r| r.item.title.as_str().into()),
        Column::new(text("value_text"), |r| legacy_value_text(&r.item.value).into()),
    ],
    rows: |f| f.items.iter().enumerate().map(|(i, item)| ItemRow { idx: i as i64, item: item.clone() }).collect(),
};

impl Record for LegacyForm {
    const KIND: Kind = Kind::LegacyApprovals;
    const COLUMNS: &'static [Column<Self>] = &[
        Column::new(int("sp_num").key(), |f| Cell::UInt(f.approval.sp_num)),
        Column::new(text("spname"), |f| f.approval.spname.as_str().into()),
        Column::new(text("apply_name"), |f| f.approval.apply_name.as_str().into()),
        Column::new(text("apply_org"), |f| f.approval.apply_org.as_str().into()),
        Column::new(text("apply_user_id"), |f| f.approval.apply_user_id.as_str().into()),
        Column::new(int("status"), |f| Cell::Int(f.approval.sp_status.code())),
        Column::new(int("apply_time"), |f| Cell::Time(f.approval.apply_time)),
        Column::new(text("apply_time_text").sqlite_only(), |f| format_cst(f.approval.apply_time).into()),
        Column::new(text("form"), |f| legacy_form_text(f).into()),
    ];
    const CHILDREN: &'static [&'static dyn ChildTable<Self>] = &[&FIELDS];

    /// The form as WeCom sent it (`comm.apply_data` kept as the raw string) plus
    /// `apply_items`: that data parsed, whichever of its two forms it came in.
    fn to_json(&self) -> serde_json::Result<String> {
        serde_json::to_string(&legacy_json(&self.approval, self)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_values_render_as_text() {
        assert_eq!(legacy_value_text(&serde_json::json!(["a", "b"])), "a、b");
        assert_eq!(legacy_value_text(&serde_json::json!("x")), "x");
        assert_eq!(legacy_value_text(&serde_json::json!(3)), "3");
        assert_eq!(legacy_value_text(&serde_json::Value::Null), "");
    }
}
