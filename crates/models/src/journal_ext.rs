//! Handwritten helpers for the generated `journal` types.

use crate::generated::common::ControlValue;
use crate::generated::journal::{GetRecordListRequest, JournalFilter, JournalFilterKey, JournalRecord};

impl JournalFilter {
    /// Records of one submitter.
    pub fn creator(userid: impl Into<String>) -> Self {
        JournalFilter::new(JournalFilterKey::Creator, userid)
    }

    /// Records whose submitter is in a department.
    pub fn department(department_id: impl ToString) -> Self {
        JournalFilter::new(JournalFilterKey::Department, department_id.to_string())
    }

    /// Records of one template.
    pub fn template_id(template_id: impl Into<String>) -> Self {
        JournalFilter::new(JournalFilterKey::TemplateId, template_id)
    }
}

impl GetRecordListRequest {
    /// Adds one filter.
    pub fn filter(mut self, filter: JournalFilter) -> Self {
        self.filters.push(filter);
        self
    }
}

impl JournalRecord {
    /// The `fileid`s of every WeDrive file attached to the record (including inside tables),
    /// for `journal.download_wedrive_file`.
    pub fn wedrive_file_ids(&self) -> Vec<&str> {
        let Some(data) = &self.apply_data else { return Vec::new() };
        data.walk()
            .into_iter()
            .filter_map(|c| match &c.value {
                ControlValue::WedriveFile(v) => Some(v.wedrive_files.iter().map(|f| f.fileid.as_str())),
                _ => None,
            })
            .flatten()
            .collect()
    }
}
