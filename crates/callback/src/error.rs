//! [`CallbackError`]: one variant per way a callback can fail, none carrying a secret.

/// Why a callback could not be verified, decrypted or parsed, or why a key was refused.
///
/// Every input of a callback is untrusted, so every failure is one of these values and never a
/// panic. No variant ever holds the Token or the EncodingAESKey (nor any part of them).
///
/// The names follow the error codes of WeCom's official `WXBizMsgCrypt` samples where one
/// exists (−40001 signature, −40004 key, −40005 receive id, −40007/−40008 decryption,
/// −40010 base64, −40002 XML).
///
/// When answering WeCom over HTTP, [`SignatureMismatch`](Self::SignatureMismatch) and
/// [`ReceiveIdMismatch`](Self::ReceiveIdMismatch) mean "not for us" (403); the other request
/// errors mean a malformed request (400).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CallbackError {
    /// The EncodingAESKey is not 43 base64 characters that decode to a 32-byte AES key (−40004).
    #[error(
        "invalid EncodingAESKey: {reason} (expected the 43 letters and digits shown in the admin console, \
         without a trailing `=`)"
    )]
    InvalidKey {
        /// What is wrong, in terms that do not reveal the key.
        reason: String,
    },

    /// `msg_signature` is not the SHA-1 of the sorted token, timestamp, nonce and ciphertext (−40001).
    #[error(
        "msg_signature does not match: the request was not signed with this Token, or its timestamp, \
         nonce or ciphertext was altered (check the Token configured for the callback URL)"
    )]
    SignatureMismatch,

    /// The ciphertext (`echostr` or `<Encrypt>`) is not valid base64 (−40010).
    #[error("ciphertext is not valid base64: {reason}")]
    Base64 {
        /// The decoder's description (position and kind of the fault).
        reason: String,
    },

    /// The decoded ciphertext cannot be AES-CBC output from WeCom: not a multiple of 16 bytes,
    /// or shorter than 32 (−40007).
    #[error("ciphertext is {len} bytes after base64 decoding; WeCom's are a multiple of 16 and at least 32 bytes")]
    CiphertextLength {
        /// Decoded ciphertext length in bytes.
        len: usize,
    },

    /// The PKCS#7 padding (to a multiple of 32 bytes) at the end of the plaintext is malformed (−40007).
    #[error("invalid PKCS#7 padding: {reason} (wrong EncodingAESKey, or a corrupted ciphertext)")]
    Padding {
        /// Which padding rule was broken.
        reason: String,
    },

    /// The plaintext is too short for its 20-byte header, or for the message length it declares (−40008).
    #[error(
        "decrypted plaintext of {plaintext_len} bytes {}",
        match declared {
            Some(n) => format!("cannot hold the {n}-byte message its header declares (20-byte header + message)"),
            None => "is shorter than the 20-byte header (16 random bytes + 4-byte length)".to_owned(),
        }
    )]
    MessageLength {
        /// Length of the unpadded plaintext in bytes.
        plaintext_len: usize,
        /// The message length from the header, when the header was complete.
        declared: Option<u32>,
    },

    /// A decrypted part (the message or the receive id) is not UTF-8 (−40008).
    #[error("decrypted {part} is not valid UTF-8")]
    Utf8 {
        /// `"message"` or `"receive id"`.
        part: &'static str,
    },

    /// The receive id inside the plaintext is not the one the [`ReceiveIdPolicy`](crate::ReceiveIdPolicy)
    /// expects (−40005).
    #[error(
        "decrypted receive id {found:?} is not {expected}: use the corp id for your own app, the suite id \
         for a third-party app, or set ReceiveIdPolicy::AnyOf / ReceiveIdPolicy::Skip"
    )]
    ReceiveIdMismatch {
        /// The receive id found in the plaintext (a corp id or suite id, not a secret).
        found: String,
        /// What the policy accepts, for the message.
        expected: String,
    },

    /// The POST body is not a callback envelope: not well-formed XML, or no `<Encrypt>` (−40002).
    #[error("malformed callback envelope: {reason}")]
    Envelope {
        /// What is wrong with the XML.
        reason: String,
    },

    /// A required query parameter (`msg_signature`, `timestamp`, `nonce`, or `echostr` for
    /// URL verification) is absent.
    #[error("missing query parameter `{name}`")]
    MissingParameter {
        /// The parameter's name.
        name: &'static str,
    },

    /// A query parameter is present but unusable.
    #[error("query parameter `{name}` {reason}")]
    InvalidParameter {
        /// The parameter's name.
        name: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
}
