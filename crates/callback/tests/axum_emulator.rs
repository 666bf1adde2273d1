//! End to end over real HTTP on loopback: `wecom-emulator` pushes encrypted
//! `sys_approval_change` events (its own cipher, WeCom's delivery rules, injected faults) to the
//! axum router of this crate, and every change in the emulator's ground truth must reach the
//! consumer exactly once — with no faults and under each fault kind, with a slow consumer, with
//! an accept hook that fails or is slow, and for bursts of distinct events in one second.
#![cfg(feature = "axum")]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use wecom_callback::axum::{CallbackService, Delivery, ServiceStats};
use wecom_callback::event::Event;
use wecom_callback::{CallbackEvent, Crypto, DedupKey, Receiver, Verifier};
use wecom_emulator::{
    ActivityMix, ApprovalEvent, AttemptOutcome, Change, DeliveryRecord, Emulator, EmulatorHandle, PushFaultKind,
    PushFaults, RetryOn,
};

const TOKEN: &str = "recvTestToken42";
const AES_KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
const PATH: &str = "/wecom/callback";
const IDLE: Duration = Duration::from_secs(30);

/// WeCom's rules with short timings: 3 attempts, `timeout` each, 20 ms between them.
fn push_rules(timeout: Duration) -> wecom_emulator::Delivery {
    wecom_emulator::Delivery { timeout, attempts: 3, retry_delay: Duration::from_millis(20), retry_on: RetryOn::NotOk }
}

/// The emulator's activity mix without urges: an urge changes nothing but the push, so two
/// urges of one form in one second are byte-identical events (see the crate docs).
fn no_urge() -> ActivityMix {
    ActivityMix { urge: 0, ..ActivityMix::default() }
}

/// The axum router on 127.0.0.1:0, stopped gracefully by [`Server::stop`].
struct Server {
    url: String,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl Server {
    async fn start(service: CallbackService) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}{PATH}", listener.local_addr().unwrap());
        let (shutdown, signal) = oneshot::channel::<()>();
        let app = wecom_callback::axum::router(PATH, service);
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = signal.await;
                })
                .await
                .expect("serve");
        });
        Server { url, shutdown, task }
    }

    /// Stops serving; the router (and the channel sender it holds) is dropped.
    async fn stop(self) {
        let _ = self.shutdown.send(());
        self.task.await.expect("server task");
    }
}

fn receiver(corp_id: &str) -> Receiver {
    Receiver::new(Verifier::new(Crypto::new(TOKEN, AES_KEY).unwrap(), corp_id))
}

async fn emulator(faults: PushFaults, rules: wecom_emulator::Delivery) -> EmulatorHandle {
    Emulator::builder()
        .approvals(300)
        .journals(0)
        .push_faults(faults)
        .delivery(rules)
        .activity_mix(no_urge())
        .start()
        .await
        .expect("emulator")
}

/// A channel-mode consumer: collects every event, sleeping `per_event` after each.
fn channel_consumer(capacity: usize, per_event: Duration) -> (Delivery, JoinHandle<Vec<CallbackEvent>>) {
    let (tx, mut rx) = mpsc::channel(capacity);
    let consumer = tokio::spawn(async move {
        let mut got = Vec::new();
        while let Some(event) = rx.recv().await {
            got.push(event);
            if !per_event.is_zero() {
                tokio::time::sleep(per_event).await;
            }
        }
        got
    });
    (Delivery::channel(tx), consumer)
}

/// A whole run in channel mode: serve, point the emulator at us, make `changes` changes, wait
/// until every delivery has ended, stop, and return what the consumer got.
struct Run {
    emu: EmulatorHandle,
    delivered: Vec<CallbackEvent>,
    receiver: Receiver,
    service_stats: ServiceStats,
}

async fn channel_run(faults: PushFaults, changes: usize, per_event: Duration) -> Run {
    let emu = emulator(faults, push_rules(Duration::from_secs(2))).await;
    let receiver = receiver(emu.corp_id());
    let (delivery, consumer) = channel_consumer(1024, per_event);
    let service = CallbackService::new(receiver.clone(), delivery);
    let server = Server::start(service.clone()).await;
    emu.set_callback(&server.url, TOKEN, AES_KEY).unwrap();
    for _ in 0..changes {
        emu.step().expect("a change");
    }
    assert!(emu.wait_deliveries_idle(IDLE).await, "deliveries did not end");
    let service_stats = service.stats();
    drop(service);
    server.stop().await;
    let delivered = consumer.await.expect("consumer");
    Run { emu, delivered, receiver, service_stats }
}

/// Asserts that `delivered` holds each of `expected` exactly once and nothing else, matched
/// by plaintext digest, and that the typed fields agree with the ground truth.
fn assert_exactly_once(expected: &[&ApprovalEvent], delivered: &[CallbackEvent]) {
    let truth: HashMap<DedupKey, &ApprovalEvent> = expected.iter().map(|e| (DedupKey::of(&e.xml), *e)).collect();
    assert_eq!(truth.len(), expected.len(), "the ground truth holds two identical events");
    let mut seen = HashSet::new();
    for event in delivered {
        let Some(ev) = truth.get(&event.key()) else {
            panic!("delivered an event that is not expected: {}", event.xml());
        };
        assert!(seen.insert(event.key()), "event seq {} delivered twice", ev.seq);
        assert_eq!(event.xml(), ev.xml, "seq {}", ev.seq);
        let Ok(Event::SysApprovalChange(change)) = event.event() else {
            panic!("seq {} not typed as sys_approval_change: {:?}", ev.seq, event.event());
        };
        let info = &change.approval_info;
        assert_eq!(info.sp_no.as_deref(), Some(ev.sp_no.as_str()), "seq {}", ev.seq);
        assert_eq!(info.statu_change_event.code(), i64::from(ev.statu_change_event), "seq {}", ev.seq);
        assert_eq!(info.sp_status.code(), i64::from(ev.sp_status), "seq {}", ev.seq);
        assert_eq!(change.header.create_time, ev.time, "seq {}", ev.seq);
    }
    let missing: Vec<u64> = expected.iter().filter(|e| !seen.contains(&DedupKey::of(&e.xml))).map(|e| e.seq).collect();
    assert!(missing.is_empty(), "never delivered: seqs {missing:?}");
}

fn records_by_seq(emu: &EmulatorHandle) -> BTreeMap<u64, DeliveryRecord> {
    emu.deliveries().into_iter().map(|r| (r.seq, r)).collect()
}

#[tokio::test]
async fn without_faults_every_change_is_delivered_exactly_once() {
    let run = channel_run(PushFaults::none(), 40, Duration::ZERO).await;
    let events = run.emu.events();
    assert_eq!(events.len(), 40);
    assert_exactly_once(&events.iter().collect::<Vec<_>>(), &run.delivered);
    let stats = run.receiver.stats();
    assert_eq!((stats.received, stats.new, stats.accepted, stats.duplicates, stats.released), (40, 40, 40, 0, 0));
    assert_eq!(run.service_stats, ServiceStats::default());
    assert!(run.emu.deliveries().iter().all(|r| r.attempts.len() == 1 && r.accepted == 1));
}

#[tokio::test]
async fn dropped_pushes_are_missing_and_nothing_else_is() {
    let run = channel_run(PushFaults::only(PushFaultKind::Dropped, 0.3, 11), 40, Duration::ZERO).await;
    let events = run.emu.events();
    let records = records_by_seq(&run.emu);
    let dropped: HashSet<u64> = records.values().filter(|r| r.dropped).map(|r| r.seq).collect();
    assert!(!dropped.is_empty() && dropped.len() < events.len(), "the fault must hit some events: {dropped:?}");
    let expected: Vec<&ApprovalEvent> = events.iter().filter(|e| !dropped.contains(&e.seq)).collect();
    assert_exactly_once(&expected, &run.delivered);
    assert_eq!(run.receiver.stats().received as usize, expected.len());
}

#[tokio::test]
async fn duplicated_pushes_are_delivered_once() {
    let faults = PushFaults { copies: 3, ..PushFaults::only(PushFaultKind::Duplicated, 0.4, 12) };
    let run = channel_run(faults, 40, Duration::ZERO).await;
    let events = run.emu.events();
    let records = records_by_seq(&run.emu);
    let extra_copies: u32 = records.values().filter(|r| r.duplicated).map(|r| r.copies - 1).sum();
    assert!(extra_copies > 0, "the fault must hit some events");
    assert!(records.values().all(|r| r.accepted == r.copies), "every copy answered 200");
    assert_exactly_once(&events.iter().collect::<Vec<_>>(), &run.delivered);
    let stats = run.receiver.stats();
    assert_eq!(stats.duplicates, u64::from(extra_copies));
    assert_eq!((stats.new, stats.accepted), (40, 40));
}

#[tokio::test]
async fn delayed_pushes_are_delivered_once() {
    let faults =
        PushFaults { delay_duration: Duration::from_millis(300), ..PushFaults::only(PushFaultKind::Delayed, 0.4, 13) };
    let run = channel_run(faults, 40, Duration::ZERO).await;
    let events = run.emu.events();
    assert!(records_by_seq(&run.emu).values().any(|r| r.delayed), "the fault must hit some events");
    assert_exactly_once(&events.iter().collect::<Vec<_>>(), &run.delivered);
}

#[tokio::test]
async fn reordered_pushes_are_delivered_once() {
    let faults =
        PushFaults { reorder_hold: Duration::from_millis(300), ..PushFaults::only(PushFaultKind::Reordered, 0.4, 14) };
    let run = channel_run(faults, 40, Duration::ZERO).await;
    let events = run.emu.events();
    let records = records_by_seq(&run.emu);
    assert!(records.values().any(|r| r.reordered), "the fault must hit some events");
    assert_exactly_once(&events.iter().collect::<Vec<_>>(), &run.delivered);
    // Arrival order differs from the order of the changes.
    let seq_of: HashMap<DedupKey, u64> = events.iter().map(|e| (DedupKey::of(&e.xml), e.seq)).collect();
    let arrival: Vec<u64> = run.delivered.iter().map(|e| seq_of[&e.key()]).collect();
    assert!(arrival.windows(2).any(|w| w[0] > w[1]), "no event was overtaken: {arrival:?}");
}

#[tokio::test]
async fn all_fault_kinds_at_once_still_deliver_every_surviving_change_once() {
    let run = channel_run(PushFaults::uniform(0.6, 15), 60, Duration::ZERO).await;
    let events = run.emu.events();
    let records = records_by_seq(&run.emu);
    let expected: Vec<&ApprovalEvent> = events.iter().filter(|e| !records[&e.seq].dropped).collect();
    assert_exactly_once(&expected, &run.delivered);
}

#[tokio::test]
async fn a_slow_consumer_in_channel_mode_never_causes_a_redelivery() {
    // 20 events, the consumer takes 150 ms each (3 s in all), the emulator gives each POST
    // 1 s: only an answer that does not wait for the consumer avoids retries.
    let emu = emulator(PushFaults::none(), push_rules(Duration::from_secs(1))).await;
    let receiver = receiver(emu.corp_id());
    let (delivery, consumer) = channel_consumer(64, Duration::from_millis(150));
    let service = CallbackService::new(receiver.clone(), delivery);
    let server = Server::start(service.clone()).await;
    emu.set_callback(&server.url, TOKEN, AES_KEY).unwrap();
    for _ in 0..20 {
        emu.step().expect("a change");
    }
    assert!(emu.wait_deliveries_idle(IDLE).await);
    for record in emu.deliveries() {
        assert_eq!(record.attempts.len(), 1, "seq {} was attempted again: {:?}", record.seq, record.attempts);
        assert_eq!(record.attempts[0].outcome, AttemptOutcome::Status { code: 200 });
    }
    assert_eq!(emu.push_counts().retries, 0);
    drop(service);
    server.stop().await;
    let delivered = consumer.await.unwrap();
    assert_exactly_once(&emu.events().iter().collect::<Vec<_>>(), &delivered);
}

#[tokio::test]
async fn a_full_channel_answers_503_and_the_retry_is_delivered_once() {
    // A channel of one slot whose consumer only starts draining after a while: the first
    // event fills it, the second waits for room until the deadline and gets 503; WeCom's retry
    // then finds room.
    let emu = emulator(PushFaults::none(), push_rules(Duration::from_secs(2))).await;
    let receiver = receiver(emu.corp_id());
    let (tx, mut rx) = mpsc::channel(1);
    let service = CallbackService::new(receiver.clone(), Delivery::channel(tx).deadline(Duration::from_millis(100)));
    let server = Server::start(service.clone()).await;
    emu.set_callback(&server.url, TOKEN, AES_KEY).unwrap();
    emu.step().unwrap();
    assert!(emu.wait_deliveries_idle(IDLE).await);
    emu.set_delivery(wecom_emulator::Delivery {
        retry_delay: Duration::from_millis(400),
        ..push_rules(Duration::from_secs(2))
    });
    emu.step().unwrap();
    // Start draining only once the first attempt has been refused (the retry comes 400 ms later).
    let refused = async {
        while emu.deliveries().get(1).is_none_or(|r| r.attempts.is_empty()) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    tokio::time::timeout(IDLE, refused).await.expect("a first attempt");
    let consumer = tokio::spawn(async move {
        let mut got = Vec::new();
        while let Some(event) = rx.recv().await {
            got.push(event);
        }
        got
    });
    assert!(emu.wait_deliveries_idle(IDLE).await);
    let second = &emu.deliveries()[1];
    assert_eq!(second.attempts[0].outcome, AttemptOutcome::Status { code: 503 });
    assert!(second.attempts.last().unwrap().accepted);
    assert!(service.stats().channel_full >= 1);
    drop(service);
    server.stop().await;
    assert_exactly_once(&emu.events().iter().collect::<Vec<_>>(), &consumer.await.unwrap());
    assert_eq!(receiver.stats().accepted, 2);
}

/// An accept-mode store: every event the hook accepted, and how often it was called per key.
#[derive(Clone, Default)]
struct Store {
    accepted: Arc<Mutex<Vec<CallbackEvent>>>,
    calls: Arc<Mutex<HashMap<DedupKey, u32>>>,
}

impl Store {
    /// Records a call for `event`'s key and returns how many calls there were for it before.
    fn call(&self, event: &CallbackEvent) -> u32 {
        let mut calls = self.calls.lock().unwrap();
        let n = calls.entry(event.key()).or_default();
        *n += 1;
        *n - 1
    }
}

#[tokio::test]
async fn in_accept_mode_a_failing_hook_answers_503_and_the_retry_is_accepted_once() {
    let emu = emulator(PushFaults::none(), push_rules(Duration::from_secs(2))).await;
    let receiver = receiver(emu.corp_id());
    let store = Store::default();
    let hook_store = store.clone();
    // The first call for each event fails (a locked database), the next succeeds.
    let delivery = Delivery::accept(move |event: CallbackEvent| {
        let store = hook_store.clone();
        async move {
            if store.call(&event) == 0 {
                return Err(std::io::Error::other("database is locked"));
            }
            store.accepted.lock().unwrap().push(event);
            Ok(())
        }
    });
    let service = CallbackService::new(receiver.clone(), delivery);
    let server = Server::start(service.clone()).await;
    emu.set_callback(&server.url, TOKEN, AES_KEY).unwrap();
    for _ in 0..10 {
        emu.step().unwrap();
    }
    assert!(emu.wait_deliveries_idle(IDLE).await);
    for record in emu.deliveries() {
        let outcomes: Vec<&AttemptOutcome> = record.attempts.iter().map(|a| &a.outcome).collect();
        assert_eq!(
            outcomes,
            [&AttemptOutcome::Status { code: 503 }, &AttemptOutcome::Status { code: 200 }],
            "seq {}",
            record.seq
        );
    }
    assert_exactly_once(&emu.events().iter().collect::<Vec<_>>(), &store.accepted.lock().unwrap());
    let stats = receiver.stats();
    assert_eq!((stats.new, stats.released, stats.accepted, stats.duplicates), (20, 10, 10, 0));
    assert_eq!(service.stats().accept_failed, 10);
    drop(service);
    server.stop().await;
}

#[tokio::test]
async fn in_accept_mode_a_hook_past_its_deadline_answers_503_and_its_late_success_counts_once() {
    // The hook takes 350 ms, the deadline is 200 ms: the first attempt gets 503, the hook
    // still finishes and accepts; the retry (20 ms later) waits for it and is a duplicate.
    let emu = emulator(PushFaults::none(), push_rules(Duration::from_secs(2))).await;
    let receiver = receiver(emu.corp_id());
    let store = Store::default();
    let hook_store = store.clone();
    let delivery = Delivery::accept(move |event: CallbackEvent| {
        let store = hook_store.clone();
        async move {
            store.call(&event);
            tokio::time::sleep(Duration::from_millis(350)).await;
            store.accepted.lock().unwrap().push(event);
            Ok::<(), std::io::Error>(())
        }
    })
    .deadline(Duration::from_millis(200));
    let service = CallbackService::new(receiver.clone(), delivery);
    let server = Server::start(service.clone()).await;
    emu.set_callback(&server.url, TOKEN, AES_KEY).unwrap();
    for _ in 0..3 {
        emu.step().unwrap();
    }
    assert!(emu.wait_deliveries_idle(IDLE).await);
    for record in emu.deliveries() {
        assert_eq!(record.attempts[0].outcome, AttemptOutcome::Status { code: 503 }, "seq {}", record.seq);
        assert!(record.attempts.last().unwrap().accepted, "seq {}: {:?}", record.seq, record.attempts);
    }
    assert!(store.calls.lock().unwrap().values().all(|n| *n == 1), "the hook ran once per event");
    assert_exactly_once(&emu.events().iter().collect::<Vec<_>>(), &store.accepted.lock().unwrap());
    let stats = receiver.stats();
    assert_eq!((stats.new, stats.accepted, stats.released), (3, 3, 0));
    assert!(stats.in_flight >= 3, "each retry found its event in flight: {stats:?}");
    assert_eq!(service.stats().accept_timed_out, 3);
    drop(service);
    server.stop().await;
}

#[tokio::test]
async fn a_burst_of_distinct_events_in_one_second_all_arrive() {
    let emu = emulator(PushFaults::none(), push_rules(Duration::from_secs(2))).await;
    let receiver = receiver(emu.corp_id());
    let (delivery, consumer) = channel_consumer(1024, Duration::ZERO);
    let service = CallbackService::new(receiver.clone(), delivery);
    let server = Server::start(service.clone()).await;
    emu.set_callback(&server.url, TOKEN, AES_KEY).unwrap();

    // A form whose first node is 会签 (every approver must approve) with several approvers.
    let (sp_no, approvers) = (0..200)
        .find_map(|_| {
            let sp_no = emu.submit_approval().unwrap().sp_no;
            let detail = emu.approval_detail(&sp_no).unwrap();
            let node = &detail["sp_record"][0];
            let approvers: Vec<String> = node["details"]
                .as_array()?
                .iter()
                .map(|d| d["approver"]["userid"].as_str().unwrap().to_owned())
                .collect();
            (node["approverattr"] == 2 && approvers.len() >= 2).then_some((sp_no, approvers))
        })
        .expect("a 会签 form");
    let burst_start = emu.events().len();
    // Every approver of that node approves, and 10 comments follow, as fast as possible.
    for approver in &approvers {
        emu.apply(Change::Approve { sp_no: sp_no.clone(), approver: Some(approver.clone()), speech: None }).unwrap();
    }
    for i in 0..10 {
        emu.comment(&sp_no, &format!("comment {i}")).unwrap();
    }
    assert!(emu.wait_deliveries_idle(IDLE).await);

    let events = emu.events();
    let mut same_second: HashMap<(&str, i64, u8), usize> = HashMap::new();
    for e in &events[burst_start..] {
        *same_second.entry((e.sp_no.as_str(), e.time, e.statu_change_event)).or_default() += 1;
    }
    assert!(
        same_second.values().any(|n| *n >= 5),
        "the burst should put several events of one kind on one form in one second: {same_second:?}"
    );
    drop(service);
    server.stop().await;
    assert_exactly_once(&events.iter().collect::<Vec<_>>(), &consumer.await.unwrap());
    assert_eq!(receiver.stats().duplicates, 0);
}
