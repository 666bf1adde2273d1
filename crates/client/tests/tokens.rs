//! Token life cycle against the emulator: lazy fetch, caching per corp and secret, single
//! flight after expiry, refresh-once on revocation, no loops, credential failures at once.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use common::*;
use wecom_client::{AccessToken, BoxFuture, Client, Error, RetryPolicy, TokenSource};
use wecom_emulator::{FaultKind, Faults};
use wecom_endpoints::{ErrorClass, ErrorCode};

const TOKEN: &str = "/cgi-bin/gettoken";
const DETAIL: &str = "/cgi-bin/oa/getapprovaldetail";

fn first_sp_no(emu: &wecom_emulator::EmulatorHandle) -> String {
    let (s, e) = emu.date_range();
    emu.approval_ids(s, e, &wecom_emulator::ApprovalFilter::new()).remove(0)
}

#[tokio::test]
async fn tokens_are_fetched_lazily_and_cached_per_corp_and_secret() {
    let emu = start(emulator()).await;
    let client = client(&emu).build().unwrap();
    assert_eq!(emu.call_count(TOKEN), 0, "building a client calls nothing");
    let sp_no = first_sp_no(&emu);
    for _ in 0..3 {
        client.approvals().detail(sp_no.clone()).await.unwrap();
    }
    assert_eq!(emu.call_count(TOKEN), 1);
    // Another client for the same corp and secret shares the cached token.
    let other = common::client(&emu).build().unwrap();
    other.approvals().detail(sp_no.clone()).await.unwrap();
    assert_eq!(emu.call_count(TOKEN), 1);
    assert_eq!(emu.call_count(DETAIL), 4);
}

/// Two clients with the same credentials share the cached token, but each fetches tokens with
/// its own retry policy and counts only its own fetches and calls.
#[tokio::test]
async fn clients_sharing_credentials_share_the_token_but_fetch_it_with_their_own_settings() {
    let emu = start(emulator()).await;
    let sp_no = first_sp_no(&emu);
    let impatient = client(&emu).retry_policy(RetryPolicy::none()).build().unwrap();
    let patient = client(&emu).retry_policy(fast_retries().max_attempts(3)).build().unwrap();
    let busy_gettoken = Faults { include_gettoken: true, ..Faults::only(FaultKind::Busy, 1.0, 1) };

    // gettoken is busy. The impatient client's policy allows one attempt...
    emu.set_faults(busy_gettoken.clone());
    let err = impatient.approvals().detail(sp_no.clone()).await.unwrap_err();
    assert!(matches!(err, Error::Api(_)), "no retries under RetryPolicy::none: {err}");
    assert_eq!(err.code(), Some(ErrorCode::SystemBusy));
    assert_eq!(emu.call_count(TOKEN), 1);
    let s = impatient.stats();
    assert_eq!((s.token_fetches, s.calls, s.retries), (1, 1, 0));

    // ...the patient one's allows three, for its own gettoken, counted on its own statistics.
    let err = patient.approvals().detail(sp_no.clone()).await.unwrap_err();
    assert!(matches!(err, Error::RetriesExhausted { attempts: 3, .. }), "the patient policy applied: {err}");
    assert_eq!(emu.call_count(TOKEN), 4);
    let s = patient.stats();
    assert_eq!((s.token_fetches, s.calls, s.retries), (1, 3, 2));
    assert_eq!(impatient.stats().calls, 1, "nothing was counted on the other client");

    // gettoken recovers: the patient client fetches the token, and the other reuses it.
    emu.set_faults(Faults::none());
    patient.approvals().detail(sp_no.clone()).await.unwrap();
    impatient.approvals().detail(sp_no.clone()).await.unwrap();
    assert_eq!(emu.call_count(TOKEN), 5, "one token for both clients");
    assert_eq!(impatient.stats().token_fetches, 1, "the shared token was not fetched by this client");
    assert_eq!(patient.stats().token_fetches, 2);
    assert_eq!(emu.call_count(DETAIL), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_callers_after_expiry_make_one_gettoken_call() {
    let emu = start(emulator().token_ttl(Duration::from_secs(2))).await;
    // No client-side throttling here: 64 calls must all go out while the new token lives.
    let client = client(&emu).rate_limiting(false).build().unwrap();
    let sp_no = first_sp_no(&emu);
    client.approvals().detail(sp_no.clone()).await.unwrap();
    assert_eq!(emu.call_count(TOKEN), 1);
    tokio::time::sleep(Duration::from_millis(2300)).await; // the token has expired
    let mut tasks = Vec::new();
    for _ in 0..64 {
        let c = client.clone();
        let id = sp_no.clone();
        tasks.push(tokio::spawn(async move { c.approvals().detail(id).await }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(emu.call_count(TOKEN), 2, "exactly one gettoken for 64 callers");
    assert_eq!(emu.errcode_count(42001), 0, "refreshed before WeCom had to say it expired");
}

/// Issues real emulator tokens but claims they live two hours (the server's TTL is 1 s), so
/// only WeCom's 42001 can tell the client they expired.
struct Optimistic(wecom_emulator::EmulatorHandle, Arc<AtomicU64>);

impl TokenSource for Optimistic {
    fn fetch(&self) -> BoxFuture<'_, Result<AccessToken, Error>> {
        self.1.fetch_add(1, Ordering::SeqCst);
        let token = self.0.issue_token();
        Box::pin(async move { Ok(AccessToken { token: token.into(), expires_in: Duration::from_secs(7200) }) })
    }
}

#[tokio::test]
async fn a_token_expired_on_the_server_is_refreshed_once_on_42001() {
    let emu = start(emulator().token_ttl(Duration::from_secs(1))).await;
    let fetches = Arc::new(AtomicU64::new(0));
    let client = Client::builder()
        .base_url(emu.base_url())
        .token_source(Optimistic(emu.clone(), fetches.clone()))
        .retry_policy(fast_retries())
        .build()
        .unwrap();
    let sp_no = first_sp_no(&emu);
    client.approvals().detail(sp_no.clone()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    client.approvals().detail(sp_no.clone()).await.unwrap();
    assert_eq!(emu.errcode_count(42001), 1);
    assert_eq!(fetches.load(Ordering::SeqCst), 2);
    assert_eq!(client.stats().token_refreshes, 1);
}

#[tokio::test]
async fn a_revoked_token_is_refreshed_and_the_call_retried_once() {
    let emu = start(emulator()).await;
    let client = client(&emu).build().unwrap();
    let sp_no = first_sp_no(&emu);
    client.approvals().detail(sp_no.clone()).await.unwrap();
    emu.revoke_tokens();
    let detail = client.approvals().detail(sp_no.clone()).await.unwrap();
    assert_eq!(detail.sp_no, sp_no);
    assert_eq!(emu.call_count(TOKEN), 2);
    assert_eq!(emu.call_count(DETAIL), 3, "the rejected call and its one retry");
    assert_eq!(emu.errcode_count(40014), 1);
}

/// A token source that always hands out a token WeCom rejects.
struct Garbage(Arc<AtomicU64>);

impl TokenSource for Garbage {
    fn fetch(&self) -> BoxFuture<'_, Result<AccessToken, Error>> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Box::pin(async { Ok(AccessToken { token: "not-a-real-token".into(), expires_in: Duration::from_secs(7200) }) })
    }
}

#[tokio::test]
async fn a_token_that_stays_invalid_fails_after_one_refresh_instead_of_looping() {
    let emu = start(emulator()).await;
    let fetches = Arc::new(AtomicU64::new(0));
    let client = Client::builder()
        .base_url(emu.base_url())
        .token_source(Garbage(fetches.clone()))
        .retry_policy(fast_retries())
        .build()
        .unwrap();
    let err = client.approvals().detail(first_sp_no(&emu)).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::InvalidAccessToken));
    assert_eq!(err.class(), Some(ErrorClass::TokenInvalid));
    assert_eq!(fetches.load(Ordering::SeqCst), 2, "one fetch, one refresh");
    assert_eq!(emu.call_count(DETAIL), 2);
    assert_eq!(emu.call_count(TOKEN), 0, "a custom source replaces gettoken");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_wrong_secret_fails_at_once_with_a_credentials_message_and_is_not_hammered() {
    let emu = start(emulator()).await;
    let client = common::client(&emu).corp_secret("wrong-secret-value").build().unwrap();
    let sp_no = first_sp_no(&emu);
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let c = client.clone();
        let id = sp_no.clone();
        tasks.push(tokio::spawn(async move { c.approvals().detail(id).await }));
    }
    for t in tasks {
        let err = t.await.unwrap().unwrap_err();
        assert!(err.is_credentials(), "{err}");
        assert_eq!(err.code(), Some(ErrorCode::InvalidSecret));
        let text = err.to_string();
        assert!(text.contains("corp id or secret is wrong"), "{text}");
        assert!(!text.contains("wrong-secret-value") && !format!("{err:?}").contains("wrong-secret-value"));
    }
    assert_eq!(emu.call_count(TOKEN), 1, "one wrong-secret call, remembered by every task");
    assert_eq!(emu.call_count(DETAIL), 0);
}

#[tokio::test]
async fn a_wrong_corp_id_is_a_credentials_error() {
    let emu = start(emulator()).await;
    let client = common::client(&emu).corp_id("wwnotthiscorp").corp_secret("another-secret").build().unwrap();
    let err = client.approvals().detail("202501010001").await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::InvalidCorpId));
    assert!(err.is_credentials());
}

#[test]
fn building_without_credentials_is_a_clear_error() {
    let err = Client::builder().build().unwrap_err();
    assert!(err.to_string().contains("no corp id"), "{err}");
    let err = Client::builder().corp_id("ww1").build().unwrap_err();
    assert!(err.to_string().contains("no corp secret"), "{err}");
    let err = Client::builder().corp_id("ww1").corp_secret("s").base_url("ftp://x").build().unwrap_err();
    assert!(err.to_string().contains("http or https"), "{err}");
}
