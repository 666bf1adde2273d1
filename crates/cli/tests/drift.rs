//! `--drift-report` against the emulator as it is: it sends an `sp_status` (99) and a control
//! kind (`PhoneNumber`) that the spec does not know. The report lists both, counted once per
//! occurrence in the exported forms; the run prints a short summary; `--no-drift` turns it off.

mod common;

use common::*;
use serde_json::Value;
use wecom_models::approval::ApprovalDetail;

fn finding<'a>(report: &'a Value, path: &str, kind: &str, value: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == path && f["kind"] == kind && f["value"] == value)
        .unwrap_or_else(|| panic!("no {kind} {value} at {path} in {report:#}"))
}

#[test]
fn the_report_lists_what_the_spec_does_not_know_with_counts() {
    let emu = start(emulator());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("a.ndjson");
    let report_path = dir.path().join("drift.json");
    let r = run(wecom_for(&emu)
        .args(["approvals", "export"])
        .args(range("2025-01-01", "2025-06-30"))
        .arg("--out")
        .arg(&out)
        .arg("--drift-report")
        .arg(&report_path))
    .ok();

    // What the export wrote is the ground truth of what came.
    let details: Vec<ApprovalDetail> =
        std::fs::read_to_string(&out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let status_99 = details.iter().filter(|d| d.sp_status.code() == 99).count() as u64;
    let phones =
        details.iter().flat_map(|d| d.apply_data.walk()).filter(|c| c.value.tag() == "PhoneNumber").count() as u64;
    assert!(status_99 > 0 && phones > 0, "the emulator sends both novelties");

    let report: Value = serde_json::from_str(&std::fs::read_to_string(&report_path).unwrap()).unwrap();
    assert_eq!(report["schema_version"], 1);
    assert!(report["tool"].as_str().unwrap().starts_with("wecom-cli "), "{report:#}");
    assert!(chrono::DateTime::parse_from_rfc3339(report["generated_at"].as_str().unwrap()).is_ok());

    let s = finding(&report, "info.sp_status", "unknown_enum_value", "99");
    assert_eq!(s["endpoint"], "approval.get_approval_detail");
    assert_eq!(
        (s["spec_type"].as_str(), s["spec_file"].as_str()),
        (Some("approval::SpStatus"), Some("api-spec/approval.toml"))
    );
    assert_eq!(s["count"], status_99);
    let p = finding(&report, "info.apply_data.contents[].control", "unknown_kind", "PhoneNumber");
    assert_eq!(p["spec_type"], "common::Control");
    assert!(p["example"].as_str().unwrap().contains("phone_number"), "{p}");
    // Controls inside table rows count too, under their own path.
    let nested = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "unknown_kind" && f["value"] == "PhoneNumber")
        .map(|f| f["count"].as_u64().unwrap())
        .sum::<u64>();
    assert_eq!(nested, phones);
    let text = report.to_string();
    assert!(!text.contains(emu.corp_secret()), "no secret in the report");

    // The summary: a few lines after the run's own.
    let summary: Vec<&str> = r.stderr.lines().skip_while(|l| !l.starts_with("drift: ")).collect();
    assert!(!summary.is_empty() && summary.len() <= 8, "{}", r.stderr);
    assert!(summary.iter().any(|l| l.contains("unknown_enum_value 99 at info.sp_status")), "{}", r.stderr);
    assert!(summary.last().unwrap().contains(&format!("details in {}", report_path.display())), "{}", r.stderr);
}

#[test]
fn no_drift_turns_it_off() {
    let emu = start(emulator());
    let dir = tempfile::tempdir().unwrap();
    let r = run(wecom_for(&emu)
        .args(["approvals", "export", "--no-drift"])
        .args(range("2025-01-01", "2025-01-31"))
        .arg("--out")
        .arg(dir.path().join("a.ndjson")))
    .ok();
    assert!(!r.stderr.contains("drift"), "{}", r.stderr);
    let both = run(wecom_for(&emu)
        .args(["approvals", "export", "--no-drift", "--drift-report", "x.json"])
        .args(range("2025-01-01", "2025-01-31")));
    assert_eq!(both.code, Some(2), "{}", both.stderr);
}
