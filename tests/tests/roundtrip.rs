//! Every documented request and response example (tests/fixtures/examples) round-trips through
//! the typed models exactly: deserialize, serialize back, and the JSON value is the one that
//! came — the empty-array padding of control values, explicit `[]`s, numbers in strings and
//! unknown kinds included.

use std::path::{Path, PathBuf};

use pretty_assertions::assert_eq;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use wecom_models::{approval, auth, journal};

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/examples")
}

/// Examples of one endpoint and direction: `<id>.<kind>.json` and `<id>.<kind>.<variant>.json`.
fn examples(id: &str, kind: &str) -> Vec<(String, Value)> {
    let prefix = format!("{id}.{kind}.");
    let mut found: Vec<(String, Value)> = std::fs::read_dir(examples_dir())
        .expect("examples dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(&prefix) && name.ends_with(".json"))
        .map(|name| {
            let text = std::fs::read_to_string(examples_dir().join(&name)).expect("read example");
            let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name} is not JSON: {e}"));
            (name, value)
        })
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(!found.is_empty(), "no {kind} example for {id}");
    found
}

fn round_trip<T: DeserializeOwned + Serialize>(name: &str, original: &Value) -> T {
    let text = original.to_string();
    let typed: T = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: does not deserialize: {e}"));
    let back = serde_json::to_value(&typed).unwrap_or_else(|e| panic!("{name}: does not serialize: {e}"));
    assert_eq!(&back, original, "{name}: changed on the way through");
    typed
}

fn check<Req, Resp>(id: &str)
where
    Req: DeserializeOwned + Serialize,
    Resp: DeserializeOwned + Serialize,
{
    for (name, value) in examples(id, "request") {
        round_trip::<Req>(&name, &value);
    }
    for (name, value) in examples(id, "response") {
        round_trip::<Resp>(&name, &value);
    }
}

#[test]
fn every_example_file_belongs_to_an_endpoint() {
    let ids: Vec<&str> = wecom_endpoints::ALL.iter().map(|e| e.id).collect();
    for entry in std::fs::read_dir(examples_dir()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if !name.ends_with(".json") {
            continue;
        }
        assert!(ids.iter().any(|id| name.starts_with(&format!("{id}."))), "{name} matches no endpoint");
    }
    assert_eq!(ids.len(), 8, "the spec has gettoken and seven OA endpoints");
}

#[test]
fn auth_get_token() {
    check::<auth::GetTokenRequest, auth::GetTokenResponse>("auth.get_token");
}

#[test]
fn approval_get_approval_info() {
    check::<approval::GetApprovalInfoRequest, approval::GetApprovalInfoResponse>("approval.get_approval_info");
}

#[test]
fn approval_get_approval_detail() {
    check::<approval::GetApprovalDetailRequest, approval::GetApprovalDetailResponse>("approval.get_approval_detail");
}

#[test]
fn approval_get_approval_data() {
    check::<approval::GetApprovalDataRequest, approval::GetApprovalDataResponse>("approval.get_approval_data");
}

#[test]
fn journal_get_record_list() {
    check::<journal::GetRecordListRequest, journal::GetRecordListResponse>("journal.get_record_list");
}

#[test]
fn journal_get_record_detail() {
    check::<journal::GetRecordDetailRequest, journal::GetRecordDetailResponse>("journal.get_record_detail");
}

#[test]
fn journal_get_stat_list() {
    check::<journal::GetStatListRequest, journal::GetStatListResponse>("journal.get_stat_list");
}

#[test]
fn journal_download_wedrive_file() {
    check::<journal::DownloadWedriveFileRequest, journal::DownloadWedriveFileResponse>("journal.download_wedrive_file");
}

/// Requests built with the constructors and setters serialize to exactly the documented body.
#[test]
fn built_requests_equal_the_documented_bodies() {
    let approval_info = approval::GetApprovalInfoRequest::new(1569546000, 1569718800)
        .filter(approval::ApprovalFilter::template_id("ZLqk8pcsAoaXZ1eY56vpAgfX28MPdYU3ayMaSPHaaa"))
        .filter(approval::ApprovalFilter::creator("WuJunJie"))
        .filter(approval::ApprovalFilter::department(1))
        .filter(approval::ApprovalFilter::sp_status(approval::SpStatus::InReview));
    assert_eq!(serde_json::to_value(&approval_info).unwrap(), examples("approval.get_approval_info", "request")[0].1);

    let journal_list = journal::GetRecordListRequest::new(1606230000, 1606361304)
        .limit(10)
        .filter(journal::JournalFilter::creator("kele"))
        .filter(journal::JournalFilter::department(1))
        .filter(journal::JournalFilter::template_id("3TmALk1ogfgKiQE3e3jRwnTUhMTh8vca1N8zUVNUx"));
    assert_eq!(serde_json::to_value(&journal_list).unwrap(), examples("journal.get_record_list", "request")[0].1);

    let legacy = approval::GetApprovalDataRequest::new(1492617600, 1492790400).next_spnum(201704200003);
    assert_eq!(serde_json::to_value(&legacy).unwrap(), examples("approval.get_approval_data", "request")[0].1);

    let stat = journal::GetStatListRequest::new("3TmALk1ogfgKiQE3e3jRwnTUhMTh8vca1N8zUVNUx", 1604160000, 1606363092);
    assert_eq!(serde_json::to_value(&stat).unwrap(), examples("journal.get_stat_list", "request")[0].1);

    let detail = approval::GetApprovalDetailRequest::new("201909270001");
    assert_eq!(serde_json::to_value(&detail).unwrap(), examples("approval.get_approval_detail", "request")[0].1);

    let journal_detail =
        journal::GetRecordDetailRequest::new("41eJejN57EJNzr8HrZfmKyCN7xwKw1qRxCZUxCVuo9fsWVMSKac6nk4q8rARTDaVNdx");
    assert_eq!(serde_json::to_value(&journal_detail).unwrap(), examples("journal.get_record_detail", "request")[0].1);

    let download = journal::DownloadWedriveFileRequest::new("JOURNAL_UUID", "FILEID");
    assert_eq!(serde_json::to_value(&download).unwrap(), examples("journal.download_wedrive_file", "request")[0].1);

    let token = auth::GetTokenRequest::new("ID", "SECRET");
    assert_eq!(serde_json::to_value(&token).unwrap(), examples("auth.get_token", "request")[0].1);
}
