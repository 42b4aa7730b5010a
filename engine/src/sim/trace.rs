//! The trace hash: a fingerprint of everything that happened in a run.
//!
//! Every event the simulation emits is fed, in order, through FNV-1a (64-bit). Two runs with the
//! same seed and the same actions must end with the same hash; the determinism tests compare it.
//! FNV-1a is used instead of `std`'s `DefaultHasher` because its output is fixed by definition, not
//! by the Rust release.

use std::hash::Hasher;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceHasher(u64);

impl Default for TraceHasher {
    fn default() -> Self {
        TraceHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for TraceHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= b as u64;
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    // Integers are hashed as little-endian bytes, explicitly, so that the fingerprint is the same
    // on every target (wasm32 and x86_64 alike).
    fn write_u64(&mut self, i: u64) {
        self.write(&i.to_le_bytes());
    }
    fn write_usize(&mut self, i: usize) {
        self.write(&(i as u64).to_le_bytes());
    }
    fn write_isize(&mut self, i: isize) {
        self.write(&(i as i64).to_le_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::Hash;

    #[test]
    fn fnv1a_of_a_known_string() {
        let mut h = TraceHasher::default();
        h.write(b"a");
        assert_eq!(h.finish(), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn usize_hashes_like_u64_on_every_target() {
        let mut a = TraceHasher::default();
        7usize.hash(&mut a);
        let mut b = TraceHasher::default();
        7u64.hash(&mut b);
        assert_eq!(a.finish(), b.finish());
    }
}
