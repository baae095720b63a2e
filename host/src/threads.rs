//! The `threads` check: one engine and its modules shared by 8 threads,
//! each creating stores, loading, instantiating and calling thousands of
//! times with traps mixed in; every result is checked. In `vm` and `full`
//! the platform's lock hooks must have been contended (counted by the Linux
//! platform's debug counters); in `minimal` the ABI serializes calls, and
//! must have made some wait.

use crate::artifacts::Compiler;
use crate::embedding::{Embedding, Engine};
use crate::values::Value;
use anyhow::{Result, bail, ensure};
use embedding_abi::EmbMode;
use wasmtime::Trap;

pub const THREADS: usize = 8;
/// Stores per thread, each with a fresh instance; every fourth store also
/// loads (and later drops) a module of its own.
const STORES: usize = 40;
/// Calls per store.
const CALLS: u32 = 150;

const MODULE: &str = r#"(module
  (memory 1)
  (global $acc (mut i64) (i64.const 0))
  (func (export "mix") (param i32 i32) (result i32)
    (i32.xor (i32.add (i32.mul (local.get 0) (i32.const 31)) (local.get 1))
             (i32.shr_u (local.get 0) (i32.const 3))))
  (func (export "div") (param i32 i32) (result i32)
    (i32.div_s (local.get 0) (local.get 1)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "acc") (param i64) (result i64)
    (global.set $acc (i64.add (global.get $acc) (local.get 0)))
    (global.get $acc)))"#;

fn mix(a: i32, b: i32) -> i32 {
    (a.wrapping_mul(31).wrapping_add(b)) ^ ((a as u32 >> 3) as i32)
}

/// One thread's work; returns the number of calls it checked.
fn worker(
    t: usize,
    engine: &Engine<'_>,
    shared: &crate::embedding::Module<'_>,
    artifact: &[u8],
    start: &std::sync::Barrier,
) -> Result<u64> {
    // All threads begin together, so their work overlaps.
    start.wait();
    let mut calls = 0u64;
    for s in 0..STORES {
        let own = if s % 4 == 0 {
            Some(engine.load(artifact)?)
        } else {
            None
        };
        let module = own.as_ref().unwrap_or(shared);
        let mut store = engine.store()?;
        store.set_fuel(u64::MAX / 2)?;
        let i = store.instantiate(module)?;
        let mut acc = 0i64;
        for k in 0..CALLS {
            let a = (t as i32) * 1_000_003 + (s as i32) * 7919 + k as i32;
            calls += 1;
            match k % 10 {
                3 => crate::embedding::expect_trap(
                    store.call(i, "div", &[Value::I32(a), Value::I32(0)], 1),
                    Trap::IntegerDivisionByZero,
                )?,
                7 => crate::embedding::expect_trap(
                    store.call(i, "load", &[Value::I32(65536 + k as i32)], 1),
                    Trap::MemoryOutOfBounds,
                )?,
                5 => {
                    acc += i64::from(a);
                    let r = store.call(i, "acc", &[Value::I64(i64::from(a))], 1)?;
                    ensure!(
                        r == [Value::I64(acc)],
                        "thread {t} acc: {r:?}, expected {acc}"
                    );
                }
                _ => {
                    let b = k as i32 ^ 0x5555;
                    let r = store.call(i, "mix", &[Value::I32(a), Value::I32(b)], 1)?;
                    ensure!(
                        r == [Value::I32(mix(a, b))],
                        "thread {t} store {s} call {k}: mix({a}, {b}) = {r:?}, expected {}",
                        mix(a, b)
                    );
                }
            }
        }
    }
    Ok(calls)
}

/// Rounds of the whole workload at most: the threads overlap by chance
/// (two cores shared with other work), so the workload is repeated until
/// contention is seen, and the check fails if it never is.
const MAX_ROUNDS: usize = 25;

/// One round: every thread's work, all results checked; returns the calls.
fn round(
    engine: &Engine<'_>,
    shared: &crate::embedding::Module<'_>,
    artifact: &[u8],
) -> Result<u64> {
    let barrier = std::sync::Barrier::new(THREADS);
    let results: Vec<Result<u64>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let barrier = &barrier;
                scope.spawn(move || worker(t, engine, shared, artifact, barrier))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| bail!("thread panicked")))
            .collect()
    });
    let mut calls = 0;
    for (t, r) in results.into_iter().enumerate() {
        calls += r.map_err(|e| e.context(format!("thread {t}")))?;
    }
    let expected = (THREADS * STORES) as u64 * u64::from(CALLS);
    ensure!(
        calls == expected,
        "{calls} calls checked, expected {expected}"
    );
    Ok(calls)
}

/// (acquisitions, contended acquisitions) so far: the platform's lock
/// hooks in `vm` and `full`, the ABI's serialization in `minimal`.
fn contention(emb: &Embedding, mode: EmbMode) -> Result<(u64, u64)> {
    match mode {
        EmbMode::Minimal | EmbMode::Small => Ok((0, emb.serialized_waits())),
        EmbMode::Vm | EmbMode::Full => emb.platform_lock_counts().ok_or_else(|| {
            anyhow::anyhow!(
                "the platform library has no lock counters (embedding_platform_lock_counts)"
            )
        }),
    }
}

pub fn check(
    emb: &Embedding,
    mode: EmbMode,
    compiler: &Compiler,
    engine: &Engine<'_>,
) -> Result<String> {
    let artifact = compiler.precompile(MODULE.as_bytes())?;
    let shared = engine.load(&artifact)?;
    let (acquired0, contended0) = contention(emb, mode)?;
    let start = std::time::Instant::now();
    let mut calls = 0;
    let mut rounds = 0;
    let (mut acquired, mut contended) = (0, 0);
    while rounds < MAX_ROUNDS && contended == 0 {
        calls += round(engine, &shared, &artifact)?;
        rounds += 1;
        let (a, c) = contention(emb, mode)?;
        (acquired, contended) = (a - acquired0, c - contended0);
    }
    let elapsed = start.elapsed();
    let summary = format!(
        "{rounds} round(s) of {THREADS} threads x {STORES} stores x {CALLS} calls (30% traps): \
         {calls} calls checked in {:.2} s",
        elapsed.as_secs_f64()
    );
    match mode {
        EmbMode::Minimal | EmbMode::Small => {
            ensure!(
                contended > 0,
                "{summary}; no ABI call ever waited for another: the threads never overlapped"
            );
            Ok(format!(
                "{summary}; the ABI serialized: {contended} calls waited"
            ))
        }
        EmbMode::Vm | EmbMode::Full => {
            ensure!(acquired > 0, "the platform's locks were never taken");
            ensure!(
                contended > 0,
                "{summary}; {acquired} lock acquisitions, none contended"
            );
            Ok(format!(
                "{summary}; platform locks: {acquired} acquisitions, {contended} contended"
            ))
        }
    }
}
