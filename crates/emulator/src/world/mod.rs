//! The approval world over time: an overlay of changed and newly submitted forms on
//! top of the immutable seeded dataset, the changes that move forms through their
//! flow, and the ground-truth event log.
//!
//! The seeded dataset stays as it is (compact records rendered on demand); a form
//! that changes gets its full [`FormState`] stored here, and a form submitted at run
//! time is appended after the seeded ones (its apply time is the wall clock, never
//! before the end of the seeded range), so ids keep their API order. Every reader
//! goes through [`View`], which merges the two.

pub(crate) mod xml;

use std::borrow::Cow;
use std::collections::HashMap;

use rand::{Rng, RngCore};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::dataset::render::{APPROVE_SPEECH, COMMENTS, REJECT_SPEECH, pick_str};
use crate::dataset::{ApprovalRec, Comment, Dataset, Detail, FLAG_BATCH, FLAG_PHONE, FormState, pick_weighted};
use crate::filter::ApprovalFilter;
use crate::quirks::Padding;
use crate::{ids, time};
use xml::XmlCtx;

/// What happened to a form; each kind is pushed with its `StatuChangeEvent` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ChangeKind {
    /// 提单: a new form (StatuChangeEvent 1; sp_status 1).
    Submit,
    /// 同意: a pending approver of the current node approves (2); the form passes
    /// (sp_status 2) when the last node does.
    Approve,
    /// 驳回: a pending approver rejects (3); sp_status 3.
    Reject,
    /// 转审: a pending approver hands over to another member (4); sp_status stays 1.
    Transfer,
    /// 催办: the applicant urges (5); nothing else changes.
    Urge,
    /// 撤销: the applicant withdraws an open form (6); sp_status 4.
    Revoke,
    /// 通过后撤销: a passed form is withdrawn (8, the reference's value); sp_status 6.
    RevokeAfterPass,
    /// 添加备注: a comment with a fresh string commentid (10); sp_status unchanged.
    Comment,
}

impl ChangeKind {
    /// Every kind.
    pub const ALL: [ChangeKind; 8] = [
        ChangeKind::Submit,
        ChangeKind::Approve,
        ChangeKind::Reject,
        ChangeKind::Transfer,
        ChangeKind::Urge,
        ChangeKind::Revoke,
        ChangeKind::RevokeAfterPass,
        ChangeKind::Comment,
    ];

    /// The `StatuChangeEvent` value WeCom sends for this kind.
    pub fn statu_change_event(self) -> u8 {
        match self {
            ChangeKind::Submit => 1,
            ChangeKind::Approve => 2,
            ChangeKind::Reject => 3,
            ChangeKind::Transfer => 4,
            ChangeKind::Urge => 5,
            ChangeKind::Revoke => 6,
            ChangeKind::RevokeAfterPass => 8,
            ChangeKind::Comment => 10,
        }
    }

    /// snake_case name (as in JSON and the operator routes).
    pub fn name(self) -> &'static str {
        match self {
            ChangeKind::Submit => "submit",
            ChangeKind::Approve => "approve",
            ChangeKind::Reject => "reject",
            ChangeKind::Transfer => "transfer",
            ChangeKind::Urge => "urge",
            ChangeKind::Revoke => "revoke",
            ChangeKind::RevokeAfterPass => "revoke_after_pass",
            ChangeKind::Comment => "comment",
        }
    }

    /// The kind named `name` ([`ChangeKind::name`]).
    pub fn from_name(name: &str) -> Option<ChangeKind> {
        ChangeKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// A change to apply with [`crate::EmulatorHandle::apply`]. Optional fields are
/// chosen by the emulator's seeded generator when `None`.
///
/// As JSON (operator API): `{"kind":"approve","sp_no":"…","approver":"…","speech":"…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Change {
    /// Submit a new form.
    Submit {
        /// Applicant userid.
        #[serde(default)]
        creator: Option<String>,
        /// Template id.
        #[serde(default)]
        template_id: Option<String>,
    },
    /// A pending approver of the current node approves.
    Approve {
        /// The form.
        sp_no: String,
        /// Which pending approver acts.
        #[serde(default)]
        approver: Option<String>,
        /// 审批意见.
        #[serde(default)]
        speech: Option<String>,
    },
    /// A pending approver of the current node rejects the form.
    Reject {
        /// The form.
        sp_no: String,
        /// Which pending approver acts.
        #[serde(default)]
        approver: Option<String>,
        /// 审批意见.
        #[serde(default)]
        speech: Option<String>,
    },
    /// A pending approver hands the form over to another member.
    Transfer {
        /// The form.
        sp_no: String,
        /// The pending approver who hands over.
        #[serde(default)]
        from: Option<String>,
        /// The member who takes over (not already pending on the node).
        #[serde(default)]
        to: Option<String>,
    },
    /// The applicant urges the approvers.
    Urge {
        /// The form.
        sp_no: String,
    },
    /// The applicant withdraws an open form.
    Revoke {
        /// The form.
        sp_no: String,
    },
    /// A passed form is withdrawn (sp_status 2 → 6).
    RevokeAfterPass {
        /// The form.
        sp_no: String,
    },
    /// A member adds a comment (any form but a deleted one).
    Comment {
        /// The form.
        sp_no: String,
        /// Who comments.
        #[serde(default)]
        userid: Option<String>,
        /// The text.
        #[serde(default)]
        content: Option<String>,
    },
}

impl Change {
    /// Submit a new form (random applicant and template).
    pub fn submit() -> Change {
        Change::Submit { creator: None, template_id: None }
    }
    /// Approve `sp_no` (a random pending approver of the current node).
    pub fn approve(sp_no: impl Into<String>) -> Change {
        Change::Approve { sp_no: sp_no.into(), approver: None, speech: None }
    }
    /// Reject `sp_no`.
    pub fn reject(sp_no: impl Into<String>) -> Change {
        Change::Reject { sp_no: sp_no.into(), approver: None, speech: None }
    }
    /// Transfer `sp_no` to a random member.
    pub fn transfer(sp_no: impl Into<String>) -> Change {
        Change::Transfer { sp_no: sp_no.into(), from: None, to: None }
    }
    /// Urge `sp_no`.
    pub fn urge(sp_no: impl Into<String>) -> Change {
        Change::Urge { sp_no: sp_no.into() }
    }
    /// Withdraw the open form `sp_no`.
    pub fn revoke(sp_no: impl Into<String>) -> Change {
        Change::Revoke { sp_no: sp_no.into() }
    }
    /// Withdraw the passed form `sp_no`.
    pub fn revoke_after_pass(sp_no: impl Into<String>) -> Change {
        Change::RevokeAfterPass { sp_no: sp_no.into() }
    }
    /// Comment on `sp_no` (random member; `content` or a random text).
    pub fn comment(sp_no: impl Into<String>, content: Option<String>) -> Change {
        Change::Comment { sp_no: sp_no.into(), userid: None, content }
    }

    /// The kind of change.
    pub fn kind(&self) -> ChangeKind {
        match self {
            Change::Submit { .. } => ChangeKind::Submit,
            Change::Approve { .. } => ChangeKind::Approve,
            Change::Reject { .. } => ChangeKind::Reject,
            Change::Transfer { .. } => ChangeKind::Transfer,
            Change::Urge { .. } => ChangeKind::Urge,
            Change::Revoke { .. } => ChangeKind::Revoke,
            Change::RevokeAfterPass { .. } => ChangeKind::RevokeAfterPass,
            Change::Comment { .. } => ChangeKind::Comment,
        }
    }
}

/// One change of the world, in the order it happened: the ground truth a receiver
/// of the pushes must end up with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalEvent {
    /// 1, 2, 3, … in the order of the changes.
    pub seq: u64,
    /// The form.
    pub sp_no: String,
    /// What happened.
    pub kind: ChangeKind,
    /// `StatuChangeEvent` of the push.
    pub statu_change_event: u8,
    /// The form's `sp_status` after the change.
    pub sp_status: u8,
    /// When (Unix seconds): the push's `CreateTime`.
    pub time: i64,
    /// userid of who acted.
    pub actor: String,
    /// The exact plaintext XML pushed (before encryption).
    pub xml: String,
}

/// Why a change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChangeError {
    /// No form has this sp_no.
    #[error("no approval form with sp_no {0}")]
    UnknownSpNo(String),
    /// The form's status does not allow the change.
    #[error("cannot {kind} form {sp_no}: its sp_status is {sp_status} ({needs})", kind = .kind.name())]
    WrongStatus {
        /// The form.
        sp_no: String,
        /// Its current sp_status.
        sp_status: u8,
        /// The refused change.
        kind: ChangeKind,
        /// What the change needs.
        needs: &'static str,
    },
    /// No such member.
    #[error("no member with userid {0}")]
    UnknownUser(String),
    /// The member is not a pending approver of the form's current node.
    #[error("{userid} is not a pending approver of the current node of {sp_no}")]
    NotPendingApprover {
        /// The form.
        sp_no: String,
        /// The member.
        userid: String,
    },
    /// The member cannot take over (already pending on the node).
    #[error("{userid} is already an approver of the current node of {sp_no}")]
    AlreadyApprover {
        /// The form.
        sp_no: String,
        /// The member.
        userid: String,
    },
    /// No such approval template.
    #[error("no approval template {0}")]
    UnknownTemplate(String),
    /// The activity mix allows no change at all.
    #[error("the activity mix allows no change (every weight is 0)")]
    NoChange,
    /// The day's sp_no sequence is exhausted.
    #[error("too many forms submitted on {0}: the daily sequence of sp_no is full")]
    DayFull(u32),
}

/// Relative weights of what the activity does at each step (0 turns a kind off).
///
/// The defaults act on open forms only (so a missed push can always be healed by
/// re-reading open forms): mostly approvals and comments, some new submissions, a few
/// rejects, withdrawals, transfers and urges. `comment_closed` (a comment on a form in
/// a final state) and `revoke_after_pass` (2 → 6) are off by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ActivityMix {
    /// New forms.
    pub submit: u32,
    /// Approvals.
    pub approve: u32,
    /// Rejections.
    pub reject: u32,
    /// Withdrawals of open forms.
    pub revoke: u32,
    /// Comments on open forms.
    pub comment: u32,
    /// Transfers.
    pub transfer: u32,
    /// Urges.
    pub urge: u32,
    /// Comments on forms in a final state (other than deleted).
    pub comment_closed: u32,
    /// Withdrawals of passed forms.
    pub revoke_after_pass: u32,
}

impl Default for ActivityMix {
    fn default() -> Self {
        ActivityMix {
            submit: 15,
            approve: 45,
            reject: 6,
            revoke: 4,
            comment: 22,
            transfer: 4,
            urge: 4,
            comment_closed: 0,
            revoke_after_pass: 0,
        }
    }
}

/// Header values of the pushed XML.
pub(crate) struct EventCtx<'a> {
    pub corp_id: &'a str,
    pub agent_id: &'a str,
}

/// The mutable part of the approval world.
pub(crate) struct World {
    n_static: usize,
    /// Forms submitted at run time, in time order; id = n_static + position.
    new_forms: Vec<ApprovalRec>,
    /// Current state of every form that changed (and of every new form).
    states: HashMap<usize, FormState>,
    /// Ids of forms with sp_status 1, built on first use.
    open: Option<Vec<usize>>,
    events: Vec<ApprovalEvent>,
    rng: ChaCha8Rng,
    comment_counter: u64,
}

impl World {
    pub(crate) fn new(ds: &Dataset) -> World {
        World {
            n_static: ds.approvals.len(),
            new_forms: Vec::new(),
            states: HashMap::new(),
            open: None,
            events: Vec::new(),
            rng: ids::rng(ids::hash(&[ds.seed, 0xAC71]), 1),
            comment_counter: 0,
        }
    }

    /// Every change so far, in order.
    pub(crate) fn events(&self) -> &[ApprovalEvent] {
        &self.events
    }

    fn ensure_open(&mut self, ds: &Dataset) -> &mut Vec<usize> {
        if self.open.is_none() {
            let states = &self.states;
            let status = |id: usize| match states.get(&id) {
                Some(s) => s.status,
                None => ds.approvals.get(id).map(|r| r.status).unwrap_or(1),
            };
            let open: Vec<usize> = (0..self.n_static + self.new_forms.len()).filter(|&id| status(id) == 1).collect();
            self.open = Some(open);
        }
        self.open.get_or_insert_with(Vec::new)
    }

    /// Ids of the open forms (sp_status 1), in API order.
    pub(crate) fn open_ids(&mut self, ds: &Dataset) -> Vec<usize> {
        let mut v = self.ensure_open(ds).clone();
        v.sort_unstable();
        v
    }

    fn set_status(&mut self, ds: &Dataset, id: usize, from: u8, to: u8) {
        if from == to {
            return;
        }
        let open = self.ensure_open(ds);
        if from == 1 {
            if let Some(p) = open.iter().position(|x| *x == id) {
                open.swap_remove(p);
            }
        }
        if to == 1 {
            open.push(id);
        }
    }

    fn user(ds: &Dataset, userid: &str) -> Result<u16, ChangeError> {
        ds.user_index.get(userid).copied().ok_or_else(|| ChangeError::UnknownUser(userid.to_string()))
    }

    /// Applies `change` at time `now`; returns the event (also appended to the log).
    pub(crate) fn apply(
        &mut self,
        ds: &Dataset,
        change: &Change,
        now: i64,
        cx: &EventCtx<'_>,
    ) -> Result<ApprovalEvent, ChangeError> {
        let kind = change.kind();
        let (id, actor) = match change {
            Change::Submit { creator, template_id } => {
                self.submit(ds, creator.as_deref(), template_id.as_deref(), now)?
            }
            Change::Approve { sp_no, approver, speech } | Change::Reject { sp_no, approver, speech } => {
                let id = self.lookup(ds, sp_no)?;
                let mut st = self.state(ds, id);
                let reject = kind == ChangeKind::Reject;
                self.need(ds, id, &st, 1, kind, "needs 1 审批中")?;
                let (k, j) = self.pending_approver(ds, id, &st, approver.as_deref(), kind)?;
                let speech: Cow<'static, str> = match speech {
                    Some(s) => Cow::Owned(s.clone()),
                    None => Cow::Borrowed(pick_str(&mut self.rng, if reject { REJECT_SPEECH } else { APPROVE_SPEECH })),
                };
                let node = &mut st.nodes[k];
                let d = &mut node.details[j];
                let actor = d.user;
                d.status = if reject { 3 } else { 2 };
                d.speech = speech;
                d.sptime = now;
                st.end_time = now;
                if reject {
                    node.status = 3;
                    st.status = 3;
                } else if node.attr == 1 || node.details.iter().all(|d| d.status != 1) {
                    // 或签: one approval closes the node; 会签: every approver must act.
                    node.status = 2;
                    if k + 1 == st.nodes.len() {
                        st.status = 2;
                    }
                }
                self.store(ds, id, st);
                (id, actor)
            }
            Change::Transfer { sp_no, from, to } => {
                let id = self.lookup(ds, sp_no)?;
                let mut st = self.state(ds, id);
                self.need(ds, id, &st, 1, kind, "needs 1 审批中")?;
                let (k, j) = self.pending_approver(ds, id, &st, from.as_deref(), kind)?;
                let to = match to {
                    Some(u) => {
                        let u = Self::user(ds, u)?;
                        if st.nodes[k].details.iter().any(|d| d.user == u && d.status == 1) {
                            return Err(ChangeError::AlreadyApprover {
                                sp_no: sp_no.clone(),
                                userid: ds.users[u as usize].userid.clone(),
                            });
                        }
                        u
                    }
                    None => self.fresh_member(ds, id, &st),
                };
                let d = &mut st.nodes[k].details[j];
                let actor = d.user;
                d.status = 4;
                d.speech = Cow::Borrowed("转交给同事处理");
                d.sptime = now;
                st.nodes[k].details.insert(j + 1, Detail::pending(to));
                st.end_time = now;
                self.store(ds, id, st);
                (id, actor)
            }
            Change::Urge { sp_no } => {
                let id = self.lookup(ds, sp_no)?;
                let st = self.state(ds, id);
                self.need(ds, id, &st, 1, kind, "needs 1 审批中")?;
                (id, self.rec(ds, id).creator)
            }
            Change::Revoke { sp_no } | Change::RevokeAfterPass { sp_no } => {
                let id = self.lookup(ds, sp_no)?;
                let mut st = self.state(ds, id);
                let (from, to, needs) =
                    if kind == ChangeKind::Revoke { (1, 4, "needs 1 审批中") } else { (2, 6, "needs 2 已通过") };
                self.need(ds, id, &st, from, kind, needs)?;
                st.status = to;
                st.end_time = now;
                self.store(ds, id, st);
                (id, self.rec(ds, id).creator)
            }
            Change::Comment { sp_no, userid, content } => {
                let id = self.lookup(ds, sp_no)?;
                let mut st = self.state(ds, id);
                if st.status == 7 {
                    return Err(self.wrong(ds, id, &st, kind, "a deleted form takes no comments"));
                }
                let user = match userid {
                    Some(u) => Self::user(ds, u)?,
                    None => {
                        let creator = self.rec(ds, id).creator;
                        let flow: Vec<u16> = st.nodes.iter().flat_map(|n| n.details.iter().map(|d| d.user)).collect();
                        match self.rng.random_range(0..4u32) {
                            0 | 1 => creator,
                            2 if !flow.is_empty() => flow[self.rng.random_range(0..flow.len())],
                            _ => self.rng.random_range(0..ds.users.len()) as u16,
                        }
                    }
                };
                let content: Cow<'static, str> = match content {
                    Some(c) => Cow::Owned(c.clone()),
                    None => Cow::Borrowed(pick_str(&mut self.rng, COMMENTS)),
                };
                let cid = loop {
                    self.comment_counter += 1;
                    let n = 6_700_000_000_000_000_000u64
                        + ids::hash(&[ds.seed, self.comment_counter, 0xC5]) % 100_000_000_000_000_000;
                    let s = n.to_string();
                    if !st.comments.iter().any(|c| c.id == s) {
                        break s;
                    }
                };
                st.comments.push(Comment { user, time: now, content, id: cid, media: None });
                self.store(ds, id, st);
                (id, user)
            }
        };
        let rec = *self.rec(ds, id);
        let st = self.state(ds, id);
        let xml = xml::sys_approval_change(
            ds,
            &rec,
            &st,
            kind.statu_change_event(),
            now,
            &XmlCtx { corp_id: cx.corp_id, agent_id: cx.agent_id },
        );
        let ev = ApprovalEvent {
            seq: self.events.len() as u64 + 1,
            sp_no: ds.sp_no_of(&rec),
            kind,
            statu_change_event: kind.statu_change_event(),
            sp_status: st.status,
            time: now,
            actor: ds.users[actor as usize].userid.clone(),
            xml,
        };
        self.events.push(ev.clone());
        Ok(ev)
    }

    fn submit(
        &mut self,
        ds: &Dataset,
        creator: Option<&str>,
        template_id: Option<&str>,
        now: i64,
    ) -> Result<(usize, u16), ChangeError> {
        let creator = match creator {
            Some(u) => Self::user(ds, u)?,
            None => self.rng.random_range(0..ds.users.len()) as u16,
        };
        let template = match template_id {
            Some(t) => ds
                .approval_templates
                .iter()
                .position(|x| x.id == t)
                .ok_or_else(|| ChangeError::UnknownTemplate(t.to_string()))?,
            None => {
                let weights: Vec<u32> = ds.approval_templates.iter().map(|t| t.weight).collect();
                pick_weighted(&mut self.rng, &weights)
            }
        };
        // After every seeded form and every earlier submission: ids stay in API order.
        let last = self.new_forms.last().map(|r| r.time).unwrap_or(i64::MIN);
        let t = now.max(ds.end + 1).max(last);
        let day = time::yyyymmdd(t);
        let same_day = self.new_forms.iter().rev().take_while(|r| r.day == day).count() as u32;
        let seq = ds.forms_on_day(day) + same_day + 1;
        if seq as u64 >= 10u64.pow(ds.seq_width as u32) {
            return Err(ChangeError::DayFull(day));
        }
        let flags = match self.rng.random_range(0..100u32) {
            0 | 1 => FLAG_BATCH,
            2 | 3 => FLAG_PHONE,
            _ => 0,
        };
        let rec = ApprovalRec {
            time: t,
            seed: self.rng.next_u64(),
            day,
            seq,
            creator,
            template: template as u8,
            status: 1,
            flags,
        };
        let id = self.n_static + self.new_forms.len();
        self.new_forms.push(rec);
        let st = ds.submitted_state(&rec);
        self.states.insert(id, st);
        if let Some(open) = &mut self.open {
            open.push(id);
        }
        Ok((id, creator))
    }

    fn rec<'a>(&'a self, ds: &'a Dataset, id: usize) -> &'a ApprovalRec {
        if id < self.n_static { &ds.approvals[id] } else { &self.new_forms[id - self.n_static] }
    }

    fn lookup(&self, ds: &Dataset, sp_no: &str) -> Result<usize, ChangeError> {
        View { ds, w: self }.by_sp_no(sp_no).ok_or_else(|| ChangeError::UnknownSpNo(sp_no.to_string()))
    }

    /// The current state of form `id` (a copy, to be changed and stored back).
    fn state(&self, ds: &Dataset, id: usize) -> FormState {
        match self.states.get(&id) {
            Some(s) => s.clone(),
            None => ds.initial_state(self.rec(ds, id)),
        }
    }

    fn store(&mut self, ds: &Dataset, id: usize, st: FormState) {
        let before = self.states.get(&id).map(|s| s.status).unwrap_or_else(|| self.rec(ds, id).status);
        self.set_status(ds, id, before, st.status);
        self.states.insert(id, st);
    }

    fn wrong(&self, ds: &Dataset, id: usize, st: &FormState, kind: ChangeKind, needs: &'static str) -> ChangeError {
        ChangeError::WrongStatus { sp_no: ds.sp_no_of(self.rec(ds, id)), sp_status: st.status, kind, needs }
    }

    fn need(
        &self,
        ds: &Dataset,
        id: usize,
        st: &FormState,
        status: u8,
        kind: ChangeKind,
        needs: &'static str,
    ) -> Result<(), ChangeError> {
        if st.status == status { Ok(()) } else { Err(self.wrong(ds, id, st, kind, needs)) }
    }

    /// (node, detail) of the acting approver: `who` if given, else a random pending one.
    fn pending_approver(
        &mut self,
        ds: &Dataset,
        id: usize,
        st: &FormState,
        who: Option<&str>,
        kind: ChangeKind,
    ) -> Result<(usize, usize), ChangeError> {
        let sp_no = || ds.sp_no_of(self.rec(ds, id));
        let Some(k) = st.nodes.iter().position(|n| n.status == 1) else {
            return Err(ChangeError::WrongStatus {
                sp_no: sp_no(),
                sp_status: st.status,
                kind,
                needs: "a node still 审批中",
            });
        };
        let pending: Vec<usize> =
            (0..st.nodes[k].details.len()).filter(|&j| st.nodes[k].details[j].status == 1).collect();
        match who {
            Some(u) => {
                let u = Self::user(ds, u)?;
                pending.into_iter().find(|&j| st.nodes[k].details[j].user == u).map(|j| (k, j)).ok_or_else(|| {
                    ChangeError::NotPendingApprover { sp_no: sp_no(), userid: ds.users[u as usize].userid.clone() }
                })
            }
            None if pending.is_empty() => Err(ChangeError::WrongStatus {
                sp_no: sp_no(),
                sp_status: st.status,
                kind,
                needs: "a pending approver",
            }),
            None => Ok((k, pending[self.rng.random_range(0..pending.len())])),
        }
    }

    /// A member who is neither the applicant nor already in the flow (if one exists).
    fn fresh_member(&mut self, ds: &Dataset, id: usize, st: &FormState) -> u16 {
        let creator = self.rec(ds, id).creator;
        let n = ds.users.len();
        for _ in 0..50 {
            let u = self.rng.random_range(0..n) as u16;
            if u != creator && !st.nodes.iter().any(|nd| nd.details.iter().any(|d| d.user == u)) {
                return u;
            }
        }
        (0..n as u16)
            .find(|&u| u != creator && !st.nodes.iter().any(|nd| nd.details.iter().any(|d| d.user == u)))
            .unwrap_or(((creator as usize + 1) % n) as u16)
    }

    /// One step of the activity: a change drawn from `mix` on a suitable form.
    /// `None` when the mix allows nothing at all.
    pub(crate) fn random_change(&mut self, ds: &Dataset, mix: &ActivityMix) -> Option<Change> {
        let kinds: [(ChangeKind, bool, u32); 9] = [
            (ChangeKind::Submit, false, mix.submit),
            (ChangeKind::Approve, false, mix.approve),
            (ChangeKind::Reject, false, mix.reject),
            (ChangeKind::Revoke, false, mix.revoke),
            (ChangeKind::Comment, false, mix.comment),
            (ChangeKind::Transfer, false, mix.transfer),
            (ChangeKind::Urge, false, mix.urge),
            (ChangeKind::Comment, true, mix.comment_closed),
            (ChangeKind::RevokeAfterPass, false, mix.revoke_after_pass),
        ];
        let weights: Vec<u32> = kinds.iter().map(|k| k.2).collect();
        if weights.iter().all(|w| *w == 0) {
            return None;
        }
        for _ in 0..16 {
            let (kind, closed, _) = kinds[pick_weighted(&mut self.rng, &weights)];
            let target = match (kind, closed) {
                (ChangeKind::Submit, _) => return Some(Change::submit()),
                (ChangeKind::Comment, true) => self.random_form(ds, |s| !matches!(s, 1 | 7)),
                (ChangeKind::RevokeAfterPass, _) => self.random_form(ds, |s| s == 2),
                _ => self.random_open(ds),
            };
            let Some(id) = target else { continue };
            let sp_no = ds.sp_no_of(self.rec(ds, id));
            return Some(match kind {
                ChangeKind::Approve => Change::approve(sp_no),
                ChangeKind::Reject => Change::reject(sp_no),
                ChangeKind::Revoke => Change::revoke(sp_no),
                ChangeKind::Transfer => Change::transfer(sp_no),
                ChangeKind::Urge => Change::urge(sp_no),
                ChangeKind::RevokeAfterPass => Change::revoke_after_pass(sp_no),
                _ => Change::comment(sp_no, None),
            });
        }
        (mix.submit > 0).then(Change::submit)
    }

    /// A random open form; forms submitted at run time are preferred half of the time,
    /// so they move through their flow while a run watches.
    fn random_open(&mut self, ds: &Dataset) -> Option<usize> {
        let n_static = self.n_static;
        let prefer_new = self.rng.random_bool(0.5);
        self.ensure_open(ds);
        let open = self.open.as_deref().unwrap_or_default();
        if open.is_empty() {
            return None;
        }
        if prefer_new {
            let fresh = open.iter().filter(|&&id| id >= n_static).count();
            if fresh > 0 {
                let k = self.rng.random_range(0..fresh);
                return open.iter().copied().filter(|&id| id >= n_static).nth(k);
            }
        }
        Some(open[self.rng.random_range(0..open.len())])
    }

    /// A random form whose status satisfies `ok` (a few tries).
    fn random_form(&mut self, ds: &Dataset, ok: impl Fn(u8) -> bool) -> Option<usize> {
        let n = self.n_static + self.new_forms.len();
        if n == 0 {
            return None;
        }
        for _ in 0..64 {
            let id = self.rng.random_range(0..n);
            if ok(View { ds, w: self }.status(id)) {
                return Some(id);
            }
        }
        None
    }
}

/// Read access to the merged world (seeded forms + overlay + new forms).
pub(crate) struct View<'a> {
    pub ds: &'a Dataset,
    pub w: &'a World,
}

impl View<'_> {
    /// Number of forms.
    pub(crate) fn count(&self) -> usize {
        self.w.n_static + self.w.new_forms.len()
    }

    fn rec(&self, id: usize) -> &ApprovalRec {
        self.w.rec(self.ds, id)
    }

    /// Current sp_status of form `id`.
    pub(crate) fn status(&self, id: usize) -> u8 {
        match self.w.states.get(&id) {
            Some(s) => s.status,
            None => self.rec(id).status,
        }
    }

    pub(crate) fn sp_no(&self, id: usize) -> String {
        self.ds.sp_no_of(self.rec(id))
    }

    pub(crate) fn sp_num(&self, id: usize) -> u64 {
        self.ds.sp_num_of(self.rec(id))
    }

    /// Finds a form by sp_no.
    pub(crate) fn by_sp_no(&self, sp_no: &str) -> Option<usize> {
        if let Some(i) = self.ds.approval_by_sp_no(sp_no) {
            return Some(i);
        }
        if sp_no.len() != 8 + self.ds.seq_width || !sp_no.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let day: u32 = sp_no[..8].parse().ok()?;
        let seq: u32 = sp_no[8..].parse().ok()?;
        let p = self.w.new_forms.binary_search_by_key(&(day, seq), |r| (r.day, r.seq)).ok()?;
        Some(self.w.n_static + p)
    }

    /// Ids of forms with `start <= apply_time <= end`, in API order (time, then id).
    pub(crate) fn window(&self, start: i64, end: i64) -> impl Iterator<Item = usize> + '_ {
        let seeded = self.ds.approval_window(start, end);
        let new = &self.w.new_forms;
        let (lo, hi) = if end < start {
            (0, 0)
        } else {
            (new.partition_point(|r| r.time < start), new.partition_point(|r| r.time <= end))
        };
        let base = self.w.n_static;
        seeded.chain((lo..hi).map(move |p| base + p))
    }

    /// Compiles `f`; returns a predicate over form ids (current status for `sp_status`).
    pub(crate) fn matcher(&self, f: &ApprovalFilter) -> impl Fn(usize) -> bool + '_ {
        let ds = self.ds;
        let template: Option<Option<u8>> =
            f.template_id.as_ref().map(|id| ds.approval_templates.iter().position(|t| &t.id == id).map(|p| p as u8));
        let creator: Option<Option<u16>> = f.creator.as_ref().map(|u| ds.user_index.get(u).copied());
        let depts: Vec<Option<u32>> = f.departments.iter().map(|d| d.parse().ok()).collect();
        let status = f.sp_status;
        let record_type = f.record_type;
        move |id: usize| {
            let r = self.rec(id);
            if template.is_some_and(|t| t != Some(r.template)) {
                return false;
            }
            if creator.is_some_and(|c| c != Some(r.creator)) {
                return false;
            }
            if !depts.is_empty() {
                let d = ds.users[r.creator as usize].dept;
                if !depts.contains(&Some(d)) {
                    return false;
                }
            }
            if status.is_some_and(|s| s != self.status(id) as i64) {
                return false;
            }
            if let Some(rt) = record_type {
                let trt = ds.approval_templates[r.template as usize].record_type;
                if trt == 0 || trt as i64 != rt {
                    return false;
                }
            }
            true
        }
    }

    /// Ids in the inclusive window matching `f`, in API order.
    pub(crate) fn indices(&self, start: i64, end: i64, f: &ApprovalFilter) -> Vec<usize> {
        let m = self.matcher(f);
        self.window(start, end).filter(|&i| m(i)).collect()
    }

    /// Whether the legacy getapprovaldata sees form `id` (【注解4】: not deleted ones).
    pub(crate) fn legacy_visible(&self, id: usize) -> bool {
        self.status(id) != 7
    }

    fn state(&self, id: usize) -> Cow<'_, FormState> {
        match self.w.states.get(&id) {
            Some(s) => Cow::Borrowed(s),
            None => Cow::Owned(self.ds.initial_state(self.rec(id))),
        }
    }

    /// The getapprovaldetail `info` of form `id`, as it is now, values padded with `padding`.
    pub(crate) fn detail(&self, id: usize, padding: Padding) -> Value {
        self.ds.render_detail(self.rec(id), id.min(self.w.n_static), &self.state(id), padding)
    }

    /// The legacy `data[]` entry of form `id`, as it is now.
    pub(crate) fn legacy_record(&self, id: usize) -> Value {
        self.ds.render_legacy(self.rec(id), id.min(self.w.n_static), &self.state(id))
    }

    /// The last apply time of any form (the seeded end when nothing was submitted).
    pub(crate) fn last_time(&self) -> i64 {
        self.w.new_forms.last().map(|r| r.time).unwrap_or(self.ds.end).max(self.ds.end)
    }
}
