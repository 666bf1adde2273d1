//! Rate limits against an emulator with a shortened "minute": a client-side limiter keeps an
//! export free of 45009; without it, 45009 is waited out; 45033 is backed off.

mod common;

use std::time::Duration;

use common::*;
use futures::TryStreamExt;
use wecom_client::{RateLimit, TimeRange};
use wecom_emulator::{ApprovalFilter as Truth, Emulator, FaultKind, Faults};

const WINDOW: Duration = Duration::from_secs(1);
const LIMIT: u32 = 40;

async fn limited_emulator() -> wecom_emulator::EmulatorHandle {
    Emulator::builder()
        .seed(3)
        .approvals(160)
        .journals(10)
        .rate_limit_per_minute(LIMIT)
        .rate_window(WINDOW)
        .start()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limited_export_never_sees_45009() {
    let emu = limited_emulator().await;
    let client =
        common::client(&emu).rate_limit_all(RateLimit { calls: LIMIT, per: WINDOW }).concurrency(8).build().unwrap();
    let (s, e) = emu.date_range();
    let range = TimeRange::new(s as u64, e as u64).unwrap();
    let details: Vec<_> = client.approvals().details(range, []).try_collect().await.unwrap();
    assert_eq!(details.len(), emu.approval_ids(s, e, &Truth::new()).len());
    assert_eq!(emu.errcode_count(45009), 0, "the server never had to refuse a call");
    assert_eq!(client.stats().rate_limited, 0);
    assert!(client.stats().throttled > Duration::from_millis(500), "the limiter did pace the calls");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_client_limiter_45009_is_waited_out_and_nothing_is_lost() {
    let emu = limited_emulator().await;
    let client = common::client(&emu)
        .rate_limiting(false)
        .retry_policy(fast_retries().rate_limited_wait(WINDOW).max_attempts(20))
        .build()
        .unwrap();
    let (s, e) = emu.date_range();
    let range = TimeRange::new(s as u64, e as u64).unwrap();
    let details: Vec<_> = client.approvals().details(range, []).try_collect().await.unwrap();
    assert_eq!(details.len(), emu.approval_ids(s, e, &Truth::new()).len());
    assert!(emu.errcode_count(45009) > 0, "this export did hit the limit");
    assert_eq!(client.stats().rate_limited, emu.errcode_count(45009));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrency_limit_45033_is_backed_off() {
    // Every call takes 30 ms, so a dozen in flight overlap.
    let slow = Faults { delay_duration: Duration::from_millis(30), ..Faults::only(FaultKind::Delay, 1.0, 1) };
    let emu = start(emulator().approvals(120).concurrency_limit(Some(2)).faults(slow)).await;
    let client = common::client(&emu).concurrency(12).build().unwrap();
    let (s, e) = emu.date_range();
    let range = TimeRange::new(s as u64, e as u64).unwrap();
    let details: Vec<_> = client.approvals().details(range, []).try_collect().await.unwrap();
    assert_eq!(details.len(), 120);
    assert!(emu.errcode_count(45033) > 0, "the emulator did refuse concurrent calls");
}
