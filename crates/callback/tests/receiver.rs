//! The transport-free `Receiver`: de-duplication by plaintext digest (distinct events of the
//! same second all new, identical plaintexts once), claims (accepted → remembered, released or
//! dropped → new again, concurrent → in flight), bounded memory (capacity, TTL), events that
//! cannot be typed, refusals and counters.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;
use std::time::Duration;

use wecom_callback::event::{Event, StatuChangeEvent};
use wecom_callback::{
    CallbackError, CallbackQuery, Crypto, DedupConfig, DedupKey, ReceiveError, ReceiveIdPolicy, Received, Receiver,
    Verifier,
};

const TOKEN: &str = "Token123";
const KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
const CORP: &str = "ww1cSD21f1e9c0caaa";

fn receiver(dedup: DedupConfig) -> Receiver {
    Receiver::with_dedup(Verifier::new(Crypto::new(TOKEN, KEY).unwrap(), CORP), dedup)
}

/// Encrypts and signs `message` as WeCom does: a fresh random prefix and nonce each time, so
/// two calls with one message give different ciphertexts.
fn post(message: &str, receive_id: &str) -> (CallbackQuery, String) {
    static NONCE: AtomicU32 = AtomicU32::new(1);
    let crypto = Crypto::new(TOKEN, KEY).unwrap();
    let encrypt = crypto.encrypt(message, receive_id);
    let nonce = NONCE.fetch_add(1, Ordering::Relaxed).to_string();
    let signature = crypto.signature("1571732272", &nonce, &encrypt);
    let body = format!(
        "<xml><ToUserName><![CDATA[{CORP}]]></ToUserName>\n<Encrypt><![CDATA[{encrypt}]]></Encrypt>\n\
         <AgentID><![CDATA[3010040]]></AgentID>\n</xml>"
    );
    (CallbackQuery::new(signature, "1571732272", nonce), body)
}

fn receive(receiver: &Receiver, message: &str) -> Received {
    let (query, body) = post(message, CORP);
    receiver.receive(&query, body).expect("a valid POST")
}

/// A `sys_approval_change` at `create_time`: one 会签 node (two approvers, statuses given),
/// comments `(id, text)`, the change kind and the form status after it.
fn approval_event(
    create_time: i64,
    approvers: [u8; 2],
    comments: &[(&str, &str)],
    change: u8,
    sp_status: u8,
) -> String {
    let details: String = ["WangXiaoMing", "LiuXiaoGang"]
        .iter()
        .zip(approvers)
        .map(|(user, status)| {
            let time = if status == 1 { 0 } else { create_time };
            format!(
                "<Details><Approver><UserId><![CDATA[{user}]]></UserId></Approver><Speech><![CDATA[]]></Speech>\
                 <SpStatus>{status}</SpStatus><SpTime>{time}</SpTime></Details>"
            )
        })
        .collect();
    let comments: String = comments
        .iter()
        .map(|(id, text)| {
            format!(
                "<Comments><CommentUserInfo><UserId><![CDATA[WuJunJie]]></UserId></CommentUserInfo>\
                 <CommentTime>{create_time}</CommentTime><CommentContent><![CDATA[{text}]]></CommentContent>\
                 <CommentId><![CDATA[{id}]]></CommentId></Comments>"
            )
        })
        .collect();
    let node_status = if approvers == [2, 2] { 2 } else { 1 };
    format!(
        "<xml><ToUserName><![CDATA[{CORP}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>\
         <CreateTime>{create_time}</CreateTime><MsgType><![CDATA[event]]></MsgType>\
         <Event><![CDATA[sys_approval_change]]></Event><AgentID>3010040</AgentID><ApprovalInfo>\
         <SpNo>202410220003</SpNo><SpName><![CDATA[报销]]></SpName><SpStatus>{sp_status}</SpStatus>\
         <TemplateId><![CDATA[3TkaH5KFbrG9heEQWLJjhgpFwmqAFB4dLEnapaB7aaa]]></TemplateId><ApplyTime>1571728713</ApplyTime>\
         <Applyer><UserId><![CDATA[WuJunJie]]></UserId><Party><![CDATA[1]]></Party></Applyer>\
         <SpRecord><SpStatus>{node_status}</SpStatus><ApproverAttr>2</ApproverAttr>{details}</SpRecord>\
         {comments}<StatuChangeEvent>{change}</StatuChangeEvent></ApprovalInfo></xml>"
    )
}

/// The keys other SDKs use: WeCom's documented `FromUserName + CreateTime`, and the
/// reference's `(ToUserName, AgentID, CreateTime, SpNo, StatuChangeEvent, SpStatus)`.
/// WeCom's documented key for events.
type DocumentedKey = (String, i64);
/// The reference's recommended key for `sys_approval_change`.
type ReferenceKey = (String, String, i64, String, i64, i64);

fn coarse_keys(xml: &str) -> (DocumentedKey, ReferenceKey) {
    let Event::SysApprovalChange(e) = Event::from_xml(xml).unwrap() else { panic!("not sys_approval_change") };
    let h = &e.header;
    let a = &e.approval_info;
    (
        (h.from_user_name.clone(), h.create_time),
        (
            h.to_user_name.clone(),
            h.agent_id.clone(),
            h.create_time,
            a.sp_no.clone().unwrap(),
            a.statu_change_event.code(),
            a.sp_status.code(),
        ),
    )
}

#[test]
fn distinct_events_of_the_same_second_are_all_delivered() {
    let t = 1_571_732_272;
    // Two approvers of one 会签 node approve in the same second (the form stays 审批中), and
    // two comments are added in the same second.
    let first_approval = approval_event(t, [2, 1], &[], 2, 1);
    let second_approval = approval_event(t, [2, 2], &[], 2, 1);
    let first_comment = approval_event(t, [2, 2], &[("7000000000000000001", "ok")], 10, 1);
    let second_comment =
        approval_event(t, [2, 2], &[("7000000000000000001", "ok"), ("7000000000000000002", "ok")], 10, 1);

    // The coarse keys cannot tell them apart: a receiver using them would lose events.
    assert_eq!(coarse_keys(&first_approval), coarse_keys(&second_approval));
    assert_eq!(coarse_keys(&first_comment), coarse_keys(&second_comment));
    assert_eq!(coarse_keys(&first_approval).0, coarse_keys(&first_comment).0);

    let receiver = receiver(DedupConfig::default());
    let mut keys = HashSet::new();
    for xml in [&first_approval, &second_approval, &first_comment, &second_comment] {
        let Received::New(pending) = receive(&receiver, xml) else { panic!("a distinct event taken for a duplicate") };
        assert_eq!(pending.event().xml(), xml.as_str());
        keys.insert(pending.accept().key());
    }
    assert_eq!(keys.len(), 4);
    let stats = receiver.stats();
    assert_eq!((stats.new, stats.accepted, stats.duplicates, stats.remembered), (4, 4, 0, 4));
}

#[test]
fn an_identical_plaintext_is_delivered_once_whatever_its_ciphertext() {
    let xml = approval_event(1_571_732_272, [2, 1], &[], 2, 1);
    let receiver = receiver(DedupConfig::default());
    let (first_query, first_body) = post(&xml, CORP);
    let (second_query, second_body) = post(&xml, CORP);
    assert_ne!(first_body, second_body, "each delivery is encrypted afresh");

    let Received::New(pending) = receiver.receive(&first_query, &first_body).unwrap() else { panic!("new") };
    let event = pending.accept();
    assert_eq!(event.key(), DedupKey::of(&xml));
    for (query, body) in [(second_query, second_body), (first_query, first_body), post(&xml, CORP)] {
        match receiver.receive(&query, body).unwrap() {
            Received::Duplicate(dup) => assert_eq!(dup.key(), event.key()),
            other => panic!("expected a duplicate, got {other:?}"),
        }
    }
    let stats = receiver.stats();
    assert_eq!((stats.received, stats.new, stats.accepted, stats.duplicates), (4, 1, 1, 3));
    assert!(receiver.is_remembered(&event.key()));
}

#[test]
fn a_delivery_that_was_not_accepted_is_new_again() {
    let xml = approval_event(1_571_732_272, [1, 1], &[], 1, 1);
    let receiver = receiver(DedupConfig::default());

    // Dropped without accepting (a consumer that failed, a task that panicked).
    let Received::New(pending) = receive(&receiver, &xml) else { panic!("new") };
    drop(pending);
    // Released explicitly.
    let Received::New(pending) = receive(&receiver, &xml) else { panic!("new after a drop") };
    let event = pending.release();
    assert!(!receiver.is_remembered(&event.key()));
    // Split into event and claim, accepted later.
    let Received::New(pending) = receive(&receiver, &xml) else { panic!("new after a release") };
    let (_event, claim) = pending.into_parts();
    claim.accept();
    assert!(matches!(receive(&receiver, &xml), Received::Duplicate(_)));

    let stats = receiver.stats();
    assert_eq!((stats.new, stats.released, stats.accepted, stats.duplicates), (3, 2, 1, 1));
}

#[test]
fn a_delivery_arriving_while_the_same_event_is_being_accepted_is_in_flight() {
    let xml = approval_event(1_571_732_272, [1, 1], &[], 1, 1);
    let receiver = receiver(DedupConfig::default());
    let Received::New(pending) = receive(&receiver, &xml) else { panic!("new") };
    let Received::InFlight(waiting) = receive(&receiver, &xml) else { panic!("in flight") };
    assert_eq!(receiver.stats().in_flight_now, 1);

    // The first one fails: the waiting delivery may take over.
    drop(pending);
    let Received::New(pending) = receiver.claim(waiting) else { panic!("new once the first was released") };
    let Received::InFlight(waiting) = receive(&receiver, &xml) else { panic!("in flight") };
    // This one succeeds: the waiting one is a duplicate.
    pending.accept();
    assert!(matches!(receiver.claim(waiting), Received::Duplicate(_)));

    let stats = receiver.stats();
    assert_eq!((stats.new, stats.in_flight, stats.accepted, stats.released, stats.duplicates), (2, 2, 1, 1, 1));
    assert_eq!(stats.in_flight_now, 0);
}

#[test]
fn memory_is_bounded_by_its_capacity_oldest_first() {
    let receiver = receiver(DedupConfig { capacity: 3, ttl: Duration::from_secs(3600) });
    let events: Vec<String> = (0..5).map(|i| approval_event(1_571_732_272 + i, [1, 1], &[], 1, 1)).collect();
    for xml in &events {
        let Received::New(pending) = receive(&receiver, xml) else { panic!("new") };
        pending.accept();
    }
    let stats = receiver.stats();
    assert_eq!((stats.remembered, stats.evicted), (3, 2));
    // The three newest are remembered, the two oldest forgotten.
    for xml in &events[2..] {
        assert!(receiver.is_remembered(&DedupKey::of(xml)));
        assert!(matches!(receive(&receiver, xml), Received::Duplicate(_)));
    }
    for xml in &events[..2] {
        assert!(!receiver.is_remembered(&DedupKey::of(xml)));
    }
    assert!(matches!(receive(&receiver, &events[0]), Received::New(_)));
}

#[test]
fn keys_are_forgotten_after_their_time_to_live() {
    let receiver = receiver(DedupConfig { capacity: 100, ttl: Duration::from_millis(100) });
    let xml = approval_event(1_571_732_272, [1, 1], &[], 1, 1);
    let Received::New(pending) = receive(&receiver, &xml) else { panic!("new") };
    pending.accept();
    assert!(matches!(receive(&receiver, &xml), Received::Duplicate(_)));
    thread::sleep(Duration::from_millis(250));
    assert_eq!(receiver.stats().remembered, 0);
    assert!(matches!(receive(&receiver, &xml), Received::New(_)));
}

#[test]
fn capacity_zero_turns_deduplication_off_but_keeps_in_flight() {
    let receiver = receiver(DedupConfig { capacity: 0, ..DedupConfig::default() });
    let xml = approval_event(1_571_732_272, [1, 1], &[], 1, 1);
    let Received::New(pending) = receive(&receiver, &xml) else { panic!("new") };
    assert!(matches!(receive(&receiver, &xml), Received::InFlight(_)));
    pending.accept();
    assert!(matches!(receive(&receiver, &xml), Received::New(_)));
    assert_eq!(receiver.stats().remembered, 0);
}

#[test]
fn an_event_that_cannot_be_typed_is_delivered_with_its_xml_and_error() {
    let receiver = receiver(DedupConfig::default());
    let xml = "<xml><ToUserName>ww1cSD21f1e9c0caaa</ToUserName><FromUserName>sys</FromUserName>\
               <CreateTime>1571732272</CreateTime><MsgType>event</MsgType><Event>sys_approval_change</Event>\
               <ApprovalInfo><SpNo>202410220003</SpNo><SpStatus>1</SpStatus><ApplyTime>soon</ApplyTime>\
               <StatuChangeEvent>1</StatuChangeEvent></ApprovalInfo></xml>";
    let Received::New(pending) = receive(&receiver, xml) else { panic!("new") };
    let event = pending.accept();
    assert_eq!(event.xml(), xml);
    let error = event.event().expect_err("ApplyTime is not a number");
    assert_eq!(error.path(), Some("ApprovalInfo.ApplyTime"));
    assert_eq!(receiver.stats().unparsed, 1);
    // It is de-duplicated like any other.
    assert!(matches!(receive(&receiver, xml), Received::Duplicate(_)));
    assert_eq!(receiver.stats().unparsed, 1);

    // An event this SDK does not know is typed as unknown, with its XML.
    let unknown = "<xml><ToUserName>ww1cSD21f1e9c0caaa</ToUserName><CreateTime>1</CreateTime>\
                   <MsgType>event</MsgType><Event>change_contact</Event></xml>";
    let Received::New(pending) = receive(&receiver, unknown) else { panic!("new") };
    let event = pending.event().event().expect("typed");
    assert!(event.is_unknown());
    assert_eq!((event.name(), event.raw_xml()), ("change_contact", Some(unknown)));
}

#[test]
fn the_event_carries_its_metadata_and_typed_fields() {
    let receiver = receiver(DedupConfig::default());
    let xml = approval_event(1_571_732_272, [2, 1], &[("7000000000000000001", "请尽快")], 2, 1);
    let Received::New(pending) = receive(&receiver, &xml) else { panic!("new") };
    let event = pending.accept();
    assert_eq!(event.receive_id(), CORP);
    assert_eq!(event.to_user_name(), Some(CORP));
    assert_eq!(event.agent_id(), Some("3010040"));
    assert_eq!(event.key().to_string().len(), 64);
    let Ok(Event::SysApprovalChange(change)) = event.event() else { panic!("typed") };
    assert_eq!(change.approval_info.sp_no.as_deref(), Some("202410220003"));
    assert_eq!(change.approval_info.statu_change_event, StatuChangeEvent::Approved);
    assert_eq!(change.approval_info.sp_record[0].details.len(), 2);
    assert_eq!(change.approval_info.comments[0].comment_content, "请尽快");
    let (raw, typed) = event.into_parts();
    assert_eq!(raw, xml);
    assert!(typed.is_ok());
}

#[test]
fn refusals_are_typed_counted_and_never_delivered() {
    let receiver = receiver(DedupConfig::default());
    let xml = approval_event(1_571_732_272, [1, 1], &[], 1, 1);

    let (query, body) = post(&xml, CORP);
    let forged = CallbackQuery::new("0".repeat(40), query.timestamp(), query.nonce());
    let error = receiver.receive(&forged, &body).unwrap_err();
    assert!(matches!(error, ReceiveError::Forbidden(CallbackError::SignatureMismatch)), "{error}");
    assert_eq!(error.status(), 403);

    let (query, body) = post(&xml, "wwSomeoneElse");
    let error = receiver.receive(&query, &body).unwrap_err();
    assert!(matches!(error.callback_error(), CallbackError::ReceiveIdMismatch { .. }), "{error}");
    assert_eq!(error.status(), 403);

    // Signed correctly, but not base64: refused as malformed after the signature check.
    let crypto = Crypto::new(TOKEN, KEY).unwrap();
    let signed_garbage = CallbackQuery::new(crypto.signature("1", "2", "%%%"), "1", "2");
    let error = receiver.receive(&signed_garbage, "<xml><Encrypt>%%%</Encrypt></xml>").unwrap_err();
    assert!(matches!(error, ReceiveError::Malformed(CallbackError::Base64 { .. })), "{error}");
    for garbage in ["", "not xml", "<xml><ToUserName>x</ToUserName></xml>"] {
        let error = receiver.receive(&query, garbage).unwrap_err();
        assert!(matches!(error, ReceiveError::Malformed(_)), "{garbage:?}: {error}");
        assert_eq!(error.status(), 400);
    }

    let stats = receiver.stats();
    assert_eq!((stats.received, stats.bad_signature, stats.receive_id_mismatch, stats.malformed), (6, 1, 1, 4));
    assert_eq!((stats.new, stats.remembered), (0, 0));

    // The same request is fine for a receiver that accepts that receive id.
    let any = Receiver::new(Verifier::with_policy(
        Crypto::new(TOKEN, KEY).unwrap(),
        ReceiveIdPolicy::AnyOf(vec![CORP.to_owned(), "wwSomeoneElse".to_owned()]),
    ));
    assert!(matches!(any.receive(&query, &body), Ok(Received::New(_))));
}

#[test]
fn url_verification_is_answered_and_counted() {
    // TV-3, the official PHP/Go samples' verification GET.
    let receiver = Receiver::new(Verifier::new(
        Crypto::new("QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C").unwrap(),
        "wx5823bf96d3bd56c7",
    ));
    let query = CallbackQuery::parse(
        "msg_signature=5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3&timestamp=1409659589&nonce=263014780\
         &echostr=P9nAzCzyDtyTWESHep1vC5X9xho%2FqYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp%2B4RPcs8TgAE7OaBO%2BFZXvnaqQ%3D%3D",
    )
    .unwrap();
    assert_eq!(receiver.verify_url(&query).unwrap(), "1616140317555161061");
    let forged = CallbackQuery::new("0".repeat(40), "1409659589", "263014780").with_echostr("abc");
    assert_eq!(receiver.verify_url(&forged).unwrap_err().status(), 403);
    let stats = receiver.stats();
    assert_eq!((stats.url_verifications, stats.bad_signature, stats.received), (1, 1, 0));
}

#[test]
fn concurrent_deliveries_of_one_event_yield_exactly_one_acceptance() {
    let receiver = receiver(DedupConfig::default());
    let xml = approval_event(1_571_732_272, [2, 1], &[], 2, 1);
    let requests: Vec<_> = (0..8).map(|_| post(&xml, CORP)).collect();
    let outcomes: Vec<&'static str> = thread::scope(|scope| {
        let handles: Vec<_> = requests
            .iter()
            .map(|(query, body)| {
                let receiver = receiver.clone();
                scope.spawn(move || match receiver.receive(query, body).unwrap() {
                    Received::New(pending) => {
                        thread::sleep(Duration::from_millis(20)); // a consumer at work
                        pending.accept();
                        "new"
                    }
                    Received::Duplicate(_) => "duplicate",
                    Received::InFlight(_) => "in flight",
                    _ => "other",
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(outcomes.iter().filter(|o| **o == "new").count(), 1, "{outcomes:?}");
    assert!(!outcomes.contains(&"other"));
    let stats = receiver.stats();
    assert_eq!((stats.new, stats.accepted, stats.duplicates + stats.in_flight), (1, 1, 7));
}

#[test]
fn receiver_debug_shows_no_secret() {
    let receiver = receiver(DedupConfig::default());
    let debug = format!("{receiver:?}");
    assert!(!debug.contains(TOKEN) && !debug.contains(KEY), "{debug}");
    assert!(debug.contains("capacity: 10000"), "{debug}");
}
