//! [`CallbackQuery`]: the query parameters of a callback request, parsed from a raw query string.

use percent_encoding::percent_decode_str;

use crate::CallbackError;

/// The query parameters WeCom adds to the callback URL: `msg_signature`, `timestamp`, `nonce`,
/// and `echostr` on the verification GET.
///
/// Values are kept exactly as received after percent-decoding (they are signed in that form).
///
/// ```
/// use wecom_callback::CallbackQuery;
///
/// let query = CallbackQuery::parse("msg_signature=ab12&timestamp=1583940690&nonce=VHh7&echostr=6K%2Fn%3D%3D")?;
/// assert_eq!(query.echostr(), Some("6K/n=="));
/// # Ok::<(), wecom_callback::CallbackError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackQuery {
    msg_signature: String,
    timestamp: String,
    nonce: String,
    echostr: Option<String>,
}

impl CallbackQuery {
    /// Builds the parameters of a POST from values a web framework already decoded.
    pub fn new(msg_signature: impl Into<String>, timestamp: impl Into<String>, nonce: impl Into<String>) -> Self {
        Self { msg_signature: msg_signature.into(), timestamp: timestamp.into(), nonce: nonce.into(), echostr: None }
    }

    /// Adds the (URL-decoded) `echostr` of a verification GET.
    pub fn with_echostr(mut self, echostr: impl Into<String>) -> Self {
        self.echostr = Some(echostr.into());
        self
    }

    /// Parses a raw query string (the part after `?`; a leading `?` is tolerated).
    ///
    /// Only percent-decoding is applied, so a `+` stays a `+` (it is part of the base64
    /// `echostr`). Other parameters are ignored. Fails with
    /// [`CallbackError::MissingParameter`] naming the first absent one of `msg_signature`,
    /// `timestamp` and `nonce`, and with [`CallbackError::InvalidParameter`] when one of the
    /// four is repeated or is not UTF-8 once decoded. `echostr` is optional here and required
    /// by [`Verifier::verify_url`](crate::Verifier::verify_url).
    pub fn parse(raw_query: &str) -> Result<Self, CallbackError> {
        const NAMES: [&str; 4] = ["msg_signature", "timestamp", "nonce", "echostr"];
        let mut found: [Option<String>; 4] = [None, None, None, None];
        let raw_query = raw_query.strip_prefix('?').unwrap_or(raw_query);
        for pair in raw_query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let Some(index) = NAMES.iter().position(|name| percent_decode_str(key).eq(name.bytes())) else {
                continue;
            };
            let name = NAMES[index];
            if found[index].is_some() {
                return Err(CallbackError::InvalidParameter { name, reason: "appears more than once" });
            }
            let value = percent_decode_str(value)
                .decode_utf8()
                .map_err(|_| CallbackError::InvalidParameter { name, reason: "is not UTF-8 after percent-decoding" })?;
            found[index] = Some(value.into_owned());
        }
        let [msg_signature, timestamp, nonce, echostr] = found;
        let required = |value: Option<String>, name| value.ok_or(CallbackError::MissingParameter { name });
        Ok(Self {
            msg_signature: required(msg_signature, NAMES[0])?,
            timestamp: required(timestamp, NAMES[1])?,
            nonce: required(nonce, NAMES[2])?,
            echostr,
        })
    }

    /// `msg_signature`: the SHA-1 hex WeCom signed the request with.
    pub fn msg_signature(&self) -> &str {
        &self.msg_signature
    }

    /// `timestamp`: Unix seconds, as the string that was signed.
    pub fn timestamp(&self) -> &str {
        &self.timestamp
    }

    /// `nonce`, as the string that was signed.
    pub fn nonce(&self) -> &str {
        &self.nonce
    }

    /// `echostr`: the encrypted challenge of a verification GET; `None` on a POST.
    pub fn echostr(&self) -> Option<&str> {
        self.echostr.as_deref()
    }
}
