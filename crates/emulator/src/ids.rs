//! Deterministic hashing and the id encodings the emulator hands out.
//!
//! Ids are derived from the dataset seed and a record's index so that they can be
//! decoded back to the index without a lookup table (small memory for large
//! datasets) and checked against tampering.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// SplitMix64 finaliser: a fast, well-mixed 64-bit hash step.
pub fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Hashes a sequence of words.
pub fn hash(parts: &[u64]) -> u64 {
    let mut h = 0x243F_6A88_85A3_08D3u64;
    for p in parts {
        h = mix(h ^ p.wrapping_mul(0xD6E8_FEB8_6659_FD93));
    }
    h
}

/// Hashes a string (FNV-1a, then mixed).
pub fn hash_str(s: &str) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for b in s.as_bytes() {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    mix(h)
}

/// A ChaCha8 generator for one aspect (`stream`) of one record (`seed`).
pub fn rng(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    r.set_stream(stream);
    r
}

const B58: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/// Encodes `v` in base58 using exactly `width` characters (left-padded with `1`,
/// the base58 zero; high digits dropped if `width` is too small).
pub fn b58(mut v: u128, width: usize) -> String {
    let mut out = vec![b'1'; width];
    for slot in out.iter_mut().rev() {
        *slot = B58[(v % 58) as usize];
        v /= 58;
    }
    // Safe: every byte comes from the ASCII alphabet.
    String::from_utf8(out).unwrap_or_default()
}

/// Decodes a base58 string produced by [`b58`]; `None` on a foreign character or overflow.
pub fn b58_decode(s: &str) -> Option<u128> {
    let mut v: u128 = 0;
    for c in s.bytes() {
        let d = B58.iter().position(|&x| x == c)? as u128;
        v = v.checked_mul(58)?.checked_add(d)?;
    }
    Some(v)
}

/// A pseudo-random base58 string of `len` characters from `key`.
pub fn b58_noise(key: u64, len: usize) -> String {
    let mut s = String::with_capacity(len + 22);
    let mut k = key;
    while s.len() < len {
        k = mix(k);
        let v = ((k as u128) << 64) | mix(k ^ 0x5555) as u128;
        s.push_str(&b58(v, 21));
    }
    s.truncate(len);
    s
}

/// Lowercase hex of a word, 16 characters.
pub fn hex64(v: u64) -> String {
    format!("{v:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn b58_roundtrip() {
        for v in [0u128, 1, 57, 58, u64::MAX as u128, (7u128 << 64) | 12345] {
            assert_eq!(b58_decode(&b58(v, 22)), Some(v));
        }
        assert_eq!(b58(u128::MAX, 22).len(), 22);
        assert_eq!(b58_decode(&b58(u128::MAX, 22)), Some(u128::MAX));
        assert_eq!(b58_decode("0OIl"), None);
    }
}
