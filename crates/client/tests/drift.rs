//! The drift recorder over real HTTP: a loopback server answers with what the spec does not
//! know — an unknown top-level field, an unknown field inside a control value, an unknown
//! control kind, an unknown enum value, a required field left out, an unknown error code — and
//! each is recorded once per answer with its path, kind, count and a short, redacted example.
//! With recording off (or paused) nothing is parsed a second time.

mod common;

use common::loopback::{self, Answer, CORP_SECRET, TOKEN_PATH};
use serde_json::json;
use wecom_client::{DriftFinding, DriftRecorder, Error};
use wecom_models::approval::GetApprovalDetailRequest;
use wecom_models::journal::GetRecordDetailRequest;

const DETAIL: &str = "/cgi-bin/oa/getapprovaldetail";
const JOURNAL_DETAIL: &str = "/cgi-bin/oa/journal/get_record_detail";
const TOKEN: &str = "loopback-access-token";

/// A detail with one of each novelty; control values padded as WeCom pads them.
fn novel_detail() -> Answer {
    json!({"errcode": 0, "errmsg": "ok",
    "trace": format!("req {TOKEN} {}", "x".repeat(300)),
    "debug_token": "t-0123456789",
    "info": {
        "sp_no": "202501010001", "sp_status": 99, "template_id": "tpl", "apply_time": 1735660800,
        "applyer": {"userid": "WuJunJie", "partyid": "2"},
        "apply_data": {"contents": [
            {"control": "Text", "id": "Text-1", "title": [{"text": "事由", "lang": "zh_CN"}],
             "value": {"text": "出差", "tips": [], "members": [], "files": [],
                       "rich_text": {"html": "<b>出差</b>", "corpsecret_echo": CORP_SECRET}}},
            {"control": "PhoneNumber", "id": "Phone-1", "title": [],
             "value": {"phone_number": {"country_code": "86", "phone": "13800000000"}, "tips": []}}
        ]}
    }})
    .into()
}

fn serve_novelties() -> impl std::future::Future<Output = loopback::Loopback> {
    loopback::serve(|req| match req.path.as_str() {
        TOKEN_PATH => loopback::token_ok(),
        DETAIL => novel_detail(),
        JOURNAL_DETAIL => json!({"errcode": 45099, "errmsg": format!("brand new failure for {TOKEN}")}).into(),
        _ => loopback::error(40058),
    })
}

/// The expected finding: `spec_file` follows from `spec_type`, absent fields are `null`.
fn finding(mut f: serde_json::Value) -> DriftFinding {
    let family = f["spec_type"].as_str().unwrap().split("::").next().unwrap().to_owned();
    f["spec_file"] = json!(format!("api-spec/{family}.toml"));
    serde_json::from_value(f).unwrap()
}

#[tokio::test]
async fn every_kind_of_novelty_is_recorded_with_path_count_and_a_redacted_example() {
    let server = serve_novelties().await;
    let client = server.client().record_drift(true).build().unwrap();
    for _ in 0..2 {
        let d = client.execute(&GetApprovalDetailRequest::new("202501010001")).await.unwrap();
        assert!(d.info.sp_status.is_unknown(), "the call itself succeeds");
    }
    let e = client.execute(&GetRecordDetailRequest::new("j1")).await.unwrap_err();
    assert!(matches!(&e, Error::Api(a) if a.code.code() == 45099), "{e}");

    let drift = client.drift().expect("recording");
    let detail = "approval.get_approval_detail";
    let long = format!("req <redacted> {}…", "x".repeat(120 - "req <redacted> ".len() - 1));
    let expected = vec![
        finding(json!({"endpoint": detail, "path": "debug_token", "kind": "unknown_field",
            "spec_type": "approval::GetApprovalDetailResponse", "count": 2, "example": "<redacted>",
            "example_path": "debug_token"})),
        finding(json!({"endpoint": detail, "path": "info.apply_data.contents[].control", "kind": "unknown_kind",
            "value": "PhoneNumber", "spec_type": "common::Control", "count": 2,
            "example": r#"{"phone_number":{"country_code":"86","phone":"13800000000"}}"#,
            "example_path": "info.apply_data.contents[1].control"})),
        finding(json!({"endpoint": detail, "path": "info.apply_data.contents[].value.rich_text",
            "kind": "unknown_field", "spec_type": "common::TextValue", "count": 2,
            "example": r#"{"corpsecret_echo":"<redacted>","html":"<b>出差</b>"}"#,
            "example_path": "info.apply_data.contents[0].value.rich_text"})),
        finding(json!({"endpoint": detail, "path": "info.sp_name", "kind": "missing_field",
            "spec_type": "approval::ApprovalDetail", "count": 2, "example_path": "info.sp_name"})),
        finding(json!({"endpoint": detail, "path": "info.sp_status", "kind": "unknown_enum_value", "value": "99",
            "spec_type": "approval::SpStatus", "count": 2, "example": "99", "example_path": "info.sp_status"})),
        finding(json!({"endpoint": detail, "path": "trace", "kind": "unknown_field",
            "spec_type": "approval::GetApprovalDetailResponse", "count": 2, "example": long, "example_path": "trace"})),
        finding(json!({"endpoint": "journal.get_record_detail", "path": "errcode", "kind": "unknown_error_code",
            "value": "45099", "spec_type": "errors::ErrorCode", "count": 1,
            "example": "brand new failure for <redacted>", "example_path": "errcode"})),
    ];
    pretty_assertions::assert_eq!(drift.findings(), expected);
    assert_eq!(drift.inspections(), 3, "gettoken and two details were inspected; the error answer was not");

    // The report: schema, stamp, tool; no secret anywhere in it.
    let report = drift.report("drift-test 1.0");
    assert_eq!((report.schema_version, report.tool.as_str(), report.dropped), (1, "drift-test 1.0", 0));
    assert!(chrono::DateTime::parse_from_rfc3339(&report.generated_at).is_ok(), "{}", report.generated_at);
    let text = serde_json::to_string(&report).unwrap();
    for secret in [TOKEN, CORP_SECRET, "t-0123456789"] {
        assert!(!text.contains(secret), "{secret} leaked into the report");
    }
    assert!(report.findings.iter().all(|f| f.example.as_ref().is_none_or(|e| e.chars().count() <= 120)));
    let again: wecom_client::DriftReport = serde_json::from_str(&text).unwrap();
    assert_eq!(again, report);

    drift.clear();
    assert!(drift.is_empty());
}

#[tokio::test]
async fn with_recording_off_nothing_is_parsed_twice() {
    let server = serve_novelties().await;

    let off = server.client().build().unwrap();
    assert!(off.drift().is_none(), "off by default");
    let dropped = server.client().record_drift(true).record_drift(false).build().unwrap();
    assert!(dropped.drift().is_none());

    let paused = DriftRecorder::new();
    paused.set_enabled(false);
    let client = server.client().drift_recorder(paused.clone()).build().unwrap();
    for _ in 0..3 {
        client.execute(&GetApprovalDetailRequest::new("202501010001")).await.unwrap();
    }
    client.execute(&GetRecordDetailRequest::new("j1")).await.unwrap_err();
    assert_eq!(paused.inspections(), 0, "no answer was parsed a second time");
    assert!(paused.is_empty());

    // Resumed, the same recorder (shared by clients) records again.
    paused.set_enabled(true);
    let other = server.client().drift_recorder(paused.clone()).build().unwrap();
    other.execute(&GetApprovalDetailRequest::new("202501010001")).await.unwrap();
    client.execute(&GetApprovalDetailRequest::new("202501010001")).await.unwrap();
    assert!(paused.inspections() >= 2);
    let status = paused.findings().into_iter().find(|f| f.path == "info.sp_status").unwrap();
    assert_eq!(status.count, 2, "two clients, one record");
}

#[tokio::test]
async fn a_conforming_answer_is_no_drift() {
    let server = loopback::serve(|req| match req.path.as_str() {
        TOKEN_PATH => loopback::token_ok(),
        DETAIL => json!({"errcode": 0, "errmsg": "ok", "info": {
            "sp_no": "1", "sp_name": "n", "sp_status": 2, "template_id": "t", "apply_time": 1,
            "apply_data": {"contents": [{"control": "Money", "id": "m", "title": [],
                "value": {"new_money": "1.00", "tips": [], "members": [], "departments": [], "files": [],
                          "children": [], "stat_field": [], "sum_field": [], "related_approval": [],
                          "students": [], "classes": [], "docs": [], "wedrive_files": []}}]}}})
        .into(),
        _ => loopback::error(40058),
    })
    .await;
    let client = server.client().record_drift(true).build().unwrap();
    client.execute(&GetApprovalDetailRequest::new("1")).await.unwrap();
    let drift = client.drift().unwrap();
    assert_eq!(drift.inspections(), 2);
    assert_eq!(drift.findings(), vec![], "padding and known fields are not drift");
}
