//! Bad input and failures: exit codes, one clear line, no secret, nothing lost.

mod common;

use std::time::{Duration, Instant};

use common::*;

const SECRET: &str = "sekr1t-Zq9-do-not-print";

fn export(cmd: &mut std::process::Command) -> &mut std::process::Command {
    cmd.args(["approvals", "export"])
}

fn assert_one_error(r: &Run, code: i32, needles: &[&str]) {
    assert_eq!(r.code, Some(code), "stderr:\n{}", r.stderr);
    let errors = r.error_lines();
    assert_eq!(errors.len(), 1, "one error line:\n{}", r.stderr);
    for n in needles {
        assert!(errors[0].contains(n), "{n:?} missing from {:?}", errors[0]);
    }
    assert!(!r.stderr.contains("panicked") && !r.stderr.contains("backtrace"), "{}", r.stderr);
    assert!(
        !r.stdout.contains(SECRET) && !r.stderr.contains(SECRET),
        "the secret was printed:\n{}{}",
        r.stdout,
        r.stderr
    );
}

#[test]
fn bad_dates_and_inverted_ranges_are_usage_errors() {
    let creds = ["--corp-id", "ww1", "--corp-secret", SECRET];
    let r = run(export(wecom().args(creds)).args(range("2025-13-01", "2025-06-30")));
    assert_one_error(&r, 2, &["--since", "2025-13-01", "YYYY-MM-DD"]);
    let r = run(export(wecom().args(creds)).args(range("2025-01-01", "30/06/2025")));
    assert_one_error(&r, 2, &["--until", "RFC 3339"]);
    let r = run(export(wecom().args(creds)).args(range("2025-06-30", "2025-01-01")));
    assert_one_error(&r, 2, &["inverted range"]);
    let r = run(wecom()
        .args(creds)
        .args(["journals", "stats", "--template", "t"])
        .args(range("2025-02-01T00:00:00Z", "2025-01-01T00:00:00Z")));
    assert_one_error(&r, 2, &["inverted range"]);
}

#[test]
fn missing_credentials_name_the_flags_and_the_variables() {
    let r = run(export(&mut wecom()).args(range("2025-01-01", "2025-06-30")));
    assert_one_error(&r, 2, &["--corp-id", "WECOM_CORP_ID", "--corp-secret", "WECOM_CORP_SECRET"]);
    let r = run(export(wecom().env("WECOM_CORP_SECRET", SECRET)).args(range("2025-01-01", "2025-06-30")));
    assert_one_error(&r, 2, &["no corp id", "WECOM_CORP_ID"]);
    let r =
        run(wecom().args(["--corp-id", "ww1", "journals", "download", "--journal", "j", "--file", "f", "--out", "x"]));
    assert_one_error(&r, 2, &["no corp secret", "--corp-secret"]);
}

#[test]
fn a_wrong_secret_is_a_credentials_error_and_keeps_the_existing_file() {
    let emu = start(emulator());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("keep.ndjson");
    std::fs::write(&out, "{\"earlier\":\"export\"}\n").unwrap();
    let r =
        run(export(wecom().args(["--base-url", &emu.base_url(), "--corp-id", emu.corp_id(), "--corp-secret", SECRET]))
            .args(range("2025-01-01", "2025-06-30"))
            .arg("--out")
            .arg(&out));
    assert_one_error(&r, 1, &["credentials", "40001", "--corp-secret"]);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "{\"earlier\":\"export\"}\n", "nothing already written is lost");
    assert_eq!(emu.call_count("/cgi-bin/gettoken"), 1, "a wrong secret is not retried");
    // Also with debug logging on.
    let r = run(export(
        wecom()
            .args(["-vv", "--base-url", &emu.base_url(), "--corp-id", emu.corp_id()])
            .env("WECOM_CORP_SECRET", SECRET),
    )
    .args(range("2025-01-01", "2025-06-30"))
    .args(["--out", "-"]));
    assert_one_error(&r, 1, &["credentials"]);
}

#[test]
fn a_network_failure_exits_1_after_quick_retries() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.csv");
    let started = Instant::now();
    let r = run(export(wecom().args([
        "--base-url",
        &format!("http://127.0.0.1:{port}"),
        "--corp-id",
        "ww1",
        "--corp-secret",
        SECRET,
        "--retry-backoff-ms",
        "5",
        "--no-progress",
    ]))
    .args(range("2025-01-01", "2025-06-30"))
    .arg("--out")
    .arg(&out));
    assert_one_error(&r, 1, &["network failure", &format!("127.0.0.1:{port}"), "gave up after 6 attempts"]);
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(!out.exists(), "no empty file is left behind");
}

#[test]
fn output_errors_are_usage_errors() {
    let creds = ["--corp-id", "ww1", "--corp-secret", SECRET];
    let r = run(export(wecom().args(creds))
        .args(range("2025-01-01", "2025-06-30"))
        .args(["--out", "-", "--format", "sqlite"]));
    assert_one_error(&r, 2, &["SQLite needs a file"]);
    let r = run(export(wecom().args(creds)).args(range("2025-01-01", "2025-06-30")).args(["--out", "report.xlsx"]));
    assert_one_error(&r, 2, &["cannot tell the format", "--format"]);
    let r = run(export(wecom().args(creds)).args(range("2025-01-01", "2025-06-30")).args(["--format", "xml"]));
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.starts_with("error: invalid value 'xml' for '--format"), "{}", r.stderr);
    let r = run(export(wecom().args(creds))
        .args(range("2025-01-01", "2025-06-30"))
        .args(["--out", "/nonexistent-dir/a.csv"]));
    assert_one_error(&r, 2, &["does not exist"]);
    let r = run(wecom().args(["approvals", "export", "--since", "2025-01-01"]));
    assert_eq!(r.code, Some(2), "clap usage errors are 2");
    assert!(!r.stdout.contains(SECRET) && !r.stderr.contains(SECRET));
}

#[test]
fn help_documents_the_surface_and_never_shows_the_secret() {
    let r = run(wecom().arg("--help").env("WECOM_CORP_SECRET", SECRET).env("WECOM_CORP_ID", "ww-visible")).ok();
    for needle in ["--emulator", "30000", "--corp-secret", "WECOM_CORP_SECRET", "approvals", "journals", "Exit codes"] {
        assert!(r.stdout.contains(needle), "{needle} missing:\n{}", r.stdout);
    }
    assert!(!r.stdout.contains(SECRET));
    let r = run(wecom().args(["approvals", "export", "--help"])).ok();
    for needle in
        ["--since", "--until", "--status", "--template", "--creator", "--department", "--out", "--format", "UTC+8"]
    {
        assert!(r.stdout.contains(needle), "{needle} missing:\n{}", r.stdout);
    }
}

#[test]
fn a_permission_error_names_the_admin_console_step() {
    let emu = start(
        emulator()
            .deny_permission("/cgi-bin/oa/getapprovalinfo")
            .deny_permission("/cgi-bin/oa/journal/get_record_list"),
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("approvals.sqlite");
    let r = run(export(&mut wecom_for(&emu)).args(range("2025-01-01", "2025-03-31")).arg("--out").arg(&out));
    assert_one_error(&r, 1, &["301055", "审批 → API → 可调用接口的应用"]);
    assert_eq!(emu.call_count("/cgi-bin/oa/getapprovalinfo"), 1, "a permission error is not retried");
    let r =
        run(wecom_for(&emu).args(["journals", "export"]).args(range("2025-01-01", "2025-01-31")).args(["--out", "-"]));
    assert_one_error(&r, 1, &["301065", "汇报 → API → 可调用接口的应用"]);
    assert!(r.stdout.is_empty());
}
