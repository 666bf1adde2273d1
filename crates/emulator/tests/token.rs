//! Token life cycle over HTTP: gettoken credential errors, missing / garbage /
//! expired / revoked tokens, and the WeCom errmsg format.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;
use wecom_emulator::Emulator;

fn small() -> wecom_emulator::EmulatorBuilder {
    Emulator::builder().approvals(50).journals(20)
}

fn one_day() -> serde_json::Value {
    json!({"starttime": JAN1.to_string(), "endtime": (JAN1 + DAY).to_string(), "new_cursor": "", "size": 10})
}

#[tokio::test]
async fn gettoken_success_shape() {
    let api = Api::start(small().token_ttl(Duration::from_secs(3600))).await;
    let v = api.gettoken(&[("corpid", "wwemulatorcorp0001"), ("corpsecret", "emulator-secret")]).await;
    assert_eq!(v["errcode"], 0);
    assert_eq!(v["errmsg"], "ok");
    assert_eq!(v["expires_in"], 3600);
    let token = v["access_token"].as_str().unwrap();
    assert!(!token.is_empty() && token.len() <= 512);
    // Both tokens stay valid.
    let ok = api.post_with(APPROVAL_INFO, Some(token), &one_day().to_string()).await;
    assert_eq!(ok["errcode"], 0, "{ok}");
    let ok = api.post(APPROVAL_INFO, one_day()).await;
    assert_eq!(ok["errcode"], 0, "{ok}");
    assert_eq!(api.emu.call_count(GETTOKEN), 2);
    assert_eq!(api.emu.call_count(APPROVAL_INFO), 2);
}

#[tokio::test]
async fn gettoken_credential_errors() {
    let api = Api::start(small()).await;
    let cases: [(&[(&str, &str)], i64); 6] = [
        (&[("corpsecret", "emulator-secret")], 41002),
        (&[("corpid", ""), ("corpsecret", "emulator-secret")], 41002),
        (&[("corpid", "wwemulatorcorp0001")], 41004),
        (&[("corpid", "wwsomeoneelse"), ("corpsecret", "emulator-secret")], 40013),
        (&[("corpid", "wwemulatorcorp0001"), ("corpsecret", "wrong")], 40001),
        (&[("corpid", "wwsomeoneelse"), ("corpsecret", "wrong")], 40013),
    ];
    for (q, code) in cases {
        let v = api.gettoken(q).await;
        assert_err(&v, code);
        assert!(v.get("access_token").is_none(), "{v}");
    }
    let v = api.gettoken(&[("corpsecret", "x")]).await;
    assert!(v["errmsg"].as_str().unwrap().starts_with("corpid missing"), "{v}");
    let v = api.gettoken(&[("corpid", "wwemulatorcorp0001")]).await;
    assert!(v["errmsg"].as_str().unwrap().starts_with("corpsecret missing"), "{v}");
    assert_eq!(api.emu.errcode_count(40013), 2);
    assert_eq!(api.emu.errcode_count(40001), 1);
}

#[tokio::test]
async fn custom_credentials() {
    let api = Api::start(small().corp_id("wwcustom").corp_secret("s3cret")).await;
    assert_eq!(api.emu.corp_id(), "wwcustom");
    let v = api.gettoken(&[("corpid", "wwemulatorcorp0001"), ("corpsecret", "emulator-secret")]).await;
    assert_err(&v, 40013);
}

#[tokio::test]
async fn missing_and_garbage_tokens() {
    let api = Api::start(small()).await;
    let body = one_day().to_string();
    for path in
        [APPROVAL_INFO, APPROVAL_DETAIL, APPROVAL_DATA, JOURNAL_LIST, JOURNAL_DETAIL, JOURNAL_STAT, JOURNAL_WEDRIVE]
    {
        let v = api.post_with(path, None, &body).await;
        assert_err(&v, 41001);
        assert!(v["errmsg"].as_str().unwrap().starts_with("access_token missing"));
        let v = api.post_with(path, Some(""), &body).await;
        assert_err(&v, 41001);
        let v = api.post_with(path, Some("garbage-token"), &body).await;
        assert_err(&v, 40014);
        assert!(v["errmsg"].as_str().unwrap().starts_with("invalid access_token"));
    }
    // Error bodies of getapprovalinfo keep the empty list (observed quirk).
    let v = api.post_with(APPROVAL_INFO, Some("garbage"), &body).await;
    assert_eq!(v["sp_no_list"], json!([]));
    assert_eq!(api.emu.errcode_count(41001), 14);
    assert_eq!(api.emu.errcode_count(40014), 8);
}

#[tokio::test]
async fn token_expires_after_ttl() {
    let api = Api::start(small().token_ttl(Duration::from_secs(2))).await;
    let v = api.post(APPROVAL_INFO, one_day()).await;
    assert_eq!(v["errcode"], 0, "{v}");
    tokio::time::sleep(Duration::from_millis(2200)).await;
    let v = api.post(APPROVAL_INFO, one_day()).await;
    assert_err(&v, 42001);
    assert!(v["errmsg"].as_str().unwrap().starts_with("access_token expired"));
    // A fresh token works again.
    let fresh = api.fetch_token().await;
    assert_ne!(fresh, api.token);
    let v = api.post_with(APPROVAL_INFO, Some(&fresh), &one_day().to_string()).await;
    assert_eq!(v["errcode"], 0, "{v}");
    assert_eq!(api.emu.errcode_count(42001), 1);
}

#[tokio::test]
async fn revoke_invalidates_every_issued_token() {
    let api = Api::start(small()).await;
    let second = api.fetch_token().await;
    api.emu.revoke_tokens();
    for t in [&api.token, &second] {
        let v = api.post_with(APPROVAL_INFO, Some(t), &one_day().to_string()).await;
        assert_err(&v, 40014);
    }
    let fresh = api.fetch_token().await;
    let v = api.post_with(APPROVAL_INFO, Some(&fresh), &one_day().to_string()).await;
    assert_eq!(v["errcode"], 0, "{v}");
    // Over HTTP too.
    let r = api.http.post(api.path_url("/_emulator/revoke_tokens")).send().await.unwrap();
    assert!(r.status().is_success());
    let v = api.post_with(APPROVAL_INFO, Some(&fresh), &one_day().to_string()).await;
    assert_err(&v, 40014);
}

#[tokio::test]
async fn library_minted_token_works() {
    let api = Api::start(small()).await;
    let t = api.emu.issue_token();
    let v = api.post_with(APPROVAL_INFO, Some(&t), &one_day().to_string()).await;
    assert_eq!(v["errcode"], 0, "{v}");
    assert_eq!(api.emu.call_count(GETTOKEN), 1);
}
