//! A tiny callback receiver for the push tests (axum on 127.0.0.1:0) with its own
//! minimal WXBizMsgCrypt decrypt (independent of the emulator's cipher), and a small
//! XML tree for reading the pushed events.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aes::cipher::block_padding::NoPadding;
use aes::cipher::{BlockModeDecrypt, KeyIvInit};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use base64::Engine;
use sha1::{Digest, Sha1};

/// Test callback credentials (key from the WxJava vectors, token arbitrary).
pub const TOKEN: &str = "emuTestToken123";
pub const AES_KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

/// How the receiver answers the n-th request (0-based) carrying the same plaintext.
#[derive(Clone, Copy, Debug)]
pub enum Answer {
    /// 200, empty body.
    Ok,
    /// This status.
    Status(u16),
    /// Sleep, then 200.
    Sleep(Duration),
}

type Script = Arc<dyn Fn(&str, usize) -> Answer + Send + Sync>;

/// One request the receiver got.
#[derive(Clone, Debug)]
pub struct Received {
    pub at: Instant,
    pub timestamp: String,
    pub nonce: String,
    pub msg_signature: String,
    pub content_type: String,
    pub signature_ok: bool,
    pub to_user_name: String,
    pub agent_id: String,
    pub encrypt: String,
    pub message: String,
    pub receive_id: String,
    /// `SpNo` of `message`.
    pub sp_no: String,
}

struct Inner {
    key: [u8; 32],
    got: Mutex<Vec<Received>>,
    per_event: Mutex<HashMap<String, usize>>,
    script: Script,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

/// A running receiver.
#[derive(Clone)]
pub struct Receiver {
    inner: Arc<Inner>,
    pub url: String,
}

fn key_bytes(aes_key: &str) -> [u8; 32] {
    // Same rule as every SDK: base64 of key + "=", trailing bits ignored.
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
    );
    engine.decode(format!("{aes_key}=")).expect("key").try_into().expect("32 bytes")
}

/// Lowercase hex SHA-1 of the sorted concatenation.
pub fn sign(parts: &[&str]) -> String {
    let mut v: Vec<&str> = parts.to_vec();
    v.sort_unstable();
    Sha1::digest(v.concat().as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Independent decrypt: (message, receive id).
pub fn open(key: &[u8; 32], encrypt: &str) -> Option<(String, String)> {
    let data = base64::engine::general_purpose::STANDARD.decode(encrypt).ok()?;
    let mut iv = [0u8; 16];
    iv.copy_from_slice(&key[..16]);
    let plain =
        cbc::Decryptor::<aes::Aes256>::new(key.into(), &iv.into()).decrypt_padded_vec::<NoPadding>(&data).ok()?;
    let pad = *plain.last()? as usize;
    if pad == 0 || pad > 32 || pad > plain.len() {
        return None;
    }
    let plain = &plain[..plain.len() - pad];
    let len = u32::from_be_bytes(plain.get(16..20)?.try_into().ok()?) as usize;
    let msg = String::from_utf8(plain.get(20..20 + len)?.to_vec()).ok()?;
    let rid = String::from_utf8(plain.get(20 + len..)?.to_vec()).ok()?;
    Some((msg, rid))
}

fn between<'a>(s: &'a str, open: &str, close: &str) -> &'a str {
    s.find(open).map(|i| &s[i + open.len()..]).and_then(|rest| rest.find(close).map(|j| &rest[..j])).unwrap_or("")
}

fn cdata_or_text(s: &str) -> String {
    s.strip_prefix("<![CDATA[").and_then(|x| x.strip_suffix("]]>")).unwrap_or(s).to_string()
}

async fn handle(
    State(inner): State<Arc<Inner>>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    let now = inner.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    inner.max_in_flight.fetch_max(now, Ordering::SeqCst);
    let q: HashMap<String, String> = form_urlencoded::parse(q.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let body = String::from_utf8_lossy(&body).to_string();
    let encrypt = cdata_or_text(between(&body, "<Encrypt>", "</Encrypt>"));
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    let (timestamp, nonce, msg_signature) = (get("timestamp"), get("nonce"), get("msg_signature"));
    let signature_ok = sign(&[TOKEN, &timestamp, &nonce, &encrypt]) == msg_signature;
    let (message, receive_id) = open(&inner.key, &encrypt).unwrap_or_default();
    let sp_no = between(&message, "<SpNo>", "</SpNo>").to_string();
    let n = {
        let mut m = inner.per_event.lock().unwrap();
        let c = m.entry(message.clone()).or_default();
        *c += 1;
        *c - 1
    };
    let answer = (inner.script)(&sp_no, n);
    inner.got.lock().unwrap().push(Received {
        at: Instant::now(),
        timestamp,
        nonce,
        msg_signature,
        content_type: headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string(),
        signature_ok,
        to_user_name: cdata_or_text(between(&body, "<ToUserName>", "</ToUserName>")),
        agent_id: cdata_or_text(between(&body, "<AgentID>", "</AgentID>")),
        encrypt,
        message,
        receive_id,
        sp_no,
    });
    if let Answer::Sleep(d) = answer {
        tokio::time::sleep(d).await;
    }
    inner.in_flight.fetch_sub(1, Ordering::SeqCst);
    match answer {
        Answer::Status(s) => (StatusCode::from_u16(s).unwrap(), ""),
        _ => (StatusCode::OK, ""),
    }
}

impl Receiver {
    /// Answers every request with 200.
    pub async fn start() -> Receiver {
        Receiver::scripted(|_, _| Answer::Ok).await
    }

    /// `script(sp_no, n)` decides the answer to the n-th request (0-based) carrying the same plaintext.
    pub async fn scripted(script: impl Fn(&str, usize) -> Answer + Send + Sync + 'static) -> Receiver {
        let inner = Arc::new(Inner {
            key: key_bytes(AES_KEY),
            got: Mutex::new(Vec::new()),
            per_event: Mutex::new(HashMap::new()),
            script: Arc::new(script),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
        });
        let app = Router::new().route("/wecom/callback", post(handle)).with_state(Arc::clone(&inner));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/wecom/callback", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver { inner, url }
    }

    /// Every request received, in arrival order (recorded on arrival, answered or not).
    pub fn received(&self) -> Vec<Received> {
        self.inner.got.lock().unwrap().clone()
    }

    /// Most requests handled at once.
    pub fn max_in_flight(&self) -> usize {
        self.inner.max_in_flight.load(Ordering::SeqCst)
    }
}

/// A minimal XML tree: element name, text (CDATA or plain), children.
#[derive(Debug, Clone, Default)]
pub struct Xml {
    pub name: String,
    pub text: String,
    pub children: Vec<Xml>,
}

impl Xml {
    pub fn parse(s: &str) -> Xml {
        use quick_xml::events::Event;
        let mut r = quick_xml::Reader::from_str(s);
        r.config_mut().trim_text(true);
        let mut stack: Vec<Xml> = vec![Xml::default()];
        loop {
            match r.read_event().expect("well-formed XML") {
                Event::Start(e) => {
                    stack.push(Xml { name: String::from_utf8_lossy(e.name().as_ref()).into(), ..Xml::default() })
                }
                Event::End(_) => {
                    let done = stack.pop().expect("open element");
                    stack.last_mut().expect("parent").children.push(done);
                }
                Event::Text(t) => stack.last_mut().unwrap().text.push_str(&t.decode().expect("utf-8")),
                Event::CData(c) => stack.last_mut().unwrap().text.push_str(&c.decode().expect("utf-8")),
                Event::Eof => break,
                _ => {}
            }
        }
        stack.pop().unwrap().children.into_iter().next().expect("root element")
    }

    /// The first child named `name`.
    pub fn get(&self, name: &str) -> &Xml {
        self.children.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no <{name}> in <{}>", self.name))
    }

    /// Every child named `name` (repeated siblings).
    pub fn all(&self, name: &str) -> Vec<&Xml> {
        self.children.iter().filter(|c| c.name == name).collect()
    }

    /// Text of the child `name`.
    pub fn text_of(&self, name: &str) -> &str {
        &self.get(name).text
    }
}

/// Asserts the pushed XML says what the getapprovaldetail `info` says: header, form
/// fields, every SpRecord/Details, Notifyer and Comments, in order.
pub fn assert_agrees(xml: &str, detail: &serde_json::Value, corp_id: &str) {
    let x = Xml::parse(xml);
    assert_eq!(x.name, "xml");
    assert_eq!(x.text_of("ToUserName"), corp_id);
    assert_eq!(x.text_of("FromUserName"), "sys");
    assert_eq!(x.text_of("MsgType"), "event");
    assert_eq!(x.text_of("Event"), "sys_approval_change");
    assert!(x.text_of("CreateTime").parse::<i64>().is_ok());
    assert!(x.text_of("AgentID").parse::<u64>().is_ok());
    let a = x.get("ApprovalInfo");
    let s = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    assert_eq!(a.text_of("SpNo"), s(&detail["sp_no"]));
    assert_eq!(a.text_of("SpName"), s(&detail["sp_name"]));
    assert_eq!(a.text_of("SpStatus"), s(&detail["sp_status"]), "SpStatus of {xml}");
    assert_eq!(a.text_of("TemplateId"), s(&detail["template_id"]));
    assert_eq!(a.text_of("ApplyTime"), s(&detail["apply_time"]));
    let applyer = detail
        .get("applyer")
        .map(|p| p["userid"].clone())
        .unwrap_or_else(|| detail["batch_applyer"][0]["userid"].clone());
    assert_eq!(a.get("Applyer").text_of("UserId"), s(&applyer));
    let recs = a.all("SpRecord");
    let want = detail["sp_record"].as_array().expect("sp_record");
    assert_eq!(recs.len(), want.len(), "SpRecord count");
    for (r, w) in recs.iter().zip(want) {
        assert_eq!(r.text_of("SpStatus"), s(&w["sp_status"]));
        assert_eq!(r.text_of("ApproverAttr"), s(&w["approverattr"]));
        let ds = r.all("Details");
        let wd = w["details"].as_array().expect("details");
        assert_eq!(ds.len(), wd.len(), "Details count");
        for (d, wd) in ds.iter().zip(wd) {
            assert_eq!(d.get("Approver").text_of("UserId"), s(&wd["approver"]["userid"]));
            assert_eq!(d.text_of("Speech"), s(&wd["speech"]));
            assert_eq!(d.text_of("SpStatus"), s(&wd["sp_status"]));
            assert_eq!(d.text_of("SpTime"), s(&wd["sptime"]));
        }
    }
    let notif: Vec<&str> = a.all("Notifyer").iter().map(|n| n.text_of("UserId")).collect();
    let wn: Vec<String> = detail["notifyer"].as_array().unwrap().iter().map(|n| s(&n["userid"])).collect();
    assert_eq!(notif, wn);
    let comments = a.all("Comments");
    let wc = detail["comments"].as_array().unwrap();
    assert_eq!(comments.len(), wc.len(), "Comments count");
    for (c, w) in comments.iter().zip(wc) {
        assert_eq!(c.get("CommentUserInfo").text_of("UserId"), s(&w["commentUserInfo"]["userid"]));
        assert_eq!(c.text_of("CommentTime"), s(&w["commenttime"]));
        assert_eq!(c.text_of("CommentContent"), s(&w["commentcontent"]));
        assert_eq!(c.text_of("CommentId"), s(&w["commentid"]));
    }
    assert!(a.text_of("StatuChangeEvent").parse::<u8>().is_ok());
}
