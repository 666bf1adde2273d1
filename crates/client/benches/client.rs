//! `cargo bench -p wecom-client`: figures for the client against the emulator on this machine.
//!
//! 1. Client CPU time per detail call (the emulator runs on its own threads; only the
//!    client's thread is measured), with drift recording off (the default) and on.
//! 2. Achieved call rate of a rate-limited export, as a fraction of the configured limit, and
//!    how many 45009s the server sent (goal: >= 0.95 and none).
//! 3. Typed deserialization of a large approval detail vs parsing it into
//!    `serde_json::Value` (goal: typed no slower).
//!
//! Sizes can be changed with `WECOM_BENCH_CALLS` (detail calls for 1) and
//! `WECOM_BENCH_RATE_SECONDS` (length of 2).

use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt};

use wecom_client::{Client, RateLimit, TimeRange};
use wecom_emulator::{ApprovalFilter, Emulator, EmulatorHandle};
use wecom_models::approval::GetApprovalDetailResponse;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Starts an emulator on its own runtime and threads, so the client's thread is measured alone.
fn emulator(
    configure: impl FnOnce(wecom_emulator::EmulatorBuilder) -> wecom_emulator::EmulatorBuilder + Send + 'static,
) -> EmulatorHandle {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
        rt.block_on(async move {
            let emu = configure(Emulator::builder().seed(1)).start().await.expect("emulator");
            tx.send(emu).expect("send handle");
            std::future::pending::<()>().await;
        });
    });
    rx.recv().expect("emulator handle")
}

fn client(emu: &EmulatorHandle) -> wecom_client::ClientBuilder {
    Client::builder().base_url(emu.base_url()).corp_id(emu.corp_id()).corp_secret(emu.corp_secret())
}

fn cpu_per_detail_call(rt: &tokio::runtime::Runtime, drift: bool) {
    let calls = env_or("WECOM_BENCH_CALLS", 2000) as usize;
    let emu = emulator(|b| b.approvals(2000).rate_limit_per_minute(10_000_000));
    let client = client(&emu).rate_limit_all(RateLimit::per_minute(10_000_000)).record_drift(drift).build().unwrap();
    let (s, e) = emu.date_range();
    let ids = emu.approval_ids(s, e, &ApprovalFilter::new());
    rt.block_on(async {
        client.approvals().detail(ids[0].clone()).await.unwrap(); // token and connection warm
        let cpu = cpu_time::ThreadTime::now();
        let wall = Instant::now();
        for i in 0..calls {
            client.approvals().detail(ids[i % ids.len()].clone()).await.unwrap();
        }
        let cpu = cpu.elapsed();
        let wall = wall.elapsed();
        let found = client.drift().map(|d| format!(", {} drift findings", d.findings().len())).unwrap_or_default();
        println!(
            "detail calls:        {calls} sequential calls, drift {}: client CPU {:.1} µs/call, wall {:.1} µs/call{found}",
            if drift { "on " } else { "off" },
            cpu.as_secs_f64() * 1e6 / calls as f64,
            wall.as_secs_f64() * 1e6 / calls as f64
        );
    });
}

fn rate_limited_export(rt: &tokio::runtime::Runtime) {
    let seconds = env_or("WECOM_BENCH_RATE_SECONDS", 20);
    // A shortened "minute" so the bench is quick: 100 calls per 2 s window, per endpoint.
    let limit = RateLimit { calls: 100, per: Duration::from_secs(2) };
    let per_second = f64::from(limit.calls) / limit.per.as_secs_f64();
    let wanted = (per_second * seconds as f64) as usize;
    let emu = emulator(move |b| b.approvals(wanted + 50).rate_limit_per_minute(limit.calls).rate_window(limit.per));
    let client = client(&emu).rate_limit_all(limit).concurrency(16).build().unwrap();
    let (s, e) = emu.date_range();
    let range = TimeRange::new(s as u64, e as u64).unwrap();
    rt.block_on(async {
        let ids: Vec<String> = client.approvals().ids(range, []).try_collect().await.unwrap();
        let ids: Vec<String> = ids.into_iter().take(wanted).collect();
        // Let the detail endpoint's window start fresh.
        tokio::time::sleep(limit.per).await;
        let before = emu.call_count("/cgi-bin/oa/getapprovaldetail");
        let started = Instant::now();
        let stream = futures::stream::iter(ids.clone().into_iter().map(Ok)).boxed();
        let n = client.approvals().details_for(stream).fold_count().await;
        let elapsed = started.elapsed();
        let calls = emu.call_count("/cgi-bin/oa/getapprovaldetail") - before;
        let achieved = calls as f64 / elapsed.as_secs_f64();
        println!(
            "rate-limited export: {n} details, {calls} calls in {:.1} s = {achieved:.1} calls/s of {per_second:.1} allowed = {:.3} of the limit; 45009 answers: {}",
            elapsed.as_secs_f64(),
            achieved / per_second,
            emu.errcode_count(45009)
        );
    });
}

trait FoldCount {
    async fn fold_count(self) -> usize;
}

impl<S, T, E> FoldCount for S
where
    S: futures::Stream<Item = Result<T, E>> + Unpin,
    E: std::fmt::Display,
{
    async fn fold_count(mut self) -> usize {
        let mut n = 0;
        while let Some(r) = self.next().await {
            if let Err(e) = r {
                panic!("{e}");
            }
            n += 1;
        }
        n
    }
}

fn typed_vs_value(rt: &tokio::runtime::Runtime) {
    let emu = emulator(|b| b.approvals(3000));
    let (s, e) = emu.date_range();
    // The largest detail in the dataset, as the server sends it.
    let body = rt.block_on(async {
        let http = reqwest::Client::new();
        let mut biggest = String::new();
        let token = emu.issue_token();
        for id in emu.approval_ids(s, e, &ApprovalFilter::new()).iter().take(400) {
            let text = http
                .post(format!("{}/cgi-bin/oa/getapprovaldetail?access_token={token}", emu.base_url()))
                .body(format!("{{\"sp_no\":\"{id}\"}}"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            if text.len() > biggest.len() {
                biggest = text;
            }
        }
        biggest
    });
    let iterations = 20_000usize;
    let time = |f: &dyn Fn()| {
        for _ in 0..200 {
            f();
        }
        let started = Instant::now();
        for _ in 0..iterations {
            f();
        }
        started.elapsed() / iterations as u32
    };
    let typed = time(&|| {
        let r: GetApprovalDetailResponse = serde_json::from_str(std::hint::black_box(&body)).unwrap();
        std::hint::black_box(r);
    });
    let value = time(&|| {
        let v: serde_json::Value = serde_json::from_str(std::hint::black_box(&body)).unwrap();
        std::hint::black_box(v);
    });
    // What drift recording adds per answer: a second parse into a `Value` and the walk.
    let inspect = time(&|| {
        let v: serde_json::Value = serde_json::from_str(std::hint::black_box(&body)).unwrap();
        std::hint::black_box(wecom_models::drift::collect::<GetApprovalDetailResponse>(&v));
    });
    let mbps = |d: Duration| body.len() as f64 / d.as_secs_f64() / 1e6;
    println!(
        "deserialize detail:  {} bytes; typed {:.1} µs ({:.0} MB/s), serde_json::Value {:.1} µs ({:.0} MB/s); typed/value = {:.2}",
        body.len(),
        typed.as_secs_f64() * 1e6,
        mbps(typed),
        value.as_secs_f64() * 1e6,
        mbps(value),
        typed.as_secs_f64() / value.as_secs_f64()
    );
    println!("drift inspection:    parse as Value and walk the same detail: {:.1} µs", inspect.as_secs_f64() * 1e6);
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: only measure for bench.
    if !std::env::args().any(|a| a == "--bench") {
        println!("run with `cargo bench -p wecom-client` to measure");
        return;
    }
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    typed_vs_value(&rt);
    cpu_per_detail_call(&rt, false);
    cpu_per_detail_call(&rt, true);
    rate_limited_export(&rt);
}
