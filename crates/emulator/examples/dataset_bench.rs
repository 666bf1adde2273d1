//! Prints how long a large dataset takes to build and how much memory it uses, and
//! what 1000 changes of the world (overlay) cost.
//!
//! `cargo run --release -p wecom-emulator --example dataset_bench -- 100000`

use std::time::Instant;

use wecom_emulator::{ApprovalFilter, Emulator};

fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let before = rss_kib();
    let t = Instant::now();
    let emu = Emulator::builder().approvals(n).journals(n / 5).start().await.expect("start");
    let built = t.elapsed();
    let after = rss_kib();
    let (s, e) = emu.date_range();
    let t = Instant::now();
    let ids = emu.approval_ids(s, e, &ApprovalFilter::new());
    let walk = t.elapsed();
    let t = Instant::now();
    let mut bytes = 0usize;
    for id in ids.iter().take(1000) {
        bytes += emu.approval_detail(id).map(|v| v.to_string().len()).unwrap_or(0);
    }
    let render = t.elapsed();
    println!("approvals:        {n}");
    println!("journals:         {}", n / 5);
    println!("build + bind:     {built:?}");
    match (before, after) {
        (Some(b), Some(a)) => println!("RSS:              {b} KiB -> {a} KiB (+{} KiB)", a.saturating_sub(b)),
        _ => println!("RSS:              unavailable"),
    }
    println!("ground-truth ids: {} in {walk:?}", ids.len());
    println!("1000 details:     {render:?} ({} bytes of JSON)", bytes);
    let before_changes = rss_kib();
    let t = Instant::now();
    for _ in 0..1000 {
        emu.step().expect("a change");
    }
    let changes = t.elapsed();
    let after_changes = rss_kib();
    let t = Instant::now();
    let open = emu.approval_ids(s, emu.latest_apply_time(), &ApprovalFilter::new().sp_status(1));
    let walk_open = t.elapsed();
    match (before_changes, after_changes) {
        (Some(b), Some(a)) => println!("1000 changes:     {changes:?} (RSS +{} KiB)", a.saturating_sub(b)),
        _ => println!("1000 changes:     {changes:?}"),
    }
    println!("open-form ids:    {} in {walk_open:?} (sp_status over the overlay)", open.len());
}
