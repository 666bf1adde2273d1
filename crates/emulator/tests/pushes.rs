//! Pushes over real HTTP on loopback to a small axum receiver with its own decrypt:
//! every push verifies, decrypts, carries the corp id and agrees with the ground
//! truth; each push fault does what it says; retries follow the delivery rules.

mod common;
#[path = "common/receiver.rs"]
mod receiver;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use receiver::{AES_KEY, Answer, Receiver, TOKEN, assert_agrees};
use serde_json::{Value, json};
use wecom_emulator::{
    AttemptOutcome, Delivery, Emulator, EmulatorBuilder, EmulatorError, EmulatorHandle, PushFaultKind, PushFaults,
    RetryOn,
};

const SETTLE: Duration = Duration::from_secs(20);

fn fast() -> Delivery {
    Delivery {
        timeout: Duration::from_millis(1000),
        attempts: 3,
        retry_delay: Duration::from_millis(20),
        ..Delivery::default()
    }
}

fn builder(rx: &Receiver) -> EmulatorBuilder {
    Emulator::builder().approvals(300).journals(5).callback(&rx.url, TOKEN, AES_KEY).delivery(fast())
}

/// `n` changes, mostly on new forms so flows move.
fn changes(emu: &EmulatorHandle, n: usize) {
    for _ in 0..n {
        emu.step().expect("a change");
    }
}

/// Plaintext → how many times it was received.
fn received_counts(rx: &Receiver) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for r in rx.received() {
        *m.entry(r.message).or_default() += 1;
    }
    m
}

#[tokio::test]
async fn every_push_verifies_decrypts_and_equals_the_log() {
    let rx = Receiver::start().await;
    let emu = builder(&rx).start().await.unwrap();
    changes(&emu, 25);
    assert!(emu.wait_deliveries_idle(SETTLE).await);
    let got = rx.received();
    let events = emu.events();
    assert_eq!(events.len(), 25);
    assert_eq!(got.len(), 25);
    for r in &got {
        assert!(r.signature_ok, "signature of {r:?}");
        assert_eq!(r.receive_id, emu.corp_id());
        assert_eq!(r.to_user_name, emu.corp_id());
        assert_eq!(r.agent_id, "3010040");
        assert!(r.content_type.starts_with("text/xml"), "{}", r.content_type);
        assert!(r.timestamp.parse::<i64>().is_ok() && !r.nonce.is_empty());
    }
    let mut sent: Vec<&str> = events.iter().map(|e| e.xml.as_str()).collect();
    let mut recv: Vec<&str> = got.iter().map(|r| r.message.as_str()).collect();
    sent.sort_unstable();
    recv.sort_unstable();
    assert_eq!(sent, recv);
    // The last event of each form agrees with the form's detail now.
    let mut last: BTreeMap<&str, &str> = BTreeMap::new();
    for e in &events {
        last.insert(&e.sp_no, &e.xml);
    }
    for (sp, xml) in last {
        assert_agrees(xml, &emu.approval_detail(sp).unwrap(), emu.corp_id());
    }
    let d = emu.deliveries();
    assert_eq!(d.len(), 25);
    assert!(d.iter().all(|r| r.done && r.accepted == 1 && r.attempts.len() == 1 && r.copies == 1));
    assert!(d.iter().all(|r| matches!(r.attempts[0].outcome, AttemptOutcome::Status { code: 200 })));
    let c = emu.push_counts();
    assert_eq!((c.events, c.attempts, c.ok_attempts, c.failed_attempts, c.given_up), (25, 25, 25, 0, 0));
}

#[tokio::test]
async fn dropped_pushes_never_arrive_and_are_counted() {
    let rx = Receiver::start().await;
    let emu = builder(&rx).push_faults(PushFaults::only(PushFaultKind::Dropped, 0.4, 11)).start().await.unwrap();
    changes(&emu, 30);
    assert!(emu.wait_deliveries_idle(SETTLE).await);
    let d = emu.deliveries();
    let dropped: Vec<u64> = d.iter().filter(|r| r.dropped).map(|r| r.seq).collect();
    assert!(!dropped.is_empty() && dropped.len() < 30, "{dropped:?}");
    assert_eq!(emu.push_counts().dropped as usize, dropped.len());
    assert!(d.iter().filter(|r| r.dropped).all(|r| r.attempts.is_empty() && r.copies == 0));
    let got = received_counts(&rx);
    for e in emu.events() {
        let n = got.get(&e.xml).copied().unwrap_or(0);
        assert_eq!(n, if dropped.contains(&e.seq) { 0 } else { 1 }, "event {}", e.seq);
    }
    // Same seed, same changes: the same events are dropped.
    let rx2 = Receiver::start().await;
    let emu2 = builder(&rx2).push_faults(PushFaults::only(PushFaultKind::Dropped, 0.4, 11)).start().await.unwrap();
    changes(&emu2, 30);
    assert!(emu2.wait_deliveries_idle(SETTLE).await);
    assert_eq!(emu2.deliveries().iter().filter(|r| r.dropped).map(|r| r.seq).collect::<Vec<_>>(), dropped);
}

#[tokio::test]
async fn duplicated_pushes_arrive_twice_with_identical_plaintext() {
    let rx = Receiver::start().await;
    let emu = builder(&rx).push_faults(PushFaults::only(PushFaultKind::Duplicated, 1.0, 1)).start().await.unwrap();
    changes(&emu, 8);
    assert!(emu.wait_deliveries_idle(SETTLE).await);
    let got = rx.received();
    assert_eq!(got.len(), 16);
    for e in emu.events() {
        let copies: Vec<_> = got.iter().filter(|r| r.message == e.xml).collect();
        assert_eq!(copies.len(), 2, "event {}", e.seq);
        assert!(copies.iter().all(|r| r.signature_ok));
        // Fresh nonce and random prefix: the ciphertexts differ.
        assert_ne!(copies[0].encrypt, copies[1].encrypt);
        assert_ne!(copies[0].nonce, copies[1].nonce);
    }
    assert_eq!(emu.push_counts().duplicated, 8);
    assert!(emu.deliveries().iter().all(|r| r.duplicated && r.copies == 2 && r.accepted == 2));
}

#[tokio::test]
async fn delayed_pushes_arrive_later() {
    let rx = Receiver::start().await;
    let faults =
        PushFaults { delay_duration: Duration::from_millis(300), ..PushFaults::only(PushFaultKind::Delayed, 1.0, 2) };
    let emu = builder(&rx).push_faults(faults).start().await.unwrap();
    let mut applied = Vec::new();
    for _ in 0..4 {
        let e = emu.submit_approval().unwrap();
        applied.push((e.xml, Instant::now()));
    }
    assert!(emu.wait_deliveries_idle(SETTLE).await);
    let got = rx.received();
    assert_eq!(got.len(), 4);
    for (xml, at) in applied {
        let r = got.iter().find(|r| r.message == xml).expect("delivered");
        assert!(r.at.duration_since(at) >= Duration::from_millis(300), "arrived after {:?}", r.at.duration_since(at));
    }
    assert!(emu.deliveries().iter().all(|r| r.delayed));
    assert_eq!(emu.push_counts().delayed, 4);
}

#[tokio::test]
async fn reordered_pushes_are_overtaken_but_all_arrive() {
    // Every event held: released newest first once the hold expires.
    let rx = Receiver::start().await;
    let faults =
        PushFaults { reorder_hold: Duration::from_millis(800), ..PushFaults::only(PushFaultKind::Reordered, 1.0, 3) };
    let emu = builder(&rx).push_faults(faults).start().await.unwrap();
    changes(&emu, 5);
    assert!(emu.wait_deliveries_idle(SETTLE).await);
    let order: Vec<String> = rx.received().into_iter().map(|r| r.message).collect();
    let mut want: Vec<String> = emu.events().into_iter().map(|e| e.xml).collect();
    want.reverse();
    assert_eq!(order, want);

    // Some events held: each is overtaken by a later one, and the set is the log.
    let rx = Receiver::start().await;
    let emu = builder(&rx).push_faults(PushFaults::only(PushFaultKind::Reordered, 0.4, 5)).start().await.unwrap();
    changes(&emu, 30);
    assert!(emu.wait_deliveries_idle(SETTLE).await);
    let events = emu.events();
    let arrival: Vec<u64> =
        rx.received().iter().map(|r| events.iter().find(|e| e.xml == r.message).expect("a logged event").seq).collect();
    assert_eq!(arrival.len(), 30);
    let mut sorted = arrival.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (1..=30).collect::<Vec<u64>>());
    assert_ne!(arrival, sorted, "some event was overtaken");
    let held: Vec<u64> = emu.deliveries().iter().filter(|r| r.reordered).map(|r| r.seq).collect();
    assert!(!held.is_empty());
    for s in held {
        if s < 30 {
            let pos = arrival.iter().position(|x| *x == s).unwrap();
            assert!(arrival[..pos].iter().any(|x| *x > s), "event {s} was not overtaken: {arrival:?}");
        }
    }
}

#[tokio::test]
async fn non_200_is_retried_up_to_the_attempt_limit() {
    let rx = Receiver::scripted(|_, _| Answer::Status(500)).await;
    let emu = builder(&rx).start().await.unwrap();
    changes(&emu, 2);
    assert!(emu.wait_deliveries_idle(SETTLE).await);
    assert_eq!(rx.received().len(), 6);
    for r in emu.deliveries() {
        assert_eq!(r.attempts.len(), 3);
        assert_eq!(r.accepted, 0);
        assert!(r.attempts.iter().all(|a| a.outcome == AttemptOutcome::Status { code: 500 } && !a.accepted));
        assert_eq!(r.attempts.iter().map(|a| a.attempt).collect::<Vec<_>>(), vec![1, 2, 3]);
        // Each attempt is signed afresh.
        assert_ne!(r.attempts[0].nonce, r.attempts[1].nonce);
    }
    let c = emu.push_counts();
    assert_eq!((c.attempts, c.retries, c.given_up, c.failed_attempts), (6, 4, 2, 6));

    // Failing twice, then 200: three requests, the last accepted.
    let rx = Receiver::scripted(|_, n| if n < 2 { Answer::Status(503) } else { Answer::Ok }).await;
    let emu = builder(&rx).start().await.unwrap();
    changes(&emu, 3);
    assert!(emu.wait_deliveries_idle(SETTLE).await);
    assert_eq!(rx.received().len(), 9);
    assert!(emu.deliveries().iter().all(|r| r.accepted == 1 && r.attempts.len() == 3));

    // The newer reading: any HTTP answer ends the delivery.
    let rx = Receiver::scripted(|_, _| Answer::Status(500)).await;
    let lenient = Delivery { retry_on: RetryOn::ConnectionFailure, ..fast() };
    let emu = builder(&rx).delivery(lenient).start().await.unwrap();
    changes(&emu, 2);
    assert!(emu.wait_deliveries_idle(SETTLE).await);
    assert_eq!(rx.received().len(), 2);
    assert!(emu.deliveries().iter().all(|r| r.attempts.len() == 1 && r.accepted == 1));
}

#[tokio::test]
async fn a_slow_receiver_times_out_and_gets_the_event_again() {
    let rx =
        Receiver::scripted(|_, n| if n == 0 { Answer::Sleep(Duration::from_millis(1500)) } else { Answer::Ok }).await;
    let delivery = Delivery { timeout: Duration::from_millis(500), ..fast() };
    let emu = builder(&rx).delivery(delivery).start().await.unwrap();
    changes(&emu, 3);
    assert!(emu.wait_deliveries_idle(SETTLE).await);
    for r in emu.deliveries() {
        assert_eq!(r.attempts.len(), 2, "{r:?}");
        assert_eq!(r.attempts[0].outcome, AttemptOutcome::Timeout);
        assert_eq!(r.attempts[1].outcome, AttemptOutcome::Status { code: 200 });
        assert_eq!(r.accepted, 1);
    }
    // The slow first attempts of different events overlapped.
    assert!(rx.max_in_flight() >= 2, "max in flight {}", rx.max_in_flight());
    // The receiver saw each event twice: the timed-out request did arrive.
    assert!(received_counts(&rx).values().all(|n| *n == 2));
}

#[tokio::test]
async fn an_unreachable_receiver_is_given_up_after_three_attempts() {
    // A port that was just free: connection refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let emu = Emulator::builder()
        .approvals(50)
        .journals(1)
        .callback(format!("http://127.0.0.1:{port}/cb"), TOKEN, AES_KEY)
        .delivery(fast())
        .start()
        .await
        .unwrap();
    changes(&emu, 2);
    assert!(emu.wait_deliveries_idle(SETTLE).await);
    for r in emu.deliveries() {
        assert_eq!(r.attempts.len(), 3);
        assert!(r.attempts.iter().all(|a| matches!(a.outcome, AttemptOutcome::ConnectionFailed { .. })));
    }
    assert_eq!(emu.push_counts().given_up, 2);
}

#[tokio::test]
async fn activity_pushes_every_change_until_it_stops() {
    let rx = Receiver::start().await;
    let emu = builder(&rx).activity(1200).activity_for(Duration::from_millis(700)).start().await.unwrap();
    assert!(emu.settle(SETTLE).await);
    let events = emu.events();
    assert!(events.len() >= 3, "{}", events.len());
    let got = received_counts(&rx);
    assert_eq!(got.len(), events.len());
    assert!(events.iter().all(|e| got.get(&e.xml) == Some(&1)));
    assert!(rx.received().iter().all(|r| r.signature_ok && r.receive_id == emu.corp_id()));
}

#[tokio::test]
async fn push_settings_change_at_run_time() {
    let rx = Receiver::start().await;
    let emu = Emulator::builder().approvals(100).journals(1).delivery(fast()).start().await.unwrap();
    let http = common::http();
    let base = emu.base_url();
    // No target yet: changes happen, nothing is pushed.
    changes(&emu, 2);
    assert_eq!(emu.push_counts().no_target, 2);
    let r = http
        .post(format!("{base}/_emulator/callback"))
        .body(json!({"url": rx.url, "token": TOKEN, "aes_key": "short"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body = r.text().await.unwrap();
    assert!(!body.contains(TOKEN), "{body}");
    let r = http
        .post(format!("{base}/_emulator/callback"))
        .body(json!({"url": rx.url, "token": TOKEN, "aes_key": AES_KEY}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(emu.callback_url().as_deref(), Some(rx.url.as_str()));
    let v: Value = http.get(format!("{base}/_emulator/callback")).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["url"], rx.url.as_str());
    assert!(!v.to_string().contains(AES_KEY) && !v.to_string().contains(TOKEN));
    let r = http
        .post(format!("{base}/_emulator/push_faults"))
        .body(json!({"seed": 4, "duplicate": 1.0, "copies": 3}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(emu.push_faults().copies, 3);
    let r = http.post(format!("{base}/_emulator/step")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = http
        .post(format!("{base}/_emulator/deliveries/wait?timeout_ms=10000"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["idle"], true);
    assert_eq!(rx.received().len(), 3);
    let v: Value = http.get(format!("{base}/_emulator/deliveries")).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["count"], 1);
    assert_eq!(v["deliveries"][0]["seq"], 3);
    assert_eq!(v["deliveries"][0]["duplicated"], true);
    assert_eq!(v["counts"]["duplicated"], 1);
    assert_eq!(serde_json::to_value(emu.deliveries()).unwrap(), v["deliveries"]);
    let v: Value = http.get(format!("{base}/_emulator/stats")).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["push_counts"]["attempts"], 3);
    // Delivery settings over HTTP.
    let r = http
        .post(format!("{base}/_emulator/delivery"))
        .body(
            json!({"timeout_ms": 250, "attempts": 2, "retry_delay_ms": 5, "retry_on": "connection_failure"})
                .to_string(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        emu.delivery(),
        Delivery {
            timeout: Duration::from_millis(250),
            attempts: 2,
            retry_delay: Duration::from_millis(5),
            retry_on: RetryOn::ConnectionFailure
        }
    );
    // Activity over HTTP.
    let v: Value = http
        .post(format!("{base}/_emulator/activity"))
        .body(json!({"changes_per_minute": 6000, "for_ms": 200}).to_string())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["changes_per_minute"], 6000);
    let v: Value =
        http.post(format!("{base}/_emulator/settle?timeout_ms=10000")).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["settled"], true, "{v}");
    assert!(emu.events().len() > 3);
    emu.clear_callback();
    assert_eq!(emu.callback_url(), None);
}

#[tokio::test]
async fn bad_callback_settings_fail_at_start_without_leaking_secrets() {
    for (url, key) in [("http://127.0.0.1:1/cb", "tooShort"), ("ftp://x/cb", AES_KEY), ("not a url", AES_KEY)] {
        let err =
            Emulator::builder().approvals(5).journals(1).callback(url, "sekritToken", key).start().await.unwrap_err();
        assert!(matches!(err, EmulatorError::Config(_)), "{err}");
        let msg = err.to_string();
        assert!(!msg.contains("sekritToken") && !msg.contains(AES_KEY), "{msg}");
    }
    let b = Emulator::builder().callback("http://127.0.0.1:1/cb", "sekritToken", AES_KEY);
    let dbg = format!("{b:?}");
    assert!(!dbg.contains("sekritToken") && !dbg.contains(AES_KEY), "{dbg}");
    assert!(Emulator::builder().agent_id("12a").start().await.is_err());
}
