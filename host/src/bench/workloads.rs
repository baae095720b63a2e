//! The workloads `host bench` times. Each is checked against its expected
//! result before (and, where it is cheap, while) it is timed.

use anyhow::{Result, bail};
#[cfg(feature = "compiler")]
use {anyhow::Context, std::path::Path};

/// Calls per sample of the call workloads.
pub const CALLS: i32 = 10_000;
/// Instantiations per sample of the instantiation workloads.
pub const INSTANCES: usize = 20;
/// `memory.grow` by one page, this many times per sample.
pub const GROWS: i32 = 1000;
/// Functions in the module of the `load` workload.
const LOAD_FUNCTIONS: i32 = 10_000;
/// Bytes of data segments in `instantiate-1mib`.
const DATA_BYTES: usize = 1 << 20;
/// Bytes that `sha256` hashes per call.
const SHA256_BYTES: i32 = 1 << 20;

/// What a workload does, and so what one of its samples times.
#[derive(Clone, Copy)]
pub enum Kind {
    /// One call of the export `run(arg)`, which must return `expected()`;
    /// milliseconds.
    Compute { arg: i32, expected: fn() -> i32 },
    /// [`CALLS`] calls of the empty export `nop` from the host, resolved
    /// once (the embedding's `func_get`/`func_call`); nanoseconds per call.
    CallEmpty,
    /// As [`Kind::CallEmpty`], finding the export by name on every call
    /// (the embedding's `call`).
    CallByName,
    /// One call of `run(CALLS)`, which calls the host function `bench.nop`
    /// [`CALLS`] times and returns the count; nanoseconds per host call.
    CallHost,
    /// [`INSTANCES`] times: a new store, an instantiation, dropping both;
    /// microseconds per instantiation. The first instance's `run(probe)`
    /// must return `expected`.
    Instantiate { probe: i32, expected: i32 },
    /// In a new instance (not timed), `run(GROWS)`: [`GROWS`] times
    /// `memory.grow 1`, returning the final size in pages; microseconds.
    Grow,
    /// Loading (deserializing) the precompiled module; milliseconds. An
    /// instance's `run(arg)` must return `expected()`.
    Load { arg: i32, expected: fn() -> i32 },
    /// As [`Kind::Load`], in place (`Module::deserialize_raw`) where the
    /// side can: `minimal` and stock Pulley. Native code cannot run from
    /// the caller's bytes: `vm` and `full` refuse (reported as failed, with
    /// their error) and stock native copies as in `load`.
    LoadInPlace { arg: i32, expected: fn() -> i32 },
}

impl Kind {
    pub fn unit(self) -> &'static str {
        match self {
            Kind::Compute { .. } | Kind::Load { .. } | Kind::LoadInPlace { .. } => "ms",
            Kind::CallEmpty | Kind::CallByName | Kind::CallHost => "ns/call",
            Kind::Instantiate { .. } => "us/instance",
            Kind::Grow => "us/1000 grows",
        }
    }

    /// The kind's name and numbers in the protocol of host/bench-peers.
    pub fn peer_args(self) -> (&'static str, Vec<i64>) {
        match self {
            Kind::Compute { arg, expected } => ("compute", vec![arg.into(), expected().into()]),
            // The peers have one way to call an export.
            Kind::CallEmpty | Kind::CallByName => ("call", vec![CALLS.into()]),
            Kind::CallHost => ("host-call", vec![CALLS.into()]),
            Kind::Instantiate { probe, expected } => (
                "instantiate",
                vec![INSTANCES as i64, probe.into(), expected.into()],
            ),
            Kind::Grow => ("grow", vec![GROWS.into()]),
            Kind::Load { arg, expected } | Kind::LoadInPlace { arg, expected } => {
                ("load", vec![arg.into(), expected().into()])
            }
        }
    }

    /// Whether the embedding in `mode` refuses the workload by design
    /// (reported as failed, not fatal to the run).
    pub fn refused_by(self, mode: embedding_abi::EmbMode) -> bool {
        matches!(self, Kind::LoadInPlace { .. }) && mode != embedding_abi::EmbMode::Minimal
    }

    /// Whether the workload is pure computation (the "compute" goals).
    pub fn is_compute(self) -> bool {
        matches!(self, Kind::Compute { .. })
    }
}

/// Where a workload's WebAssembly comes from.
#[derive(Clone, Copy)]
pub enum Source {
    Wat(&'static str),
    /// WebAssembly text generated when the workload runs (too large to
    /// write out).
    Generated(fn() -> String),
    /// A binary built by guests/build.sh, relative to the output directory.
    Built(&'static str),
}

pub struct Workload {
    pub name: &'static str,
    pub what: &'static str,
    pub source: Source,
    pub kind: Kind,
    /// Integer-only code: the "minimal vs stock Pulley" goal applies.
    pub integer: bool,
}

impl Workload {
    /// The module as WebAssembly binary.
    #[cfg(feature = "compiler")]
    pub fn wasm(&self, out: &Path) -> Result<Vec<u8>> {
        Ok(match self.source {
            Source::Wat(text) => wat::parse_str(text)?,
            Source::Generated(generate) => wat::parse_str(generate())?,
            Source::Built(path) => {
                let path = out.join(path);
                std::fs::read(&path).with_context(|| {
                    format!(
                        "cannot read {} (the `{}` workload; build it with guests/build.sh)",
                        path.display(),
                        self.name
                    )
                })?
            }
        })
    }
}

pub fn find(name: &str) -> Result<&'static Workload> {
    match WORKLOADS.iter().find(|w| w.name == name) {
        Some(w) => Ok(w),
        None => bail!(
            "unknown workload `{name}` (expected one of: {})",
            WORKLOADS
                .iter()
                .map(|w| w.name)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

pub const WORKLOADS: &[Workload] = &[
    Workload {
        name: "fib",
        what: "recursive fib(27): calls and integer arithmetic",
        source: Source::Wat(FIB),
        kind: Kind::Compute {
            arg: 27,
            expected: || 196_418,
        },
        integer: true,
    },
    Workload {
        name: "sieve",
        what: "sieve of Eratosthenes below 2,000,000: memory loads and stores",
        source: Source::Wat(SIEVE),
        kind: Kind::Compute {
            arg: 2_000_000,
            expected: || 148_933,
        },
        integer: true,
    },
    Workload {
        name: "mandelbrot",
        what: "300 x 300 Mandelbrot set, 64 iterations: f64 arithmetic",
        source: Source::Wat(MANDELBROT),
        kind: Kind::Compute {
            arg: 300,
            expected: || 15_774,
        },
        integer: false,
    },
    Workload {
        name: "sha256",
        what: "SHA-256 of 1 MiB, RustCrypto's sha2 crate compiled to wasm32 (guests/kernels)",
        source: Source::Built("guests/kernels/sha256.wasm"),
        kind: Kind::Compute {
            arg: SHA256_BYTES,
            expected: sha256_expected,
        },
        integer: true,
    },
    Workload {
        name: "call",
        what: "host -> wasm call of an empty export",
        source: Source::Wat(r#"(module (func (export "nop")))"#),
        kind: Kind::CallEmpty,
        integer: true,
    },
    Workload {
        name: "call-by-name",
        what: "host -> wasm call of an empty export, looked up by name on every call",
        source: Source::Wat(r#"(module (func (export "nop")))"#),
        kind: Kind::CallByName,
        integer: true,
    },
    Workload {
        name: "host-call",
        what: "wasm -> host call of an empty host function",
        source: Source::Wat(HOST_CALL),
        kind: Kind::CallHost,
        integer: true,
    },
    Workload {
        name: "instantiate",
        what: "new store + instantiation of a small module (1 page, table, global, 5 data bytes)",
        source: Source::Wat(SMALL),
        kind: Kind::Instantiate {
            probe: 1,
            expected: b'e' as i32,
        },
        integer: true,
    },
    Workload {
        name: "instantiate-1mib",
        what: "new store + instantiation of a module with 1 MiB of data segments",
        source: Source::Generated(data_module),
        kind: Kind::Instantiate {
            probe: 1000,
            expected: data_byte(1000) as i32,
        },
        integer: true,
    },
    Workload {
        name: "grow",
        what: "memory.grow by one page, 1000 times",
        source: Source::Wat(GROW),
        kind: Kind::Grow,
        integer: true,
    },
    Workload {
        name: "load",
        what: "loading (deserializing) the artifact of a 10,000-function module",
        source: Source::Generated(large_module),
        kind: Kind::Load {
            arg: 5,
            expected: large_module_expected,
        },
        integer: true,
    },
    Workload {
        name: "load-raw",
        what: "the `load` artifact loaded in place from the caller's memory (minimal, stock Pulley)",
        source: Source::Generated(large_module),
        kind: Kind::LoadInPlace {
            arg: 5,
            expected: large_module_expected,
        },
        integer: true,
    },
];

const FIB: &str = r#"(module
          (func $fib (param i32) (result i32)
            (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
              (then (local.get 0))
              (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                             (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
          (func (export "run") (param i32) (result i32) (call $fib (local.get 0))))"#;

const SIEVE: &str = r#"(module
          (memory 32)
          (func (export "run") (param $n i32) (result i32)
            (local $i i32) (local $j i32) (local $count i32)
            (memory.fill (i32.const 0) (i32.const 1) (local.get $n))
            (local.set $i (i32.const 2))
            (block $done (loop $outer
              (br_if $done (i32.ge_u (i32.mul (local.get $i) (local.get $i)) (local.get $n)))
              (if (i32.load8_u (local.get $i)) (then
                (local.set $j (i32.mul (local.get $i) (local.get $i)))
                (block $inner_done (loop $inner
                  (br_if $inner_done (i32.ge_u (local.get $j) (local.get $n)))
                  (i32.store8 (local.get $j) (i32.const 0))
                  (local.set $j (i32.add (local.get $j) (local.get $i)))
                  (br $inner)))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $outer)))
            (local.set $i (i32.const 2))
            (block $end (loop $count_loop
              (br_if $end (i32.ge_u (local.get $i) (local.get $n)))
              (local.set $count (i32.add (local.get $count) (i32.load8_u (local.get $i))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $count_loop)))
            (local.get $count)))"#;

const MANDELBROT: &str = r#"(module
          (func (export "run") (param $n i32) (result i32)
            (local $x i32) (local $y i32) (local $k i32) (local $inside i32)
            (local $cr f64) (local $ci f64) (local $zr f64) (local $zi f64) (local $t f64)
            (block $ydone (loop $yloop
              (br_if $ydone (i32.ge_u (local.get $y) (local.get $n)))
              (local.set $x (i32.const 0))
              (block $xdone (loop $xloop
                (br_if $xdone (i32.ge_u (local.get $x) (local.get $n)))
                (local.set $cr (f64.sub (f64.div (f64.mul (f64.convert_i32_u (local.get $x)) (f64.const 3))
                                                 (f64.convert_i32_u (local.get $n))) (f64.const 2)))
                (local.set $ci (f64.sub (f64.div (f64.mul (f64.convert_i32_u (local.get $y)) (f64.const 3))
                                                 (f64.convert_i32_u (local.get $n))) (f64.const 1.5)))
                (local.set $zr (f64.const 0)) (local.set $zi (f64.const 0)) (local.set $k (i32.const 0))
                (block $escaped (loop $iter
                  (br_if $escaped (f64.gt (f64.add (f64.mul (local.get $zr) (local.get $zr))
                                                   (f64.mul (local.get $zi) (local.get $zi))) (f64.const 4)))
                  (br_if $escaped (i32.ge_u (local.get $k) (i32.const 64)))
                  (local.set $t (f64.add (f64.sub (f64.mul (local.get $zr) (local.get $zr))
                                                  (f64.mul (local.get $zi) (local.get $zi))) (local.get $cr)))
                  (local.set $zi (f64.add (f64.mul (f64.mul (f64.const 2) (local.get $zr)) (local.get $zi)) (local.get $ci)))
                  (local.set $zr (local.get $t))
                  (local.set $k (i32.add (local.get $k) (i32.const 1)))
                  (br $iter)))
                (local.set $inside (i32.add (local.get $inside) (i32.eq (local.get $k) (i32.const 64))))
                (local.set $x (i32.add (local.get $x) (i32.const 1)))
                (br $xloop)))
              (local.set $y (i32.add (local.get $y) (i32.const 1)))
              (br $yloop)))
            (local.get $inside)))"#;

const HOST_CALL: &str = r#"(module
  (import "bench" "nop" (func $nop))
  (func (export "run") (param $n i32) (result i32) (local $i i32)
    (block $done (loop $again
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (call $nop)
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $again)))
    (local.get $i)))"#;

const SMALL: &str = r#"(module
  (memory 1)
  (table 1 funcref)
  (global $g (mut i32) (i32.const 0))
  (func $probe (export "run") (param i32) (result i32)
    (global.set $g (local.get 0))
    (i32.load8_u (local.get 0)))
  (elem (i32.const 0) $probe)
  (data (i32.const 0) "hello"))"#;

const GROW: &str = r#"(module
  (memory 1)
  (func (export "run") (param $n i32) (result i32)
    (block $done (loop $again
      (br_if $done (i32.eqz (local.get $n)))
      (drop (memory.grow (i32.const 1)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $again)))
    (memory.size)))"#;

/// Byte `i` of `instantiate-1mib`'s data: lower-case letters, so the
/// segment is plain text in the generated module.
const fn data_byte(i: usize) -> u8 {
    b'a' + (i % 26) as u8
}

/// A memory of 17 pages whose first 1 MiB is one active data segment.
fn data_module() -> String {
    let data: String = (0..DATA_BYTES).map(|i| data_byte(i) as char).collect();
    format!(
        r#"(module
  (memory 17)
  (func (export "run") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (data (i32.const 0) "{data}"))"#
    )
}

/// Function `k` of the `load` module maps `x` to this.
fn large_module_step(k: i32, x: i32) -> i32 {
    x.wrapping_add(k).wrapping_mul(31) ^ k
}

/// [`LOAD_FUNCTIONS`] small functions, and `run(x)` chaining them all.
fn large_module() -> String {
    let mut text = String::from("(module\n");
    for k in 0..LOAD_FUNCTIONS {
        text.push_str(&format!(
            "  (func $f{k} (param i32) (result i32) \
             (i32.xor (i32.mul (i32.add (local.get 0) (i32.const {k})) (i32.const 31)) (i32.const {k})))\n"
        ));
    }
    text.push_str("  (func (export \"run\") (param i32) (result i32)\n    (local.get 0)\n");
    for k in 0..LOAD_FUNCTIONS {
        text.push_str(&format!("    (call $f{k})\n"));
    }
    text.push_str("  ))\n");
    text
}

fn large_module_expected() -> i32 {
    (0..LOAD_FUNCTIONS).fold(5, |x, k| large_module_step(k, x))
}

/// What guests/kernels computes for `run(SHA256_BYTES)`, computed natively.
fn sha256_expected() -> i32 {
    use sha2::{Digest, Sha256};
    let data: Vec<u8> = (0..SHA256_BYTES as usize)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(7))
        .collect();
    let digest = Sha256::digest(&data);
    i32::from_le_bytes([digest[0], digest[1], digest[2], digest[3]])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every workload that is not built elsewhere is valid WebAssembly.
    #[test]
    fn sources_parse() {
        for w in WORKLOADS {
            if !matches!(w.source, Source::Built(_)) {
                w.wasm(Path::new("/nonexistent"))
                    .unwrap_or_else(|e| panic!("{}: {e:#}", w.name));
            }
        }
    }

    #[test]
    fn names_are_unique() {
        for (i, w) in WORKLOADS.iter().enumerate() {
            assert!(
                WORKLOADS[..i].iter().all(|v| v.name != w.name),
                "{}",
                w.name
            );
        }
    }
}
