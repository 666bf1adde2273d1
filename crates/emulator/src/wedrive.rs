//! Deterministic wedrive file contents, generated in chunks (never a whole file in memory).

use bytes::Bytes;
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Chunk size of the generator (and of the HTTP body stream).
pub(crate) const CHUNK: usize = 64 * 1024;

/// Yields the bytes of one file chunk by chunk.
pub(crate) struct WedriveReader {
    rng: ChaCha8Rng,
    remaining: u64,
}

impl WedriveReader {
    pub(crate) fn new(key: u64, size: u64) -> Self {
        WedriveReader { rng: ChaCha8Rng::seed_from_u64(key), remaining: size }
    }
}

impl Iterator for WedriveReader {
    type Item = Bytes;

    fn next(&mut self) -> Option<Bytes> {
        if self.remaining == 0 {
            return None;
        }
        let n = (CHUNK as u64).min(self.remaining) as usize;
        let mut buf = vec![0u8; n];
        self.rng.fill_bytes(&mut buf);
        self.remaining -= n as u64;
        Some(Bytes::from(buf))
    }
}
