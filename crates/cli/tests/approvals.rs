//! `wecom approvals export` and `legacy-export` against the emulator: every format, filters,
//! counts equal to ground truth.

mod common;

use common::*;
use wecom_emulator::ApprovalFilter as Truth;
use wecom_models::approval::ApprovalDetail;

const HEADER: [&str; 11] = [
    "sp_no",
    "sp_name",
    "template_id",
    "applicant",
    "department",
    "status",
    "status_text",
    "apply_time",
    "approvers",
    "cc",
    "form",
];

#[test]
fn ndjson_csv_and_sqlite_hold_every_form_of_the_range() {
    let emu = start(emulator());
    let dir = tempfile::tempdir().unwrap();
    let (s, e) = emu.date_range();
    let truth = emu.approval_ids(s, e, &Truth::new());
    assert!(truth.len() > 500);

    // NDJSON: one typed record per line, in API order.
    let nd = dir.path().join("a.ndjson");
    let r = run(wecom_for(&emu)
        .args(["approvals", "export"])
        .args(range("2025-01-01", "2025-06-30"))
        .arg("--out")
        .arg(&nd))
    .ok();
    assert!(r.stderr.contains(&format!("wrote {} approvals", truth.len())), "{}", r.stderr);
    assert!(r.stderr.contains("windows") && r.stderr.contains("retries"), "summary: {}", r.stderr);
    let text = std::fs::read_to_string(&nd).unwrap();
    let details: Vec<ApprovalDetail> =
        text.lines().map(|l| serde_json::from_str(l).expect("an ApprovalDetail")).collect();
    assert_eq!(details.iter().map(|d| d.sp_no.clone()).collect::<Vec<_>>(), truth);
    assert!(details.iter().any(|d| !d.sp_status.is_known()), "unknown statuses pass through");

    // CSV: the exact header, one row per form even with commas and newlines in the form text.
    let csv_path = dir.path().join("a.csv");
    run(wecom_for(&emu)
        .args(["approvals", "export"])
        .args(range("2025-01-01", "2025-06-30"))
        .arg("--out")
        .arg(&csv_path))
    .ok();
    let (header, rows) = csv_rows(&csv_path);
    assert_eq!(header, HEADER);
    assert_eq!(rows.iter().map(|r| r[0].clone()).collect::<Vec<_>>(), truth);
    assert!(rows.iter().any(|r| r[10].contains('\n') || r[10].contains(',')), "form text needs quoting");
    assert!(rows.iter().all(|r| r[7].ends_with("+08:00")), "apply_time in UTC+8");
    let first = &details[0];
    assert_eq!(rows[0][3], first.applicant_userids());
    assert_eq!(rows[0][5], first.sp_status.code().to_string());

    // SQLite: records, fields, nodes, comments and a checkpoint.
    let db = dir.path().join("a.sqlite");
    run(wecom_for(&emu).args(["approvals", "export"]).args(range("2025-01-01", "2025-06-30")).arg("--out").arg(&db))
        .ok();
    assert_eq!(column(&db, "SELECT sp_no FROM approvals ORDER BY apply_time, sp_no"), truth);
    let fields: usize = details.iter().map(|d| d.apply_data.walk().len()).sum();
    assert_eq!(count_rows(&db, "approval_fields"), fields as i64, "every control, table rows included");
    let approvers: usize = details.iter().flat_map(|d| &d.sp_record).map(|n| n.details.len()).sum();
    assert_eq!(count_rows(&db, "approval_nodes"), approvers as i64);
    let comments: usize = details.iter().map(|d| d.comments.len()).sum();
    assert!(comments > 0);
    assert_eq!(count_rows(&db, "approval_comments"), comments as i64);
    assert_eq!(count_rows(&db, "checkpoints"), 1);
    let json = column(&db, "SELECT json FROM approvals WHERE sp_no = (SELECT MIN(sp_no) FROM approvals)");
    let stored: ApprovalDetail = serde_json::from_str(&json[0]).unwrap();
    assert!(details.contains(&stored), "the json column is the full typed record");
}

#[test]
fn filters_match_ground_truth() {
    let emu = start(emulator());
    let (s, e) = emu.date_range();
    let departments: Vec<String> = emu.departments().iter().skip(1).take(2).map(|d| d.id.to_string()).collect();
    let user = emu.users()[3].userid.clone();
    let template = emu.approval_templates()[0].template_id.clone();
    let cases: Vec<(Vec<String>, Truth)> = vec![
        (vec!["--creator".into(), user.clone()], Truth::new().creator(&user)),
        (
            vec!["--department".into(), departments[0].clone(), "--department".into(), departments[1].clone()],
            Truth::new().department(&departments[0]).department(&departments[1]),
        ),
        (vec!["--status".into(), "2".into()], Truth::new().sp_status(2)),
        (vec!["--template".into(), template.clone()], Truth::new().template_id(&template)),
        (
            vec!["--status".into(), "1".into(), "--department".into(), departments[0].clone()],
            Truth::new().sp_status(1).department(&departments[0]),
        ),
    ];
    for (args, truth) in cases {
        let expected = emu.approval_ids(s, e, &truth);
        assert!(!expected.is_empty(), "{args:?} selects something");
        let r = run(wecom_for(&emu)
            .args(["approvals", "export"])
            .args(range("2025-01-01", "2025-06-30"))
            .args(&args)
            .args(["--out", "-"]))
        .ok();
        assert_eq!(ndjson_keys(&r.stdout, "sp_no"), expected, "{args:?}");
    }
}

#[test]
fn csv_to_stdout_and_rfc3339_bounds() {
    let emu = start(emulator());
    // Exactly the first week, by the second.
    let r = run(wecom_for(&emu)
        .args(["approvals", "export"])
        .args(range("2025-01-01T00:00:00+08:00", "2025-01-07T23:59:59+08:00"))
        .args(["--out", "-", "--format", "csv"]))
    .ok();
    let mut reader = csv::Reader::from_reader(r.stdout.as_bytes());
    assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), HEADER);
    let ids: Vec<String> = reader.records().map(|r| r.unwrap()[0].to_owned()).collect();
    assert_eq!(ids, emu.approval_ids(JAN1, JAN1 + 7 * DAY - 1, &Truth::new()));
}

#[test]
fn legacy_export_in_every_format_equals_ground_truth() {
    let emu = start(emulator());
    let dir = tempfile::tempdir().unwrap();
    let (s, e) = emu.date_range();
    let truth: Vec<String> = emu.legacy_sp_nums(s, e).iter().map(u64::to_string).collect();
    assert!(truth.len() > 500);

    let nd = dir.path().join("l.jsonl");
    run(wecom_for(&emu)
        .args(["approvals", "legacy-export"])
        .args(range("2025-01-01", "2025-06-30"))
        .arg("--out")
        .arg(&nd))
    .ok();
    let text = std::fs::read_to_string(&nd).unwrap();
    assert_eq!(ndjson_keys(&text, "sp_num"), truth);
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert!(first["apply_items"].is_array(), "parsed apply_data beside the raw one: {first}");

    let csv_path = dir.path().join("l.csv");
    run(wecom_for(&emu)
        .args(["approvals", "legacy-export"])
        .args(range("2025-01-01", "2025-06-30"))
        .arg("--out")
        .arg(&csv_path))
    .ok();
    let (header, rows) = csv_rows(&csv_path);
    assert_eq!(
        header,
        ["sp_num", "spname", "apply_name", "apply_org", "apply_user_id", "status", "apply_time", "form"]
    );
    assert_eq!(rows.iter().map(|r| r[0].clone()).collect::<Vec<_>>(), truth);

    let db = dir.path().join("l.db");
    for _ in 0..2 {
        run(wecom_for(&emu)
            .args(["approvals", "legacy-export"])
            .args(range("2025-01-01", "2025-06-30"))
            .arg("--out")
            .arg(&db))
        .ok();
    }
    assert_eq!(column(&db, "SELECT CAST(sp_num AS TEXT) FROM legacy_approvals ORDER BY sp_num"), {
        let mut t = truth.clone();
        t.sort();
        t
    });
    assert!(count_rows(&db, "legacy_fields") > truth.len() as i64);
}
