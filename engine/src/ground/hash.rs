//! The hash functions Kafka's clients and brokers agree on.
//!
//! `murmur2` and `to_positive` decide which partition a keyed record goes to
//! (`org.apache.kafka.common.utils.Utils`); `java_string_hash_code` and `utils_abs` decide which
//! `__consumer_offsets` / `__transaction_state` partition coordinates a group or a transactional id.
//! All four are checked against vectors computed by Apache Kafka's own classes
//! (`../shared/vectors`).

/// `Utils.murmur2`: the 32-bit MurmurHash2 variant with Kafka's seed, returned as a Java int.
pub fn murmur2(data: &[u8]) -> i32 {
    const M: u32 = 0x5bd1_e995;
    const R: u32 = 24;
    let mut h: u32 = 0x9747_b28c ^ data.len() as u32;
    let mut words = data.chunks_exact(4);
    for w in &mut words {
        let mut k = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M);
        h ^= k;
    }
    // Java's fall-through switch over the 1..3 trailing bytes.
    let tail = words.remainder();
    if tail.len() >= 3 {
        h ^= (tail[2] as u32) << 16;
    }
    if tail.len() >= 2 {
        h ^= (tail[1] as u32) << 8;
    }
    if !tail.is_empty() {
        h ^= tail[0] as u32;
        h = h.wrapping_mul(M);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    h as i32
}

/// `Utils.toPositive`: clears the sign bit (not `abs`: -1 maps to 2147483647).
pub fn to_positive(x: i32) -> i32 {
    x & 0x7fff_ffff
}

/// The partition the Java producer picks for a serialized key: `toPositive(murmur2(key)) % n`.
pub fn partition_for_key(key: &[u8], num_partitions: u32) -> u32 {
    to_positive(murmur2(key)) as u32 % num_partitions
}

/// Java `String.hashCode()`: `s[0]*31^(n-1) + ... + s[n-1]` over UTF-16 code units, wrapping.
pub fn java_string_hash_code(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, unit| h.wrapping_mul(31).wrapping_add(unit as i32))
}

/// `Utils.abs`: absolute value where `Integer.MIN_VALUE` maps to 0 (not to itself).
pub fn utils_abs(x: i32) -> i32 {
    if x == i32::MIN {
        0
    } else {
        x.abs()
    }
}

/// The internal-topic partition that coordinates `key` (a group id or a transactional id):
/// `Utils.abs(key.hashCode()) % partitions`, as `GroupCoordinatorService.partitionFor` and
/// `TransactionStateManager.partitionFor` compute it.
pub fn coordinator_partition(key: &str, partitions: u32) -> u32 {
    utils_abs(java_string_hash_code(key)) as u32 % partitions
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The six literals of Kafka's `UtilsTest.testMurmur2`.
    #[test]
    fn murmur2_matches_kafka_utils_test_literals() {
        let cases: [(&str, i32); 6] = [
            ("21", -973932308),
            ("foobar", -790332482),
            ("a-little-bit-long-string", -985981536),
            ("a-little-bit-longer-string", -1486304829),
            (
                "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8",
                -58897971,
            ),
            ("abc", 479470107),
        ];
        for (key, want) in cases {
            assert_eq!(murmur2(key.as_bytes()), want, "murmur2({key:?})");
        }
    }

    #[test]
    fn empty_key_is_hashed_not_treated_as_null() {
        assert_eq!(murmur2(b""), 275646681);
    }

    #[test]
    fn to_positive_clears_the_sign_bit_instead_of_negating() {
        assert_eq!(to_positive(-1), 2147483647);
        assert_eq!(to_positive(i32::MIN), 0);
        assert_eq!(to_positive(5), 5);
    }

    #[test]
    fn utils_abs_maps_min_value_to_zero() {
        assert_eq!(utils_abs(i32::MIN), 0);
        assert_eq!(utils_abs(-7), 7);
        // "polygenelubricants".hashCode() == Integer.MIN_VALUE
        assert_eq!(java_string_hash_code("polygenelubricants"), i32::MIN);
        assert_eq!(coordinator_partition("polygenelubricants", 50), 0);
    }

    #[test]
    fn java_hash_code_counts_utf16_units() {
        assert_eq!(java_string_hash_code(""), 0);
        assert_eq!(java_string_hash_code("my-group"), -1906497762);
        // U+1F600 is a surrogate pair in UTF-16: two code units.
        let s = "\u{1F600}";
        let expected = (0xD83Di32).wrapping_mul(31).wrapping_add(0xDE00);
        assert_eq!(java_string_hash_code(s), expected);
    }
}
