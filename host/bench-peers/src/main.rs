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
//! The workloads are written once, here, against [`Peer`]; `wasmi_peer.rs`
//! and `wasm3_peer.rs` say what each step is on that interpreter.

mod wasm3_peer;
mod wasmi_peer;

use anyhow::{Context, Result, bail, ensure};
use std::time::Instant;

/// What the workloads need from an interpreter. A `Peer` holds the module;
/// an instance comes with its own store (or runtime), `bench.nop` linked
/// when the module imports it, and unlimited fuel where the peer meters.
pub trait Peer {
    type Instance;
    fn instance(&self) -> Result<Self::Instance>;
    /// Calls the export `run(arg)`.
    fn run(&self, instance: &mut Self::Instance, arg: i32) -> Result<i32>;
    /// Looks the export `nop` up once, then calls it `calls` times.
    fn call_nop(&self, instance: &mut Self::Instance, calls: i32) -> Result<()>;
    /// Parses (and, as far as the peer does so ahead of a call, translates)
    /// the module again, then drops it.
    fn load(&self) -> Result<()>;
}

fn samples(runs: usize, mut sample: impl FnMut() -> Result<f64>) -> Result<Vec<f64>> {
    sample()?;
    (0..runs).map(|_| sample()).collect()
}

fn timed<T>(f: impl FnOnce() -> Result<T>) -> Result<(T, f64)> {
    let start = Instant::now();
    let value = f()?;
    Ok((value, start.elapsed().as_secs_f64()))
}

fn check(got: i32, expected: i64) -> Result<()> {
    ensure!(
        i64::from(got) == expected,
        "run returned {got}, expected {expected}"
    );
    Ok(())
}

fn measure<P: Peer>(peer: &P, kind: &str, runs: usize, n: &[i64]) -> Result<Vec<f64>> {
    let int = |i: usize| -> Result<i32> {
        let v = *n
            .get(i)
            .with_context(|| format!("{kind} needs {} numbers", i + 1))?;
        Ok(i32::try_from(v)?)
    };
    let number = |i: usize| -> Result<i64> {
        n.get(i)
            .copied()
            .with_context(|| format!("{kind} needs {} numbers", i + 1))
    };
    Ok(match kind {
        "compute" => {
            let (arg, expected) = (int(0)?, number(1)?);
            let mut instance = peer.instance()?;
            samples(runs, || {
                let (got, secs) = timed(|| peer.run(&mut instance, arg))?;
                check(got, expected)?;
                Ok(secs * 1e3)
            })?
        }
        "call" => {
            let calls = int(0)?;
            let mut instance = peer.instance()?;
            samples(runs, || {
                let ((), secs) = timed(|| peer.call_nop(&mut instance, calls))?;
                Ok(secs * 1e9 / f64::from(calls))
            })?
        }
        "host-call" => {
            let calls = int(0)?;
            let mut instance = peer.instance()?;
            samples(runs, || {
                let (got, secs) = timed(|| peer.run(&mut instance, calls))?;
                check(got, i64::from(calls))?;
                Ok(secs * 1e9 / f64::from(calls))
            })?
        }
        "instantiate" => {
            let (count, probe, expected) = (int(0)?, int(1)?, number(2)?);
            check(peer.run(&mut peer.instance()?, probe)?, expected)?;
            samples(runs, || {
                let ((), secs) = timed(|| {
                    for _ in 0..count {
                        peer.instance()?;
                    }
                    Ok(())
                })?;
                Ok(secs * 1e6 / f64::from(count))
            })?
        }
        "grow" => {
            let grows = int(0)?;
            samples(runs, || {
                let mut instance = peer.instance()?;
                let (got, secs) = timed(|| peer.run(&mut instance, grows))?;
                check(got, i64::from(grows) + 1)?;
                Ok(secs * 1e6)
            })?
        }
        "load" => {
            let (arg, expected) = (int(0)?, number(1)?);
            check(peer.run(&mut peer.instance()?, arg)?, expected)?;
            samples(runs, || {
                let ((), secs) = timed(|| peer.load())?;
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

/// An error is one line on stderr, which `host bench` quotes in its report
/// (returning it from `main` would add a backtrace under RUST_BACKTRACE).
fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> Result<()> {
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
        "wasmi" => measure(&wasmi_peer::Wasmi::new(&wasm)?, kind, runs, &numbers)?,
        "wasm3" => measure(
            &wasm3_peer::Wasm3::new(&wasm, kind == "host-call")?,
            kind,
            runs,
            &numbers,
        )?,
        other => bail!("unknown peer `{other}` (expected wasmi or wasm3)"),
    };
    let samples: Vec<String> = samples.iter().map(|t| format!("{t:.4}")).collect();
    println!("T {}", samples.join(" "));
    println!("R {}", peak_rss_kib()?);
    Ok(())
}
