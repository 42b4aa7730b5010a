//! What work costs: the settings that make Kafka's mechanisms matter for throughput and latency
//! (reference section 7), and the service time of each piece of work computed from them.
//!
//! Every broker and client has a network card with `sim.network.bandwidth.mbit` each way. A
//! broker handles requests on `num.io.threads` request handler threads, each request costing a
//! fixed `sim.request.cost.us` plus `sim.request.byte.cost.ns` per byte (checksums and the copy
//! into the page cache: Kafka writes to the page cache and never forces a flush, so the write
//! path has no disk cost). A fetch of recent data is served from the page cache with
//! `sendfile` (zero-copy: no per-byte CPU at all); data older than the broker's page cache
//! holds comes off the disk at its sequential read speed first; under TLS (`security.protocol`
//! SSL) the bytes are encrypted in user space, so zero-copy is off and each byte costs
//! `sim.tls.byte.cost.ns` plus a copy. Compression costs CPU per uncompressed byte on the
//! producer, on the broker (which decompresses to validate, and recompresses when the topic asks
//! for another codec) and on the consumer.
//!
//! Because a fixed cost falls on every request, fuller batches carry more records for the same
//! cost: that is why batching raises the throughput a broker can take, as in Kafka. The figures
//! are defaults a user can change; the CPU figures for codecs are illustrative.

use serde::Serialize;

use crate::ground::ActionError;
use crate::log::Compression;

/// Nanoseconds: the unit service times accumulate in, so that a queue of sub-millisecond pieces
/// of work adds up exactly while the clock ticks in milliseconds.
pub type Nanos = u64;

pub const NANOS_PER_MS: Nanos = 1_000_000;

/// `security.protocol` of the listener clients connect to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum SecurityProtocol {
    #[default]
    #[serde(rename = "PLAINTEXT")]
    Plaintext,
    #[serde(rename = "SSL")]
    Ssl,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CostConfig {
    /// Off: work costs nothing and only the network delay takes time (the model before costs).
    #[serde(rename = "sim.costs.enabled")]
    pub enabled: bool,
    #[serde(rename = "security.protocol")]
    pub security_protocol: SecurityProtocol,
    /// Request handler threads per broker.
    #[serde(rename = "num.io.threads")]
    pub num_io_threads: u32,
    /// Each network card's bandwidth in each direction (1 GbE by default, as in Kafka's
    /// "2 million writes per second" benchmark).
    #[serde(rename = "sim.network.bandwidth.mbit")]
    pub network_bandwidth_mbit: u32,
    /// A handler thread's fixed cost per request: parsing, purgatory, the response.
    #[serde(rename = "sim.request.cost.us")]
    pub request_cost_us: f64,
    /// A handler thread's cost per byte of a request: checksum and copy into the page cache.
    #[serde(rename = "sim.request.byte.cost.ns")]
    pub request_byte_cost_ns: f64,
    /// Page cache per broker: reads of data newer than this many bytes are served from memory.
    #[serde(rename = "sim.page.cache.bytes")]
    pub page_cache_bytes: u64,
    /// Sequential disk reads, for data no longer in the page cache (600 MB/s, as Kafka's
    /// design document measured six SATA disks in RAID-5).
    #[serde(rename = "sim.disk.read.mb.per.s")]
    pub disk_read_mb_per_s: u32,
    /// Encryption per byte under TLS, on top of the user-space copy it forces.
    #[serde(rename = "sim.tls.byte.cost.ns")]
    pub tls_byte_cost_ns: f64,
}

impl Default for CostConfig {
    fn default() -> Self {
        CostConfig {
            enabled: true,
            security_protocol: SecurityProtocol::Plaintext,
            num_io_threads: 8,
            network_bandwidth_mbit: 1000,
            request_cost_us: 20.0,
            request_byte_cost_ns: 0.5,
            page_cache_bytes: 28 << 30,
            disk_read_mb_per_s: 600,
            tls_byte_cost_ns: 2.0,
        }
    }
}

/// Bytes a request or response takes on the wire besides its record batches (headers, topic
/// and partition fields): also what a message without records costs.
pub const MESSAGE_OVERHEAD_BYTES: u64 = 100;

/// CPU per uncompressed byte to compress and to decompress, in nanoseconds. Illustrative, in
/// the proportions of the codecs' published comparisons: gzip (zlib's default level) is the
/// slowest and lz4 the fastest, and every codec decompresses several times faster than it
/// compresses.
pub fn codec_ns_per_byte(codec: Compression) -> (f64, f64) {
    match codec {
        Compression::None => (0.0, 0.0),
        Compression::Gzip => (25.0, 4.0),
        Compression::Snappy => (2.0, 0.7),
        Compression::Lz4 => (1.5, 0.3),
        Compression::Zstd => (4.0, 1.2),
    }
}

fn ns(bytes: u64, per_byte: f64) -> Nanos {
    (bytes as f64 * per_byte) as Nanos
}

impl CostConfig {
    pub fn validate(&self) -> Result<(), ActionError> {
        let bad = |m: String| Err(ActionError::InvalidConfig(m));
        if !(1..=256).contains(&self.num_io_threads) {
            return bad("num.io.threads must be between 1 and 256.".into());
        }
        if !(1..=400_000).contains(&self.network_bandwidth_mbit) {
            return bad("sim.network.bandwidth.mbit must be between 1 and 400000.".into());
        }
        if !(1..=100_000).contains(&self.disk_read_mb_per_s) {
            return bad("sim.disk.read.mb.per.s must be between 1 and 100000.".into());
        }
        for (name, v, max) in [
            ("sim.request.cost.us", self.request_cost_us, 100_000.0),
            (
                "sim.request.byte.cost.ns",
                self.request_byte_cost_ns,
                1_000.0,
            ),
            ("sim.tls.byte.cost.ns", self.tls_byte_cost_ns, 1_000.0),
        ] {
            if !(0.0..=max).contains(&v) {
                return bad(format!("{name} must be between 0 and {max}, not {v}."));
            }
        }
        Ok(())
    }

    pub fn tls(&self) -> bool {
        self.security_protocol == SecurityProtocol::Ssl
    }

    /// Whether fetches go from the page cache to the socket with `sendfile`: not under TLS,
    /// whose encryption runs in user space. (Down-conversion for old consumers, the other case
    /// without zero-copy, went with Kafka 4.0's removal of pre-2.1 clients.)
    pub fn zero_copy(&self) -> bool {
        !self.tls()
    }

    /// Time to put `bytes` on (or take them off) one network card.
    pub fn transfer_ns(&self, bytes: u64) -> Nanos {
        if !self.enabled {
            return 0;
        }
        bytes * 8_000 / self.network_bandwidth_mbit as u64
    }

    /// A handler thread's time for a request of `bytes`, plus `extra` (compression work).
    pub fn request_ns(&self, bytes: u64, extra: Nanos) -> Nanos {
        if !self.enabled {
            return 0;
        }
        let tls = if self.tls() {
            ns(bytes, self.tls_byte_cost_ns)
        } else {
            0
        };
        (self.request_cost_us * 1_000.0) as Nanos
            + ns(bytes, self.request_byte_cost_ns)
            + tls
            + extra
    }

    /// The broker's compression work for a batch of `raw` uncompressed bytes that arrived in
    /// `codec` and is stored in `stored`: it decompresses a compressed batch to validate its
    /// records, and compresses again when the codecs differ.
    pub fn validation_ns(&self, raw: u64, codec: Compression, stored: Compression) -> Nanos {
        if !self.enabled {
            return 0;
        }
        let decompress = ns(raw, codec_ns_per_byte(codec).1);
        let recompress = if stored != codec {
            ns(raw, codec_ns_per_byte(stored).0)
        } else {
            0
        };
        decompress + recompress
    }

    /// A client's CPU to compress (producer) or decompress (consumer) `raw` bytes in `codec`.
    pub fn codec_ns(&self, raw: u64, codec: Compression, compress: bool) -> Nanos {
        if !self.enabled {
            return 0;
        }
        let (c, d) = codec_ns_per_byte(codec);
        ns(raw, if compress { c } else { d })
    }

    /// Sending `bytes` of a fetch response: disk time for the `cold` bytes no longer in the page
    /// cache, and CPU time (none with zero-copy; encryption and a copy under TLS).
    pub fn fetch_send_ns(&self, bytes: u64, cold: u64) -> (Nanos, Nanos) {
        if !self.enabled {
            return (0, 0);
        }
        let disk = cold * 1_000 / self.disk_read_mb_per_s as u64;
        let cpu = if self.zero_copy() {
            0
        } else {
            ns(bytes, self.tls_byte_cost_ns + self.request_byte_cost_ns)
        };
        (disk, cpu)
    }

    /// Whether a read `behind` bytes from a partition's end is served from the page cache, the
    /// broker's cache shared evenly by the `replicas` it hosts. (The cache keeps what was
    /// written last; a caught-up consumer reads what was just written.)
    pub fn in_page_cache(&self, behind: u64, replicas: u32) -> bool {
        behind <= self.page_cache_bytes / replicas.max(1) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_costs_a_fixed_part_and_a_part_per_byte() {
        let c = CostConfig::default();
        // 20 us + 16384 B * 0.5 ns.
        assert_eq!(c.request_ns(16_384, 0), 20_000 + 8_192);
        assert_eq!(c.request_ns(0, 7), 20_007);
        // The same bytes in 16 requests cost 15 more fixed parts: what batching saves.
        assert_eq!(
            16 * c.request_ns(1_024, 0) - c.request_ns(16_384, 0),
            15 * 20_000
        );
        // Under TLS every byte is also decrypted.
        let tls = CostConfig {
            security_protocol: SecurityProtocol::Ssl,
            ..c.clone()
        };
        assert_eq!(tls.request_ns(16_384, 0), 20_000 + 8_192 + 32_768);
    }

    #[test]
    fn a_byte_takes_eight_nanoseconds_on_gigabit_ethernet() {
        let c = CostConfig::default();
        assert_eq!(c.transfer_ns(125_000_000), 1_000_000_000);
        let ten = CostConfig {
            network_bandwidth_mbit: 10_000,
            ..c
        };
        assert_eq!(ten.transfer_ns(1_000), 800);
    }

    #[test]
    fn recent_reads_hit_the_page_cache_and_old_ones_the_disk() {
        let c = CostConfig {
            page_cache_bytes: 1 << 30,
            ..CostConfig::default()
        };
        // Four replicas on the broker share 1 GiB: 256 MiB each.
        assert!(c.in_page_cache(256 << 20, 4));
        assert!(!c.in_page_cache((256 << 20) + 1, 4));
        // A cold read of 6 MB takes 10 ms off a 600 MB/s disk; a hot one no disk time.
        assert_eq!(c.fetch_send_ns(6_000_000, 6_000_000).0, 10_000_000);
        assert_eq!(c.fetch_send_ns(6_000_000, 0).0, 0);
    }

    #[test]
    fn zero_copy_is_off_under_tls() {
        let plain = CostConfig::default();
        assert!(plain.zero_copy());
        assert_eq!(plain.fetch_send_ns(1_000_000, 0), (0, 0));
        let tls = CostConfig {
            security_protocol: SecurityProtocol::Ssl,
            ..plain
        };
        assert!(!tls.zero_copy());
        // Encryption (2 ns) and the user-space copy (0.5 ns) for every byte.
        assert_eq!(tls.fetch_send_ns(1_000_000, 0), (0, 2_500_000));
    }

    #[test]
    fn compression_costs_cpu_per_uncompressed_byte() {
        let c = CostConfig::default();
        assert_eq!(c.codec_ns(1_000, Compression::None, true), 0);
        assert_eq!(c.codec_ns(1_000, Compression::Gzip, true), 25_000);
        assert_eq!(c.codec_ns(1_000, Compression::Gzip, false), 4_000);
        assert!(
            c.codec_ns(1_000, Compression::Lz4, true) < c.codec_ns(1_000, Compression::Zstd, true)
        );
        // The broker decompresses to validate; recompresses only when the topic's codec differs.
        assert_eq!(
            c.validation_ns(1_000, Compression::Lz4, Compression::Lz4),
            300
        );
        assert_eq!(
            c.validation_ns(1_000, Compression::Lz4, Compression::Zstd),
            300 + 4_000
        );
        assert_eq!(
            c.validation_ns(1_000, Compression::None, Compression::None),
            0
        );
    }

    #[test]
    fn switched_off_nothing_costs_anything() {
        let c = CostConfig {
            enabled: false,
            ..CostConfig::default()
        };
        assert_eq!(c.request_ns(1 << 20, 5), 0);
        assert_eq!(c.transfer_ns(1 << 20), 0);
        assert_eq!(c.fetch_send_ns(1 << 20, 1 << 20), (0, 0));
        assert_eq!(c.codec_ns(1 << 20, Compression::Gzip, true), 0);
    }
}
