//! Approval forms (审批, getapprovaldetail): columns of `approvals` and of its fields, nodes and
//! comments.

use wecom_models::approval::{ApprovalDetail, NodeStatus, SpStatus};

use super::columns::{Cell, ChildTable, Children, Column, int, text};
use super::form::{FIELD_COLUMNS, FieldRow, field_rows, form_text, join_users};
use super::record::{Kind, Record};
use crate::dates::format_cst;
use crate::mirror::Progress;

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

/// The applicant's department id (empty for batch forms).
pub fn approval_department(d: &ApprovalDetail) -> String {
    d.applyer.as_ref().and_then(|a| a.partyid.clone()).unwrap_or_default()
}

/// One approver of one node of the chain (`approval_nodes`).
pub struct NodeRow {
    node: i64,
    idx: i64,
    node_status: i64,
    approverattr: Option<i64>,
    approver: String,
    status: i64,
    sptime: i64,
    speech: String,
}

/// One comment on a form (`approval_comments`).
pub struct CommentRow {
    idx: i64,
    commentid: String,
    userid: String,
    time: i64,
    content: String,
}

const FIELDS: Children<ApprovalDetail, FieldRow> =
    Children { table: "approval_fields", columns: FIELD_COLUMNS, rows: |d| field_rows(&d.apply_data) };

const NODES: Children<ApprovalDetail, NodeRow> = Children {
    table: "approval_nodes",
    columns: &[
        Column::new(int("node").key(), |n| Cell::Int(n.node)),
        Column::new(int("idx").key(), |n| Cell::Int(n.idx)),
        Column::new(int("node_status"), |n| Cell::Int(n.node_status)),
        Column::new(int("approverattr").nullable(), |n| n.approverattr.into()),
        Column::new(text("approver"), |n| n.approver.as_str().into()),
        Column::new(int("status"), |n| Cell::Int(n.status)),
        Column::new(int("sptime"), |n| Cell::Int(n.sptime)),
        Column::new(text("speech"), |n| n.speech.as_str().into()),
    ],
    rows: |d| {
        let mut rows = Vec::new();
        for (n, node) in d.sp_record.iter().enumerate() {
            for (i, a) in node.details.iter().enumerate() {
                rows.push(NodeRow {
                    node: n as i64,
                    idx: i as i64,
                    node_status: node.sp_status.code(),
                    approverattr: node.approverattr.map(|x| x.code()),
                    approver: a.approver.userid.clone(),
                    status: a.sp_status.code(),
                    // Unix seconds: always within i64.
                    sptime: i64::try_from(a.sptime).unwrap_or(i64::MAX),
                    speech: a.speech.clone(),
                });
            }
        }
        rows
    },
};

const COMMENTS: Children<ApprovalDetail, CommentRow> = Children {
    table: "approval_comments",
    columns: &[
        Column::new(int("idx").key(), |c| Cell::Int(c.idx)),
        Column::new(text("commentid"), |c| c.commentid.as_str().into()),
        Column::new(text("userid"), |c| c.userid.as_str().into()),
        Column::new(int("time"), |c| Cell::Int(c.time)),
        Column::new(text("content"), |c| c.content.as_str().into()),
    ],
    rows: |d| {
        d.comments
            .iter()
            .enumerate()
            .map(|(i, c)| CommentRow {
                idx: i as i64,
                commentid: c.commentid.to_string(),
                userid: c.comment_user_info.userid.clone(),
                time: c.commenttime,
                content: c.commentcontent.clone(),
            })
            .collect()
    },
};

impl Record for ApprovalDetail {
    const KIND: Kind = Kind::Approvals;
    const COLUMNS: &'static [Column<Self>] = &[
        Column::new(text("sp_no").key(), |d| d.sp_no.as_str().into()),
        Column::new(text("sp_name"), |d| d.sp_name.as_str().into()),
        Column::new(text("template_id"), |d| d.template_id.as_str().into()),
        Column::new(text("applicant"), |d| d.applicant_userids().into()),
        Column::new(text("department"), |d| approval_department(d).into()),
        Column::new(int("status"), |d| Cell::Int(d.sp_status.code())),
        Column::new(text("status_text"), |d| status_text(d.sp_status).into()),
        Column::new(int("apply_time"), |d| Cell::Time(d.apply_time)),
        Column::new(text("apply_time_text").sqlite_only(), |d| format_cst(d.apply_time).into()),
        Column::new(text("approvers"), |d| approvers_text(d).into()),
        Column::new(text("cc"), |d| join_users(&d.notifyer).into()),
        Column::new(text("form"), |d| form_text(&d.apply_data).into()),
    ];
    const CHILDREN: &'static [&'static dyn ChildTable<Self>] = &[&FIELDS, &NODES, &COMMENTS];

    fn to_json(&self) -> serde_json::Result<String> {
        serde_json::to_string(self)
    }

    fn progress(&self) -> Option<Progress> {
        Some(Progress::of(self))
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
    fn nodes_list_every_approver_of_every_node() {
        let d = sample_approval();
        let rows = NODES.rows(&d);
        let shape: Vec<(Cell, Cell, Cell)> = rows.iter().map(|r| (r[0].clone(), r[1].clone(), r[4].clone())).collect();
        assert_eq!(
            shape,
            [
                (Cell::Int(0), Cell::Int(0), Cell::from("LiSi")),
                (Cell::Int(1), Cell::Int(0), Cell::from("WangWu")),
                (Cell::Int(1), Cell::Int(1), Cell::from("ZhaoLiu"))
            ]
        );
        assert_eq!(COMMENTS.rows(&d)[0][1], Cell::from("6912345678901234567"), "approval comment ids are strings");
    }
}
