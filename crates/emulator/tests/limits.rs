//! Rate limit (45009 after the limit, per endpoint, for the rest of the window)
//! and concurrency limit (45033) over HTTP.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;
use wecom_emulator::{Emulator, FaultKind, Faults};

fn page() -> serde_json::Value {
    json!({"starttime": JAN1.to_string(), "endtime": (JAN1 + DAY).to_string(), "new_cursor": "", "size": 10})
}

#[tokio::test]
async fn rate_limit_45009_for_the_rest_of_the_window() {
    let api = Api::start(
        Emulator::builder().approvals(50).journals(20).rate_limit_per_minute(5).rate_window(Duration::from_secs(600)),
    )
    .await;
    for i in 0..5 {
        let v = api.post(APPROVAL_INFO, page()).await;
        assert_eq!(v["errcode"], 0, "call {i}: {v}");
    }
    for _ in 0..3 {
        let v = api.post(APPROVAL_INFO, page()).await;
        assert_err(&v, 45009);
        assert!(v["errmsg"].as_str().unwrap().starts_with("api freq out of limit"));
        assert_eq!(v["sp_no_list"], json!([]));
    }
    // Other endpoints have their own budget.
    let v = api.post(JOURNAL_LIST, json!({"starttime": JAN1, "endtime": JAN1 + DAY, "cursor": 0, "limit": 10})).await;
    assert_eq!(v["errcode"], 0, "{v}");
    assert_eq!(api.emu.errcode_count(45009), 3);
    assert_eq!(api.emu.call_count(APPROVAL_INFO), 8);
    // gettoken is an endpoint too: one call so far (the initial token).
    for _ in 0..4 {
        assert_eq!(
            api.gettoken(&[("corpid", api.emu.corp_id()), ("corpsecret", api.emu.corp_secret())]).await["errcode"],
            0
        );
    }
    let v = api.gettoken(&[("corpid", api.emu.corp_id()), ("corpsecret", api.emu.corp_secret())]).await;
    assert_err(&v, 45009);
}

#[tokio::test]
async fn rate_window_resets() {
    let api = Api::start(
        Emulator::builder().approvals(50).journals(20).rate_limit_per_minute(3).rate_window(Duration::from_secs(3)),
    )
    .await;
    // The window opens at the first call; three fit, the fourth is refused.
    let mut codes = Vec::new();
    for _ in 0..4 {
        codes.push(api.post(APPROVAL_DETAIL, json!({"sp_no": "x"})).await["errcode"].as_i64().unwrap());
    }
    assert_eq!(codes, vec![301_025, 301_025, 301_025, 45009]);
    tokio::time::sleep(Duration::from_millis(3100)).await;
    let v = api.post(APPROVAL_DETAIL, json!({"sp_no": "x"})).await;
    assert_eq!(v["errcode"], 301_025, "a new window: {v}");
}

#[tokio::test]
async fn default_limit_is_600_per_endpoint() {
    let api = Api::start(Emulator::builder().approvals(20).journals(10)).await;
    for _ in 0..600 {
        let v = api.post(APPROVAL_DETAIL, json!({"sp_no": "1"})).await;
        assert_eq!(v["errcode"], 301_025);
    }
    let v = api.post(APPROVAL_DETAIL, json!({"sp_no": "1"})).await;
    assert_err(&v, 45009);
    assert_eq!(api.emu.errcode_count(45009), 1);
    // Unlimited when 0.
    let api = Api::start(Emulator::builder().approvals(20).journals(10).rate_limit_per_minute(0)).await;
    for _ in 0..700 {
        assert_eq!(api.post(APPROVAL_DETAIL, json!({"sp_no": "1"})).await["errcode"], 301_025);
    }
    assert_eq!(api.emu.errcode_count(45009), 0);
}

#[tokio::test]
async fn concurrency_limit_45033() {
    let api = Api::start(Emulator::builder().approvals(50).journals(20).concurrency_limit(Some(2))).await;
    // Hold two requests in flight with a long injected delay.
    api.emu.set_faults(Faults { delay_duration: Duration::from_secs(3), ..Faults::only(FaultKind::Delay, 1.0, 1) });
    let mut held = Vec::new();
    for _ in 0..2 {
        let http = api.http.clone();
        let url = format!("{}?access_token={}", api.path_url(APPROVAL_INFO), api.token);
        held.push(tokio::spawn(async move {
            http.post(url).body(page().to_string()).send().await.unwrap().json::<serde_json::Value>().await.unwrap()
        }));
    }
    let mut waited = 0;
    while api.emu.in_flight(APPROVAL_INFO) < 2 {
        tokio::time::sleep(Duration::from_millis(10)).await;
        waited += 1;
        assert!(waited < 1000, "requests never got in flight");
    }
    let v = api.post(APPROVAL_INFO, page()).await;
    assert_err(&v, 45033);
    assert!(v["errmsg"].as_str().unwrap().starts_with("api concurrent out of limit"));
    // Another endpoint is not affected.
    let v = api.post(APPROVAL_DETAIL, json!({"sp_no": "1"})).await;
    assert_eq!(v["errcode"], 301_025);
    for h in held {
        assert_eq!(h.await.unwrap()["errcode"], 0);
    }
    assert_eq!(api.emu.in_flight(APPROVAL_INFO), 0);
    api.emu.set_faults(Faults::none());
    assert_eq!(api.post(APPROVAL_INFO, page()).await["errcode"], 0);
    assert_eq!(api.emu.errcode_count(45033), 1);
}

#[tokio::test]
async fn narrow_range_above_answers_301112_for_a_crowded_window() {
    let api = Api::start(Emulator::builder().approvals(400).journals(10).narrow_range_above(Some(30))).await;
    let wide =
        json!({"starttime": JAN1.to_string(), "endtime": (JAN1 + 31 * DAY).to_string(), "new_cursor": "", "size": 100});
    let v = api.post(APPROVAL_INFO, wide).await;
    assert_err(&v, 301112);
    assert_eq!(v["sp_no_list"], json!([]));
    let narrow =
        json!({"starttime": JAN1.to_string(), "endtime": (JAN1 + 3600).to_string(), "new_cursor": "", "size": 100});
    assert_eq!(api.post(APPROVAL_INFO, narrow).await["errcode"], 0);
}

#[tokio::test]
async fn denied_permissions_answer_301055_and_301065() {
    let api = Api::start(
        Emulator::builder().approvals(20).journals(20).deny_permission(APPROVAL_INFO).deny_permission(JOURNAL_LIST),
    )
    .await;
    assert_err(&api.post(APPROVAL_INFO, page()).await, 301055);
    let journals = json!({"starttime": JAN1, "endtime": JAN1 + DAY, "cursor": 0, "limit": 10});
    assert_err(&api.post(JOURNAL_LIST, journals.clone()).await, 301065);
    api.emu.set_denied_permissions(Vec::<String>::new());
    assert_eq!(api.post(APPROVAL_INFO, page()).await["errcode"], 0);
    assert_eq!(api.post(JOURNAL_LIST, journals).await["errcode"], 0);
}
