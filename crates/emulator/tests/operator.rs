//! The operator API under `/_emulator/` over HTTP, the library handle's ground
//! truth and life cycle (loopback only, stop on drop, shutdown), and determinism.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{Value, json};
use wecom_emulator::{ApprovalFilter, Emulator, EmulatorError, JournalFilter};

async fn get(api: &Api, path: &str) -> (u16, Value) {
    let r = api.http.get(api.path_url(path)).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn operator_ground_truth() {
    let api = Api::start(Emulator::builder().approvals(800).journals(400)).await;
    let (s, body) = get(&api, "/_emulator/").await;
    assert_eq!(s, 200);
    assert!(body["endpoints"].is_object());

    let (_, summary) = get(&api, "/_emulator/dataset").await;
    assert_eq!(summary, serde_json::to_value(api.emu.summary()).unwrap());
    assert_eq!(summary["approvals"], 800);
    assert_eq!(summary["corp_id"], "wwemulatorcorp0001");

    let end = JAN1 + 31 * DAY - 1;
    let (_, v) = get(
        &api,
        "/_emulator/ids?kind=approval&start=2025-01-01&end=2025-01-31T23:59:59&department=2&department=3&sp_status=2",
    )
    .await;
    let lib = api.emu.approval_ids(JAN1, end, &ApprovalFilter::new().department("2").department("3").sp_status(2));
    assert_eq!(v["ids"], json!(lib));
    assert_eq!(v["count"], lib.len());
    assert_eq!(v["start"], JAN1);

    let user = api.emu.users()[3].userid.clone();
    let (_, v) = get(&api, &format!("/_emulator/ids?kind=journal&start={JAN1}&end={end}&creator={user}")).await;
    assert_eq!(v["ids"], json!(api.emu.journal_ids(JAN1, end, &JournalFilter::new().creator(&user))));
    let (_, v) = get(&api, "/_emulator/ids?kind=legacy").await;
    let (a, b) = api.emu.date_range();
    assert_eq!(v["ids"], json!(api.emu.legacy_sp_nums(a, b)));
    // Without parameters: every approval.
    let (_, v) = get(&api, "/_emulator/ids").await;
    assert_eq!(v["count"], 800);

    assert_eq!(get(&api, "/_emulator/ids?kind=nope").await.0, 400);
    assert_eq!(get(&api, "/_emulator/ids?start=yesterday").await.0, 400);
    assert_eq!(get(&api, "/_emulator/ids?sp_status=x").await.0, 400);

    let id = &api.emu.approval_ids(a, b, &ApprovalFilter::new())[7];
    let (s, v) = get(&api, &format!("/_emulator/approval/{id}")).await;
    assert_eq!(s, 200);
    assert_eq!(v, api.emu.approval_detail(id).unwrap());
    assert_eq!(get(&api, "/_emulator/approval/19990101").await.0, 404);
    let uuid = &api.emu.journal_ids(a, b, &JournalFilter::new())[3];
    let (_, v) = get(&api, &format!("/_emulator/journal/{uuid}")).await;
    assert_eq!(v, api.emu.journal_detail(uuid).unwrap());
    assert_eq!(get(&api, "/_emulator/journal/nope").await.0, 404);

    let (_, v) = get(&api, "/_emulator/wedrive_files").await;
    assert_eq!(v["count"], api.emu.wedrive_files().len());
    assert_eq!(v["files"][0]["fileid"], api.emu.wedrive_files()[0].1.as_str());

    let tid = &api.emu.stat_template_ids()[0];
    let (_, v) = get(&api, &format!("/_emulator/stat_cycles?template_id={tid}")).await;
    assert_eq!(v["count"], api.emu.stat_cycles(tid, a, b).len());
    assert_eq!(get(&api, "/_emulator/stat_cycles").await.0, 400);
    assert_eq!(get(&api, "/nothing/here").await.0, 404);
}

#[tokio::test]
async fn operator_counters() {
    let api = Api::start(Emulator::builder().approvals(50).journals(20)).await;
    api.post(APPROVAL_DETAIL, json!({"sp_no": "1"})).await;
    api.post_with(APPROVAL_DETAIL, Some("bad"), "{}").await;
    let (_, v) = get(&api, "/_emulator/stats").await;
    assert_eq!(v["call_counts"][GETTOKEN], 1);
    assert_eq!(v["call_counts"][APPROVAL_DETAIL], 2);
    assert_eq!(v["errcode_counts"]["0"], 1);
    assert_eq!(v["errcode_counts"]["301025"], 1);
    assert_eq!(v["errcode_counts"]["40014"], 1);
    assert_eq!(api.emu.call_counts().get(APPROVAL_DETAIL), Some(&2));
    // Operator calls are not counted.
    assert_eq!(api.emu.call_counts().len(), 2);
    let r = api.http.post(api.path_url("/_emulator/reset_counts")).send().await.unwrap();
    assert!(r.status().is_success());
    assert!(api.emu.call_counts().is_empty());
    assert_eq!(api.emu.errcode_count(0), 0);
    api.post(APPROVAL_DETAIL, json!({"sp_no": "1"})).await;
    api.emu.reset_counts();
    assert_eq!(api.emu.call_count(APPROVAL_DETAIL), 0);
}

#[tokio::test]
async fn builder_refuses_bad_config() {
    let e = Emulator::builder().addr("0.0.0.0:0".parse().unwrap()).start().await.unwrap_err();
    assert!(matches!(e, EmulatorError::NonLoopback(_)), "{e}");
    let e = Emulator::builder().addr("192.168.1.1:0".parse().unwrap()).start().await.unwrap_err();
    assert!(matches!(e, EmulatorError::NonLoopback(_)));
    let e = Emulator::builder().date_range(10, 10).start().await.unwrap_err();
    assert!(matches!(e, EmulatorError::Config(_)));
    let e = Emulator::builder().corp_secret("").start().await.unwrap_err();
    assert!(matches!(e, EmulatorError::Config(_)));
    let e = Emulator::builder().concurrency_limit(Some(0)).start().await.unwrap_err();
    assert!(matches!(e, EmulatorError::Config(_)));
    // The same port twice.
    let emu = Emulator::builder().approvals(5).journals(5).start().await.unwrap();
    let e = Emulator::builder().addr(emu.addr()).start().await.unwrap_err();
    assert!(matches!(e, EmulatorError::Bind { .. }), "{e}");
}

async fn refused(base: &str) -> bool {
    let http = http();
    for _ in 0..200 {
        if http.get(format!("{base}/_emulator/")).send().await.is_err() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}

#[tokio::test]
async fn stops_on_drop_and_shutdown() {
    let emu = Emulator::builder().approvals(5).journals(5).start().await.unwrap();
    let base = emu.base_url();
    assert!(base.starts_with("http://127.0.0.1:") && !base.ends_with('/'));
    let clone = emu.clone();
    drop(emu);
    // A clone keeps it alive.
    assert!(http().get(format!("{base}/_emulator/")).send().await.is_ok());
    drop(clone);
    assert!(refused(&base).await, "server still up after the last handle dropped");

    let emu = Emulator::builder().approvals(5).journals(5).start().await.unwrap();
    let base = emu.base_url();
    emu.shutdown().await;
    assert!(refused(&base).await);
}

#[tokio::test]
async fn deterministic_from_seed() {
    let a = Emulator::builder().seed(5).approvals(300).journals(100).start().await.unwrap();
    let b = Emulator::builder().seed(5).approvals(300).journals(100).start().await.unwrap();
    let c = Emulator::builder().seed(6).approvals(300).journals(100).start().await.unwrap();
    let (s, e) = a.date_range();
    let ids = a.approval_ids(s, e, &ApprovalFilter::new());
    assert_eq!(ids, b.approval_ids(s, e, &ApprovalFilter::new()));
    assert_ne!(ids, c.approval_ids(s, e, &ApprovalFilter::new()));
    for id in ids.iter().step_by(37) {
        assert_eq!(a.approval_detail(id), b.approval_detail(id));
    }
    let j = a.journal_ids(s, e, &JournalFilter::new());
    assert_eq!(j, b.journal_ids(s, e, &JournalFilter::new()));
    assert_eq!(a.journal_detail(&j[0]), b.journal_detail(&j[0]));
    assert_eq!(a.summary(), b.summary());
    let (_, f) = a.wedrive_files()[0].clone();
    assert_eq!(a.wedrive_file_bytes(&f), b.wedrive_file_bytes(&f));
}
