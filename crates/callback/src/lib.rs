//! Receive WeCom (企业微信) callbacks: the `WXBizMsgCrypt` scheme, URL verification, and the
//! encrypted envelope of every pushed event — transport-free, so any web framework can use it.
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
//!   ([`Crypto`]: `signature`, `decrypt`, `encrypt`).
//!
//! It gets the details right that broke other SDKs: the signature is compared in constant time
//! and checked before anything is decrypted; keys whose last character carries stray bits
//! (both official sample keys) are accepted; padding is PKCS#7 to **32** bytes; every length
//! is bounds-checked; every failure is a typed [`CallbackError`], never a panic; the Token and
//! the key never appear in `Debug` output or errors. It knows nothing of HTTP clients, tokens
//! or endpoints.
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
//! acknowledge at once and process asynchronously, and expect duplicates: one approval
//! produces many distinct events (submit, each approval, comments…), and the same event can
//! arrive more than once.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

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
