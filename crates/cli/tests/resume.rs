//! SQLite resume: Ctrl-C keeps what was written and a re-run fetches only what is missing;
//! a finished range is never fetched again; a larger range adds only the new records.

#![cfg(unix)]

mod common;

use std::collections::HashSet;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;
use wecom_emulator::{ApprovalFilter as Truth, JournalFilter as JTruth};

const DETAIL: &str = "/cgi-bin/oa/getapprovaldetail";
const LIST: &str = "/cgi-bin/oa/getapprovalinfo";

/// Rows committed so far (0 while the database or its table does not exist yet).
fn committed(db: &Path) -> i64 {
    let Ok(conn) = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY) else {
        return 0;
    };
    conn.query_row("SELECT COUNT(*) FROM approvals", [], |r| r.get(0)).unwrap_or(0)
}

#[test]
fn ctrl_c_keeps_what_was_written_and_a_rerun_fetches_only_the_rest() {
    let emu = start(emulator().approvals(1500));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("oa.sqlite");
    let (s, e) = emu.date_range();
    let truth = emu.approval_ids(s, e, &Truth::new());
    assert_eq!(truth.len(), 1500);

    // A slow first run (300 calls/s) so it is still going when Ctrl-C comes.
    let mut child = wecom_at_rate(&emu, 18_000)
        .args(["approvals", "export"])
        .args(range("2025-01-01", "2025-06-30"))
        .arg("--out")
        .arg(&db)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while committed(&db) == 0 {
        assert!(Instant::now() < deadline, "no batch was committed");
        assert!(child.try_wait().unwrap().is_none(), "the export ended before Ctrl-C");
        std::thread::sleep(Duration::from_millis(20));
    }
    let kill = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("interrupted after") && stderr.contains("run the same command again to resume"),
        "{stderr}"
    );
    let kept = count_rows(&db, "approvals");
    assert!(kept > 0 && kept < truth.len() as i64, "kept {kept}");
    assert_eq!(count_rows(&db, "checkpoints"), 0, "an interrupted range is not checkpointed");

    // The re-run fetches exactly the missing forms, once each.
    emu.reset_counts();
    let r = run(wecom_for(&emu)
        .args(["approvals", "export"])
        .args(range("2025-01-01", "2025-06-30"))
        .arg("--out")
        .arg(&db))
    .ok();
    assert!(r.stderr.contains(&format!("{kept} already in the database")), "{}", r.stderr);
    assert_eq!(emu.call_count(DETAIL), truth.len() as u64 - kept as u64, "nothing fetched twice");
    let stored = column(&db, "SELECT sp_no FROM approvals ORDER BY apply_time, sp_no");
    assert_eq!(stored, truth);
    assert_eq!(stored.iter().collect::<HashSet<_>>().len(), stored.len(), "no duplicates");
    let fields = column(&db, "SELECT CAST(COUNT(DISTINCT sp_no) AS TEXT) FROM approval_fields");
    assert_eq!(fields[0], truth.len().to_string());

    // Once complete, the same command makes no list or detail call at all.
    emu.reset_counts();
    let r = run(wecom_for(&emu)
        .args(["approvals", "export"])
        .args(range("2025-01-01", "2025-06-30"))
        .arg("--out")
        .arg(&db))
    .ok();
    assert!(r.stderr.contains("nothing to do"), "{}", r.stderr);
    assert_eq!((emu.call_count(DETAIL), emu.call_count(LIST)), (0, 0));
    // A filtered export inside a range exported unfiltered needs nothing either.
    let user = emu.users()[0].userid.clone();
    run(wecom_for(&emu)
        .args(["approvals", "export", "--creator", &user])
        .args(range("2025-02-01", "2025-03-31"))
        .arg("--out")
        .arg(&db))
    .ok();
    assert_eq!((emu.call_count(DETAIL), emu.call_count(LIST)), (0, 0));
    assert_eq!(count_rows(&db, "approvals"), truth.len() as i64);

    // --refresh fetches everything again and still stores each form once.
    emu.reset_counts();
    run(wecom_for(&emu)
        .args(["approvals", "export", "--refresh"])
        .args(range("2025-01-01", "2025-01-31"))
        .arg("--out")
        .arg(&db))
    .ok();
    let january = emu.approval_ids(JAN1, JAN1 + 31 * DAY - 1, &Truth::new());
    assert_eq!(emu.call_count(DETAIL), january.len() as u64);
    assert_eq!(count_rows(&db, "approvals"), truth.len() as i64);
}

#[test]
fn a_larger_range_adds_only_the_new_records() {
    let emu = start(emulator());
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("oa.db");
    let mar1 = JAN1 + (31 + 28) * DAY;
    let may1 = mar1 + (31 + 30) * DAY;
    run(wecom_for(&emu).args(["approvals", "export"]).args(range("2025-01-01", "2025-02-28")).arg("--out").arg(&db))
        .ok();
    assert_eq!(count_rows(&db, "approvals"), emu.approval_ids(JAN1, mar1 - 1, &Truth::new()).len() as i64);

    emu.reset_counts();
    run(wecom_for(&emu).args(["approvals", "export"]).args(range("2025-01-01", "2025-04-30")).arg("--out").arg(&db))
        .ok();
    let new = emu.approval_ids(mar1, may1 - 1, &Truth::new());
    assert!(!new.is_empty());
    assert_eq!(emu.call_count(DETAIL), new.len() as u64, "only March and April were fetched");
    assert_eq!(
        column(&db, "SELECT sp_no FROM approvals ORDER BY apply_time, sp_no"),
        emu.approval_ids(JAN1, may1 - 1, &Truth::new())
    );
    let checkpoints = column(&db, "SELECT kind || ':' || start || '-' || end FROM checkpoints");
    assert_eq!(checkpoints, [format!("approvals:{JAN1}-{}", may1 - 1)], "ranges merge");

    // Journals resume the same way.
    let jdb = dir.path().join("journals.sqlite");
    run(wecom_for(&emu).args(["journals", "export"]).args(range("2025-01-01", "2025-06-30")).arg("--out").arg(&jdb))
        .ok();
    let (s, e) = emu.date_range();
    assert_eq!(count_rows(&jdb, "journals"), emu.journal_ids(s, e, &JTruth::new()).len() as i64);
    emu.reset_counts();
    run(wecom_for(&emu).args(["journals", "export"]).args(range("2025-01-01", "2025-06-30")).arg("--out").arg(&jdb))
        .ok();
    assert_eq!(emu.call_count("/cgi-bin/oa/journal/get_record_detail"), 0);
    assert_eq!(emu.call_count("/cgi-bin/oa/journal/get_record_list"), 0);
}

#[test]
fn ctrl_c_on_ndjson_keeps_whole_lines() {
    let emu = start(emulator().approvals(1500));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("a.ndjson");
    let mut child = wecom_at_rate(&emu, 18_000)
        .args(["approvals", "export"])
        .args(range("2025-01-01", "2025-06-30"))
        .arg("--out")
        .arg(&out)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::fs::read_to_string(&out).map(|t| t.lines().count()).unwrap_or(0) < 50 {
        assert!(Instant::now() < deadline, "no lines written");
        assert!(child.try_wait().unwrap().is_none(), "the export ended before Ctrl-C");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    let status = child.wait_with_output().unwrap();
    assert_eq!(status.status.code(), Some(130));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.ends_with('\n'));
    for line in text.lines() {
        serde_json::from_str::<serde_json::Value>(line).expect("whole lines only");
    }
}
