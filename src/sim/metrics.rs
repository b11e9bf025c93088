//! Synthetic CloudWatch data: per-minute error rate and p99 duration of each Lambda version, with
//! seeded noise, healthy or misbehaving.

use std::time::Duration;

use crate::domain::time::Timestamp;

pub const MINUTE: Duration = Duration::from_secs(60);

/// One minute of one version's invocations.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Datapoint {
    /// Errors / Invocations, in percent.
    pub error_rate: f64,
    pub p99_ms: f64,
}

/// The datapoint of `function` version `number` for the minute starting at `minute`.
pub fn datapoint(
    seed: u64,
    function: &str,
    number: &str,
    minute: Timestamp,
    misbehaving: bool,
) -> Datapoint {
    let key = [function.as_bytes(), b"#", number.as_bytes()].concat();
    let n = |metric: u64| unit(mix(seed ^ metric, &key, minute.millis()));
    // Centred noise in -0.5..0.5 around each level, so healthy and faulty never overlap.
    let (errors, errors_spread, p99, p99_spread) = if misbehaving {
        (8.0, 4.0, 1400.0, 400.0)
    } else {
        (0.2, 0.2, 250.0, 80.0)
    };
    Datapoint {
        error_rate: errors + (n(1) - 0.5) * errors_spread,
        p99_ms: p99 + (n(2) - 0.5) * p99_spread,
    }
}

/// The start of the minute that `t` falls in.
pub fn minute_of(t: Timestamp) -> Timestamp {
    Timestamp(t.millis().div_euclid(60_000) * 60_000)
}

/// FNV-1a over the key and the minute, finished with SplitMix64: stable across runs and
/// platforms, unlike the standard library's hasher.
fn mix(seed: u64, key: &[u8], minute: i64) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ seed;
    for b in key.iter().chain(minute.to_le_bytes().iter()) {
        h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
    }
    splitmix(h)
}

pub fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A number in 0..1 from the top 53 bits.
fn unit(x: u64) -> f64 {
    (x >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn healthy_and_misbehaving_levels_never_overlap() {
        for m in 0..500 {
            let t = Timestamp(m * 60_000);
            let ok = datapoint(7, "ltbase-dev-api", "3", t, false);
            let bad = datapoint(7, "ltbase-dev-api", "4", t, true);
            assert!(ok.error_rate > 0.0 && ok.error_rate < 1.0, "{ok:?}");
            assert!(ok.p99_ms < 800.0, "{ok:?}");
            assert!(bad.error_rate > 1.0 && bad.p99_ms > 800.0, "{bad:?}");
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_series() {
        let t = Timestamp(600_000);
        assert_eq!(
            datapoint(1, "f", "1", t, false),
            datapoint(1, "f", "1", t, false)
        );
        assert_ne!(
            datapoint(1, "f", "1", t, false),
            datapoint(2, "f", "1", t, false)
        );
        assert_eq!(minute_of(Timestamp(119_999)), Timestamp(60_000));
    }
}
