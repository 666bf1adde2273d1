//! Handwritten helpers for the generated `common` types.

use crate::generated::common::{ApplyData, Control, ControlValue, LangText};

impl LangText {
    /// A text with a language tag.
    pub fn new(text: impl Into<String>, lang: impl Into<String>) -> Self {
        LangText { text: text.into(), lang: Some(lang.into()), __wire: Default::default() }
    }
}

/// Picks the text in `lang` (e.g. `zh_CN`), else the first one.
pub fn pick_text<'a>(texts: &'a [LangText], lang: &str) -> Option<&'a str> {
    texts.iter().find(|t| t.lang.as_deref() == Some(lang)).or_else(|| texts.first()).map(|t| t.text.as_str())
}

impl Control {
    /// The control's title in `lang` (e.g. `zh_CN`), else its first title, else its id.
    pub fn title_in(&self, lang: &str) -> &str {
        pick_text(&self.title, lang).unwrap_or(&self.id)
    }

    /// The value as one line of plain text, for spreadsheets and logs: the text entered, the
    /// number or amount as sent, chosen option labels joined by `、`, member userids, file ids,
    /// a date as Unix seconds, and so on. Tables render each row in brackets. An unknown kind
    /// renders its raw JSON.
    pub fn value_text(&self) -> String {
        self.value.to_text()
    }
}

impl ControlValue {
    /// See [`Control::value_text`].
    pub fn to_text(&self) -> String {
        let join = |items: Vec<String>| items.join("、");
        match self {
            ControlValue::Text(v) | ControlValue::Textarea(v) => v.text.clone(),
            ControlValue::Number(v) => v.new_number.to_string(),
            ControlValue::Money(v) => v.new_money.to_string(),
            ControlValue::Date(v) => v.date.s_timestamp.to_string(),
            ControlValue::Selector(v) => join(
                v.selector.options.iter().map(|o| pick_text(&o.value, "zh_CN").unwrap_or(&o.key).to_owned()).collect(),
            ),
            ControlValue::Contact(v) => {
                let mut out: Vec<String> =
                    v.members.iter().map(|m| m.name.clone().unwrap_or_else(|| m.userid.clone())).collect();
                out.extend(v.departments.iter().map(|d| d.name.clone().unwrap_or_else(|| d.openapi_id.clone())));
                join(out)
            }
            ControlValue::Tips(_) => String::new(),
            ControlValue::File(v) => {
                join(v.files.iter().map(|f| f.file_name.clone().unwrap_or_else(|| f.file_id.clone())).collect())
            }
            ControlValue::Table(v) => v
                .children
                .iter()
                .map(|row| {
                    let cells: Vec<String> =
                        row.list.iter().map(|c| format!("{}: {}", c.title_in("zh_CN"), c.value_text())).collect();
                    format!("[{}]", cells.join("; "))
                })
                .collect::<Vec<_>>()
                .join(" "),
            ControlValue::Vacation(v) => {
                let kind = v.vacation.selector.options.first().and_then(|o| pick_text(&o.value, "zh_CN")).unwrap_or("");
                format!("{kind} {}", range_text(&v.vacation.attendance.date_range)).trim().to_owned()
            }
            ControlValue::Attendance(v) => range_text(&v.attendance.date_range),
            ControlValue::PunchCorrection(v) => {
                let p = &v.punch_correction;
                format!("{} {}", p.state, p.time).trim().to_owned()
            }
            ControlValue::DateRange(v) => range_text(&v.date_range),
            ControlValue::Location(v) => {
                let l = &v.location;
                let name = l.title.clone().or_else(|| l.address.clone()).unwrap_or_default();
                match (&l.latitude, &l.longitude) {
                    (Some(lat), Some(lng)) => format!("{name} ({lat},{lng})").trim().to_owned(),
                    _ => name,
                }
            }
            ControlValue::RelatedApproval(v) => join(v.related_approval.iter().map(|r| r.sp_no.clone()).collect()),
            ControlValue::Formula(v) => v.formula.value.to_string(),
            ControlValue::BankAccount(v) => {
                let a = &v.bank_account;
                let bank = a.bank.as_ref().and_then(|b| b.bank_alias.clone()).unwrap_or_default();
                format!("{} {} {}", a.account_name, a.account_number, bank)
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            }
            ControlValue::Doc(v) => join(v.docs.iter().map(|d| d.docid.clone()).collect()),
            ControlValue::WedriveFile(v) => join(v.wedrive_files.iter().map(|f| f.fileid.clone()).collect()),
            ControlValue::SchoolContact(v) => {
                join(v.students.iter().chain(v.classes.iter()).map(|n| n.name.clone()).collect())
            }
            // Exhaustive on purpose (a kind the spec learns must get its text here), so this one
            // crate-internal arm names `Unknown`.
            #[allow(deprecated)]
            ControlValue::Unknown(u) => u.value.to_string(),
        }
    }
}

fn range_text(r: &crate::generated::common::DateRange) -> String {
    format!("{}-{}", r.new_begin, r.new_end)
}

impl ApplyData {
    /// Every control, depth first: each control, then (for tables) the controls of its rows.
    pub fn walk(&self) -> Vec<&Control> {
        fn visit<'a>(controls: &'a [Control], out: &mut Vec<&'a Control>) {
            for c in controls {
                out.push(c);
                if let ControlValue::Table(t) = &c.value {
                    for row in &t.children {
                        visit(&row.list, out);
                    }
                }
            }
        }
        let mut out = Vec::new();
        visit(&self.contents, &mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_rows_are_walked_and_rendered() {
        let data: ApplyData = serde_json::from_str(
            r#"{"contents":[{"control":"Table","id":"T","title":[{"text":"明细","lang":"zh_CN"}],
                "value":{"children":[{"list":[
                    {"control":"Money","id":"M","title":[{"text":"金额","lang":"zh_CN"}],"value":{"new_money":"1.50"}},
                    {"control":"Text","id":"X","title":[{"text":"事由","lang":"zh_CN"}],"value":{"text":"出租车"}}]}]}}]}"#,
        )
        .unwrap();
        let ids: Vec<&str> = data.walk().iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["T", "M", "X"]);
        assert_eq!(data.contents[0].value_text(), "[金额: 1.50; 事由: 出租车]");
    }
}
