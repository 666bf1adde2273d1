//! What each kind of record looks like in a file: its key, its NDJSON line, its CSV row and
//! the flattened form fields the SQLite tables hold.

use wecom_client::LegacyForm;
use wecom_models::approval::{ApprovalDetail, LegacyApproval, NodeStatus, SpStatus};
use wecom_models::common::{ApplyData, Control, ControlValue};
use wecom_models::journal::{JournalRecord, LateFlag, StatCycle};

use crate::dates::format_cst;

/// The kinds of records the CLI writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Approval forms (getapprovaldetail), keyed by `sp_no`.
    Approvals,
    /// Journal records (get_record_detail), keyed by `journal_uuid`.
    Journals,
    /// Legacy approval data (corp/getapprovaldata), keyed by `sp_num`.
    LegacyApprovals,
    /// Journal statistics cycles, keyed by template and cycle.
    StatCycles,
}

impl Kind {
    /// The SQLite table of the records; also the name used in checkpoints.
    pub fn table(self) -> &'static str {
        match self {
            Kind::Approvals => "approvals",
            Kind::Journals => "journals",
            Kind::LegacyApprovals => "legacy_approvals",
            Kind::StatCycles => "stat_cycles",
        }
    }

    /// The column holding the record key (stat cycles use a composite key and have no resume).
    pub fn key_column(self) -> &'static str {
        match self {
            Kind::Approvals => "sp_no",
            Kind::Journals => "journal_uuid",
            Kind::LegacyApprovals => "sp_num",
            Kind::StatCycles => "template_id || ':' || cycle_begin || ':' || cycle_end",
        }
    }

    /// What a person calls them, plural.
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Approvals => "approvals",
            Kind::Journals => "journals",
            Kind::LegacyApprovals => "legacy approvals",
            Kind::StatCycles => "stat cycles",
        }
    }
}

/// A record the CLI can write in every format.
pub trait Record {
    /// Its kind.
    const KIND: Kind;
    /// The CSV header.
    const CSV_HEADER: &'static [&'static str];
    /// Its unique key (what upserts and resume go by).
    fn key(&self) -> String;
    /// The full typed record as one line of JSON.
    fn to_json(&self) -> serde_json::Result<String>;
    /// The CSV row, one cell per header column.
    fn csv_row(&self) -> Vec<String>;
    /// Inserts or replaces the record and its child rows (inside the caller's transaction).
    fn upsert(&self, conn: &rusqlite::Connection) -> rusqlite::Result<()>;
}

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

/// `已通过: approved` for a form status; `unknown` for a value the SDK does not know.
pub fn status_text(s: SpStatus) -> String {
    s.description().map(|d| d.trim_end_matches('.').to_owned()).unwrap_or_else(|| "unknown".into())
}

/// `已同意` for a node status; the code for a value the SDK does not know.
pub fn node_status_short(s: NodeStatus) -> String {
    match s.description() {
        Some(d) => d.split(':').next().unwrap_or(d).to_owned(),
        None => s.code().to_string(),
    }
}

/// The approval chain: nodes in order joined by ` → `, each node's approvers as
/// `userid(status)` joined by `, `.
pub fn approvers_text(d: &ApprovalDetail) -> String {
    d.sp_record
        .iter()
        .map(|node| {
            node.details
                .iter()
                .map(|a| format!("{}({})", a.approver.userid, node_status_short(a.sp_status)))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .collect::<Vec<_>>()
        .join(" → ")
}

fn join_users<'a>(users: impl IntoIterator<Item = &'a wecom_models::common::UserRef>) -> String {
    users.into_iter().map(|u| u.userid.as_str()).collect::<Vec<_>>().join(", ")
}

impl Record for ApprovalDetail {
    const KIND: Kind = Kind::Approvals;
    const CSV_HEADER: &'static [&'static str] = &[
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
        "form",
    ];

    fn key(&self) -> String {
        self.sp_no.clone()
    }

    fn to_json(&self) -> serde_json::Result<String> {
        serde_json::to_string(self)
    }

    fn csv_row(&self) -> Vec<String> {
        vec![
            self.sp_no.clone(),
            self.sp_name.clone(),
            self.template_id.clone(),
            self.applicant_userids(),
            approval_department(self),
            self.sp_status.code().to_string(),
            status_text(self.sp_status),
            format_cst(self.apply_time),
            approvers_text(self),
            join_users(&self.notifyer),
            form_text(&self.apply_data),
        ]
    }

    fn upsert(&self, conn: &rusqlite::Connection) -> rusqlite::Result<()> {
        crate::output::sqlite::upsert_approval(conn, self)
    }
}

/// The applicant's department id (empty for batch forms).
pub fn approval_department(d: &ApprovalDetail) -> String {
    d.applyer.as_ref().and_then(|a| a.partyid.clone()).unwrap_or_default()
}

/// A journal's form as text: its controls, or the rich text of a 汇报 record.
pub fn journal_form_text(j: &JournalRecord) -> String {
    match &j.apply_data {
        Some(data) if !data.contents.is_empty() => form_text(data),
        _ => j.sys_journal_data.clone().unwrap_or_default(),
    }
}

/// A journal's comments: `userid @ time: text` joined by ` | `.
pub fn journal_comments_text(j: &JournalRecord) -> String {
    j.comments
        .iter()
        .map(|c| format!("{} @ {}: {}", c.comment_userinfo.userid, format_cst(c.comment_time), c.content))
        .collect::<Vec<_>>()
        .join(" | ")
}

impl Record for JournalRecord {
    const KIND: Kind = Kind::Journals;
    const CSV_HEADER: &'static [&'static str] = &[
        "journal_uuid",
        "template_name",
        "template_id",
        "submitter",
        "report_time",
        "receivers",
        "read_by",
        "form",
        "comments",
    ];

    fn key(&self) -> String {
        self.journal_uuid.clone()
    }

    fn to_json(&self) -> serde_json::Result<String> {
        serde_json::to_string(self)
    }

    fn csv_row(&self) -> Vec<String> {
        vec![
            self.journal_uuid.clone(),
            self.template_name.clone(),
            self.template_id.clone().unwrap_or_default(),
            self.submitter.userid.clone(),
            format_cst(self.report_time),
            join_users(&self.receivers),
            join_users(&self.readed_receivers),
            journal_form_text(self),
            journal_comments_text(self),
        ]
    }

    fn upsert(&self, conn: &rusqlite::Connection) -> rusqlite::Result<()> {
        crate::output::sqlite::upsert_journal(conn, self)
    }
}

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

impl Record for LegacyForm {
    const KIND: Kind = Kind::LegacyApprovals;
    const CSV_HEADER: &'static [&'static str] =
        &["sp_num", "spname", "apply_name", "apply_org", "apply_user_id", "status", "apply_time", "form"];

    fn key(&self) -> String {
        self.approval.sp_num.to_string()
    }

    /// The form as WeCom sent it (`comm.apply_data` kept as the raw string) plus
    /// `apply_items`: that data parsed, whichever of its two forms it came in.
    fn to_json(&self) -> serde_json::Result<String> {
        serde_json::to_string(&legacy_json(&self.approval, self)?)
    }

    fn csv_row(&self) -> Vec<String> {
        let a = &self.approval;
        vec![
            a.sp_num.to_string(),
            a.spname.clone(),
            a.apply_name.clone(),
            a.apply_org.clone(),
            a.apply_user_id.clone(),
            a.sp_status.code().to_string(),
            format_cst(a.apply_time),
            legacy_form_text(self),
        ]
    }

    fn upsert(&self, conn: &rusqlite::Connection) -> rusqlite::Result<()> {
        crate::output::sqlite::upsert_legacy(conn, self, &self.to_json().unwrap_or_default())
    }
}

/// Users in `report_list` with at least one record flagged late.
pub fn late_users(c: &StatCycle) -> usize {
    c.report_list.iter().filter(|u| u.itemlist.iter().any(|i| i.flag == Some(LateFlag::Late))).count()
}

/// `按日汇报: daily` for a template's report type.
pub fn report_type_text(c: &StatCycle) -> String {
    match c.report_type {
        Some(t) => t.description().map(|d| d.trim_end_matches('.').to_owned()).unwrap_or_else(|| t.code().to_string()),
        None => String::new(),
    }
}

impl Record for StatCycle {
    const KIND: Kind = Kind::StatCycles;
    const CSV_HEADER: &'static [&'static str] =
        &["template_id", "template_name", "cycle_begin", "cycle_end", "report_type", "reported", "unreported", "late"];

    fn key(&self) -> String {
        format!("{}:{}:{}", self.template_id, self.cycle_begin_time, self.cycle_end_time)
    }

    fn to_json(&self) -> serde_json::Result<String> {
        serde_json::to_string(self)
    }

    fn csv_row(&self) -> Vec<String> {
        vec![
            self.template_id.clone(),
            self.template_name.clone(),
            format_cst(self.cycle_begin_time as i64),
            format_cst(self.cycle_end_time as i64),
            report_type_text(self),
            self.report_list.len().to_string(),
            self.unreport_list.len().to_string(),
            late_users(self).to_string(),
        ]
    }

    fn upsert(&self, conn: &rusqlite::Connection) -> rusqlite::Result<()> {
        crate::output::sqlite::upsert_stat_cycle(conn, self)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A form with a table, a Tips control, an unknown control and two approval nodes.
    pub(crate) fn sample_approval() -> ApprovalDetail {
        serde_json::from_str(
            r#"{"sp_no":"202501010001","sp_name":"报销","sp_status":2,"template_id":"tpl-1","apply_time":1735660800,
            "applyer":{"userid":"WuJunJie","partyid":"3"},
            "sp_record":[
              {"sp_status":2,"approverattr":1,"details":[{"approver":{"userid":"LiSi"},"speech":"ok, 同意","sp_status":2,"sptime":1735664400,"media_id":[]}]},
              {"sp_status":1,"approverattr":2,"details":[{"approver":{"userid":"WangWu"},"speech":"","sp_status":1,"sptime":0,"media_id":[]},
                                                         {"approver":{"userid":"ZhaoLiu"},"speech":"","sp_status":1,"sptime":0,"media_id":[]}]}],
            "notifyer":[{"userid":"ChenQi"},{"userid":"SunBa"}],
            "apply_data":{"contents":[
              {"control":"Text","id":"Text-1","title":[{"text":"事由","lang":"zh_CN"}],"value":{"text":"出差, \"北京\"\n第二行"}},
              {"control":"Tips","id":"Tips-1","title":[{"text":"说明","lang":"zh_CN"}],"value":{}},
              {"control":"Table","id":"Table-1","title":[{"text":"明细","lang":"zh_CN"}],"value":{"children":[
                {"list":[{"control":"Money","id":"Money-1","title":[{"text":"金额","lang":"zh_CN"}],"value":{"new_money":"12.50"}}]},
                {"list":[{"control":"Money","id":"Money-1","title":[{"text":"金额","lang":"zh_CN"}],"value":{"new_money":"3"}}]}]}},
              {"control":"PhoneNumber","id":"Phone-1","title":[{"text":"电话","lang":"zh_CN"}],"value":{"phone":"100"}}]},
            "comments":[{"commentUserInfo":{"userid":"LiSi"},"commenttime":1735665000,"commentcontent":"请补发票","commentid":"6912345678901234567"}]}"#,
        )
        .expect("a valid detail")
    }

    #[test]
    fn approval_csv_row_has_the_summary_columns() {
        let d = sample_approval();
        let row = d.csv_row();
        assert_eq!(row.len(), ApprovalDetail::CSV_HEADER.len());
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

    #[test]
    fn unknown_statuses_do_not_break_rows() {
        let mut d = sample_approval();
        d.sp_status = SpStatus::from(99);
        let row = d.csv_row();
        assert_eq!((row[5].as_str(), row[6].as_str()), ("99", "unknown"));
    }

    #[test]
    fn legacy_values_render_as_text() {
        assert_eq!(legacy_value_text(&serde_json::json!(["a", "b"])), "a、b");
        assert_eq!(legacy_value_text(&serde_json::json!("x")), "x");
        assert_eq!(legacy_value_text(&serde_json::json!(3)), "3");
        assert_eq!(legacy_value_text(&serde_json::Value::Null), "");
    }
}
