//! Seeds derived from seeds: one home for the two ways the workspace mixes them.
//!
//! - [`stream`] gives a run's numbered sub-stream (a cycle, a day) its own seed. It only
//!   spreads the number over the bits; the result seeds `ChaCha8Rng::seed_from_u64`, which
//!   mixes its seed again, so more work here would change nothing but the draws.
//! - [`scramble`] is SplitMix64's finaliser, for values used as they are, without a generator
//!   behind them: search islands' seeds, fingerprints whose sums must tell sets apart, and
//!   uniform draws keyed by an order id.

/// The golden-ratio increment of SplitMix64 (Steele, Lea and Flood, 2014).
pub const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// The seed of sub-stream `n` (a cycle, a day) of a run seeded `seed`; stream 0 is `seed`.
pub fn stream(seed: u64, n: u64) -> u64 {
    seed ^ n.wrapping_mul(GOLDEN)
}

/// SplitMix64's finaliser: every input bit reaches every output bit.
pub fn scramble(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_differ_and_stream_zero_is_the_seed() {
        assert_eq!(stream(7, 0), 7);
        assert_ne!(stream(7, 1), stream(7, 2));
        // SplitMix64's first output for seed 0 (its state after one increment is GOLDEN).
        assert_eq!(scramble(GOLDEN), 0xE220_A839_7B1D_CDAF);
    }
}
