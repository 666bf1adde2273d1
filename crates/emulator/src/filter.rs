//! Filters for the ground-truth queries, mirroring the wire `filters` of the list endpoints.

use serde::{Deserialize, Serialize};

/// getapprovalinfo filters: AND across fields, OR within `departments`.
///
/// `None` / empty means "no filter on this key". Unknown values (a template id or
/// user that does not exist) match nothing, as on the wire.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ApprovalFilter {
    /// `template_id` filter.
    pub template_id: Option<String>,
    /// `creator` filter (申请人 userid).
    pub creator: Option<String>,
    /// `department` filters (OR): the creator's department id, exact match.
    pub departments: Vec<String>,
    /// `sp_status` filter.
    pub sp_status: Option<i64>,
    /// `record_type` filter (1 请假 … 9 红包报销审批).
    pub record_type: Option<i64>,
}

impl ApprovalFilter {
    /// No filter at all.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the `template_id` filter.
    pub fn template_id(mut self, id: impl Into<String>) -> Self {
        self.template_id = Some(id.into());
        self
    }
    /// Sets the `creator` filter.
    pub fn creator(mut self, userid: impl Into<String>) -> Self {
        self.creator = Some(userid.into());
        self
    }
    /// Adds a `department` filter (several are OR-ed).
    pub fn department(mut self, id: impl Into<String>) -> Self {
        self.departments.push(id.into());
        self
    }
    /// Sets the `sp_status` filter.
    pub fn sp_status(mut self, status: i64) -> Self {
        self.sp_status = Some(status);
        self
    }
    /// Sets the `record_type` filter.
    pub fn record_type(mut self, record_type: i64) -> Self {
        self.record_type = Some(record_type);
        self
    }
}

/// journal get_record_list filters: AND across keys, OR within a key.
///
/// The docs allow only `department` to repeat for approvals and say nothing for journals;
/// the emulator accepts any journal key repeated (unless
/// [`crate::Quirks::reject_repeated_journal_filters`]) and OR-s the values of one key, as
/// approvals do for departments. Empty means "no filter on this key".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct JournalFilter {
    /// `template_id` filters (OR).
    pub template_ids: Vec<String>,
    /// `creator` filters (提单人 userid, OR).
    pub creators: Vec<String>,
    /// `department` filters (OR): the submitter's department id, exact match.
    pub departments: Vec<String>,
}

impl JournalFilter {
    /// No filter at all.
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds a `template_id` filter (several are OR-ed).
    pub fn template_id(mut self, id: impl Into<String>) -> Self {
        self.template_ids.push(id.into());
        self
    }
    /// Adds a `creator` filter (several are OR-ed).
    pub fn creator(mut self, userid: impl Into<String>) -> Self {
        self.creators.push(userid.into());
        self
    }
    /// Adds a `department` filter (several are OR-ed).
    pub fn department(mut self, id: impl Into<String>) -> Self {
        self.departments.push(id.into());
        self
    }
}
