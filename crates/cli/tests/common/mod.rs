//! Shared setup: an emulator in the test process and the real `wecom` binary pointed at it.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

use wecom_emulator::{Emulator, EmulatorBuilder, EmulatorHandle};

/// Calls per minute both sides allow in tests (WeCom's real 600/min would make them slow).
pub const TEST_RATE: u32 = 100_000;
/// 2025-01-01T00:00:00+08:00.
pub const JAN1: i64 = 1_735_660_800;
pub const DAY: i64 = 86_400;

/// A small, fast company unless the caller changes it.
pub fn emulator() -> EmulatorBuilder {
    Emulator::builder().seed(7).approvals(600).journals(300).rate_limit_per_minute(TEST_RATE)
}

pub fn start(b: EmulatorBuilder) -> EmulatorHandle {
    b.start_blocking().expect("emulator starts")
}

/// The binary with no `WECOM_*` variables from the developer's environment.
pub fn wecom() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_wecom"));
    for var in ["WECOM_CORP_ID", "WECOM_CORP_SECRET", "WECOM_BASE_URL", "WECOM_RATE_LIMIT", "RUST_LOG"] {
        c.env_remove(var);
    }
    c.stdin(Stdio::null());
    c
}

/// The binary pointed at `emu`, with quick retries and a high rate budget.
pub fn wecom_for(emu: &EmulatorHandle) -> Command {
    wecom_at_rate(emu, TEST_RATE)
}

/// The binary pointed at `emu`, allowing itself `rate` calls per minute per endpoint.
pub fn wecom_at_rate(emu: &EmulatorHandle, rate: u32) -> Command {
    let mut c = wecom();
    c.args(["--base-url", &emu.base_url(), "--corp-id", emu.corp_id(), "--corp-secret", emu.corp_secret()]);
    c.args(["--rate-limit", &rate.to_string(), "--no-progress", "--retry-backoff-ms", "5"]);
    c
}

/// What a run printed and how it ended.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The `error: …` lines.
    pub fn error_lines(&self) -> Vec<&str> {
        self.stderr.lines().filter(|l| l.starts_with("error")).collect()
    }

    /// Asserts a successful run.
    pub fn ok(self) -> Run {
        assert_eq!(self.code, Some(0), "stderr:\n{}", self.stderr);
        self
    }
}

pub fn run(cmd: &mut Command) -> Run {
    let Output { status, stdout, stderr } = cmd.output().expect("wecom runs");
    Run {
        code: status.code(),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// `--since A --until B` as args.
pub fn range(since: &str, until: &str) -> [String; 4] {
    ["--since".into(), since.into(), "--until".into(), until.into()]
}

/// Row count of a table.
pub fn count_rows(db: &Path, table: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0)).unwrap()
}

/// One column of a table, in key order.
pub fn column(db: &Path, sql: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map([], |r| r.get::<_, String>(0)).unwrap().map(Result::unwrap).collect()
}

/// The `sp_no`/uuid field of every NDJSON line, in order.
pub fn ndjson_keys(text: &str, key: &str) -> Vec<String> {
    text.lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("a JSON line");
            match &v[key] {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            }
        })
        .collect()
}

/// The rows of a CSV file (header checked by the caller).
pub fn csv_rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = r.records().map(|rec| rec.unwrap().iter().map(str::to_owned).collect()).collect();
    (header, rows)
}
