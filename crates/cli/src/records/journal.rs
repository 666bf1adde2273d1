//! Journal records (汇报, get_record_detail) and statistics cycles (get_stat_list): columns of
//! `journals`, its fields and comments, and `stat_cycles`.

use wecom_models::journal::{JournalRecord, LateFlag, StatCycle};

use super::columns::{Cell, ChildTable, Children, Column, int, text};
use super::form::{FIELD_COLUMNS, FieldRow, field_rows, form_text, join_users};
use super::record::{Kind, Record};
use crate::dates::format_cst;

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

/// One comment on a journal record (`journal_comments`).
pub struct CommentRow {
    commentid: u64,
    tocommentid: u64,
    userid: String,
    time: i64,
    content: String,
}

const FIELDS: Children<JournalRecord, FieldRow> = Children {
    table: "journal_fields",
    columns: FIELD_COLUMNS,
    rows: |j| j.apply_data.as_ref().map(field_rows).unwrap_or_default(),
};

const COMMENTS: Children<JournalRecord, CommentRow> = Children {
    table: "journal_comments",
    columns: &[
        // Comment ids pass 2^53 (and may pass i64): kept exact as text.
        Column::new(text("commentid").key(), |c| c.commentid.to_string().into()),
        Column::new(text("tocommentid"), |c| c.tocommentid.to_string().into()),
        Column::new(text("userid"), |c| c.userid.as_str().into()),
        Column::new(int("time"), |c| Cell::Int(c.time)),
        Column::new(text("content"), |c| c.content.as_str().into()),
    ],
    rows: |j| {
        j.comments
            .iter()
            .map(|c| CommentRow {
                commentid: c.commentid,
                tocommentid: c.tocommentid,
                userid: c.comment_userinfo.userid.clone(),
                time: c.comment_time,
                content: c.content.clone(),
            })
            .collect()
    },
};

impl Record for JournalRecord {
    const KIND: Kind = Kind::Journals;
    const COLUMNS: &'static [Column<Self>] = &[
        Column::new(text("journal_uuid").key(), |j| j.journal_uuid.as_str().into()),
        Column::new(text("template_name"), |j| j.template_name.as_str().into()),
        Column::new(text("template_id"), |j| j.template_id.clone().unwrap_or_default().into()),
        Column::new(text("submitter"), |j| j.submitter.userid.as_str().into()),
        Column::new(int("report_time"), |j| Cell::Time(j.report_time)),
        Column::new(text("report_time_text").sqlite_only(), |j| format_cst(j.report_time).into()),
        Column::new(text("receivers"), |j| join_users(&j.receivers).into()),
        Column::new(text("read_by"), |j| join_users(&j.readed_receivers).into()),
        Column::new(text("form"), |j| journal_form_text(j).into()),
        Column::new(text("comments").csv_only(), |j| journal_comments_text(j).into()),
    ];
    const CHILDREN: &'static [&'static dyn ChildTable<Self>] = &[&FIELDS, &COMMENTS];

    fn to_json(&self) -> serde_json::Result<String> {
        serde_json::to_string(self)
    }
}

impl Record for StatCycle {
    const KIND: Kind = Kind::StatCycles;
    // CSV and SQLite have always ordered these differently (CSV leads with the template's name,
    // SQLite with the key): each output keeps its order, so `template_name` appears twice.
    const COLUMNS: &'static [Column<Self>] = &[
        Column::new(text("template_id").key(), |c| c.template_id.as_str().into()),
        Column::new(text("template_name").csv_only(), |c| c.template_name.as_str().into()),
        Column::new(int("cycle_begin").key(), |c| Cell::Time(c.cycle_begin_time as i64)),
        Column::new(int("cycle_end").key(), |c| Cell::Time(c.cycle_end_time as i64)),
        Column::new(text("template_name").sqlite_only(), |c| c.template_name.as_str().into()),
        Column::new(int("report_type").nullable().sqlite_only(), |c| c.report_type.map(|t| t.code()).into()),
        Column::new(text("report_type").csv_only(), |c| report_type_text(c).into()),
        Column::new(int("stat_begin").sqlite_only(), |c| Cell::Int(c.stat_begin_time as i64)),
        Column::new(int("stat_end").sqlite_only(), |c| Cell::Int(c.stat_end_time as i64)),
        Column::new(int("reported"), |c| Cell::Int(c.report_list.len() as i64)),
        Column::new(int("unreported"), |c| Cell::Int(c.unreport_list.len() as i64)),
        Column::new(int("late"), |c| Cell::Int(late_users(c) as i64)),
    ];
    const CHILDREN: &'static [&'static dyn ChildTable<Self>] = &[];

    fn to_json(&self) -> serde_json::Result<String> {
        serde_json::to_string(self)
    }
}
