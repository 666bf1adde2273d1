//! `wecom approvals sync` end to end: the real binary, a real SQLite file, the emulator in this
//! process pushing encrypted callbacks over loopback HTTP to the binary's listener. Every test
//! ends by comparing the mirror with the emulator's ground truth, form by form.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use rusqlite::{Connection, OpenFlags};
use wecom_callback::DedupKey;
use wecom_emulator::{ActivityMix, ApprovalFilter, EmulatorHandle, Faults, PushFaults, RetryOn};
use wecom_models::approval::ApprovalDetail;

const TOKEN: &str = "syncTestToken7";
const AES_KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

/// A small company whose pushes follow WeCom's rules with short timings; no urges (an urge
/// changes nothing a detail shows, and two in one second are byte-identical events).
fn company(faults: PushFaults) -> EmulatorHandle {
    start(
        emulator()
            .approvals(200)
            .journals(0)
            .push_faults(faults)
            .activity_mix(ActivityMix { urge: 0, ..ActivityMix::default() })
            .delivery(wecom_emulator::Delivery {
                timeout: Duration::from_secs(2),
                attempts: 3,
                retry_delay: Duration::from_millis(50),
                retry_on: RetryOn::NotOk,
            }),
    )
}

/// A free loopback port (bound, then released for the child to take).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A running `wecom approvals sync`, its stderr collected as it comes.
struct Sync {
    child: Child,
    stderr: Arc<Mutex<String>>,
    url: String,
}

impl Sync {
    /// Starts the binary on `db`, listening on `port`, and waits until the backfill is done
    /// and the live phase has begun.
    fn start(emu: &EmulatorHandle, db: &Path, port: u16, args: &[&str]) -> Sync {
        let mut cmd = wecom_for(emu);
        cmd.args(["--concurrency", "4", "approvals", "sync", "--since", "2025-01-01", "--out"]).arg(db);
        cmd.args(["--listen", &format!("127.0.0.1:{port}"), "--callback-token", TOKEN, "--callback-aes-key", AES_KEY]);
        cmd.args(args).stderr(Stdio::piped()).stdout(Stdio::null());
        let mut child = cmd.spawn().expect("wecom starts");
        let stderr = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let pipe = child.stderr.take().unwrap();
        let sink = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                if line.starts_with("syncing approvals") {
                    let _ = tx.send(());
                }
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        if rx.recv_timeout(Duration::from_secs(20)).is_err() {
            let _ = child.kill();
            panic!("the sync did not reach its live phase:\n{}", stderr.lock().unwrap());
        }
        let url = format!("http://127.0.0.1:{port}/wecom/callback");
        Sync { child, stderr, url }
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Waits for the run to end by itself (`--duration`); returns its exit code and stderr.
    fn wait(mut self, limit: Duration) -> (Option<i32>, String) {
        let t = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                std::thread::sleep(Duration::from_millis(100));
                return (status.code(), self.stderr());
            }
            if t.elapsed() > limit {
                let _ = self.child.kill();
                panic!("the sync did not end in {limit:?}:\n{}", self.stderr());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Waits (up to 20 s) until every push started so far has ended.
fn deliveries_idle(emu: &EmulatorHandle) -> bool {
    let t = Instant::now();
    while emu.pending_deliveries() > 0 {
        if t.elapsed() > Duration::from_secs(20) {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    true
}

fn read_only(db: &Path) -> Connection {
    let c = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    c.busy_timeout(Duration::from_secs(5)).unwrap();
    c
}

/// Every form of the mirror, typed from its stored JSON.
fn mirror(db: &Path) -> BTreeMap<String, ApprovalDetail> {
    let c = read_only(db);
    let mut stmt = c.prepare("SELECT sp_no, json FROM approvals").unwrap();
    stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .unwrap()
        .map(|row| {
            let (sp_no, json) = row.unwrap();
            (sp_no, serde_json::from_str(&json).unwrap())
        })
        .collect()
}

/// Every form of the emulator, as its detail endpoint shows it now.
fn truth(emu: &EmulatorHandle) -> BTreeMap<String, ApprovalDetail> {
    let end = chrono::Utc::now().timestamp() + 86_400;
    emu.approval_ids(JAN1, end, &ApprovalFilter::new())
        .into_iter()
        .map(|sp_no| {
            let detail = serde_json::from_value(emu.approval_detail(&sp_no).unwrap()).unwrap();
            (sp_no, detail)
        })
        .collect()
}

/// The mirror holds exactly the emulator's forms, each with the same status and content.
fn assert_mirror_is_truth(db: &Path, emu: &EmulatorHandle) {
    let (mirror, truth) = (mirror(db), truth(emu));
    assert_eq!(mirror.keys().collect::<Vec<_>>(), truth.keys().collect::<Vec<_>>(), "the same forms");
    let differ: Vec<_> = truth.iter().filter(|(k, v)| mirror.get(*k) != Some(v)).map(|(k, _)| k.clone()).collect();
    assert!(differ.is_empty(), "{} forms differ from the emulator, e.g. {:?}", differ.len(), differ.first());
}

fn scalar(db: &Path, sql: &str) -> i64 {
    read_only(db).query_row(sql, [], |r| r.get(0)).unwrap()
}

/// The keys of the callback entries of the event log, each checked to appear once.
fn logged_callback_keys(db: &Path) -> BTreeSet<String> {
    let c = read_only(db);
    let mut stmt = c.prepare("SELECT key FROM approval_events WHERE source = 'callback'").unwrap();
    let keys: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    let set: BTreeSet<String> = keys.iter().cloned().collect();
    assert_eq!(set.len(), keys.len(), "an event was applied twice");
    set
}

#[test]
fn every_delivered_event_is_applied_exactly_once_under_push_faults() {
    let faults = PushFaults {
        seed: 11,
        drop: 0.1,
        duplicate: 0.3,
        delay: 0.2,
        reorder: 0.2,
        delay_duration: Duration::from_millis(700),
        copies: 3,
        reorder_hold: Duration::from_millis(400),
    };
    let emu = company(faults);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("mirror.sqlite");
    let sync = Sync::start(&emu, &db, free_port(), &["--reconcile-every", "3s", "--duration", "9s"]);
    emu.set_callback(&sync.url, TOKEN, AES_KEY).unwrap();
    for _ in 0..60 {
        emu.step().expect("a change");
        std::thread::sleep(Duration::from_millis(40));
    }
    assert!(deliveries_idle(&emu), "deliveries did not end");
    let (code, stderr) = sync.wait(Duration::from_secs(30));
    assert_eq!(code, Some(0), "{stderr}");

    let deliveries = emu.deliveries();
    assert!(deliveries.iter().any(|d| d.dropped) && deliveries.iter().any(|d| d.duplicated), "faults were drawn");
    assert!(deliveries.iter().any(|d| d.reordered) && deliveries.iter().any(|d| d.delayed), "faults were drawn");
    // Each event that reached the listener is in the log once; a dropped one never is.
    let events = emu.events();
    let delivered: BTreeSet<String> = events
        .iter()
        .zip(&deliveries)
        .filter(|(_, d)| d.accepted > 0)
        .map(|(e, _)| DedupKey::of(&e.xml).to_string())
        .collect();
    assert_eq!(logged_callback_keys(&db), delivered);
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM callback_inbox WHERE state = 'pending'"), 0);
    // Dropped pushes are healed by reconciliation: the mirror is the truth.
    assert_mirror_is_truth(&db, &emu);
    assert!(stderr.contains("duplicates"), "{stderr}");
}

#[test]
fn a_missed_status_change_is_healed_by_the_next_reconcile() {
    // Every push is lost: only reconciliation can see the changes.
    let emu = company(PushFaults { drop: 1.0, ..PushFaults::none() });
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("mirror.sqlite");
    let every = Duration::from_secs(2);
    let sync = Sync::start(&emu, &db, free_port(), &["--reconcile-every", "2s", "--duration", "10s"]);
    emu.set_callback(&sync.url, TOKEN, AES_KEY).unwrap();
    let open = emu.open_approvals();
    let form = open.first().expect("an open form").clone();
    let changed_at = Instant::now();
    emu.reject(&form).expect("rejected");
    let submitted = emu.submit_approval().expect("submitted").sp_no;
    let status = |sp_no: &str| -> Option<i64> {
        read_only(&db).query_row("SELECT status FROM approvals WHERE sp_no = ?1", [sp_no], |r| r.get(0)).ok()
    };
    while status(&form) != Some(3) || status(&submitted).is_none() {
        assert!(
            changed_at.elapsed() < every + Duration::from_secs(2),
            "not healed within one reconcile cycle ({every:?}):\n{}",
            sync.stderr()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let healed_in = changed_at.elapsed();
    let (code, stderr) = sync.wait(Duration::from_secs(30));
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        scalar(&db, &format!("SELECT COUNT(*) FROM approval_events WHERE source = 'reconcile' AND sp_no = '{form}'")),
        1,
        "the healed change is in the event log once"
    );
    assert!(logged_callback_keys(&db).is_empty(), "no push arrived");
    assert_mirror_is_truth(&db, &emu);
    assert!(healed_in < every + Duration::from_secs(2));
}

#[test]
fn a_run_killed_mid_way_is_finished_by_the_next() {
    let emu = company(PushFaults::none());
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("mirror.sqlite");
    let port = free_port();
    let sync = Sync::start(&emu, &db, port, &["--reconcile-every", "1h", "--concurrency", "2"]);
    // Slow details, fast changes: the inbox fills faster than the worker drains it.
    emu.set_faults(Faults { delay: 1.0, delay_duration: Duration::from_millis(150), ..Faults::none() });
    emu.set_callback(&sync.url, TOKEN, AES_KEY).unwrap();
    for _ in 0..80 {
        emu.step().expect("a change");
        std::thread::sleep(Duration::from_millis(25));
    }
    let mut sync = sync;
    sync.child.kill().expect("SIGKILL");
    let _ = sync.child.wait();
    let pending = scalar(&db, "SELECT COUNT(*) FROM callback_inbox WHERE state = 'pending'");
    assert!(pending > 0, "the kill should leave events in the inbox:\n{}", sync.stderr());
    let applied_before = logged_callback_keys(&db);

    // Pushes made while nobody listens are retried, then given up: the restart must heal those.
    emu.set_faults(Faults::none());
    for _ in 0..10 {
        emu.step().expect("a change");
    }
    assert!(deliveries_idle(&emu));
    let again = Sync::start(&emu, &db, port, &["--reconcile-every", "2s", "--duration", "5s"]);
    for _ in 0..10 {
        emu.step().expect("a change");
        std::thread::sleep(Duration::from_millis(30));
    }
    assert!(deliveries_idle(&emu));
    let (code, stderr) = again.wait(Duration::from_secs(30));
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM callback_inbox WHERE state = 'pending'"), 0);
    let applied_after = logged_callback_keys(&db);
    assert!(applied_after.is_superset(&applied_before));
    assert_eq!(
        scalar(&db, "SELECT COUNT(*) FROM callback_inbox WHERE state = 'done'") as usize,
        applied_after.len(),
        "every event in the inbox was applied once"
    );
    assert_mirror_is_truth(&db, &emu);
}

#[test]
fn a_run_never_sees_45009_and_reports_the_call_split() {
    // The emulator and the client both allow 600 calls/min per endpoint, WeCom's real limit.
    let emu = start(
        emulator()
            .approvals(40)
            .journals(0)
            .rate_limit_per_minute(600)
            .activity_mix(ActivityMix { urge: 0, ..ActivityMix::default() }),
    );
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("mirror.sqlite");
    let mut cmd = wecom_at_rate(&emu, 600);
    cmd.args(["approvals", "sync", "--since", "2025-01-01", "--out"]).arg(&db);
    cmd.args(["--listen", "127.0.0.1:0", "--callback-token", TOKEN, "--callback-aes-key", AES_KEY]);
    cmd.args(["--reconcile-every", "1s", "--duration", "6s"]);
    let r = run(&mut cmd).ok();
    assert_eq!(emu.errcode_count(45009), 0, "{}", r.stderr);
    let split = r.stderr.lines().find(|l| l.trim_start().starts_with("API calls: backfill")).expect(&r.stderr);
    let numbers: Vec<u64> =
        split.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty()).filter_map(|s| s.parse().ok()).collect();
    // backfill, live, reconcile, in all, retries, 45009 (then the 45009 in "× 45009").
    let (backfill, live, reconcile, all) = (numbers[0], numbers[1], numbers[2], numbers[3]);
    assert!(backfill > 40 && reconcile > 0, "{split}");
    assert_eq!(backfill + live + reconcile, all, "every call belongs to a part: {split}");
    assert!(split.contains(" 0 × 45009"), "{split}");
    assert_mirror_is_truth(&db, &emu);
}

#[test]
fn the_emulator_demo_follows_the_activity() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("wecom.sqlite");
    let mut cmd = wecom();
    cmd.args(["--emulator", "--no-progress", "approvals", "sync", "--duration", "6s", "--reconcile-every", "2s"]);
    cmd.args(["--emulator-activity", "600", "--out"]).arg(&db);
    let r = run(&mut cmd).ok();
    assert!(r.stderr.contains("pushed to http://127.0.0.1:"), "{}", r.stderr);
    let check = r.stderr.lines().find(|l| l.trim_start().starts_with("emulator:")).expect(&r.stderr);
    assert!(check.ends_with(" 0 with a status differing from the emulator's"), "{check}");
    assert!(scalar(&db, "SELECT COUNT(*) FROM approval_events WHERE source = 'callback'") > 0, "{}", r.stderr);
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM callback_inbox WHERE state = 'pending'"), 0);
}
