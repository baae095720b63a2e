//! What the fuzzer runs: modules from `wasm-smith`, and the arguments each
//! exported function is called with, all derived from one seed.

use crate::values::Value;
use arbitrary::Unstructured;
use sha2::{Digest, Sha256};

/// A small deterministic generator (SplitMix64): the same seed gives the
/// same modules and arguments on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// Seeded from bytes (a module's own), so arguments can be derived from
    /// a reproducer's `.wasm` alone.
    pub fn from_bytes(bytes: &[u8]) -> Rng {
        let digest = Sha256::digest(bytes);
        Rng(u64::from_le_bytes(digest[..8].try_into().expect("8 bytes")))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// The seed of module `index` of a run seeded with `seed`.
pub fn module_seed(seed: u64, index: u64) -> u64 {
    let mut rng = Rng::new(seed ^ index.wrapping_mul(0xd6e8_feb8_6659_fd93));
    rng.next_u64()
}

/// The generator's settings. Proposals: those `modes::wasm_features`
/// enables, minus relaxed SIMD, whose results the specification leaves to
/// the implementation (Pulley and x86_64 differ, legitimately), and minus
/// threads (no shared memory without `std`). Sizes are small so that each
/// module compiles in milliseconds.
pub fn config() -> wasm_smith::Config {
    wasm_smith::Config {
        // Floats compare exactly only if every NaN a module can observe is
        // canonical: wasm-smith rewrites each float result through a check.
        canonicalize_nans: true,
        export_everything: true,
        // No imports: nothing to stub, identically or otherwise.
        max_imports: 0,
        min_funcs: 1,
        max_funcs: 12,
        max_instructions: 120,
        max_globals: 12,
        // wasm-smith adds functions only of the function types it has made,
        // and with GC on, each type is a function type a third of the time:
        // at least 8 types leave under 4% of modules without functions.
        min_types: 8,
        max_types: 24,
        max_tags: 4,
        max_data_segments: 4,
        max_element_segments: 4,
        max_elements: 16,
        max_memories: 2,
        max_tables: 2,
        max_table_elements: 1000,
        // Memories hashed after each run: keep them at 1 MiB or less (the
        // store limits keep them there, `sides.rs`).
        max_memory32_bytes: 1 << 20,
        max_memory64_bytes: 1 << 20,
        max_nesting_depth: 6,
        // Proposals, as in `modes::wasm_features`; riscv64 has no SIMD
        // without V, in its native modes and its stock reference
        // (`modes::stock`).
        simd_enabled: embedding_abi::modes::Arch::NATIVE != embedding_abi::modes::Arch::Riscv64,
        relaxed_simd_enabled: false,
        memory64_enabled: true,
        tail_call_enabled: true,
        extended_const_enabled: true,
        wide_arithmetic_enabled: true,
        gc_enabled: true,
        exceptions_enabled: true,
        reference_types_enabled: true,
        multi_value_enabled: true,
        bulk_memory_enabled: true,
        saturating_float_to_int_enabled: true,
        sign_extension_ops_enabled: true,
        threads_enabled: false,
        shared_everything_threads_enabled: false,
        custom_page_sizes_enabled: false,
        custom_descriptors_enabled: false,
        ..wasm_smith::Config::default()
    }
}

/// The module of `seed` (see [`module_seed`]).
pub fn module(seed: u64) -> anyhow::Result<Vec<u8>> {
    let mut rng = Rng::new(seed);
    // wasm-smith reads its decisions from these bytes; 16 KiB is more than a
    // module of the sizes above consumes (it pads with zeros if not).
    let bytes: Vec<u8> = (0..2048)
        .flat_map(|_| rng.next_u64().to_le_bytes())
        .collect();
    let module = wasm_smith::Module::new(config(), &mut Unstructured::new(&bytes))
        .map_err(|e| anyhow::anyhow!("wasm-smith: {e}"))?;
    Ok(module.to_bytes())
}

const F32_EDGES: [u32; 10] = [
    0,
    0x8000_0000,
    0x3f80_0000, // 1.0
    0xbf80_0000, // -1.0
    0x7f80_0000, // +inf
    0xff80_0000, // -inf
    0x7fc0_0000, // canonical NaN
    0x7fa0_0001, // signalling NaN with a payload
    0x0000_0001, // smallest subnormal
    0x7f7f_ffff, // largest finite
];

const F64_EDGES: [u64; 10] = [
    0,
    0x8000_0000_0000_0000,
    0x3ff0_0000_0000_0000,
    0xbff0_0000_0000_0000,
    0x7ff0_0000_0000_0000,
    0xfff0_0000_0000_0000,
    0x7ff8_0000_0000_0000,
    0x7ff4_0000_0000_0001,
    0x0000_0000_0000_0001,
    0x7fef_ffff_ffff_ffff,
];

const I64_EDGES: [i64; 8] = [0, 1, -1, i64::MIN, i64::MAX, 65536, 0xffff_ffff, 65535];

/// Arguments for one call: edge values most of the time (they find the
/// corner cases), otherwise random bits.
pub fn arguments(rng: &mut Rng, params: &[embedding_abi::EmbValKind]) -> Vec<Value> {
    use embedding_abi::EmbValKind as K;
    params
        .iter()
        .map(|kind| {
            let edge = rng.below(4) != 0;
            match kind {
                K::I32 if edge => Value::I32(I64_EDGES[rng.below(I64_EDGES.len())] as i32),
                K::I32 => Value::I32(rng.next_u64() as i32),
                K::I64 if edge => Value::I64(I64_EDGES[rng.below(I64_EDGES.len())]),
                K::I64 => Value::I64(rng.next_u64() as i64),
                K::F32 if edge => Value::F32(F32_EDGES[rng.below(F32_EDGES.len())]),
                K::F32 => Value::F32(rng.next_u64() as u32),
                K::F64 if edge => Value::F64(F64_EDGES[rng.below(F64_EDGES.len())]),
                K::F64 => Value::F64(rng.next_u64()),
                K::V128 if edge => Value::V128(match rng.below(3) {
                    0 => 0,
                    1 => u128::MAX,
                    // Four canonical f32 NaNs, or two f64 ones.
                    _ => 0x7fc0_0000_7fc0_0000_7ff8_0000_0000_0000,
                }),
                K::V128 => {
                    Value::V128(u128::from(rng.next_u64()) << 64 | u128::from(rng.next_u64()))
                }
                // References: null, the one reference every kind has.
                kind => Value::Ref(*kind, None),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_module_and_arguments() {
        assert_eq!(module(42).unwrap(), module(42).unwrap());
        assert_ne!(module(42).unwrap(), module(43).unwrap());
        let kinds = [
            embedding_abi::EmbValKind::I64,
            embedding_abi::EmbValKind::F32,
        ];
        let wasm = module(7).unwrap();
        assert_eq!(
            arguments(&mut Rng::from_bytes(&wasm), &kinds),
            arguments(&mut Rng::from_bytes(&wasm), &kinds)
        );
    }

    /// The generator uses no proposal the modes lack: every module
    /// validates with the features of `modes::wasm_features`.
    #[test]
    fn modules_use_only_the_modes_proposals() {
        let mut config = wasmtime::Config::new();
        embedding_abi::modes::wasm_features(&mut config);
        let engine = wasmtime::Engine::new(&config).unwrap();
        for seed in 0..200 {
            let wasm = module(module_seed(99, seed)).unwrap();
            if let Err(e) = wasmtime::Module::validate(&engine, &wasm) {
                panic!("module {seed}: {e:#}");
            }
        }
    }
}
