//! PKCS#7 padding to a multiple of **32** bytes, as WeCom uses it (not the 16-byte AES block).
//!
//! A 16-byte unpadder rejects valid WeCom ciphertexts whose pad byte is above 16 (two of the
//! official sample vectors have 22 and 30), so the cipher runs without library padding and
//! this module pads and strips by hand.
//!
//! ```
//! use wecom_callback::pkcs7;
//!
//! let padded = pkcs7::pad(b"A");
//! assert_eq!(padded.len(), 32);
//! assert_eq!(pkcs7::unpad(&padded).unwrap(), b"A");
//! ```

use crate::CallbackError;

/// The block size WeCom pads to.
pub const BLOCK_SIZE: usize = 32;

/// Returns `data` followed by 1..=32 bytes each holding the pad length, up to a multiple of 32.
///
/// Input that is already a multiple of 32 (including empty input) gains a whole block of `0x20`.
pub fn pad(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(padded_len(data.len()));
    out.extend_from_slice(data);
    pad_in_place(&mut out);
    out
}

/// Length of `len` bytes once padded.
pub(crate) fn padded_len(len: usize) -> usize {
    len + (BLOCK_SIZE - len % BLOCK_SIZE)
}

/// Appends the padding to `buf`.
pub(crate) fn pad_in_place(buf: &mut Vec<u8>) {
    let pad = BLOCK_SIZE - buf.len() % BLOCK_SIZE;
    // pad is 1..=32, so the cast is lossless.
    buf.resize(buf.len() + pad, pad as u8);
}

/// Strips the padding, checking that the pad byte is 1..=32, no longer than the data, and that
/// every pad byte holds the pad length.
pub fn unpad(data: &[u8]) -> Result<&[u8], CallbackError> {
    let Some(&last) = data.last() else {
        return Err(CallbackError::Padding { reason: "no data to unpad".to_owned() });
    };
    let pad = usize::from(last);
    if pad == 0 || pad > BLOCK_SIZE {
        return Err(CallbackError::Padding { reason: format!("pad byte is {pad}, must be 1..=32") });
    }
    if pad > data.len() {
        return Err(CallbackError::Padding {
            reason: format!("pad byte {pad} is longer than the {}-byte plaintext", data.len()),
        });
    }
    let (body, padding) = data.split_at(data.len() - pad);
    if padding.iter().any(|&b| b != last) {
        return Err(CallbackError::Padding { reason: format!("the last {pad} bytes are not all {pad}") });
    }
    Ok(body)
}
