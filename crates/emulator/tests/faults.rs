//! Every injected fault kind over real HTTP (and raw TCP where the wire matters),
//! fault counting, gettoken exemption, and reproducibility from the seed.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use wecom_emulator::{Emulator, FaultKind, Faults};

fn page() -> Value {
    json!({"starttime": JAN1.to_string(), "endtime": (JAN1 + DAY).to_string(), "new_cursor": "", "size": 10})
}

async fn api_with(f: Faults) -> Api {
    let api = Api::start(Emulator::builder().approvals(100).journals(50)).await;
    api.emu.set_faults(f);
    api
}

/// Sends one HTTP/1.1 request over a fresh socket and returns every byte received
/// until the server closes (a reset counts as the end).
async fn raw_post(api: &Api, path: &str, body: &str) -> Vec<u8> {
    let mut s = TcpStream::connect(api.emu.addr()).await.unwrap();
    let req = format!(
        "POST {path}?access_token={} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        api.token,
        body.len()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match tokio::time::timeout(Duration::from_secs(30), s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
            Err(_) => panic!("server neither answered nor closed"),
        }
    }
    out
}

fn split_response(raw: &[u8]) -> (String, Vec<u8>) {
    let pos = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("headers end");
    (String::from_utf8_lossy(&raw[..pos]).to_string(), raw[pos + 4..].to_vec())
}

fn content_length(head: &str) -> usize {
    head.lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length").then(|| v.trim().parse().unwrap())
        })
        .expect("content-length")
}

#[tokio::test]
async fn busy_errcode_minus_one() {
    let api = api_with(Faults::only(FaultKind::Busy, 1.0, 1)).await;
    let v = api.post(APPROVAL_INFO, page()).await;
    assert_err(&v, -1);
    assert!(v["errmsg"].as_str().unwrap().starts_with("system busy"));
    assert_eq!(api.emu.fault_counts()["busy"], 1);
    assert_eq!(api.emu.errcode_count(-1), 1);
    // gettoken is exempt unless include_gettoken.
    let t = api.fetch_token().await;
    assert!(!t.is_empty());
    api.emu.set_faults(Faults { include_gettoken: true, ..Faults::only(FaultKind::Busy, 1.0, 1) });
    let v = api.gettoken(&[("corpid", api.emu.corp_id()), ("corpsecret", api.emu.corp_secret())]).await;
    assert_err(&v, -1);
}

#[tokio::test]
async fn injected_45009() {
    let api = api_with(Faults::only(FaultKind::RateLimited, 1.0, 1)).await;
    for _ in 0..3 {
        assert_err(&api.post(JOURNAL_DETAIL, json!({"journaluuid": "x"})).await, 45009);
    }
    assert_eq!(api.emu.fault_counts()["rate_limited"], 3);
    assert_eq!(api.emu.errcode_count(45009), 3);
    // The real limiter did not count them (an unknown journaluuid is 301066 by default).
    api.emu.set_faults(Faults::none());
    assert_eq!(api.post(JOURNAL_DETAIL, json!({"journaluuid": "x"})).await["errcode"], 301_066);
}

#[tokio::test]
async fn http_502_and_503() {
    for (kind, status) in [(FaultKind::Http502, 502u16), (FaultKind::Http503, 503)] {
        let api = api_with(Faults::only(kind, 1.0, 2)).await;
        let r = api
            .http
            .post(api.path_url(APPROVAL_INFO))
            .query(&[("access_token", &api.token)])
            .body(page().to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), status);
        let ct = r.headers()["content-type"].to_str().unwrap().to_string();
        assert!(ct.starts_with("text/html"), "{ct}");
        let body = r.text().await.unwrap();
        assert!(body.contains(&status.to_string()));
        assert_eq!(api.emu.fault_counts()[kind.name()], 1);
    }
}

#[tokio::test]
async fn delay_then_normal_answer() {
    let api =
        api_with(Faults { delay_duration: Duration::from_millis(50), ..Faults::only(FaultKind::Delay, 1.0, 3) }).await;
    let v = api.post(APPROVAL_INFO, page()).await;
    assert_eq!(v["errcode"], 0, "{v}");
    assert_eq!(api.emu.fault_counts()["delay"], 1);
}

#[tokio::test]
async fn dropped_connection() {
    let api = api_with(Faults::only(FaultKind::DropConnection, 1.0, 4)).await;
    let err = api
        .http
        .post(api.path_url(APPROVAL_INFO))
        .query(&[("access_token", &api.token)])
        .body(page().to_string())
        .send()
        .await
        .expect_err("no response");
    assert!(!err.is_status() && !err.is_timeout(), "{err:?}");
    let raw = raw_post(&api, APPROVAL_INFO, &page().to_string()).await;
    assert!(raw.is_empty(), "got {} bytes", raw.len());
    assert_eq!(api.emu.fault_counts()["drop_connection"], 2);
    // The dropped requests leave the in-flight count (the server thread may finish
    // dropping them just after the client saw the socket close).
    let mut waited = 0;
    while api.emu.in_flight(APPROVAL_INFO) != 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
        waited += 1;
        assert!(waited < 1000, "in-flight count never returned to 0");
    }
    // The server keeps serving.
    api.emu.set_faults(Faults::none());
    assert_eq!(api.post(APPROVAL_INFO, page()).await["errcode"], 0);
}

#[tokio::test]
async fn truncated_body() {
    let api = api_with(Faults::only(FaultKind::TruncatedBody, 1.0, 5)).await;
    let raw = raw_post(&api, APPROVAL_INFO, &page().to_string()).await;
    let (head, body) = split_response(&raw);
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let full = content_length(&head);
    assert!(full > 20);
    assert!(!body.is_empty() && body.len() < full, "{} of {full}", body.len());
    assert!(serde_json::from_slice::<Value>(&body).is_err());
    // A client sees an error while reading the body.
    let r = api
        .http
        .post(api.path_url(APPROVAL_INFO))
        .query(&[("access_token", &api.token)])
        .body(page().to_string())
        .send()
        .await
        .unwrap();
    assert!(r.bytes().await.is_err());
    assert_eq!(api.emu.fault_counts()["truncated_body"], 2);
}

#[tokio::test]
async fn non_json_body() {
    let api = api_with(Faults::only(FaultKind::NonJson, 1.0, 6)).await;
    let r = api
        .http
        .post(api.path_url(JOURNAL_LIST))
        .query(&[("access_token", &api.token)])
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let text = r.text().await.unwrap();
    assert!(text.trim_start().starts_with("<html>"), "{text}");
    assert!(serde_json::from_str::<Value>(&text).is_err());
    assert_eq!(api.emu.fault_counts()["non_json"], 1);
}

/// Classifies one call's outcome.
async fn outcome(api: &Api) -> String {
    let r = api
        .http
        .post(api.path_url(APPROVAL_DETAIL))
        .query(&[("access_token", &api.token)])
        .body(json!({"sp_no": "1"}).to_string())
        .send()
        .await;
    match r {
        Err(_) => "dropped".into(),
        Ok(r) => {
            let status = r.status().as_u16();
            match r.bytes().await {
                Err(_) => "truncated".into(),
                Ok(b) => match serde_json::from_slice::<Value>(&b) {
                    Ok(v) => format!("{status}/{}", v["errcode"]),
                    Err(_) => format!("{status}/html"),
                },
            }
        }
    }
}

#[tokio::test]
async fn uniform_faults_are_reproducible() {
    let f = Faults { delay_duration: Duration::from_millis(5), ..Faults::uniform(0.8, 77) };
    let mut runs = Vec::new();
    for _ in 0..2 {
        let api = api_with(f.clone()).await;
        let mut seq = Vec::new();
        for _ in 0..40 {
            seq.push(outcome(&api).await);
        }
        let counts = api.emu.fault_counts();
        runs.push((seq, counts));
    }
    assert_eq!(runs[0], runs[1]);
    // The sequence is the one Faults::draw predicts.
    let expected: Vec<String> = (0..40)
        .map(|i| match f.draw(i) {
            None | Some(FaultKind::Delay) => "200/301025".to_string(),
            Some(FaultKind::Busy) => "200/-1".into(),
            Some(FaultKind::RateLimited) => "200/45009".into(),
            Some(FaultKind::Http502) => "502/html".into(),
            Some(FaultKind::Http503) => "503/html".into(),
            Some(FaultKind::DropConnection) => "dropped".into(),
            Some(FaultKind::TruncatedBody) => "truncated".into(),
            Some(FaultKind::NonJson) => "200/html".into(),
        })
        .collect();
    assert_eq!(runs[0].0, expected);
    let total: u64 = runs[0].1.values().sum();
    assert!(total > 10, "{:?}", runs[0].1);
}

#[tokio::test]
async fn faults_over_operator_api() {
    let api = api_with(Faults::none()).await;
    let r = api.http.post(api.path_url("/_emulator/faults")).body(r#"{"seed": 9, "busy": 1.0}"#).send().await.unwrap();
    assert!(r.status().is_success());
    assert_eq!(api.emu.faults().busy, 1.0);
    assert_err(&api.post(APPROVAL_INFO, page()).await, -1);
    let got: Value = api.http.get(api.path_url("/_emulator/faults")).send().await.unwrap().json().await.unwrap();
    assert_eq!(got["seed"], 9);
    assert_eq!(got["delay_ms"], 100);
    let r = api.http.post(api.path_url("/_emulator/faults")).body("{nope").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let r = api.http.post(api.path_url("/_emulator/faults")).body("").send().await.unwrap();
    assert!(r.status().is_success());
    assert_eq!(api.post(APPROVAL_INFO, page()).await["errcode"], 0);
    let stats: Value = api.http.get(api.path_url("/_emulator/stats")).send().await.unwrap().json().await.unwrap();
    assert_eq!(stats["fault_counts"]["busy"], 1);
}
