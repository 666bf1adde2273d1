//! The emulator's own WXBizMsgCrypt: what WeCom does to a callback before it POSTs it.
//!
//! Written here on purpose (not shared with `wecom-callback`), so that a mistake in
//! one cipher cannot cancel itself out in the tests of the other. The scheme:
//!
//! - key = base64(EncodingAESKey + "=") (43 characters; trailing bits allowed, as every
//!   other SDK's decoder does), 32 bytes; IV = key[..16]; AES-256-CBC without library padding;
//! - plaintext = random(16) ‖ len(msg) as u32 big-endian ‖ msg ‖ receive id, PKCS#7-padded
//!   to a multiple of **32** bytes; the ciphertext travels as standard base64;
//! - msg_signature = lowercase hex SHA-1 of the sorted concatenation of token,
//!   timestamp, nonce and the base64 ciphertext.

use aes::cipher::block_padding::NoPadding;
use aes::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use base64::Engine;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use sha1::{Digest, Sha1};

/// Decodes EncodingAESKey + "=" like Python/Go/Java do: the 2 unused low bits of the
/// 43rd character are ignored instead of rejected.
const KEY_ENGINE: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

/// Block size of the PKCS#7 padding the scheme uses (not AES's 16).
const PAD_BLOCK: usize = 32;

/// Why a key, a ciphertext or a plaintext was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// The EncodingAESKey is not 43 base64 characters decoding to 32 bytes.
    #[error("invalid EncodingAESKey: {0} (expected 43 characters from a-zA-Z0-9)")]
    Key(&'static str),
    /// The ciphertext is not base64.
    #[error("ciphertext is not valid base64")]
    Base64,
    /// The ciphertext length is not a positive multiple of 16 bytes.
    #[error("ciphertext length {0} is not a positive multiple of 16")]
    Length(usize),
    /// The PKCS#7 padding is wrong.
    #[error("bad PKCS#7 padding (pad byte {0})")]
    Padding(u8),
    /// The plaintext is shorter than its header or its declared message length.
    #[error("plaintext too short: {len} bytes, message length field says {msg_len}")]
    Truncated {
        /// Plaintext bytes after unpadding.
        len: usize,
        /// The big-endian length field (0 when even the header is missing).
        msg_len: usize,
    },
    /// The message is not UTF-8.
    #[error("decrypted message is not UTF-8")]
    Utf8,
}

/// A decrypted message and the receive id that followed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    /// The message (the event XML, or the echostr plaintext).
    pub message: String,
    /// The receive id (the corp id for a self-built app's callbacks).
    pub receive_id: String,
    /// The 16 random bytes that prefixed the message.
    pub prefix: [u8; 16],
}

/// Token + AES key of one callback URL. `Debug` never shows either.
#[derive(Clone)]
pub struct MsgCrypt {
    token: String,
    key: [u8; 32],
}

impl std::fmt::Debug for MsgCrypt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MsgCrypt").field("token", &"<redacted>").field("key", &"<redacted>").finish()
    }
}

impl MsgCrypt {
    /// Builds the cipher; the key must be 43 characters of `a-zA-Z0-9` (`+`/`/` are
    /// tolerated since they are base64 too).
    pub fn new(token: impl Into<String>, encoding_aes_key: &str) -> Result<MsgCrypt, CryptoError> {
        if encoding_aes_key.len() != 43 {
            return Err(CryptoError::Key("wrong length"));
        }
        if !encoding_aes_key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/') {
            return Err(CryptoError::Key("character outside the base64 alphabet"));
        }
        let bytes = KEY_ENGINE.decode(format!("{encoding_aes_key}=")).map_err(|_| CryptoError::Key("not base64"))?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| CryptoError::Key("does not decode to 32 bytes"))?;
        Ok(MsgCrypt { token: token.into(), key })
    }

    /// The 32-byte AES key (tests compare it with the reference vectors).
    pub fn aes_key(&self) -> [u8; 32] {
        self.key
    }

    /// `msg_signature`: lowercase hex SHA-1 of the sorted concatenation of token,
    /// timestamp, nonce and the base64 ciphertext.
    pub fn signature(&self, timestamp: &str, nonce: &str, encrypt: &str) -> String {
        let mut parts = [self.token.as_str(), timestamp, nonce, encrypt];
        parts.sort_unstable();
        let digest = Sha1::digest(parts.concat().as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Encrypts with a chosen 16-byte prefix (deterministic: the vectors use it).
    pub fn encrypt_with_prefix(&self, message: &str, receive_id: &str, prefix: [u8; 16]) -> String {
        let mut plain = Vec::with_capacity(20 + message.len() + receive_id.len() + PAD_BLOCK);
        plain.extend_from_slice(&prefix);
        // A message over 4 GiB cannot be built here; the cast is the wire format.
        plain.extend_from_slice(&(message.len() as u32).to_be_bytes());
        plain.extend_from_slice(message.as_bytes());
        plain.extend_from_slice(receive_id.as_bytes());
        let pad = PAD_BLOCK - plain.len() % PAD_BLOCK;
        plain.resize(plain.len() + pad, pad as u8);
        let enc = cbc::Encryptor::<aes::Aes256>::new(&self.key.into(), &self.iv().into());
        STANDARD.encode(enc.encrypt_padded_vec::<NoPadding>(&plain))
    }

    /// Encrypts with a fresh random prefix (what WeCom does for every push).
    pub fn encrypt(&self, message: &str, receive_id: &str) -> String {
        self.encrypt_with_prefix(message, receive_id, rand::random())
    }

    /// Decrypts a base64 ciphertext (no signature check: see [`MsgCrypt::verify`]).
    pub fn decrypt(&self, encrypt: &str) -> Result<Opened, CryptoError> {
        let data = STANDARD.decode(encrypt.trim().as_bytes()).map_err(|_| CryptoError::Base64)?;
        if data.is_empty() || data.len() % 16 != 0 {
            return Err(CryptoError::Length(data.len()));
        }
        let dec = cbc::Decryptor::<aes::Aes256>::new(&self.key.into(), &self.iv().into());
        let plain = dec.decrypt_padded_vec::<NoPadding>(&data).map_err(|_| CryptoError::Length(data.len()))?;
        let pad = *plain.last().unwrap_or(&0);
        let n = pad as usize;
        if n == 0 || n > PAD_BLOCK || n > plain.len() || !plain[plain.len() - n..].iter().all(|b| *b == pad) {
            return Err(CryptoError::Padding(pad));
        }
        let plain = &plain[..plain.len() - n];
        if plain.len() < 20 {
            return Err(CryptoError::Truncated { len: plain.len(), msg_len: 0 });
        }
        let msg_len = u32::from_be_bytes([plain[16], plain[17], plain[18], plain[19]]) as usize;
        if plain.len() - 20 < msg_len {
            return Err(CryptoError::Truncated { len: plain.len(), msg_len });
        }
        let message = std::str::from_utf8(&plain[20..20 + msg_len]).map_err(|_| CryptoError::Utf8)?;
        let receive_id = std::str::from_utf8(&plain[20 + msg_len..]).map_err(|_| CryptoError::Utf8)?;
        let mut prefix = [0u8; 16];
        prefix.copy_from_slice(&plain[..16]);
        Ok(Opened { message: message.to_string(), receive_id: receive_id.to_string(), prefix })
    }

    /// Whether `msg_signature` is the signature of (timestamp, nonce, encrypt).
    pub fn verify(&self, msg_signature: &str, timestamp: &str, nonce: &str, encrypt: &str) -> bool {
        let want = self.signature(timestamp, nonce, encrypt);
        // Constant time: no early exit on the first differing byte.
        want.len() == msg_signature.len()
            && want.bytes().zip(msg_signature.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }

    fn iv(&self) -> [u8; 16] {
        let mut iv = [0u8; 16];
        iv.copy_from_slice(&self.key[..16]);
        iv
    }
}

/// The POST body WeCom sends: the envelope around the ciphertext.
pub fn envelope(to_user_name: &str, encrypt: &str, agent_id: &str) -> String {
    format!(
        "<xml><ToUserName><![CDATA[{}]]></ToUserName>\n<Encrypt><![CDATA[{encrypt}]]></Encrypt>\n<AgentID><![CDATA[{}]]></AgentID>\n</xml>",
        cdata_text(to_user_name),
        cdata_text(agent_id)
    )
}

/// Text safe inside `<![CDATA[…]]>`: a `]]>` is split across two sections.
pub(crate) fn cdata_text(s: &str) -> String {
    s.replace("]]>", "]]]]><![CDATA[>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert!(MsgCrypt::new("t", "").is_err());
        assert!(MsgCrypt::new("t", &"a".repeat(42)).is_err());
        assert!(MsgCrypt::new("t", &"a".repeat(44)).is_err());
        assert!(MsgCrypt::new("t", &format!("{}=", "a".repeat(42))).is_err());
        assert!(MsgCrypt::new("t", &format!("{}$", "a".repeat(42))).is_err());
        assert!(MsgCrypt::new("t", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG").is_ok());
        let dbg =
            format!("{:?}", MsgCrypt::new("sekrit-token", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG").unwrap());
        assert!(!dbg.contains("sekrit"), "{dbg}");
    }

    #[test]
    fn roundtrip_and_bad_input() {
        let c = MsgCrypt::new("tok", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG").unwrap();
        for msg in ["", "x", "中文<xml/>", &"y".repeat(1000)] {
            let e = c.encrypt(msg, "wwcorp");
            let o = c.decrypt(&e).unwrap();
            assert_eq!((o.message.as_str(), o.receive_id.as_str()), (msg, "wwcorp"));
            assert_eq!(STANDARD.decode(&e).unwrap().len() % 32, 0);
        }
        assert_eq!(c.decrypt("%%%"), Err(CryptoError::Base64));
        assert_eq!(c.decrypt(&STANDARD.encode([0u8; 15])), Err(CryptoError::Length(15)));
        assert!(c.decrypt(&STANDARD.encode([0u8; 32])).is_err());
        let sig = c.signature("1", "2", "3");
        assert!(c.verify(&sig, "1", "2", "3"));
        assert!(!c.verify(&sig, "1", "2", "4"));
        assert!(!c.verify("", "1", "2", "3"));
    }
}
