//! The workloads on wasm3 (the `wasm3` crate: wasm3's C interpreter).

use crate::{check, samples, timed};
use anyhow::{Context, Result, anyhow, bail};
use wasm3::{Environment, Runtime};

/// wasm3's stack, in bytes: deep enough for fib(27)'s recursion.
const STACK: u32 = 1 << 20;

/// wasm3's errors hold raw pointers, so they become text here.
fn ok<T>(r: Result<T, wasm3::error::Error>) -> Result<T> {
    r.map_err(|e| anyhow!("wasm3: {e}"))
}

/// A runtime with the module loaded, and `bench.nop` linked for the one
/// kind whose module imports it.
fn instance(env: &Environment, wasm: &[u8], kind: &str) -> Result<Runtime> {
    let runtime = ok(env.create_runtime(STACK))?;
    let parsed = ok(env.parse_module(wasm.to_vec()))?;
    let mut module = ok(runtime.load_module(parsed))?;
    if kind == "host-call" {
        ok(module.link_closure("bench", "nop", |_, ()| Ok(())))?;
    }
    Ok(runtime)
}

fn run_i32(runtime: &Runtime, arg: i32) -> Result<i32> {
    let run = ok(runtime.find_function::<i32, i32>("run"))?;
    ok(run.call(arg))
}

pub fn measure(kind: &str, runs: usize, wasm: &[u8], n: &[i64]) -> Result<Vec<f64>> {
    let env = ok(Environment::new())?;
    let int = |i: usize| -> Result<i32> {
        let v = *n
            .get(i)
            .with_context(|| format!("{kind} needs {} numbers", i + 1))?;
        Ok(i32::try_from(v)?)
    };
    Ok(match kind {
        "compute" => {
            let (arg, expected) = (int(0)?, n[1]);
            let runtime = instance(&env, wasm, kind)?;
            let run = ok(runtime.find_function::<i32, i32>("run"))?;
            samples(runs, || {
                let (got, secs) = timed(|| ok(run.call(arg)))?;
                check(got, expected)?;
                Ok(secs * 1e3)
            })?
        }
        "call" => {
            let calls = int(0)?;
            let runtime = instance(&env, wasm, kind)?;
            let nop = ok(runtime.find_function::<(), ()>("nop"))?;
            samples(runs, || {
                let ((), secs) = timed(|| {
                    for _ in 0..calls {
                        ok(nop.call())?;
                    }
                    Ok(())
                })?;
                Ok(secs * 1e9 / f64::from(calls))
            })?
        }
        "host-call" => {
            let calls = int(0)?;
            let runtime = instance(&env, wasm, kind)?;
            samples(runs, || {
                let (got, secs) = timed(|| run_i32(&runtime, calls))?;
                check(got, i64::from(calls))?;
                Ok(secs * 1e9 / f64::from(calls))
            })?
        }
        "instantiate" => {
            let (count, probe, expected) = (int(0)?, int(1)?, n[2]);
            check(run_i32(&instance(&env, wasm, kind)?, probe)?, expected)?;
            samples(runs, || {
                let ((), secs) = timed(|| {
                    for _ in 0..count {
                        instance(&env, wasm, kind)?;
                    }
                    Ok(())
                })?;
                Ok(secs * 1e6 / f64::from(count))
            })?
        }
        "grow" => {
            let grows = int(0)?;
            samples(runs, || {
                let runtime = instance(&env, wasm, kind)?;
                let (got, secs) = timed(|| run_i32(&runtime, grows))?;
                check(got, i64::from(grows) + 1)?;
                Ok(secs * 1e6)
            })?
        }
        "load" => {
            let (arg, expected) = (int(0)?, n[1]);
            check(run_i32(&instance(&env, wasm, kind)?, arg)?, expected)?;
            samples(runs, || {
                let (parsed, secs) = timed(|| ok(env.parse_module(wasm.to_vec())))?;
                drop(parsed);
                Ok(secs * 1e3)
            })?
        }
        other => bail!("unknown workload kind `{other}`"),
    })
}
