//! Key identity: every key a record can carry, as a 4-byte id.
//!
//! Generated load uses the keys `user-0`, `user-1`, ... : key id `i` *is* the text `user-i`, so
//! a key typed by a user as `user-42` is the same key as generated key 42, and lands on the same
//! partition. Any other typed key is interned once and gets an id with the top bit set. The murmur2
//! hash of each key is computed once and cached: partitioning a generated record is one table
//! lookup and one modulo, and gives exactly what hashing the key's bytes gives.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::ground::hash::murmur2;

pub type KeyId = u32;

/// The null key. Null keys are not hashed: the sticky partitioner places them.
pub const NULL_KEY: KeyId = u32::MAX;

const INTERNED: u32 = 1 << 31;

/// The most generated keys a load can ask for.
pub const MAX_GENERATED_KEYS: u32 = 1_000_000;

const PREFIX: &str = "user-";

#[derive(Clone, Debug, Default)]
pub struct KeyTable {
    /// murmur2 of `user-i`, for i below the largest key space asked for so far.
    generated_hash: Vec<i32>,
    interned: Vec<(String, i32)>,
    by_text: BTreeMap<String, KeyId>,
}

fn digits(mut i: u32) -> u32 {
    let mut d = 1;
    while i >= 10 {
        i /= 10;
        d += 1;
    }
    d
}

impl KeyTable {
    /// Makes sure keys `user-0 .. user-(n-1)` have their hashes cached.
    pub fn ensure_generated(&mut self, n: u32) {
        let n = n.min(MAX_GENERATED_KEYS);
        let have = self.generated_hash.len() as u32;
        if n > have {
            self.generated_hash.reserve((n - have) as usize);
            let mut buf = String::new();
            for i in have..n {
                buf.clear();
                buf.push_str(PREFIX);
                buf.push_str(&i.to_string());
                self.generated_hash.push(murmur2(buf.as_bytes()));
            }
        }
    }

    /// The id of a key typed as text.
    pub fn intern(&mut self, text: &str) -> KeyId {
        if let Some(i) = parse_generated(text) {
            self.ensure_generated(i + 1);
            return i;
        }
        if let Some(&id) = self.by_text.get(text) {
            return id;
        }
        let id = INTERNED | self.interned.len() as u32;
        self.interned
            .push((text.to_string(), murmur2(text.as_bytes())));
        self.by_text.insert(text.to_string(), id);
        id
    }

    /// murmur2 of the key's UTF-8 bytes.
    #[inline]
    pub fn hash(&self, id: KeyId) -> i32 {
        if id & INTERNED == 0 {
            self.generated_hash[id as usize]
        } else {
            self.interned[(id & !INTERNED) as usize].1
        }
    }

    /// Serialized key length in bytes (`None` for the null key).
    #[inline]
    pub fn len(&self, id: KeyId) -> Option<u32> {
        if id == NULL_KEY {
            None
        } else if id & INTERNED == 0 {
            Some(PREFIX.len() as u32 + digits(id))
        } else {
            Some(self.interned[(id & !INTERNED) as usize].0.len() as u32)
        }
    }

    /// The id of a key typed as text, without interning it (`None`: no record carried it).
    pub fn lookup(&self, text: &str) -> Option<KeyId> {
        match parse_generated(text) {
            Some(i) => Some(i),
            None => self.by_text.get(text).copied(),
        }
    }

    pub fn text(&self, id: KeyId) -> Option<Cow<'_, str>> {
        if id == NULL_KEY {
            None
        } else if id & INTERNED == 0 {
            Some(Cow::Owned(format!("{PREFIX}{id}")))
        } else {
            Some(Cow::Borrowed(&self.interned[(id & !INTERNED) as usize].0))
        }
    }

    pub fn generated_len(&self) -> u32 {
        self.generated_hash.len() as u32
    }
}

/// `user-N` in canonical form (no leading zeros) within the generated range.
fn parse_generated(text: &str) -> Option<u32> {
    let digits = text.strip_prefix(PREFIX)?;
    if digits.is_empty() || digits.len() > 7 || (digits.len() > 1 && digits.starts_with('0')) {
        return None;
    }
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u32 = digits.parse().ok()?;
    (n < MAX_GENERATED_KEYS).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_user_key_is_the_same_key_as_the_generated_one() {
        let mut t = KeyTable::default();
        t.ensure_generated(10);
        assert_eq!(t.intern("user-7"), 7);
        assert_eq!(t.hash(7), murmur2(b"user-7"));
        assert_eq!(t.len(7), Some(6));
    }

    #[test]
    fn other_keys_are_interned_once() {
        let mut t = KeyTable::default();
        let a = t.intern("order-1");
        let b = t.intern("order-1");
        let c = t.intern("user-007");
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(t.text(c).as_deref(), Some("user-007"));
        assert_eq!(t.hash(c), murmur2(b"user-007"));
        assert_eq!(t.len(a), Some(7));
    }

    #[test]
    fn generated_key_lengths_count_digits() {
        let t = KeyTable::default();
        assert_eq!(t.len(0), Some(6));
        assert_eq!(t.len(9999), Some(9));
        assert_eq!(t.len(NULL_KEY), None);
    }
}
