//! `host bench`: fixed workloads timed in each mode's embedding and on stock
//! Wasmtime, side by side in one run, reported as medians and ratios.
//!
//! Each side runs in a child process of its own (a mode's platform hooks are
//! process-wide). A child compiles and instantiates each workload once, calls
//! it once to warm up, then times `--runs` calls and prints them; the parent
//! takes the medians. The reference for every mode is stock Wasmtime with
//! Cranelift on Linux; for `minimal` there is also stock Wasmtime running the
//! same Pulley bytecode with `std` and hardware floats, the fairest
//! comparison for an interpreter.

use crate::artifacts::Compiler;
use crate::embedding::{Embedding, Paths};
use crate::values::Value;
use crate::{mode_name, parse_mode};
use anyhow::{Context, Result, bail, ensure};
use embedding_abi::{EmbMode, modes};
use std::process::Command;
use std::time::Instant;

/// A workload: a module exporting `run` (one i32 parameter, one result)
/// and the argument and result that check it computed the right thing.
struct Workload {
    name: &'static str,
    what: &'static str,
    wat: &'static str,
    arg: i32,
    expected: Value,
}

const WORKLOADS: &[Workload] = &[
    Workload {
        name: "fib",
        what: "recursive fib(n): calls and integer arithmetic",
        wat: r#"(module
          (func $fib (param i32) (result i32)
            (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
              (then (local.get 0))
              (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                             (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
          (func (export "run") (param i32) (result i32) (call $fib (local.get 0))))"#,
        arg: 27,
        expected: Value::I32(196_418),
    },
    Workload {
        name: "sieve",
        what: "sieve of Eratosthenes below n: memory loads and stores",
        wat: r#"(module
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
            (local.get $count)))"#,
        arg: 2_000_000,
        expected: Value::I32(148_933),
    },
    Workload {
        name: "mandelbrot",
        what: "n x n Mandelbrot set, 64 iterations: f64 arithmetic",
        wat: r#"(module
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
            (local.get $inside)))"#,
        arg: 300,
        expected: Value::I32(15_774),
    },
];

/// A side of the comparison.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Embedding(EmbMode),
    /// Stock Wasmtime, native code.
    StockNative,
    /// Stock Wasmtime interpreting Pulley bytecode.
    StockPulley,
}

impl Side {
    fn name(self) -> String {
        match self {
            Side::Embedding(m) => format!("embedding-{}", mode_name(m)),
            Side::StockNative => "stock-native".into(),
            Side::StockPulley => "stock-pulley".into(),
        }
    }

    fn parse(name: &str) -> Result<Side> {
        Ok(match name {
            "stock-native" => Side::StockNative,
            "stock-pulley" => Side::StockPulley,
            other => match other.strip_prefix("embedding-") {
                Some(mode) => Side::Embedding(parse_mode(mode)?),
                None => bail!("unknown benchmark side `{other}`"),
            },
        })
    }
}

fn median(samples: &mut [f64]) -> f64 {
    samples.sort_by(f64::total_cmp);
    let mid = samples.len() / 2;
    if samples.len() % 2 == 1 {
        samples[mid]
    } else {
        (samples[mid - 1] + samples[mid]) / 2.0
    }
}

/// Times `run(arg)` `runs` times after one checked warm-up call.
fn time_calls(
    runs: usize,
    mut call: impl FnMut() -> Result<Value>,
    expected: Value,
) -> Result<Vec<f64>> {
    let first = call()?;
    ensure!(
        first == expected,
        "computed {first:?}, expected {expected:?}"
    );
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            call()?;
            Ok(start.elapsed().as_secs_f64() * 1e3)
        })
        .collect()
}

/// The child: prints `T <workload> <ms> <ms> ...` per workload.
pub fn child(side: &str, out: &std::path::Path, runs: usize) -> Result<i32> {
    let side = Side::parse(side)?;
    for w in WORKLOADS {
        let times = match side {
            Side::Embedding(mode) => {
                let emb = Embedding::load(&Paths::in_dir(out, mode), mode)?;
                let engine = emb.engine()?;
                let module = engine.load(&Compiler::new(mode)?.precompile(w.wat.as_bytes())?)?;
                let mut store = engine.store()?;
                store.set_fuel(u64::MAX)?;
                let instance = store.instantiate(&module)?;
                time_calls(
                    runs,
                    || {
                        store.set_fuel(u64::MAX)?;
                        Ok(store.call(instance, "run", &[Value::I32(w.arg)], 1)?[0])
                    },
                    w.expected,
                )?
            }
            Side::StockNative | Side::StockPulley => {
                let mut config = wasmtime::Config::new();
                // The same proposals, fuel accounting and epoch checks as
                // the embedding, so the ratios compare like with like.
                modes::wasm_features(&mut config);
                modes::epoch_interruption(&mut config);
                if side == Side::StockPulley {
                    config.target("pulley64")?;
                }
                let engine = wasmtime::Engine::new(&config)?;
                let module = wasmtime::Module::new(&engine, w.wat)?;
                let mut store = wasmtime::Store::new(&engine, ());
                store.set_fuel(u64::MAX)?;
                // Armed but never reached, as in the embedding's stores.
                store.set_epoch_deadline(u64::MAX / 2);
                let instance = wasmtime::Instance::new(&mut store, &module, &[])?;
                let run = instance.get_typed_func::<i32, i32>(&mut store, "run")?;
                time_calls(
                    runs,
                    || {
                        store.set_fuel(u64::MAX)?;
                        Ok(Value::I32(run.call(&mut store, w.arg)?))
                    },
                    w.expected,
                )?
            }
        };
        let times: Vec<String> = times.iter().map(|t| format!("{t:.4}")).collect();
        println!("T {} {}", w.name, times.join(" "));
    }
    Ok(0)
}

pub fn main(out: &std::path::Path, modes: &[EmbMode], runs: usize) -> Result<i32> {
    ensure!(runs > 0, "--runs must be at least 1");
    let exe = std::env::current_exe()?;
    let mut sides = vec![Side::StockNative];
    if modes.contains(&EmbMode::Minimal) {
        sides.push(Side::StockPulley);
    }
    sides.extend(modes.iter().map(|m| Side::Embedding(*m)));

    // medians[side][workload], in milliseconds.
    let mut medians = Vec::new();
    for side in &sides {
        let output = Command::new(&exe)
            .args([
                "bench-side",
                "--side",
                &side.name(),
                "--runs",
                &runs.to_string(),
                "--out",
            ])
            .arg(out)
            .output()
            .with_context(|| format!("cannot run the {} benchmark", side.name()))?;
        ensure!(
            output.status.success(),
            "the {} benchmark failed ({}): {}",
            side.name(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
        let text = String::from_utf8_lossy(&output.stdout);
        let mut row = Vec::new();
        for w in WORKLOADS {
            let line = text
                .lines()
                .find(|l| l.split(' ').nth(1) == Some(w.name))
                .with_context(|| format!("{} reported no time for {}", side.name(), w.name))?;
            let mut samples: Vec<f64> = line
                .split(' ')
                .skip(2)
                .map(str::parse)
                .collect::<Result<_, _>>()?;
            row.push(median(&mut samples));
        }
        medians.push(row);
    }

    println!(
        "benchmark: median of {runs} runs after one warm-up, milliseconds; ratio = side / stock-native"
    );
    for w in WORKLOADS {
        println!("  {} ({}, n = {}):", w.name, w.what, w.arg);
    }
    print!("{:<20}", "side");
    for w in WORKLOADS {
        print!("{:>22}", w.name);
    }
    println!();
    for (side, row) in sides.iter().zip(&medians) {
        print!("{:<20}", side.name());
        for (i, ms) in row.iter().enumerate() {
            let ratio = ms / medians[0][i];
            print!("{:>22}", format!("{ms:.2} ({ratio:.2}x)"));
        }
        println!();
    }
    if let Some(p) = sides.iter().position(|s| *s == Side::StockPulley)
        && let Some(m) = sides
            .iter()
            .position(|s| *s == Side::Embedding(EmbMode::Minimal))
    {
        print!("{:<20}", "minimal/stock-pulley");
        for (embedded, stock) in medians[m].iter().zip(&medians[p]) {
            print!("{:>22}", format!("{:.2}x", embedded / stock));
        }
        println!();
    }
    Ok(0)
}
