//! `--emulator` with nothing configured, and `wecom emulator` in the foreground.

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use common::*;
use wecom_emulator::{ApprovalFilter as Truth, Emulator};

#[test]
fn the_readme_command_works_with_nothing_configured() {
    let dir = tempfile::tempdir().unwrap();
    // January only, to keep the test short; the README exports the whole half year.
    let r = run(wecom().env_clear().current_dir(dir.path()).args([
        "--emulator",
        "approvals",
        "export",
        "--since",
        "2025-01-01",
        "--until",
        "2025-01-31",
    ]))
    .ok();
    // The same company as the in-process one: default seed and sizes.
    let twin = Emulator::builder().start_blocking().unwrap();
    let truth = twin.approval_ids(JAN1, JAN1 + 31 * DAY - 1, &Truth::new());
    let text = std::fs::read_to_string(dir.path().join("approvals.ndjson")).expect("default output file");
    assert_eq!(ndjson_keys(&text, "sp_no"), truth);
    assert!(r.stderr.contains("using the bundled emulator at http://127.0.0.1:"), "{}", r.stderr);
    assert!(r.stderr.contains(&format!("wrote {} approvals to approvals.ndjson", truth.len())), "{}", r.stderr);
    assert!(r.stderr.contains("API:") && r.stderr.contains("window"), "{}", r.stderr);
}

#[cfg(unix)]
#[test]
fn the_foreground_emulator_serves_until_ctrl_c() {
    let mut child = wecom()
        .args(["emulator", "--addr", "127.0.0.1:0", "--approvals", "200", "--journals", "50", "--rate-limit", "100000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let base = first.rsplit(' ').next().unwrap().to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "{first}");
    let banner: Vec<String> = lines.by_ref().take(12).map(Result::unwrap).collect();
    assert!(banner.iter().any(|l| l.contains("corp secret: emulator-secret")), "{banner:?}");
    assert!(banner.iter().any(|l| l.contains("curl")), "{banner:?}");

    let r = run(wecom()
        .args(["--base-url", &base, "--corp-id", "wwemulatorcorp0001", "--corp-secret", "emulator-secret"])
        .args(["--rate-limit", "100000", "approvals", "export", "--out", "-"])
        .args(range("2025-01-01", "2025-06-30")))
    .ok();
    assert_eq!(r.stdout.lines().count(), 200);

    std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}
