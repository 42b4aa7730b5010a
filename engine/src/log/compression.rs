//! `compression.type`: the codec a record batch is compressed with (the low three bits of the v2
//! batch's attributes). The producer compresses a whole batch, so a fuller batch compresses
//! better; the broker keeps it as it came (a topic's `compression.type=producer`) or recompresses
//! it to the topic's codec; consumers decompress it. The batch header stays uncompressed.
//!
//! How much a codec shrinks data depends on the data, so the ratio is a setting of the load
//! that produces it; the defaults here are illustrative points from the published figures in
//! the reference (section 7.2): snappy and lz4 about 2x, gzip and zstd 3-4x on repetitive JSON.

use serde::Serialize;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    #[default]
    None,
    Gzip,
    Snappy,
    Lz4,
    Zstd,
}

impl Compression {
    pub const ALL: [Compression; 5] = [
        Compression::None,
        Compression::Gzip,
        Compression::Snappy,
        Compression::Lz4,
        Compression::Zstd,
    ];

    /// The name `compression.type` takes.
    pub fn name(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
            Compression::Snappy => "snappy",
            Compression::Lz4 => "lz4",
            Compression::Zstd => "zstd",
        }
    }

    /// Uncompressed size over compressed size for data that says nothing else.
    pub fn default_ratio(self) -> f64 {
        match self {
            Compression::None => 1.0,
            Compression::Snappy => 2.0,
            Compression::Lz4 => 2.1,
            Compression::Gzip => 3.5,
            Compression::Zstd => 3.8,
        }
    }

    pub fn is_compressed(self) -> bool {
        self != Compression::None
    }
}

/// A record's bytes in a batch compressed at `ratio`: what it adds to the batch's estimated size
/// (`MemoryRecordsBuilder.estimatedSizeInBytes` with the compression ratio estimate), at least
/// one byte.
#[inline]
pub fn compressed_size(raw: u32, ratio: f64) -> u32 {
    if ratio <= 1.0 {
        return raw;
    }
    ((raw as f64 / ratio).ceil() as u32).max(1)
}

/// The size of a batch of `raw` uncompressed bytes, now `size` in codec `from`, once the broker
/// recompresses it to `to`: the data compresses as well relative to each codec's typical ratio
/// as it did in `from` (uncompressed data is taken at `to`'s typical ratio).
pub fn recompressed_size(raw: u32, size: u32, from: Compression, to: Compression) -> u32 {
    use super::BATCH_OVERHEAD_BYTES as H;
    if from == to {
        return size;
    }
    if !to.is_compressed() {
        return raw;
    }
    let records = raw.saturating_sub(H);
    let ratio = if from.is_compressed() {
        let observed = records as f64 / size.saturating_sub(H).max(1) as f64;
        observed * to.default_ratio() / from.default_ratio()
    } else {
        to.default_ratio()
    };
    H + compressed_size(records, ratio)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recompression_keeps_the_datas_compressibility() {
        // 1061 raw bytes, lz4 at its typical ratio: 61 + 1000 / 2.1.
        let lz4 = 61 + compressed_size(1000, 2.1);
        assert_eq!(
            recompressed_size(1061, lz4, Compression::Lz4, Compression::Lz4),
            lz4
        );
        assert_eq!(
            recompressed_size(1061, lz4, Compression::Lz4, Compression::None),
            1061
        );
        // To zstd: the typical zstd ratio, since the data was typical for lz4.
        let zstd = recompressed_size(1061, lz4, Compression::Lz4, Compression::Zstd);
        assert!((61 + 262..=61 + 265).contains(&zstd), "{zstd}");
        // Uncompressed data takes the target's typical ratio.
        assert_eq!(
            recompressed_size(1061, 1061, Compression::None, Compression::Gzip),
            61 + compressed_size(1000, 3.5)
        );
    }

    #[test]
    fn compressed_size_divides_by_the_ratio_and_never_reaches_zero() {
        assert_eq!(compressed_size(100, 1.0), 100);
        assert_eq!(compressed_size(100, 2.0), 50);
        assert_eq!(compressed_size(100, 3.0), 34);
        assert_eq!(compressed_size(1, 4.0), 1);
        // A ratio below one (incompressible data) never makes records larger than raw.
        assert_eq!(compressed_size(100, 0.5), 100);
    }

    #[test]
    fn names_are_kafkas() {
        let names: Vec<_> = Compression::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(names, ["none", "gzip", "snappy", "lz4", "zstd"]);
        assert!(Compression::ALL[1..]
            .iter()
            .all(|c| c.default_ratio() > 1.0));
    }
}
