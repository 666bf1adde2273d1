//! The WXBizMsgCrypt scheme: signature, key decoding, AES-256-CBC with 32-byte PKCS#7, and the
//! `random(16) ‖ len(4, BE) ‖ message ‖ receive id` plaintext layout.

use std::fmt;

use aes::Aes256;
use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::{DecodePaddingMode, Engine};
use cbc::cipher::block_padding::NoPadding;
use cbc::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use rand::Rng;
use sha1::{Digest, Sha1};
use subtle::ConstantTimeEq;

use crate::{CallbackError, pkcs7};

/// Length of an EncodingAESKey in characters.
const KEY_CHARS: usize = 43;
/// Length of the random prefix of every plaintext.
const PREFIX_LEN: usize = 16;
/// Random prefix plus the big-endian message length.
const HEADER_LEN: usize = PREFIX_LEN + 4;

/// Decodes `EncodingAESKey + "="` while ignoring the two unused low bits of the 43rd character:
/// WeCom's keys (both official sample keys included) often have them set, and the `STANDARD`
/// engine rejects that.
const KEY_ENGINE: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

/// The callback cipher of one app: its Token and the AES key decoded from its EncodingAESKey.
///
/// Cheap to clone; immutable, so one value can serve every request concurrently. Its `Debug`
/// output hides the Token and the key.
///
/// ```
/// use wecom_callback::Crypto;
///
/// // TV-1, the official Tencent Python sample's URL verification.
/// let crypto = Crypto::new("hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo", "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt")?;
/// let echostr = "fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA==";
/// let plain = crypto.decrypt("012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb", "1476416373", "47744683", echostr)?;
/// assert_eq!(plain.message(), "1288432023552776189");
/// assert_eq!(plain.receive_id(), "ww1436e0e65a779aee");
/// # Ok::<(), wecom_callback::CallbackError>(())
/// ```
#[derive(Clone)]
pub struct Crypto {
    token: String,
    key: [u8; 32],
}

impl fmt::Debug for Crypto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Crypto").field("token", &"<redacted>").field("key", &"<redacted>").finish()
    }
}

impl Crypto {
    /// Builds the cipher from the Token and the 43-character EncodingAESKey set for the callback
    /// URL in the admin console.
    ///
    /// Fails with [`CallbackError::InvalidKey`] when the key is empty, not 43 characters, ends
    /// with `=`, or holds a character outside the base64 alphabet. The Token is used as given.
    pub fn new(token: impl Into<String>, encoding_aes_key: &str) -> Result<Self, CallbackError> {
        Ok(Self { token: token.into(), key: decode_key(encoding_aes_key)? })
    }

    /// The `msg_signature` WeCom computes: the lowercase hex SHA-1 of the token, `timestamp`,
    /// `nonce` and `encrypt` sorted bytewise and concatenated.
    ///
    /// `timestamp` and `nonce` are the query strings exactly as received; `encrypt` is the
    /// URL-decoded `echostr` (GET) or the text of `<Encrypt>` (POST).
    pub fn signature(&self, timestamp: &str, nonce: &str, encrypt: &str) -> String {
        let mut parts = [self.token.as_str(), timestamp, nonce, encrypt];
        parts.sort_unstable();
        let mut sha = Sha1::new();
        for part in parts {
            sha.update(part.as_bytes());
        }
        let digest = sha.finalize();
        let mut hex = String::with_capacity(2 * digest.len());
        for byte in digest.iter() {
            hex.push(char::from(HEX[usize::from(byte >> 4)]));
            hex.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
        hex
    }

    /// Verifies `msg_signature` (in constant time) and only then decrypts `encrypt`.
    ///
    /// The receive id is returned, not checked: checking it is the job of a
    /// [`ReceiveIdPolicy`](crate::ReceiveIdPolicy) (or of [`Verifier`](crate::Verifier), which
    /// applies one).
    pub fn decrypt(
        &self,
        msg_signature: &str,
        timestamp: &str,
        nonce: &str,
        encrypt: &str,
    ) -> Result<Decrypted, CallbackError> {
        let expected = self.signature(timestamp, nonce, encrypt);
        if !bool::from(expected.as_bytes().ct_eq(msg_signature.as_bytes())) {
            return Err(CallbackError::SignatureMismatch);
        }
        self.decrypt_unsigned(encrypt)
    }

    /// Decryption and layout checks, after the signature has been verified.
    fn decrypt_unsigned(&self, encrypt: &str) -> Result<Decrypted, CallbackError> {
        let mut buf = STANDARD.decode(encrypt).map_err(|e| CallbackError::Base64 { reason: e.to_string() })?;
        let len = buf.len();
        if len % 16 != 0 || len < 32 {
            return Err(CallbackError::CiphertextLength { len });
        }
        let plain_len = cbc::Decryptor::<Aes256>::new(&self.key.into(), &self.iv().into())
            .decrypt_padded::<NoPadding>(&mut buf)
            .map_err(|_| CallbackError::CiphertextLength { len })?
            .len();
        buf.truncate(plain_len);
        let unpadded = pkcs7::unpad(&buf)?.len();
        buf.truncate(unpadded);
        split_plaintext(buf)
    }

    /// Encrypts `message` for `receive_id` with a fresh random 16-byte prefix and returns the
    /// base64 ciphertext (what goes into `<Encrypt>`).
    ///
    /// # Panics
    ///
    /// If `message` is longer than `u32::MAX` bytes, which the layout cannot express.
    pub fn encrypt(&self, message: &str, receive_id: &str) -> String {
        let mut prefix = [0u8; PREFIX_LEN];
        // Letters and digits, like WeCom's own sample libraries, rather than arbitrary bytes.
        for (slot, byte) in prefix.iter_mut().zip(rand::rng().sample_iter(rand::distr::Alphanumeric)) {
            *slot = byte;
        }
        self.encrypt_with_prefix(message, receive_id, prefix)
    }

    /// [`encrypt`](Self::encrypt) with a chosen prefix: deterministic, for tests and test vectors.
    ///
    /// Never reuse a fixed prefix in production: with WeCom's constant IV, equal prefixes and
    /// messages give equal ciphertexts.
    ///
    /// # Panics
    ///
    /// If `message` is longer than `u32::MAX` bytes, which the layout cannot express.
    pub fn encrypt_with_prefix(&self, message: &str, receive_id: &str, prefix: [u8; 16]) -> String {
        let msg_len = u32::try_from(message.len()).expect("a callback message longer than 4 GiB");
        let body_len = HEADER_LEN + message.len() + receive_id.len();
        let mut buf = Vec::with_capacity(pkcs7::padded_len(body_len));
        buf.extend_from_slice(&prefix);
        buf.extend_from_slice(&msg_len.to_be_bytes());
        buf.extend_from_slice(message.as_bytes());
        buf.extend_from_slice(receive_id.as_bytes());
        pkcs7::pad_in_place(&mut buf);
        let len = buf.len();
        let cipher = cbc::Encryptor::<Aes256>::new(&self.key.into(), &self.iv().into())
            .encrypt_padded::<NoPadding>(&mut buf, len)
            .expect("a 32-byte multiple needs no padding");
        STANDARD.encode(cipher)
    }

    /// WeCom uses the first 16 key bytes as the IV.
    fn iv(&self) -> [u8; 16] {
        let mut iv = [0u8; 16];
        iv.copy_from_slice(&self.key[..16]);
        iv
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Checks and decodes an EncodingAESKey; errors never quote the key.
fn decode_key(key: &str) -> Result<[u8; 32], CallbackError> {
    let invalid = |reason: String| CallbackError::InvalidKey { reason };
    if key.is_empty() {
        return Err(invalid("it is empty".to_owned()));
    }
    if key.ends_with('=') {
        return Err(invalid("it ends with `=`; drop the padding".to_owned()));
    }
    if let Some((pos, _)) =
        key.chars().enumerate().find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '+' || *c == '/'))
    {
        return Err(invalid(format!("character {} is not a base64 letter or digit", pos + 1)));
    }
    if key.len() != KEY_CHARS {
        return Err(invalid(format!("it is {} characters long, not {KEY_CHARS}", key.len())));
    }
    let mut padded = String::with_capacity(KEY_CHARS + 1);
    padded.push_str(key);
    padded.push('=');
    let bytes = KEY_ENGINE.decode(padded).map_err(|_| invalid("it is not valid base64".to_owned()))?;
    bytes.try_into().map_err(|b: Vec<u8>| invalid(format!("it decodes to {} bytes, not 32", b.len())))
}

/// Splits `random(16) ‖ len(4) ‖ message ‖ receive id` with bounds checks.
fn split_plaintext(mut plain: Vec<u8>) -> Result<Decrypted, CallbackError> {
    let plaintext_len = plain.len();
    let Some(len_bytes) = plain.get(PREFIX_LEN..HEADER_LEN) else {
        return Err(CallbackError::MessageLength { plaintext_len, declared: None });
    };
    let declared = u32::from_be_bytes(len_bytes.try_into().expect("4 bytes"));
    let end = usize::try_from(declared)
        .ok()
        .and_then(|n| n.checked_add(HEADER_LEN))
        .filter(|&end| end <= plaintext_len)
        .ok_or(CallbackError::MessageLength { plaintext_len, declared: Some(declared) })?;
    let receive_id = String::from_utf8(plain.split_off(end)).map_err(|_| CallbackError::Utf8 { part: "receive id" })?;
    plain.drain(..HEADER_LEN);
    let message = String::from_utf8(plain).map_err(|_| CallbackError::Utf8 { part: "message" })?;
    Ok(Decrypted { message, receive_id })
}

/// A verified and decrypted callback payload: the message and the receive id it was sent for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decrypted {
    message: String,
    receive_id: String,
}

impl Decrypted {
    /// The decrypted message: the event XML of a POST, or the `echostr` plaintext of a GET.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The receive id inside the plaintext: the corp id (own app), the suite id (third-party
    /// app), or empty (智能机器人, personal third-party apps).
    pub fn receive_id(&self) -> &str {
        &self.receive_id
    }

    /// The message, without copying it.
    pub fn into_message(self) -> String {
        self.message
    }

    /// `(message, receive_id)`, without copying them.
    pub fn into_parts(self) -> (String, String) {
        (self.message, self.receive_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The reference's stated key bytes (§2.9); the integration tests prove the same through the cipher.
    #[test]
    fn keys_decode_to_the_stated_bytes() {
        for (key, expected) in [
            (
                "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt",
                "eaa91d32babaf274ca76ece72583b5037ed6da8120a64314be4b6d453a2a854b",
            ),
            (
                "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
                "8d69989bbaabe67328014c194631ad0719b3dca035b64023df292447aab60760",
            ),
            (
                "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR",
                "916c4f115d94103cb15a998f74a0b71787603c398ebdf297d471a71140d2d5a4",
            ),
            (
                "4Ma3YBrSBbX2aez8MJpXGBne5LSDwgGqHbhM9WPYIws",
                "e0c6b7601ad205b5f669ecfc309a571819dee4b483c201aa1db84cf563d8230b",
            ),
        ] {
            assert_eq!(hex(&decode_key(key).unwrap()), expected, "{key}");
        }
    }

    #[test]
    fn the_iv_is_the_first_half_of_the_key() {
        let crypto = Crypto::new("t", "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt").unwrap();
        assert_eq!(hex(&crypto.iv()), "eaa91d32babaf274ca76ece72583b503");
    }
}
