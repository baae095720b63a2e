//! `bench-peers wasmi|wasm3 KIND RUNS WASM N...`: one `host bench` workload
//! on an interpreter peer, in the child protocol of `host bench` (host/src/bench):
//! prints `T <sample>...` in the workload's unit and `R <KiB>` (peak
//! resident memory). The host passes everything workload-specific:
//!
//! | KIND          | N...                          | one sample                       |
//! | ------------- | ----------------------------- | -------------------------------- |
//! | `compute`     | arg, expected                 | `run(arg)`, ms                   |
//! | `call`        | calls                         | `nop()` calls times, ns/call     |
//! | `host-call`   | calls                         | `run(calls)` calling `bench.nop`, ns/call |
//! | `instantiate` | count, probe, expected        | count new stores + instances, us each |
//! | `grow`        | grows                         | `run(grows)` in a new instance, us |
//! | `load`        | arg, expected                 | `Module::new` on the binary, ms  |
//!
//! wasmi runs with its defaults (lazy translation: a function is translated
//! to wasmi's bytecode when first called, so `load` validates only) plus
//! fuel, which every side of `host bench` meters. wasm3 has no fuel; it has
//! no instantiation apart from loading a parsed module into a runtime, so
//! `instantiate` is a new runtime, a parse and a load (`wasm3_peer.rs`).

mod wasm3_peer;

use anyhow::{Context, Result, bail, ensure};
use std::time::Instant;
use wasmi::{Config, Engine, Instance, Linker, Module, Store};

pub fn samples(runs: usize, mut sample: impl FnMut() -> Result<f64>) -> Result<Vec<f64>> {
    sample()?;
    (0..runs).map(|_| sample()).collect()
}

pub fn timed<T>(f: impl FnOnce() -> Result<T>) -> Result<(T, f64)> {
    let start = Instant::now();
    let value = f()?;
    Ok((value, start.elapsed().as_secs_f64()))
}

pub fn check(got: i32, expected: i64) -> Result<()> {
    ensure!(
        i64::from(got) == expected,
        "run returned {got}, expected {expected}"
    );
    Ok(())
}

struct Wasmi {
    engine: Engine,
    module: Module,
    linker: Linker<()>,
}

impl Wasmi {
    fn new(wasm: &[u8]) -> Result<Wasmi> {
        let mut config = Config::default();
        config.consume_fuel(true);
        let engine = Engine::new(&config);
        let module = Module::new(&engine, wasm)?;
        let mut linker = Linker::new(&engine);
        linker.func_wrap("bench", "nop", || {})?;
        Ok(Wasmi {
            engine,
            module,
            linker,
        })
    }

    fn instance(&self) -> Result<(Store<()>, Instance)> {
        let mut store = Store::new(&self.engine, ());
        store.set_fuel(u64::MAX)?;
        let instance = self
            .linker
            .instantiate_and_start(&mut store, &self.module)?;
        Ok((store, instance))
    }
}

fn run_i32(store: &mut Store<()>, instance: Instance, arg: i32) -> Result<i32> {
    store.set_fuel(u64::MAX)?;
    let run = instance.get_typed_func::<i32, i32>(&mut *store, "run")?;
    Ok(run.call(store, arg)?)
}

fn measure(kind: &str, runs: usize, wasm: &[u8], n: &[i64]) -> Result<Vec<f64>> {
    let w = Wasmi::new(wasm)?;
    let int = |i: usize| -> Result<i32> {
        let v = *n
            .get(i)
            .with_context(|| format!("{kind} needs {} numbers", i + 1))?;
        Ok(i32::try_from(v)?)
    };
    Ok(match kind {
        "compute" => {
            let (arg, expected) = (int(0)?, n[1]);
            let (mut store, instance) = w.instance()?;
            samples(runs, || {
                let (got, secs) = timed(|| run_i32(&mut store, instance, arg))?;
                check(got, expected)?;
                Ok(secs * 1e3)
            })?
        }
        "call" => {
            let calls = int(0)?;
            let (mut store, instance) = w.instance()?;
            let nop = instance.get_typed_func::<(), ()>(&store, "nop")?;
            samples(runs, || {
                let ((), secs) = timed(|| {
                    for _ in 0..calls {
                        nop.call(&mut store, ())?;
                    }
                    Ok(())
                })?;
                Ok(secs * 1e9 / f64::from(calls))
            })?
        }
        "host-call" => {
            let calls = int(0)?;
            let (mut store, instance) = w.instance()?;
            samples(runs, || {
                let (got, secs) = timed(|| run_i32(&mut store, instance, calls))?;
                check(got, i64::from(calls))?;
                Ok(secs * 1e9 / f64::from(calls))
            })?
        }
        "instantiate" => {
            let (count, probe, expected) = (int(0)?, int(1)?, n[2]);
            let (mut store, instance) = w.instance()?;
            check(run_i32(&mut store, instance, probe)?, expected)?;
            samples(runs, || {
                let ((), secs) = timed(|| {
                    for _ in 0..count {
                        w.instance()?;
                    }
                    Ok(())
                })?;
                Ok(secs * 1e6 / f64::from(count))
            })?
        }
        "grow" => {
            let grows = int(0)?;
            samples(runs, || {
                let (mut store, instance) = w.instance()?;
                let (got, secs) = timed(|| run_i32(&mut store, instance, grows))?;
                check(got, i64::from(grows) + 1)?;
                Ok(secs * 1e6)
            })?
        }
        "load" => {
            let (arg, expected) = (int(0)?, n[1]);
            let (mut store, instance) = w.instance()?;
            check(run_i32(&mut store, instance, arg)?, expected)?;
            samples(runs, || {
                let (module, secs) = timed(|| Ok(Module::new(&w.engine, wasm)?))?;
                drop(module);
                Ok(secs * 1e3)
            })?
        }
        other => bail!("unknown workload kind `{other}`"),
    })
}

fn peak_rss_kib() -> Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .context("/proc/self/status has no VmHWM line")?;
    Ok(line.trim().trim_end_matches("kB").trim().parse()?)
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [peer, kind, runs, wasm, numbers @ ..] = &args[..] else {
        bail!("usage: bench-peers wasmi|wasm3 KIND RUNS WASM N...");
    };

    let runs: usize = runs
        .parse()
        .with_context(|| format!("RUNS {runs}: not a number"))?;
    let numbers = numbers
        .iter()
        .map(|n| n.parse().with_context(|| format!("{n}: not a number")))
        .collect::<Result<Vec<i64>>>()?;
    let wasm = std::fs::read(wasm).with_context(|| format!("cannot read {wasm}"))?;
    let samples = match peer.as_str() {
        "wasmi" => measure(kind, runs, &wasm, &numbers)?,
        "wasm3" => wasm3_peer::measure(kind, runs, &wasm, &numbers)?,
        other => bail!("unknown peer `{other}` (expected wasmi or wasm3)"),
    };
    let samples: Vec<String> = samples.iter().map(|t| format!("{t:.4}")).collect();
    println!("T {}", samples.join(" "));
    println!("R {}", peak_rss_kib()?);
    Ok(())
}
