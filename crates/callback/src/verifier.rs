//! [`Verifier`]: URL verification and opening POSTs, transport-free, with a [`ReceiveIdPolicy`].

use crate::{CallbackError, CallbackQuery, Crypto, Decrypted, Envelope};

/// Which receive id the plaintext of a callback must carry.
///
/// The receive id is the corp id for an enterprise's own (self-built) app, the suite id for a
/// third-party (服务商) app, and empty for personal third-party apps and 智能机器人.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReceiveIdPolicy {
    /// Exactly this id (the default, with the corp id): `Exact(String::new())` for an empty one.
    Exact(String),
    /// Any of these ids, e.g. a corp id and a suite id served at one URL.
    AnyOf(Vec<String>),
    /// No check; read the id from [`Opened::receive_id`] and decide yourself.
    Skip,
}

impl ReceiveIdPolicy {
    /// `Ok(())` when the policy accepts `receive_id`, else [`CallbackError::ReceiveIdMismatch`].
    pub fn check(&self, receive_id: &str) -> Result<(), CallbackError> {
        let expected = match self {
            Self::Skip => return Ok(()),
            Self::Exact(id) if id == receive_id => return Ok(()),
            Self::AnyOf(ids) if ids.iter().any(|id| id == receive_id) => return Ok(()),
            Self::Exact(id) => format!("{id:?}"),
            Self::AnyOf(ids) => format!("any of {ids:?}"),
        };
        Err(CallbackError::ReceiveIdMismatch { found: receive_id.to_owned(), expected })
    }
}

/// Verifies and opens the callback requests of one app: the transport-free core that a web
/// handler (or the `Receiver` built on it) calls for each request.
///
/// Immutable and cheap to clone; share one between all requests.
///
/// ```
/// use wecom_callback::{CallbackQuery, Crypto, Verifier};
///
/// // TV-7 (go-workwx): the raw query string of a verification GET.
/// let crypto = Crypto::new("kjr2TKI8umCBfVF3wAHk8JiPwma5VBme", "4Ma3YBrSBbX2aez8MJpXGBne5LSDwgGqHbhM9WPYIws")?;
/// let verifier = Verifier::new(crypto, "ww6a112864f8022910");
/// let query = CallbackQuery::parse(
///     "echostr=6KmUQuPVu7UhjyVqRdbo5SfcRqaHvbUlKSHFvBV2ZuR6TIlKsygcfeSd1GDplg1C5KSKr6UPHCaC%2FnIX3ZNt9w%3D%3D\
///      &msg_signature=1ba3cb09c0d2c2b3ed6900d37f91a6efae6cb011&timestamp=1583940690&nonce=VHh7ymSeb0jc4lSb",
/// )?;
/// assert_eq!(verifier.verify_url(&query)?, "94966531020182955848408");
/// # Ok::<(), wecom_callback::CallbackError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Verifier {
    crypto: Crypto,
    policy: ReceiveIdPolicy,
}

impl Verifier {
    /// A verifier for an enterprise's own app: the receive id must be exactly `corp_id`.
    pub fn new(crypto: Crypto, corp_id: impl Into<String>) -> Self {
        Self::with_policy(crypto, ReceiveIdPolicy::Exact(corp_id.into()))
    }

    /// A verifier with any receive-id policy.
    pub fn with_policy(crypto: Crypto, policy: ReceiveIdPolicy) -> Self {
        Self { crypto, policy }
    }

    /// The cipher, e.g. to build a [`passive_reply`](crate::passive_reply).
    pub fn crypto(&self) -> &Crypto {
        &self.crypto
    }

    /// The receive-id policy.
    pub fn policy(&self) -> &ReceiveIdPolicy {
        &self.policy
    }

    /// Answers WeCom's URL verification (the GET sent when the callback URL is saved).
    ///
    /// Verifies `msg_signature` over the token, `timestamp`, `nonce` and `echostr`, decrypts
    /// `echostr`, checks the receive id, and returns the plaintext: answer it as the whole
    /// response body with status 200 (no quotes, no newline), within one second.
    ///
    /// `echostr` must already be URL-decoded ([`CallbackQuery::parse`] does that); a space in
    /// it is read as the `+` that a form decoder turned into one.
    pub fn verify_url(&self, query: &CallbackQuery) -> Result<String, CallbackError> {
        let echostr = query.echostr().ok_or(CallbackError::MissingParameter { name: "echostr" })?;
        let echostr = echostr.replace(' ', "+");
        let decrypted = self.crypto.decrypt(query.msg_signature(), query.timestamp(), query.nonce(), &echostr)?;
        self.policy.check(decrypted.receive_id())?;
        Ok(decrypted.into_message())
    }

    /// Opens a callback POST: parses the envelope, verifies `msg_signature` over the text of
    /// `<Encrypt>`, decrypts it and checks the receive id.
    ///
    /// On success answer WeCom with an empty 200 (or a [`passive_reply`](crate::passive_reply)),
    /// after the message is stored or queued: WeCom may not retry a delivery that failed later.
    pub fn open(&self, query: &CallbackQuery, body: impl AsRef<[u8]>) -> Result<Opened, CallbackError> {
        let envelope = Envelope::parse(body)?;
        let decrypted =
            self.crypto.decrypt(query.msg_signature(), query.timestamp(), query.nonce(), envelope.encrypt())?;
        self.policy.check(decrypted.receive_id())?;
        let (to_user_name, agent_id) = envelope.into_metadata();
        Ok(Opened { to_user_name, agent_id, decrypted })
    }
}

/// An opened callback POST: the decrypted message XML and the envelope's metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    to_user_name: Option<String>,
    agent_id: Option<String>,
    decrypted: Decrypted,
}

impl Opened {
    /// The decrypted message: the event (or message) XML.
    pub fn message(&self) -> &str {
        self.decrypted.message()
    }

    /// The receive id inside the plaintext (already accepted by the policy).
    pub fn receive_id(&self) -> &str {
        self.decrypted.receive_id()
    }

    /// The envelope's `ToUserName`; `None` when absent or empty.
    pub fn to_user_name(&self) -> Option<&str> {
        self.to_user_name.as_deref()
    }

    /// The envelope's `AgentID`, as text; `None` when absent or empty.
    pub fn agent_id(&self) -> Option<&str> {
        self.agent_id.as_deref()
    }

    /// The message, without copying it.
    pub fn into_message(self) -> String {
        self.decrypted.into_message()
    }

    /// The decrypted payload.
    pub fn into_decrypted(self) -> Decrypted {
        self.decrypted
    }
}
