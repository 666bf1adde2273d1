//! Shared setup: an emulator on loopback and a client pointed at it.
#![allow(dead_code)]

use std::time::Duration;

use wecom_client::{Client, ClientBuilder, RateLimit, RetryPolicy};
use wecom_emulator::{Emulator, EmulatorBuilder, EmulatorHandle};

pub const DAY: u64 = 86_400;
/// 2025-01-01 00:00:00 +08:00, the emulator's default dataset start.
pub const JAN1: u64 = 1_735_660_800;

/// Calls per minute the tests allow, on both sides (the real 600/min would make them slow;
/// `ratelimit.rs` tests the real behaviour with a short window instead).
pub const TEST_RATE: u32 = 100_000;

/// An emulator with a small, fast dataset unless the caller changes it.
pub fn emulator() -> EmulatorBuilder {
    Emulator::builder().seed(7).approvals(600).journals(300).rate_limit_per_minute(TEST_RATE)
}

/// A client for `emu` with quick retries (tests must not sleep for long).
pub fn client(emu: &EmulatorHandle) -> ClientBuilder {
    Client::builder()
        .base_url(emu.base_url())
        .corp_id(emu.corp_id())
        .corp_secret(emu.corp_secret())
        .retry_policy(fast_retries())
        .timeout(Duration::from_secs(10))
        .rate_limit_all(RateLimit::per_minute(TEST_RATE))
}

pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(8)
        .backoff(Duration::from_millis(5), Duration::from_millis(50))
        .max_elapsed(Duration::from_secs(60))
        .rate_limited_wait(Duration::from_millis(50))
}

pub async fn start(b: EmulatorBuilder) -> EmulatorHandle {
    b.start().await.expect("emulator starts")
}

pub mod loopback;
