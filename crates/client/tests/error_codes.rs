//! What the client does with each error class, over real HTTP to a loopback server that answers
//! the codes on demand: 41001 is a request-building bug (no refresh, no retry); 40001 on a call
//! refreshes the token once and retries once, then is a credentials error; 40001 from gettoken
//! fails at once; WeCom's internal failures are retried at most twice (configurable), then
//! surfaced; 45031, 48006 and 60031 come back with their meaning, class and hint; the retired
//! getapprovalinfo `cursor` is never sent unless set.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::loopback::{self, Answer, TOKEN_PATH};
use common::*;
use futures::TryStreamExt;
use serde_json::json;
use wecom_client::{Error, TimeRange};
use wecom_endpoints::{ErrorClass, ErrorCode};
use wecom_models::approval::GetApprovalInfoRequest;

const DETAIL: &str = "/cgi-bin/oa/getapprovaldetail";
const JOURNAL_DETAIL: &str = "/cgi-bin/oa/journal/get_record_detail";
const LIST: &str = "/cgi-bin/oa/getapprovalinfo";

fn detail_ok() -> Answer {
    json!({"errcode": 0, "errmsg": "ok", "info": {"sp_no": "202501010001", "sp_status": 2}}).into()
}

fn journal_ok() -> Answer {
    json!({"errcode": 0, "errmsg": "ok", "info": {"journal_uuid": "j1"}}).into()
}

/// Answers gettoken, and `path` with `code` for its first `failures` calls, then `ok`.
async fn failing(path: &'static str, code: i64, failures: usize, ok: fn() -> Answer) -> loopback::Loopback {
    loopback::serve(move |req| match req.path.as_str() {
        p if p == path && req.nth < failures => loopback::error(code),
        p if p == path => ok(),
        TOKEN_PATH => loopback::token_ok(),
        _ => loopback::error(40058),
    })
    .await
}

#[tokio::test]
async fn access_token_missing_41001_is_an_invalid_request_not_a_credentials_error() {
    let srv = failing(DETAIL, 41001, usize::MAX, detail_ok).await;
    let client = srv.client().build().unwrap();
    let err = client.approvals().detail("202501010001").await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::MissingAccessToken));
    assert_eq!(err.class(), Some(ErrorClass::InvalidRequest));
    assert!(!err.is_credentials(), "{err}");
    assert!(matches!(err, Error::Api(_)), "not retried: {err}");
    assert!(err.to_string().contains("URL query"), "the hint says what is wrong: {err}");
    assert_eq!(srv.calls(DETAIL), 1);
    assert_eq!(srv.calls(TOKEN_PATH), 1, "no token refresh for a missing token");
    assert_eq!(client.stats().token_refreshes, 0);
}

#[tokio::test]
async fn invalid_secret_40001_on_a_call_refreshes_the_token_once_and_retries_once() {
    let srv = failing(DETAIL, 40001, 1, detail_ok).await;
    let client = srv.client().build().unwrap();
    let detail = client.approvals().detail("202501010001").await.unwrap();
    assert_eq!(detail.sp_no, "202501010001");
    assert_eq!(srv.calls(TOKEN_PATH), 2, "the token was fetched again");
    assert_eq!(srv.calls(DETAIL), 2, "the call was retried once");
    let stats = client.stats();
    assert_eq!((stats.token_fetches, stats.token_refreshes), (2, 1));
}

#[tokio::test]
async fn invalid_secret_40001_that_persists_is_a_credentials_error_after_one_refresh() {
    let srv = failing(DETAIL, 40001, usize::MAX, detail_ok).await;
    let client = srv.client().build().unwrap();
    let err = client.approvals().detail("202501010001").await.unwrap_err();
    assert!(err.is_credentials(), "{err}");
    assert_eq!(err.code(), Some(ErrorCode::InvalidSecret));
    assert!(err.to_string().contains("corp id or secret is wrong"), "{err}");
    assert_eq!(srv.calls(DETAIL), 2, "one retry, never a loop");
    assert_eq!(srv.calls(TOKEN_PATH), 2);
    // A second call (with the token cached since the refresh) gets one refresh too, no more.
    let err = client.approvals().detail("202501010001").await.unwrap_err();
    assert!(err.is_credentials(), "{err}");
    assert_eq!((srv.calls(DETAIL), srv.calls(TOKEN_PATH)), (4, 3));
    assert_eq!(client.stats().token_refreshes, 2);
}

#[tokio::test]
async fn invalid_secret_40001_from_gettoken_fails_at_once() {
    let srv = failing(TOKEN_PATH, 40001, usize::MAX, loopback::token_ok).await;
    let client = srv.client().build().unwrap();
    let err = client.approvals().detail("202501010001").await.unwrap_err();
    assert!(err.is_credentials(), "{err}");
    assert!(matches!(err, Error::Api(_)), "no retries: {err}");
    assert_eq!(srv.calls(TOKEN_PATH), 1);
    assert_eq!(srv.calls(DETAIL), 0);
    let stats = client.stats();
    assert_eq!((stats.token_fetches, stats.token_refreshes, stats.retries), (1, 0, 0));
}

#[tokio::test]
async fn internal_failures_are_retried_twice_then_surfaced() {
    for (path, code, ok) in [
        (DETAIL, 301026, detail_ok as fn() -> Answer),
        (JOURNAL_DETAIL, 301067, journal_ok as fn() -> Answer),
        (DETAIL, 620004, detail_ok as fn() -> Answer),
    ] {
        let srv = failing(path, code, usize::MAX, ok).await;
        // Plenty of attempts: the internal-failure budget is what stops it.
        let client = srv.client().retry_policy(fast_retries().max_attempts(10)).build().unwrap();
        let err = if path == DETAIL {
            client.approvals().detail("202501010001").await.unwrap_err()
        } else {
            client.journals().detail("j1").await.unwrap_err()
        };
        match &err {
            Error::RetriesExhausted { attempts, last, .. } => {
                assert_eq!(*attempts, 3, "{code}");
                assert_eq!(last.code().map(ErrorCode::code), Some(code));
            }
            other => panic!("{code}: {other}"),
        }
        assert!(err.is_internal(), "{code}: {err}");
        assert_eq!(err.class(), Some(ErrorClass::Internal));
        assert_eq!(srv.calls(path), 3, "{code}: one call and two retries");
        assert_eq!(client.stats().retries, 2);
    }
}

#[tokio::test]
async fn internal_failure_retries_are_configurable_and_a_later_success_is_returned() {
    let srv = failing(DETAIL, 301026, 2, detail_ok).await;
    let client = srv.client().build().unwrap();
    assert_eq!(client.approvals().detail("202501010001").await.unwrap().sp_no, "202501010001");
    assert_eq!(srv.calls(DETAIL), 3, "two failures, then the answer");

    let srv = failing(DETAIL, 301026, usize::MAX, detail_ok).await;
    let none = srv.client().retry_policy(fast_retries().internal_retries(0)).build().unwrap();
    let err = none.approvals().detail("202501010001").await.unwrap_err();
    assert!(matches!(err, Error::Api(_)) && err.is_internal(), "{err}");
    assert_eq!(srv.calls(DETAIL), 1);

    let srv = failing(DETAIL, 620004, usize::MAX, detail_ok).await;
    let five = srv.client().retry_policy(fast_retries().max_attempts(20).internal_retries(5)).build().unwrap();
    let err = five.approvals().detail("202501010001").await.unwrap_err();
    assert!(matches!(err, Error::RetriesExhausted { attempts: 6, .. }), "{err}");
    assert_eq!(srv.calls(DETAIL), 6);
}

#[tokio::test]
async fn new_codes_come_back_with_meaning_class_and_hint() {
    let cases = [
        (45031, ErrorClass::Credential, "not secure enough", "Reset the app's Secret"),
        (48006, ErrorClass::Permission, "withdrawn", "enable the app again"),
        (60031, ErrorClass::Other, "UNCONFIRMED", "devtool/query?e=60031"),
    ];
    for (code, class, meaning, hint) in cases {
        let srv = failing(DETAIL, code, usize::MAX, detail_ok).await;
        let client = srv.client().build().unwrap();
        let err = client.approvals().detail("202501010001").await.unwrap_err();
        let api = err.api().unwrap_or_else(|| panic!("{code}: {err}"));
        assert!(api.code.is_known(), "{code}");
        assert_eq!(api.class, class, "{code}");
        assert!(api.meaning_en.contains(meaning), "{code}: {}", api.meaning_en);
        assert!(api.hint.is_some_and(|h| h.contains(hint)), "{code}: {:?}", api.hint);
        assert_eq!(srv.calls(DETAIL), 1, "{code} is not retried");
    }
}

#[tokio::test]
async fn the_retired_approval_cursor_is_never_sent_unless_set() {
    let pages = Arc::new(AtomicUsize::new(0));
    let counter = pages.clone();
    let srv = loopback::serve(move |req| match req.path.as_str() {
        TOKEN_PATH => loopback::token_ok(),
        LIST if counter.fetch_add(1, Ordering::SeqCst) == 0 => {
            json!({"errcode": 0, "errmsg": "ok", "sp_no_list": ["1"], "new_next_cursor": "next"}).into()
        }
        LIST => json!({"errcode": 0, "errmsg": "ok", "sp_no_list": ["2"], "next_cursor": 7}).into(),
        _ => loopback::error(40058),
    })
    .await;
    let client = srv.client().build().unwrap();
    let range = TimeRange::new(JAN1, JAN1 + DAY).unwrap();
    let ids: Vec<String> = client.approvals().ids(range, []).try_collect().await.unwrap();
    assert_eq!(ids, ["1", "2"], "the legacy `next_cursor` in an answer does not drive paging");
    let bodies: Vec<_> = srv.requests(LIST).into_iter().map(|r| r.body).collect();
    assert_eq!(bodies.len(), 2);
    for b in &bodies {
        assert!(b.get("cursor").is_none(), "the retired field is not sent: {b}");
    }
    assert_eq!(bodies[1]["new_cursor"], "next");

    let resp = client.execute(&GetApprovalInfoRequest::new(JAN1, JAN1 + DAY).cursor(5)).await.unwrap();
    assert_eq!(resp.next_cursor, Some(7), "the retired answer field is read");
    assert_eq!(srv.requests(LIST)[2].body["cursor"], 5, "sent when the caller sets it");
}
