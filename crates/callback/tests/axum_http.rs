//! The axum router's answers over real HTTP on loopback, with requests built by the emulator's
//! own cipher (`wecom_emulator::crypto`, independent of this crate's): the verification GET
//! echoes the plaintext exactly; a bad signature or receive id is 403, a malformed query or
//! body 400, an oversized body 413; an event is an empty 200, and so is its duplicate.
#![cfg(feature = "axum")]

use std::time::Duration;

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::StatusCode;
use tokio::sync::mpsc;
use wecom_callback::axum::{CallbackService, Delivery};
use wecom_callback::{CallbackEvent, Crypto, Receiver, Verifier};
use wecom_emulator::crypto::{MsgCrypt, envelope};

const TOKEN: &str = "httpTestToken";
const AES_KEY: &str = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";
const CORP: &str = "wwhttptestcorp01";
const EVENT: &str = "<xml><ToUserName><![CDATA[wwhttptestcorp01]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>\
    <CreateTime>1571732272</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[sys_approval_change]]></Event>\
    <AgentID>3010040</AgentID><ApprovalInfo><SpNo>201910220003</SpNo><SpStatus>1</SpStatus>\
    <StatuChangeEvent>1</StatuChangeEvent></ApprovalInfo></xml>";

struct Fixture {
    url: String,
    http: reqwest::Client,
    wecom: MsgCrypt,
    service: CallbackService,
    inbox: mpsc::Receiver<CallbackEvent>,
}

async fn start(body_limit: Option<usize>) -> Fixture {
    let receiver = Receiver::new(Verifier::new(Crypto::new(TOKEN, AES_KEY).unwrap(), CORP));
    let (tx, inbox) = mpsc::channel(16);
    let mut service = CallbackService::new(receiver, Delivery::channel(tx));
    if let Some(limit) = body_limit {
        service = service.body_limit(limit);
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/cb", listener.local_addr().unwrap());
    let app = wecom_callback::axum::router("/cb", service.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    Fixture { url, http: reqwest::Client::new(), wecom: MsgCrypt::new(TOKEN, AES_KEY).unwrap(), service, inbox }
}

impl Fixture {
    /// A POST signed and encrypted by the emulator's cipher for `receive_id`.
    fn signed_post(&self, message: &str, receive_id: &str) -> (String, String) {
        let encrypt = self.wecom.encrypt(message, receive_id);
        let signature = self.wecom.signature("1571732272", "nonce1", &encrypt);
        (
            format!("{}?msg_signature={signature}&timestamp=1571732272&nonce=nonce1", self.url),
            envelope(CORP, &encrypt, "3010040"),
        )
    }

    async fn post(&self, url: &str, body: impl Into<reqwest::Body>) -> (StatusCode, String) {
        let response = self.http.post(url).body(body).send().await.unwrap();
        (response.status(), response.text().await.unwrap())
    }

    async fn get(&self, url: &str) -> (StatusCode, String) {
        let response = self.http.get(url).send().await.unwrap();
        (response.status(), response.text().await.unwrap())
    }
}

#[tokio::test]
async fn the_verification_get_echoes_the_plaintext_exactly() {
    let fx = start(None).await;
    let echo = "5927782489442352469";
    let encrypt = fx.wecom.encrypt(echo, CORP);
    let signature = fx.wecom.signature("1409659589", "263014780", &encrypt);
    let url = format!(
        "{}?msg_signature={signature}&timestamp=1409659589&nonce=263014780&echostr={}",
        fx.url,
        utf8_percent_encode(&encrypt, NON_ALPHANUMERIC)
    );
    let response = fx.http.get(&url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/plain; charset=utf-8");
    assert_eq!(response.bytes().await.unwrap(), echo.as_bytes(), "no quotes, no newline");

    // A `+` sent unencoded (read as a space by form decoders) still verifies.
    let with_plus = loop {
        let encrypt = fx.wecom.encrypt(echo, CORP);
        if encrypt.contains('+') {
            break encrypt;
        }
    };
    let signature = fx.wecom.signature("1409659589", "263014780", &with_plus);
    let raw = with_plus.replace('/', "%2F").replace('=', "%3D");
    let url = format!("{}?msg_signature={signature}&timestamp=1409659589&nonce=263014780&echostr={raw}", fx.url);
    assert_eq!(fx.get(&url).await, (StatusCode::OK, echo.to_owned()));

    // A wrong signature, a wrong receive id, a missing echostr.
    let forged =
        format!("{}?msg_signature={}&timestamp=1409659589&nonce=263014780&echostr=abc", fx.url, "0".repeat(40));
    assert_eq!(fx.get(&forged).await.0, StatusCode::FORBIDDEN);
    let other = fx.wecom.encrypt(echo, "wwSomeoneElse");
    let signature = fx.wecom.signature("1", "2", &other);
    let url = format!(
        "{}?msg_signature={signature}&timestamp=1&nonce=2&echostr={}",
        fx.url,
        utf8_percent_encode(&other, NON_ALPHANUMERIC)
    );
    assert_eq!(fx.get(&url).await.0, StatusCode::FORBIDDEN);
    let (status, body) = fx.get(&format!("{}?msg_signature=a&timestamp=1&nonce=2", fx.url)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("echostr"), "{body}");

    let stats = fx.service.receiver().stats();
    assert_eq!(
        (stats.url_verifications, stats.bad_signature, stats.receive_id_mismatch, stats.malformed),
        (2, 1, 1, 1)
    );
}

#[tokio::test]
async fn an_event_is_an_empty_200_and_its_duplicate_too() {
    let mut fx = start(None).await;
    let (url, body) = fx.signed_post(EVENT, CORP);
    assert_eq!(fx.post(&url, body).await, (StatusCode::OK, String::new()));
    let event = tokio::time::timeout(Duration::from_secs(5), fx.inbox.recv()).await.unwrap().unwrap();
    assert_eq!(event.xml(), EVENT);

    // WeCom's retry: same plaintext, new ciphertext.
    let (url, body) = fx.signed_post(EVENT, CORP);
    assert_eq!(fx.post(&url, body).await, (StatusCode::OK, String::new()));
    assert!(fx.inbox.try_recv().is_err(), "a duplicate must not be delivered");
    let stats = fx.service.receiver().stats();
    assert_eq!((stats.accepted, stats.duplicates), (1, 1));
}

#[tokio::test]
async fn bad_requests_are_refused_with_403_400_413_and_never_delivered() {
    let mut fx = start(Some(64 * 1024)).await;
    let (url, body) = fx.signed_post(EVENT, CORP);

    // Bad signature → 403.
    let forged = url.replace("msg_signature=", "msg_signature=0");
    assert_eq!(fx.post(&forged, body.clone()).await.0, StatusCode::FORBIDDEN);
    // Receive id of another corp → 403.
    let (other_url, other_body) = fx.signed_post(EVENT, "wwSomeoneElse");
    let (status, text) = fx.post(&other_url, other_body).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!text.contains(TOKEN) && !text.contains(AES_KEY), "{text}");
    // Garbage body, no query, a repeated parameter → 400.
    assert_eq!(fx.post(&url, "garbage").await.0, StatusCode::BAD_REQUEST);
    assert_eq!(fx.post(&url, vec![0xff_u8, 0xfe, 0x00]).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(fx.post(&fx.url, body.clone()).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(fx.post(&format!("{url}&nonce=again"), body.clone()).await.0, StatusCode::BAD_REQUEST);
    // Over the body limit → 413.
    let huge = format!("<xml><Encrypt>{}</Encrypt></xml>", "A".repeat(100 * 1024));
    assert_eq!(fx.post(&url, huge).await.0, StatusCode::PAYLOAD_TOO_LARGE);
    // Another method → 405.
    let put = fx.http.put(&url).body(body.clone()).send().await.unwrap();
    assert_eq!(put.status(), StatusCode::METHOD_NOT_ALLOWED);

    assert!(fx.inbox.try_recv().is_err(), "nothing refused is delivered");
    let stats = fx.service.receiver().stats();
    assert_eq!((stats.bad_signature, stats.receive_id_mismatch, stats.malformed), (1, 1, 4));
    assert_eq!((stats.new, stats.remembered), (0, 0));
    assert_eq!(fx.service.stats().too_large, 1);

    // The genuine request still goes through.
    assert_eq!(fx.post(&url, body).await, (StatusCode::OK, String::new()));
    assert_eq!(fx.inbox.recv().await.unwrap().xml(), EVENT);
}

#[tokio::test]
async fn a_closed_channel_answers_503_and_forgets_the_event() {
    let mut fx = start(None).await;
    fx.inbox.close(); // the consumer is gone
    let (url, body) = fx.signed_post(EVENT, CORP);
    assert_eq!(fx.post(&url, body).await.0, StatusCode::SERVICE_UNAVAILABLE);
    let stats = fx.service.receiver().stats();
    assert_eq!((stats.new, stats.released, stats.remembered), (1, 1, 0));
    assert_eq!(fx.service.stats().channel_closed, 1);
}
