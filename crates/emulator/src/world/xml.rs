//! The plaintext of a `sys_approval_change` push, written from the same form state
//! the detail endpoint renders, laid out like the documented example (reference §3.2):
//! repeated `SpRecord`, `Details`, `Notifyer` and `Comments` siblings with no wrapper,
//! CDATA where the example has it.

use std::fmt::Write as _;

use crate::crypto::cdata_text;
use crate::dataset::{ApprovalRec, Dataset, FormState};

/// What the XML header needs besides the form.
pub(crate) struct XmlCtx<'a> {
    pub corp_id: &'a str,
    pub agent_id: &'a str,
}

fn cdata(x: &mut String, indent: usize, name: &str, value: &str) {
    let _ = writeln!(x, "{:indent$}<{name}><![CDATA[{}]]></{name}>", "", cdata_text(value));
}

fn plain(x: &mut String, indent: usize, name: &str, value: impl std::fmt::Display) {
    let _ = writeln!(x, "{:indent$}<{name}>{value}</{name}>", "");
}

fn open(x: &mut String, indent: usize, name: &str) {
    let _ = writeln!(x, "{:indent$}<{name}>", "");
}

fn close(x: &mut String, indent: usize, name: &str) {
    let _ = writeln!(x, "{:indent$}</{name}>", "");
}

/// The decrypted XML of one `sys_approval_change` event.
pub(crate) fn sys_approval_change(
    ds: &Dataset,
    rec: &ApprovalRec,
    st: &FormState,
    statu_change_event: u8,
    create_time: i64,
    cx: &XmlCtx<'_>,
) -> String {
    let uid = |u: u16| ds.users[u as usize].userid.as_str();
    let tpl = &ds.approval_templates[rec.template as usize];
    let creator = &ds.users[rec.creator as usize];
    let mut x = String::with_capacity(1024 + 256 * st.nodes.len() + 256 * st.comments.len());
    x.push_str("<xml>\n");
    cdata(&mut x, 2, "ToUserName", cx.corp_id);
    cdata(&mut x, 2, "FromUserName", "sys");
    plain(&mut x, 2, "CreateTime", create_time);
    cdata(&mut x, 2, "MsgType", "event");
    cdata(&mut x, 2, "Event", "sys_approval_change");
    plain(&mut x, 2, "AgentID", cx.agent_id);
    open(&mut x, 2, "ApprovalInfo");
    plain(&mut x, 4, "SpNo", ds.sp_no_of(rec));
    cdata(&mut x, 4, "SpName", tpl.name);
    plain(&mut x, 4, "SpStatus", st.status);
    cdata(&mut x, 4, "TemplateId", &tpl.id);
    plain(&mut x, 4, "ApplyTime", rec.time);
    open(&mut x, 4, "Applyer");
    cdata(&mut x, 6, "UserId", &creator.userid);
    cdata(&mut x, 6, "Party", &creator.dept.to_string());
    close(&mut x, 4, "Applyer");
    for n in &st.nodes {
        open(&mut x, 4, "SpRecord");
        plain(&mut x, 6, "SpStatus", n.status);
        plain(&mut x, 6, "ApproverAttr", n.attr);
        for d in &n.details {
            open(&mut x, 6, "Details");
            open(&mut x, 8, "Approver");
            cdata(&mut x, 10, "UserId", uid(d.user));
            close(&mut x, 8, "Approver");
            cdata(&mut x, 8, "Speech", &d.speech);
            plain(&mut x, 8, "SpStatus", d.status);
            plain(&mut x, 8, "SpTime", d.sptime);
            close(&mut x, 6, "Details");
        }
        close(&mut x, 4, "SpRecord");
    }
    for u in &st.notifyers {
        open(&mut x, 4, "Notifyer");
        cdata(&mut x, 6, "UserId", uid(*u));
        close(&mut x, 4, "Notifyer");
    }
    for c in &st.comments {
        open(&mut x, 4, "Comments");
        open(&mut x, 6, "CommentUserInfo");
        cdata(&mut x, 8, "UserId", uid(c.user));
        close(&mut x, 6, "CommentUserInfo");
        plain(&mut x, 6, "CommentTime", c.time);
        cdata(&mut x, 6, "CommentContent", &c.content);
        cdata(&mut x, 6, "CommentId", &c.id);
        if let Some(m) = &c.media {
            plain(&mut x, 6, "Attach", m);
        }
        close(&mut x, 4, "Comments");
    }
    plain(&mut x, 4, "StatuChangeEvent", statu_change_event);
    close(&mut x, 2, "ApprovalInfo");
    x.push_str("</xml>");
    x
}
