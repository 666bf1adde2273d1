//! Handwritten helpers for the generated `approval` types.

use serde::{Deserialize, Serialize};

use crate::generated::approval::{
    ApprovalDetail, ApprovalFilter, ApprovalFilterKey, GetApprovalInfoRequest, LegacyComm, RecordType, SpStatus,
};

impl ApprovalFilter {
    /// Forms of one template.
    pub fn template_id(template_id: impl Into<String>) -> Self {
        ApprovalFilter::new(ApprovalFilterKey::TemplateId, template_id)
    }

    /// Forms of one applicant.
    pub fn creator(userid: impl Into<String>) -> Self {
        ApprovalFilter::new(ApprovalFilterKey::Creator, userid)
    }

    /// Forms whose applicant is in a department (several department filters are OR-ed).
    pub fn department(department_id: impl ToString) -> Self {
        ApprovalFilter::new(ApprovalFilterKey::Department, department_id.to_string())
    }

    /// Forms in one status.
    pub fn sp_status(status: SpStatus) -> Self {
        ApprovalFilter::new(ApprovalFilterKey::SpStatus, status.code().to_string())
    }

    /// Forms of one record type (forms submitted from 2021-05-31 on).
    pub fn record_type(record_type: RecordType) -> Self {
        ApprovalFilter::new(ApprovalFilterKey::RecordType, record_type.code().to_string())
    }
}

impl GetApprovalInfoRequest {
    /// Adds one filter.
    pub fn filter(mut self, filter: ApprovalFilter) -> Self {
        self.filters.push(filter);
        self
    }
}

impl ApprovalDetail {
    /// The applicant's userid, or the batch applicants' userids joined by `,`.
    pub fn applicant_userids(&self) -> String {
        match &self.applyer {
            Some(a) => a.userid.clone(),
            None => self.batch_applyer.iter().map(|u| u.userid.as_str()).collect::<Vec<_>>().join(","),
        }
    }
}

/// One item of a legacy form's `apply_data`, from either of its two forms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LegacyApplyItem {
    /// Item id, e.g. `item-1490450365815` (the map key in the old form).
    pub id: String,
    /// Item title, e.g. `加班理由`.
    #[serde(default)]
    pub title: String,
    /// Item type: `text`, `textarea`, `number`, `date`, `datehour`, `file`, `price`, `select`,
    /// `checkbox`, `tips`, `list`, `expenseAmount`, `image`, …
    #[serde(rename = "type", default)]
    pub kind: String,
    /// The value as sent: usually a string (dates in milliseconds), an array for images.
    #[serde(default)]
    pub value: serde_json::Value,
}

/// Why a legacy `apply_data` could not be read.
#[derive(Debug)]
pub struct LegacyApplyDataError(String);

impl std::fmt::Display for LegacyApplyDataError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "legacy apply_data: {}", self.0)
    }
}

impl std::error::Error for LegacyApplyDataError {}

impl LegacyComm {
    /// Parses `apply_data`, which holds either the old object map
    /// (`{"item-1":{"title":…,"type":…,"value":…}}`, ids as keys) or the new array
    /// (`[{"id":"item-1","type":…,"value":…,"title":…}]`), into one typed list. An empty or
    /// absent string gives an empty list.
    ///
    /// ```
    /// use wecom_models::approval::LegacyComm;
    /// let old: LegacyComm = serde_json::from_str(
    ///     r#"{"apply_data":"{\"item-1\":{\"title\":\"理由\",\"type\":\"text\",\"value\":\"项目\"}}"}"#).unwrap();
    /// let new: LegacyComm = serde_json::from_str(
    ///     r#"{"apply_data":"[{\"id\":\"item-1\",\"type\":\"text\",\"value\":\"项目\",\"title\":\"理由\"}]"}"#).unwrap();
    /// assert_eq!(old.items().unwrap(), new.items().unwrap());
    /// assert_eq!(old.items().unwrap()[0].title, "理由");
    /// ```
    pub fn items(&self) -> Result<Vec<LegacyApplyItem>, LegacyApplyDataError> {
        let raw = self.apply_data.as_str().trim();
        if raw.is_empty() {
            return Ok(Vec::new());
        }
        let value: serde_json::Value =
            serde_json::from_str(raw).map_err(|e| LegacyApplyDataError(format!("not JSON: {e}")))?;
        match value {
            serde_json::Value::Array(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, item)| {
                    serde_json::from_value(item).map_err(|e| LegacyApplyDataError(format!("item {i}: {e}")))
                })
                .collect(),
            serde_json::Value::Object(map) => map
                .into_iter()
                .map(|(id, item)| {
                    let serde_json::Value::Object(mut fields) = item else {
                        return Err(LegacyApplyDataError(format!("item `{id}` is not an object")));
                    };
                    fields.insert("id".into(), serde_json::Value::String(id.clone()));
                    serde_json::from_value(serde_json::Value::Object(fields))
                        .map_err(|e| LegacyApplyDataError(format!("item `{id}`: {e}")))
                })
                .collect(),
            serde_json::Value::Null => Ok(Vec::new()),
            other => Err(LegacyApplyDataError(format!("expected an object or an array, got {other}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comm(s: &str) -> LegacyComm {
        serde_json::from_value(serde_json::json!({ "apply_data": s })).unwrap()
    }

    #[test]
    fn both_forms_parse_to_the_same_items() {
        let old = comm(
            r#"{"item-1490450365815":{"title":"加班理由","type":"textarea","value":"项目需要"},
                "item-1490450379069":{"title":"加班开始时间","type":"date","value":"1490371200000"},
                "item-1490450399494":{"title":"加班证明","type":"image","value":["https://p.qpic.cn/a/0","https://p.qpic.cn/b/0"]}}"#,
        );
        let new = comm(
            r#"[{"id":"item-1490450365815","type":"textarea","value":"项目需要","title":"加班理由"},
                {"id":"item-1490450379069","type":"date","value":"1490371200000","title":"加班开始时间"},
                {"id":"item-1490450399494","type":"image","value":["https://p.qpic.cn/a/0","https://p.qpic.cn/b/0"],"title":"加班证明"}]"#,
        );
        let a = old.items().unwrap();
        assert_eq!(a, new.items().unwrap());
        assert_eq!(a.len(), 3);
        assert_eq!(a[2].kind, "image");
        assert_eq!(a[2].value.as_array().map(Vec::len), Some(2));
    }

    #[test]
    fn bad_apply_data_is_an_error_not_a_panic() {
        assert!(comm("{not json").items().is_err());
        assert!(comm("42").items().is_err());
        assert!(comm(r#"{"a":1}"#).items().is_err());
        assert!(comm("").items().unwrap().is_empty());
    }
}
