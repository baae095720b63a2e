//! `host reliability --soak SECONDS`: the reliability checks mixed, for a
//! long run in one mode. Worker threads share one engine and its modules
//! and pick at random, again and again: checked calls, traps, runaway
//! guests stopped by the epoch (a ticker thread bumps it every
//! millisecond throughout), runaway guests stopped by fuel, a memory limit,
//! a damaged artifact, and a load-instantiate-drop cycle. Every result is
//! checked; at the end `heap_used` must be back at its baseline.

use crate::artifacts::Compiler;
use crate::embedding::{Embedding, Engine, Module, Store, expect_trap};
use crate::interrupt::{RUNAWAY, expect_interrupt, runaway_store, still_usable};
use crate::values::Value;
use anyhow::{Result, bail, ensure};
use embedding_abi::{EMB_NO_DEADLINE, EMB_NO_LIMIT, EmbErrorKind, EmbLimits};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use wasmtime::Trap;

const WORKERS: usize = 4;
/// How often the ticker bumps the epoch.
const TICK: Duration = Duration::from_millis(1);

const WORK: &str = r#"(module
  (memory (export "mem") 1)
  (data (i32.const 0) "soak")
  (func (export "mix") (param i32 i32) (result i32)
    (i32.xor (i32.add (i32.mul (local.get 0) (i32.const 31)) (local.get 1))
             (i32.shr_u (local.get 0) (i32.const 3))))
  (func (export "div") (param i32 i32) (result i32)
    (i32.div_s (local.get 0) (local.get 1)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#;

fn mix(a: i32, b: i32) -> i32 {
    (a.wrapping_mul(31).wrapping_add(b)) ^ ((a as u32 >> 3) as i32)
}

/// What a worker does in one step; counted per kind.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Calls,
    Traps,
    Epoch,
    Fuel,
    Limit,
    Envelope,
    Cycle,
}

const KINDS: [Kind; 7] = [
    Kind::Calls,
    Kind::Traps,
    Kind::Epoch,
    Kind::Fuel,
    Kind::Limit,
    Kind::Envelope,
    Kind::Cycle,
];

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Calls => "calls",
            Kind::Traps => "traps",
            Kind::Epoch => "epoch interruptions",
            Kind::Fuel => "fuel exhaustions",
            Kind::Limit => "limit refusals",
            Kind::Envelope => "damaged artifacts rejected",
            Kind::Cycle => "load/instantiate/drop cycles",
        }
    }
}

struct Shared<'a> {
    engine: &'a Engine<'a>,
    work: Module<'a>,
    runaway: Module<'a>,
    /// The envelope around `WORK`, damaged by the envelope step.
    artifact: Vec<u8>,
    counts: [AtomicU64; KINDS.len()],
}

/// xorshift64: enough to vary the steps, reproducible per thread.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn i32_result(r: Vec<Value>, what: &str) -> Result<i32> {
    match r[..] {
        [Value::I32(v)] => Ok(v),
        ref other => bail!("{what} returned {other:?}"),
    }
}

fn work_store<'a>(shared: &'a Shared<'a>) -> Result<(Store<'a>, u32)> {
    let mut store = shared.engine.store()?;
    store.set_fuel(100_000_000)?;
    let i = store.instantiate(&shared.work)?;
    Ok((store, i))
}

fn check_mix(store: &mut Store<'_>, i: u32, a: i32, b: i32) -> Result<()> {
    let v = i32_result(
        store.call(i, "mix", &[Value::I32(a), Value::I32(b)], 1)?,
        "mix",
    )?;
    ensure!(
        v == mix(a, b),
        "mix({a}, {b}) = {v}, expected {}",
        mix(a, b)
    );
    Ok(())
}

/// One step of kind `kind`; returns how many events of that kind it checked.
fn step(shared: &Shared<'_>, kind: Kind, rng: &mut Rng) -> Result<u64> {
    let a = rng.next() as i32;
    match kind {
        Kind::Calls => {
            let (mut store, i) = work_store(shared)?;
            for k in 0..50 {
                check_mix(&mut store, i, a.wrapping_add(k), k)?;
            }
            Ok(50)
        }
        Kind::Traps => {
            let (mut store, i) = work_store(shared)?;
            expect_trap(
                store.call(i, "div", &[Value::I32(a), Value::I32(0)], 1),
                Trap::IntegerDivisionByZero,
            )?;
            expect_trap(
                store.call(i, "load", &[Value::I32(65536 + (a & 0xff))], 1),
                Trap::MemoryOutOfBounds,
            )?;
            check_mix(&mut store, i, a, 1)?;
            Ok(2)
        }
        Kind::Epoch | Kind::Fuel => {
            let (started_tx, _started) = mpsc::channel();
            let mut store = runaway_store(shared.engine, started_tx)?;
            let i = store.instantiate(&shared.runaway)?;
            let export = ["spin", "calls", "memory"][(rng.next() % 3) as usize];
            if let Kind::Epoch = kind {
                store.set_fuel(u64::MAX / 2)?;
                store.set_epoch_deadline(1 + rng.next() % 3)?;
                expect_interrupt(store.call(i, export, &[], 0))?;
            } else {
                store.set_fuel(100_000 + rng.next() % 1_000_000)?;
                expect_trap(store.call(i, export, &[], 0), Trap::OutOfFuel)?;
            }
            still_usable(&mut store, i)?;
            store.set_epoch_deadline(EMB_NO_DEADLINE)?;
            Ok(1)
        }
        Kind::Limit => {
            let mut store = shared.engine.store()?;
            store.set_fuel(1_000_000)?;
            store.set_limits(&EmbLimits {
                memory_bytes: 2 << 16,
                table_elements: EMB_NO_LIMIT,
                instances: 1,
                memories: EMB_NO_LIMIT,
                tables: EMB_NO_LIMIT,
            })?;
            let i = store.instantiate(&shared.work)?;
            let grow = |store: &mut Store<'_>| -> Result<i32> {
                i32_result(store.call(i, "grow", &[Value::I32(1)], 1)?, "grow")
            };
            ensure!(grow(&mut store)? == 1, "grow to the limit failed");
            ensure!(grow(&mut store)? == -1, "grow past the limit succeeded");
            match store.instantiate(&shared.work) {
                Err(f) if f.kind == EmbErrorKind::Error && f.message.contains("instance count") => {
                }
                Err(f) => bail!("second instance: unexpected error {f}"),
                Ok(_) => bail!("second instance allowed with a limit of 1"),
            }
            Ok(2)
        }
        Kind::Envelope => {
            let mut damaged = shared.artifact.clone();
            if rng.next().is_multiple_of(4) {
                damaged.truncate((rng.next() as usize) % damaged.len());
            } else {
                let at = (rng.next() as usize) % damaged.len();
                damaged[at] ^= 1 << (rng.next() % 8);
            }
            match shared.engine.load(&damaged) {
                Err(f) if f.kind == EmbErrorKind::Error => Ok(1),
                Err(f) => bail!("damaged artifact: {f}"),
                Ok(_) => bail!("a damaged artifact was accepted"),
            }
        }
        Kind::Cycle => {
            let module = shared.engine.load(&shared.artifact)?;
            let mut store = shared.engine.store()?;
            store.set_fuel(1_000_000)?;
            let i = store.instantiate(&module)?;
            let v = i32_result(store.call(i, "load", &[Value::I32(0)], 1)?, "load")?;
            ensure!(
                v == i32::from_le_bytes(*b"soak"),
                "data segment read {v:#x}"
            );
            Ok(1)
        }
    }
}

fn worker(shared: &Shared<'_>, t: usize, until: Instant) -> Result<()> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (t as u64 + 1).wrapping_mul(0x2545_f491_4f6c_dd1d));
    while Instant::now() < until {
        let kind = KINDS[(rng.next() % KINDS.len() as u64) as usize];
        let n = step(shared, kind, &mut rng)
            .map_err(|e| e.context(format!("thread {t}, {}", kind.name())))?;
        shared.counts[kind as usize].fetch_add(n, Ordering::Relaxed);
    }
    Ok(())
}

pub fn run(
    emb: &Embedding,
    compiler: &Compiler,
    engine: &Engine<'_>,
    seconds: u64,
) -> Result<String> {
    let artifact = compiler.precompile(WORK.as_bytes())?;
    let shared = Shared {
        engine,
        work: engine.load(&artifact)?,
        runaway: engine.load(&compiler.precompile(RUNAWAY.as_bytes())?)?,
        artifact,
        counts: Default::default(),
    };
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| -> Result<String> {
        let ticker = scope.spawn(|| {
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(TICK);
                engine.increment_epoch();
            }
        });
        // Warm-up: every kind once, so one-time allocations are in the
        // baseline.
        let mut rng = Rng(1);
        for kind in KINDS {
            step(&shared, kind, &mut rng)?;
        }
        let baseline = emb.heap_used();
        let start = Instant::now();
        let until = start + Duration::from_secs(seconds);
        let results: Vec<Result<()>> = std::thread::scope(|inner| {
            let handles: Vec<_> = (0..WORKERS)
                .map(|t| {
                    let shared = &shared;
                    inner.spawn(move || worker(shared, t, until))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|_| bail!("worker panicked")))
                .collect()
        });
        let elapsed = start.elapsed();
        stop.store(true, Ordering::Relaxed);
        ticker
            .join()
            .map_err(|_| anyhow::anyhow!("ticker panicked"))?;
        for r in results {
            r?;
        }
        let after = emb.heap_used();
        let counts: Vec<String> = KINDS
            .iter()
            .map(|k| {
                format!(
                    "{} {}",
                    shared.counts[*k as usize].load(Ordering::Relaxed),
                    k.name()
                )
            })
            .collect();
        let summary = format!(
            "{:.0} s, {WORKERS} threads: {}; heap_used {baseline} before, {after} after, peak {}",
            elapsed.as_secs_f64(),
            counts.join(", "),
            emb.heap_peak()
        );
        println!("soak {}: {summary}", crate::mode_name(emb.api.mode));
        ensure!(
            after == baseline,
            "{summary}: {} bytes not returned",
            after as i64 - baseline as i64
        );
        Ok(summary)
    })
}
