//! `wecom journals export`, `stats` and `download` against the emulator.

mod common;

use std::collections::BTreeSet;

use common::*;
use wecom_emulator::JournalFilter as Truth;
use wecom_models::journal::{JournalRecord, StatCycle};

#[test]
fn journals_in_every_format_equal_ground_truth() {
    let emu = start(emulator());
    let dir = tempfile::tempdir().unwrap();
    let (s, e) = emu.date_range();
    let truth = emu.journal_ids(s, e, &Truth::new());
    assert!(truth.len() >= 300);

    let nd = dir.path().join("j.ndjson");
    run(wecom_for(&emu).args(["journals", "export"]).args(range("2025-01-01", "2025-06-30")).arg("--out").arg(&nd))
        .ok();
    let text = std::fs::read_to_string(&nd).unwrap();
    let records: Vec<JournalRecord> = text.lines().map(|l| serde_json::from_str(l).expect("a JournalRecord")).collect();
    assert_eq!(records.iter().map(|r| r.journal_uuid.clone()).collect::<Vec<_>>(), truth);
    // Comment ids above 2^53 survive exactly.
    assert!(records.iter().flat_map(|r| &r.comments).any(|c| c.commentid > 1 << 53));

    let csv_path = dir.path().join("j.csv");
    run(wecom_for(&emu)
        .args(["journals", "export"])
        .args(range("2025-01-01", "2025-06-30"))
        .arg("--out")
        .arg(&csv_path))
    .ok();
    let (header, rows) = csv_rows(&csv_path);
    assert_eq!(
        header,
        [
            "journal_uuid",
            "template_name",
            "template_id",
            "submitter",
            "report_time",
            "receivers",
            "read_by",
            "form",
            "comments"
        ]
    );
    assert_eq!(rows.iter().map(|r| r[0].clone()).collect::<Vec<_>>(), truth);

    let db = dir.path().join("j.sqlite3");
    run(wecom_for(&emu).args(["journals", "export"]).args(range("2025-01-01", "2025-06-30")).arg("--out").arg(&db))
        .ok();
    assert_eq!(count_rows(&db, "journals"), truth.len() as i64);
    let comments: usize = records.iter().map(|r| r.comments.len()).sum();
    assert_eq!(count_rows(&db, "journal_comments"), comments as i64);
    let fields: usize = records.iter().filter_map(|r| r.apply_data.as_ref()).map(|d| d.walk().len()).sum();
    assert_eq!(count_rows(&db, "journal_fields"), fields as i64);
    let big: Vec<String> =
        column(&db, "SELECT commentid FROM journal_comments ORDER BY LENGTH(commentid) DESC LIMIT 1");
    assert!(records.iter().flat_map(|r| &r.comments).any(|c| c.commentid.to_string() == big[0]), "ids kept exact");
}

#[test]
fn journal_filters_match_ground_truth() {
    let emu = start(emulator());
    let (s, e) = emu.date_range();
    let user = emu.users()[2].userid.clone();
    let departments: Vec<String> = emu.departments().iter().skip(1).take(2).map(|d| d.id.to_string()).collect();
    let template = emu.journal_templates()[0].template_id.clone();
    let cases: Vec<(Vec<String>, Truth)> = vec![
        (vec!["--creator".into(), user.clone()], Truth::new().creator(&user)),
        (
            vec!["--department".into(), departments[0].clone(), "--department".into(), departments[1].clone()],
            Truth::new().department(&departments[0]).department(&departments[1]),
        ),
        (vec!["--template".into(), template.clone()], Truth::new().template_id(&template)),
    ];
    for (args, truth) in cases {
        let expected = emu.journal_ids(s, e, &truth);
        assert!(!expected.is_empty(), "{args:?}");
        let r = run(wecom_for(&emu)
            .args(["journals", "export"])
            .args(range("2025-01-01", "2025-06-30"))
            .args(&args)
            .args(["--out", "-"]))
        .ok();
        assert_eq!(ndjson_keys(&r.stdout, "journal_uuid"), expected, "{args:?}");
    }
}

#[test]
fn stats_cycles_equal_ground_truth() {
    let emu = start(emulator());
    let dir = tempfile::tempdir().unwrap();
    let (s, e) = emu.date_range();
    let templates = emu.stat_template_ids();
    assert!(templates.len() >= 3);
    for (i, t) in templates.iter().enumerate() {
        let truth: BTreeSet<(u64, u64)> =
            emu.stat_cycles(t, s, e).into_iter().map(|(b, e)| (b as u64, e as u64)).collect();
        assert!(!truth.is_empty(), "{t}");
        let r = run(wecom_for(&emu)
            .args(["journals", "stats", "--template", t])
            .args(range("2025-01-01", "2025-06-30"))
            .args(["--out", "-"]))
        .ok();
        let cycles: Vec<StatCycle> = r.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        let got: BTreeSet<(u64, u64)> = cycles.iter().map(|c| (c.cycle_begin_time, c.cycle_end_time)).collect();
        assert_eq!(got, truth, "{t}");
        assert_eq!(got.len(), cycles.len(), "each cycle once");

        let db = dir.path().join("stats.sqlite");
        run(wecom_for(&emu)
            .args(["journals", "stats", "--template", t])
            .args(range("2025-01-01", "2025-06-30"))
            .arg("--out")
            .arg(&db))
        .ok();
        let stored = column(&db, &format!("SELECT CAST(COUNT(*) AS TEXT) FROM stat_cycles WHERE template_id = '{t}'"));
        assert_eq!(stored[0], truth.len().to_string());
        if i == 0 {
            let csv_path = dir.path().join("stats.csv");
            run(wecom_for(&emu)
                .args(["journals", "stats", "--template", t])
                .args(range("2025-01-01", "2025-06-30"))
                .arg("--out")
                .arg(&csv_path))
            .ok();
            let (header, rows) = csv_rows(&csv_path);
            assert_eq!(
                header,
                [
                    "template_id",
                    "template_name",
                    "cycle_begin",
                    "cycle_end",
                    "report_type",
                    "reported",
                    "unreported",
                    "late"
                ]
            );
            assert_eq!(rows.len(), truth.len());
        }
    }
}

#[test]
fn download_is_byte_equal() {
    let emu = start(emulator());
    let dir = tempfile::tempdir().unwrap();
    let files = emu.wedrive_files();
    // The smallest and the largest file (the largest streams in many chunks).
    let mut by_size: Vec<(u64, &(String, String))> =
        files.iter().map(|f| (emu.wedrive_file_size(&f.1).unwrap(), f)).collect();
    by_size.sort();
    for (size, (journal, fileid)) in [by_size[0], by_size[by_size.len() - 1]] {
        let out = dir.path().join(format!("{fileid}.bin"));
        let r = run(wecom_for(&emu)
            .args(["journals", "download", "--journal", journal, "--file", fileid, "--out"])
            .arg(&out))
        .ok();
        assert!(r.stderr.contains(&format!("saved {size} bytes")), "{}", r.stderr);
        assert!(std::fs::read(&out).unwrap() == emu.wedrive_file_bytes(fileid).unwrap(), "{fileid}: bytes differ");
        assert!(!dir.path().join(format!("{fileid}.bin.part")).exists());
    }
    // To stdout.
    let (journal, fileid) = by_size[0].1;
    let out = wecom_for(&emu)
        .args(["journals", "download", "--journal", journal, "--file", fileid, "--out", "-"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(out.stdout == emu.wedrive_file_bytes(fileid).unwrap());
    // A file that is not in that journal: exit 1, one line, nothing left behind.
    let bad = dir.path().join("bad.bin");
    let other = &files.iter().find(|(j, _)| j != journal).unwrap().1;
    let r =
        run(wecom_for(&emu).args(["journals", "download", "--journal", journal, "--file", other, "--out"]).arg(&bad));
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert_eq!(r.error_lines().len(), 1, "{}", r.stderr);
    assert!(!bad.exists() && !dir.path().join("bad.bin.part").exists());
}
