//! The XML around the ciphertext: the envelope WeCom POSTs, and the passive-reply envelope.
//!
//! A POST body looks like
//! `<xml><ToUserName><![CDATA[ww…]]></ToUserName><Encrypt><![CDATA[…]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>`:
//! elements in any order, CDATA or plain text, whitespace between them, `AgentID` possibly
//! empty or absent.

use quick_xml::Reader;
use quick_xml::escape::{escape, resolve_predefined_entity};
use quick_xml::events::{BytesStart, Event};

use crate::{CallbackError, Crypto};

/// The envelope of a callback POST: routing metadata and the still-encrypted payload.
///
/// ```
/// use wecom_callback::Envelope;
///
/// let envelope = Envelope::parse("<xml>\n <Encrypt><![CDATA[abc=]]></Encrypt>\n <AgentID></AgentID>\n</xml>")?;
/// assert_eq!(envelope.encrypt(), "abc=");
/// assert_eq!(envelope.agent_id(), None);
/// # Ok::<(), wecom_callback::CallbackError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    to_user_name: Option<String>,
    agent_id: Option<String>,
    encrypt: String,
}

/// The envelope children we read; any other element is skipped.
#[derive(Clone, Copy)]
enum Field {
    ToUserName,
    AgentId,
    Encrypt,
}

impl Field {
    fn from_name(name: &[u8]) -> Option<Self> {
        [("ToUserName", Self::ToUserName), ("AgentID", Self::AgentId), ("Encrypt", Self::Encrypt)]
            .into_iter()
            .find(|(n, _)| n.as_bytes().eq_ignore_ascii_case(name))
            .map(|(_, f)| f)
    }

    fn name(self) -> &'static str {
        match self {
            Self::ToUserName => "ToUserName",
            Self::AgentId => "AgentID",
            Self::Encrypt => "Encrypt",
        }
    }
}

fn malformed(reason: impl Into<String>) -> CallbackError {
    CallbackError::Envelope { reason: reason.into() }
}

impl Envelope {
    /// Parses a POST body (UTF-8, a leading byte-order mark tolerated).
    ///
    /// Element names are matched ignoring ASCII case, values are trimmed of surrounding
    /// whitespace, unknown elements are ignored, and an empty `ToUserName` or `AgentID` reads
    /// as absent. Fails with [`CallbackError::Envelope`] on malformed XML, a missing
    /// `<Encrypt>`, a repeated known element, or markup inside a known element.
    pub fn parse(body: impl AsRef<[u8]>) -> Result<Self, CallbackError> {
        let bytes = body.as_ref();
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let text = std::str::from_utf8(bytes)
            .map_err(|e| malformed(format!("the body is not UTF-8 (at byte {})", e.valid_up_to())))?;
        let mut reader = Reader::from_str(text);

        let mut depth = 0usize;
        let mut roots = 0usize;
        // The known child being read (depth 2) and its text so far.
        let mut current: Option<Field> = None;
        let mut value = String::new();
        let mut values: [Option<String>; 3] = [None, None, None];

        loop {
            let event =
                reader.read_event().map_err(|e| malformed(format!("{e} (near byte {})", reader.error_position())))?;
            match event {
                Event::Start(start) => {
                    check_attributes(&start)?;
                    depth += 1;
                    match depth {
                        1 => roots += 1,
                        2 => {
                            current = Field::from_name(start.local_name().as_ref());
                            value.clear();
                        }
                        _ => {
                            if let Some(field) = current {
                                return Err(malformed(format!("<{}> contains an element", field.name())));
                            }
                        }
                    }
                }
                Event::Empty(start) => match check_attributes(&start).map(|()| depth)? {
                    0 => roots += 1,
                    1 => {
                        if let Some(field) = Field::from_name(start.local_name().as_ref()) {
                            store(&mut values, field, String::new())?;
                        }
                    }
                    _ => {
                        if let Some(field) = current {
                            return Err(malformed(format!("<{}> contains an element", field.name())));
                        }
                    }
                },
                Event::End(_) => {
                    // No let-chain: the workspace's declared rust-version is 1.85.
                    if depth == 2 {
                        if let Some(field) = current.take() {
                            store(&mut values, field, std::mem::take(&mut value))?;
                        }
                    }
                    depth = depth.saturating_sub(1);
                }
                Event::Text(text) => {
                    let content = text.xml10_content().map_err(|e| malformed(e.to_string()))?;
                    if depth == 2 && current.is_some() {
                        value.push_str(&content);
                    } else if depth == 0 && !content.trim().is_empty() {
                        return Err(malformed("text outside the root element"));
                    }
                }
                Event::CData(cdata) => {
                    if depth == 2 && current.is_some() {
                        value.push_str(&cdata.decode().map_err(|e| malformed(e.to_string()))?);
                    }
                }
                Event::GeneralRef(reference) => {
                    if depth == 2 && current.is_some() {
                        let resolved = match reference.resolve_char_ref() {
                            Ok(Some(ch)) => ch.to_string(),
                            Ok(None) => {
                                let name = reference.decode().map_err(|e| malformed(e.to_string()))?;
                                resolve_predefined_entity(&name)
                                    .ok_or_else(|| malformed(format!("unknown entity &{name};")))?
                                    .to_owned()
                            }
                            Err(e) => return Err(malformed(e.to_string())),
                        };
                        value.push_str(&resolved);
                    }
                }
                Event::Eof => break,
                Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
            }
            if roots > 1 {
                return Err(malformed("more than one root element"));
            }
        }
        if depth != 0 {
            return Err(malformed("the body ends inside an element"));
        }
        if roots == 0 {
            return Err(malformed("no root element (expected <xml>…</xml>)"));
        }
        let [to_user_name, agent_id, encrypt] = values;
        let non_empty = |v: Option<String>| v.filter(|s| !s.is_empty());
        Ok(Self {
            to_user_name: non_empty(to_user_name),
            agent_id: non_empty(agent_id),
            encrypt: encrypt.ok_or_else(|| malformed("no <Encrypt> element"))?,
        })
    }

    /// `ToUserName`: the corp id (own app) or suite id (third-party app); `None` when absent or empty.
    pub fn to_user_name(&self) -> Option<&str> {
        self.to_user_name.as_deref()
    }

    /// `AgentID`, kept as text (it can be empty, or beyond 32 bits); `None` when absent or empty.
    pub fn agent_id(&self) -> Option<&str> {
        self.agent_id.as_deref()
    }

    /// The base64 ciphertext: the text of `<Encrypt>`, which the signature covers.
    pub fn encrypt(&self) -> &str {
        &self.encrypt
    }

    /// `(to_user_name, agent_id)`, dropping the ciphertext once it is decrypted.
    pub(crate) fn into_metadata(self) -> (Option<String>, Option<String>) {
        (self.to_user_name, self.agent_id)
    }
}

/// quick-xml reads attributes lazily; walk them so a malformed one fails the parse.
fn check_attributes(start: &BytesStart<'_>) -> Result<(), CallbackError> {
    for attribute in start.attributes() {
        attribute.map_err(|e| malformed(format!("bad attribute: {e}")))?;
    }
    Ok(())
}

fn store(values: &mut [Option<String>; 3], field: Field, value: String) -> Result<(), CallbackError> {
    let slot = &mut values[field as usize];
    if slot.is_some() {
        return Err(malformed(format!("<{}> appears more than once", field.name())));
    }
    *slot = Some(value.trim().to_owned());
    Ok(())
}

/// Builds an encrypted passive reply, the body answering a POST when a reply is wanted
/// (user messages and menu events; approval events expect an empty 200 instead).
///
/// `receive_id` is the one the request carried ([`Opened::receive_id`](crate::Opened::receive_id));
/// `timestamp` and `nonce` may be copied from the request or be fresh. The layout is the
/// official samples', byte for byte:
///
/// ```text
/// <xml>
/// <Encrypt><![CDATA[…]]></Encrypt>
/// <MsgSignature><![CDATA[…]]></MsgSignature>
/// <TimeStamp>…</TimeStamp>
/// <Nonce><![CDATA[…]]></Nonce>
/// </xml>
/// ```
pub fn passive_reply(crypto: &Crypto, message: &str, receive_id: &str, timestamp: &str, nonce: &str) -> String {
    reply_envelope(crypto, crypto.encrypt(message, receive_id), timestamp, nonce)
}

/// [`passive_reply`] with a chosen random prefix: deterministic, for tests.
pub fn passive_reply_with_prefix(
    crypto: &Crypto,
    message: &str,
    receive_id: &str,
    timestamp: &str,
    nonce: &str,
    prefix: [u8; 16],
) -> String {
    reply_envelope(crypto, crypto.encrypt_with_prefix(message, receive_id, prefix), timestamp, nonce)
}

fn reply_envelope(crypto: &Crypto, encrypt: String, timestamp: &str, nonce: &str) -> String {
    let signature = crypto.signature(timestamp, nonce, &encrypt);
    format!(
        "<xml>\n<Encrypt><![CDATA[{encrypt}]]></Encrypt>\n<MsgSignature><![CDATA[{signature}]]></MsgSignature>\n\
         <TimeStamp>{}</TimeStamp>\n<Nonce><![CDATA[{}]]></Nonce>\n</xml>",
        escape(timestamp),
        // `]]>` would end the CDATA section early; split it across two sections.
        nonce.replace("]]>", "]]]]><![CDATA[>"),
    )
}
