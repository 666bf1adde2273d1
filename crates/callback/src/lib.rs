//! Receive WeCom (企业微信) callbacks: the `WXBizMsgCrypt` scheme, URL verification, the
//! encrypted envelope of every pushed event, and a de-duplicating [`Receiver`] of typed events —
//! transport-free, so any web framework can use it, with a ready axum router behind the `axum`
//! feature.
//!
//! WeCom pushes events (approval changes among them: `sys_approval_change`,
//! `open_approval_change`) to a URL you configure together with a Token and a 43-character
//! EncodingAESKey. This crate:
//!
//! - answers the **URL verification** GET: verifies `msg_signature`, decrypts `echostr`, checks
//!   the receive id, returns the plaintext to echo ([`Verifier::verify_url`]);
//! - **opens each POST**: parses the XML envelope, verifies the signature over `<Encrypt>`,
//!   decrypts, checks the receive id by a [`ReceiveIdPolicy`] and hands back the message XML
//!   ([`Verifier::open`]);
//! - builds the encrypted **passive reply** ([`passive_reply`]) and exposes the cipher itself
//!   ([`Crypto`]: `signature`, `decrypt`, `encrypt`);
//! - **receives events** ([`Receiver`]): opens each POST, types the event
//!   ([`event::Event`], from `wecom-models`, keeping the decrypted XML beside it), and
//!   de-duplicates deliveries with bounded memory, remembering an event only once your code has
//!   accepted it ([de-duplication](#de-duplication));
//! - with the **`axum` feature**, serves the callback URL for you ([`axum`](mod@axum)): the GET
//!   answered at once, each POST acknowledged with an empty 200 after the event is handed over
//!   — to a channel, or to an accept hook that stores it durably first ([two modes](#serving-the-url-with-axum)).
//!
//! It gets the details right that broke other SDKs: the signature is compared in constant time
//! and checked before anything is decrypted; keys whose last character carries stray bits
//! (both official sample keys) are accepted; padding is PKCS#7 to **32** bytes; every length
//! is bounds-checked; every failure is a typed [`CallbackError`], never a panic; the Token and
//! the key never appear in `Debug` output or errors. It knows nothing of HTTP clients, tokens
//! or endpoints; its only web framework is axum, behind the optional `axum` feature.
//!
//! # Example: verifying the URL and opening a POST
//!
//! A handler maps a request (raw query string, body) to a response (status, body). Wire these
//! two functions to `GET` and `POST` of your callback URL in any framework:
//!
//! ```
//! use wecom_callback::{CallbackError, CallbackQuery, Crypto, Verifier};
//!
//! /// GET ?msg_signature=…&timestamp=…&nonce=…&echostr=… — answer within 1 s.
//! fn on_get(verifier: &Verifier, raw_query: &str) -> (u16, String) {
//!     match CallbackQuery::parse(raw_query).and_then(|query| verifier.verify_url(&query)) {
//!         Ok(plaintext) => (200, plaintext), // exactly this body: no quotes, no newline
//!         Err(e) => (status(&e), String::new()),
//!     }
//! }
//!
//! /// POST ?msg_signature=…&timestamp=…&nonce=… with the XML envelope as body.
//! fn on_post(verifier: &Verifier, raw_query: &str, body: &[u8], queue: &mut Vec<String>) -> (u16, String) {
//!     match CallbackQuery::parse(raw_query).and_then(|query| verifier.open(&query, body)) {
//!         Ok(opened) => {
//!             queue.push(opened.into_message()); // store or enqueue first, then acknowledge
//!             (200, String::new()) // an empty 200: WeCom expects nothing else for approval events
//!         }
//!         Err(e) => (status(&e), String::new()),
//!     }
//! }
//!
//! fn status(error: &CallbackError) -> u16 {
//!     match error {
//!         CallbackError::SignatureMismatch | CallbackError::ReceiveIdMismatch { .. } => 403,
//!         _ => 400,
//!     }
//! }
//!
//! # fn main() -> Result<(), CallbackError> {
//! // The values from the admin console (see below) and your corp id (我的企业 → 企业ID).
//! let crypto = Crypto::new("QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C")?;
//! let verifier = Verifier::new(crypto, "wx5823bf96d3bd56c7");
//!
//! // The verification GET of the official Tencent sample (TV-3).
//! let get = "msg_signature=5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3&timestamp=1409659589&nonce=263014780\
//!            &echostr=P9nAzCzyDtyTWESHep1vC5X9xho%2FqYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp%2B4RPcs8TgAE7OaBO%2BFZXvnaqQ%3D%3D";
//! assert_eq!(on_get(&verifier, get), (200, "1616140317555161061".to_owned()));
//!
//! // An event POST, encrypted and signed here the way WeCom does it.
//! let event = "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>\
//!              <CreateTime>1571732272</CreateTime><MsgType><![CDATA[event]]></MsgType>\
//!              <Event><![CDATA[sys_approval_change]]></Event><AgentID>3010040</AgentID></xml>";
//! let wecom = Crypto::new("QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C")?;
//! let encrypt = wecom.encrypt(event, "wx5823bf96d3bd56c7");
//! let signature = wecom.signature("1571732272", "1372623149", &encrypt);
//! let query = format!("msg_signature={signature}&timestamp=1571732272&nonce=1372623149");
//! let body = format!("<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n\
//!                     <Encrypt><![CDATA[{encrypt}]]></Encrypt>\n<AgentID><![CDATA[3010040]]></AgentID>\n</xml>");
//! let mut queue = Vec::new();
//! assert_eq!(on_post(&verifier, &query, body.as_bytes(), &mut queue), (200, String::new()));
//! assert_eq!(queue, [event]);
//!
//! // A forged request is refused before anything is decrypted.
//! let forged = format!("msg_signature={}&timestamp=1571732272&nonce=1", "0".repeat(40));
//! assert_eq!(on_post(&verifier, &forged, body.as_bytes(), &mut queue).0, 403);
//! # Ok(()) }
//! ```
//!
//! # Receiving events
//!
//! [`Receiver::receive`] does the whole job of a POST without any transport: it opens the
//! request (signature first, then decryption and the receive id), reads the event with
//! [`Event::from_xml`](event::Event::from_xml) and looks the delivery up in its de-duplication
//! memory. The outcome is a [`Received`]:
//!
//! - [`Received::New`] holds a [`Pending`] delivery: give its [`CallbackEvent`] (XML, typed
//!   event, [`DedupKey`], envelope metadata) to your consumer, then call
//!   [`Pending::accept`]. Only then is the event remembered; if you drop the `Pending` instead
//!   (your consumer failed, you answer 503), WeCom's next delivery of it is new again.
//! - [`Received::Duplicate`]: the event was accepted before: answer an empty 200.
//! - [`Received::InFlight`]: the same event is being accepted by another request at this very
//!   moment: answer 503 (WeCom tries again) or wait and [`Receiver::claim`] it again.
//!
//! Refused requests are a [`ReceiveError`] with the status to answer: 403 for a bad signature
//! or receive id, 400 for a malformed query, envelope or ciphertext. A verified message whose
//! XML cannot be typed is *not* an error: it comes out as a new delivery whose
//! [`CallbackEvent::event`] is the `EventError`, with the XML kept, so you can store it and
//! nothing WeCom sent is lost. [`Receiver::stats`] counts every outcome.
//!
//! # De-duplication
//!
//! WeCom re-sends an event it could not hand over (5 s timeout, three attempts in all), and a
//! receiver behind several instances or a flaky network can see one event more than once. The
//! receiver recognises a repeat by its **key: the SHA-256 of the decrypted plaintext**
//! ([`DedupKey`]).
//!
//! Why not the key WeCom documents, `FromUserName + CreateTime`? For approval events
//! `FromUserName` is always `sys`, so every event of one second shares it: a manager who
//! approves a batch of forms loses all but one (WxJava #3088, #1745). Adding the form
//! number and the change kind is still too coarse: the reference's
//! `(ToUserName, AgentID, CreateTime, SpNo, StatuChangeEvent, SpStatus)` is the same for two
//! approvers of one 会签 node approving in the same second (the form stays 审批中), and for
//! two comments added in the same second. Those events differ only deeper in the XML (an
//! approver's status and time, a new `CommentId`), so the whole plaintext is the key that
//! tells them apart, and the tests prove it on such bursts.
//!
//! The cost of that choice, stated plainly:
//!
//! - A retry is recognised only if WeCom re-sends the **same plaintext** (the ciphertext
//!   differs anyway: a fresh random prefix, timestamp and nonce). The reference marks this
//!   UNCONFIRMED. If a retry ever differed (say, a new `CreateTime`), your consumer would see
//!   the event twice — harmless for an idempotent consumer, such as a mirror that re-reads the
//!   form's detail and upserts it. A key that is too coarse would instead drop real events
//!   silently, which nothing downstream can repair.
//! - Two events that are byte-identical are one event to this receiver. That only happens for
//!   a change that alters nothing but the push, e.g. two 催办 (urge) of one form in one second,
//!   and losing the second of those loses no state.
//!
//! The memory is bounded ([`DedupConfig`]): at most `capacity` keys (default 10 000), each
//! forgotten after `ttl` (default 15 minutes; WeCom's retries come within seconds), the
//! oldest first. An event is remembered only once accepted, so a delivery answered with an
//! error can come again. Across restarts the memory is gone: a durable consumer should key its
//! store on [`CallbackEvent::key`] (or [`DedupKey::of`] the stored XML) to stay idempotent.
//!
//! # Serving the URL with axum
//!
//! With the `axum` feature, [`axum::router`] serves one path: GET verification answered at
//! once with the plaintext, POST answered 403 / 400 / 413 for refused requests and an empty 200
//! once the event is handed over by one of two [`axum::Delivery`] modes:
//!
//! - **Channel** ([`axum::Delivery::channel`]): the event goes into a bounded
//!   `tokio::sync::mpsc` channel and the 200 goes out at once, so a slow consumer never makes
//!   WeCom time out and retry. A full channel is waited on briefly (2 s by default, at most
//!   4 s), then answered 503 so WeCom may retry instead of the event being dropped silently.
//! - **Acknowledge after accept** ([`axum::Delivery::accept`]): your async hook runs before
//!   the 200 — write the event to a durable inbox (an SQLite table keyed on
//!   [`CallbackEvent::key`]) and WeCom is told "received" only once it is safe. If the hook
//!   fails, panics or misses its deadline (3 s by default, well under WeCom's 5 s), the answer
//!   is 503 and the event is not remembered, so WeCom's retry is delivered again.
//!
//! ```no_run
//! # #[cfg(feature = "axum")]
//! # async fn run(inbox: std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>) -> Result<(), Box<dyn std::error::Error>> {
//! use wecom_callback::axum::{CallbackService, Delivery, router};
//! use wecom_callback::{CallbackEvent, Crypto, Receiver, Verifier};
//!
//! let receiver = Receiver::new(Verifier::new(Crypto::new("Token123", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")?, "ww1"));
//! // Acknowledge after accept: store first (idempotently, on the key), then answer 200.
//! let delivery = Delivery::accept(move |event: CallbackEvent| {
//!     let inbox = inbox.clone();
//!     async move {
//!         inbox.lock().map_err(|_| "inbox poisoned")?.push((event.key().to_string(), event.xml().to_owned()));
//!         Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
//!     }
//! });
//! let app = router("/wecom/callback", CallbackService::new(receiver, delivery));
//! axum::serve(tokio::net::TcpListener::bind("0.0.0.0:8080").await?, app).await?;
//! # Ok(()) }
//! ```
//!
//! WeCom's newer docs say only connection failures and timeouts are retried, not error
//! statuses; under that reading a 503 is final. Either way a missed event is one the consumer
//! never accepted — heal such gaps with the pull APIs (`getapprovalinfo` over recent forms and
//! a re-read of open ones), as `wecom approvals sync` does.
//!
//! # Configuring the callback in the admin console
//!
//! In the WeCom admin console (管理后台, `work.weixin.qq.com`):
//!
//! 1. **应用管理 → 自建应用 →** your app **→ 接收消息 → 设置API接收**. Enter the **URL** of your
//!    handler (GET and POST both go to it), click 随机获取 for the **Token** and the
//!    **EncodingAESKey** (or type your own: a Token of up to 32 letters and digits, a key of
//!    exactly 43 letters and digits), and pass the same two values to [`Crypto::new`].
//! 2. Your handler must be running and reachable **before you click 保存**: saving sends the
//!    verification GET, which must be answered with the decrypted `echostr` within one second.
//!    WeCom may send it more than once for one save, so keep it stateless.
//! 3. The receive id to expect is your **corp id** (我的企业 → 企业信息 → 企业ID), the default
//!    policy of [`Verifier::new`]. Third-party (服务商) apps receive their **suite id** instead
//!    (use [`ReceiveIdPolicy::AnyOf`] when one URL serves both); 智能机器人 callbacks carry an
//!    empty one (`ReceiveIdPolicy::Exact(String::new())`).
//!
//! For **approval events** (`sys_approval_change`) two more settings are needed, under
//! **应用管理 → 审批 → API** (the built-in approval app):
//!
//! - **可调用接口的应用**: add your self-built app, so it may receive and pull approval data;
//! - **接收事件服务器**: tick the templates whose changes should be pushed; only forms
//!   submitted by members inside your app's visible range (可见范围) are delivered.
//!
//! **UNCONFIRMED** (from doc copies, not checked against a live tenant): the exact labels of
//! the 接收事件服务器 setting, whether it takes a URL/Token/EncodingAESKey of its own (then
//! use those values here) rather than reusing your app's, and whether a 审批状态通知事件
//! checkbox must also be ticked in the app's own 接收消息 settings. `open_approval_change`
//! (approval flows started from your own app through the 审批流程引擎) needs only step 1.
//!
//! WeCom retries a delivery it could not hand over within 5 s (three attempts in all), so
//! acknowledge quickly (the channel mode, or an accept hook well under 5 s), and expect
//! duplicates: one approval produces many distinct events (submit, each approval, comments…),
//! and the same event can arrive more than once ([de-duplication](#de-duplication)).

#![warn(missing_docs)]
#![forbid(unsafe_code)]
// The docs link to the `axum` module, which only exists with that feature (docs.rs builds with it).
#![cfg_attr(not(feature = "axum"), allow(rustdoc::broken_intra_doc_links))]

#[cfg(feature = "axum")]
pub mod axum;
mod crypto;
mod dedup;
mod envelope;
mod error;
pub mod pkcs7;
mod query;
mod receiver;
mod verifier;

pub use crypto::{Crypto, Decrypted};
pub use dedup::{DedupConfig, DedupKey};
pub use envelope::{Envelope, passive_reply, passive_reply_with_prefix};
pub use error::CallbackError;
pub use query::CallbackQuery;
pub use receiver::{CallbackEvent, Claim, Pending, ReceiveError, Received, Receiver, ReceiverStats};
pub use verifier::{Opened, ReceiveIdPolicy, Verifier};
/// The typed callback events ([`event::Event`]), re-exported from `wecom-models`.
pub use wecom_models::event;
