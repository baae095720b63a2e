//! One workload on stock Wasmtime (with `std`, on Linux), native or Pulley,
//! doing what the embedding does through its ABI with Wasmtime's own API.

use super::timing::{check, samples, timed};
use super::workloads::{CALLS, GROWS, INSTANCES, Kind};
use anyhow::{Context, Result};
use embedding_abi::modes::{self, Arch};
use std::ptr::NonNull;
use wasmtime::{Config, Engine, Instance, Linker, Module, Store};

/// A store as the embedding makes one: unlimited fuel, and an epoch
/// deadline that is armed but never reached.
fn new_store(engine: &Engine) -> Result<Store<()>> {
    let mut store = Store::new(engine, ());
    store.set_fuel(u64::MAX)?;
    store.set_epoch_deadline(u64::MAX / 2);
    Ok(store)
}

fn instance(linker: &Linker<()>, module: &Module) -> Result<(Store<()>, Instance)> {
    let mut store = new_store(linker.engine())?;
    let instance = linker.instantiate(&mut store, module)?;
    Ok((store, instance))
}

fn call_i32(store: &mut Store<()>, instance: Instance, arg: i32) -> Result<i32> {
    store.set_fuel(u64::MAX)?;
    let run = instance.get_typed_func::<i32, i32>(&mut *store, "run")?;
    Ok(run.call(store, arg)?)
}

/// Stock Wasmtime on `arch`, compiling to native code or to Pulley
/// bytecode.
pub fn engine(pulley: bool, arch: Arch) -> Result<Engine> {
    let mut config = Config::new();
    // The same proposals, fuel accounting and epoch checks as the
    // embedding, so the ratios compare like with like; everything else is
    // stock Wasmtime's Linux default (guard pages, signals, CoW).
    modes::wasm_features(&mut config);
    modes::epoch_interruption(&mut config);
    modes::stock(arch, pulley, &mut config)?;
    Ok(Engine::new(&config)?)
}

/// `artifact` is what [`engine`]`(pulley, Arch::NATIVE)` precompiled (on
/// x86_64, for another arch's loader-only host).
pub fn run(pulley: bool, artifact: &[u8], kind: Kind, runs: usize) -> Result<Vec<f64>> {
    let engine = engine(pulley, Arch::NATIVE)?;
    // SAFETY: precompiled by this program with the same configuration.
    let module = unsafe { Module::deserialize(&engine, artifact) }?;
    let mut linker = Linker::new(&engine);
    linker.func_wrap("bench", "nop", || {})?;
    Ok(match kind {
        Kind::Compute { arg, expected } => {
            let expected = expected();
            let (mut store, instance) = instance(&linker, &module)?;
            let run = instance.get_typed_func::<i32, i32>(&mut store, "run")?;
            samples(runs, || {
                let (got, secs) = timed(|| {
                    store.set_fuel(u64::MAX)?;
                    Ok(run.call(&mut store, arg)?)
                })?;
                check("run", got, expected)?;
                Ok(secs * 1e3)
            })?
        }
        Kind::CallEmpty => {
            let (mut store, instance) = instance(&linker, &module)?;
            let nop = instance.get_typed_func::<(), ()>(&mut store, "nop")?;
            samples(runs, || {
                let ((), secs) = timed(|| {
                    for _ in 0..CALLS {
                        nop.call(&mut store, ())?;
                    }
                    Ok(())
                })?;
                Ok(secs * 1e9 / f64::from(CALLS))
            })?
        }
        Kind::CallByName => {
            let (mut store, instance) = instance(&linker, &module)?;
            samples(runs, || {
                let ((), secs) = timed(|| {
                    for _ in 0..CALLS {
                        let nop = instance
                            .get_func(&mut store, "nop")
                            .context("no export `nop`")?;
                        nop.call(&mut store, &[], &mut [])?;
                    }
                    Ok(())
                })?;
                Ok(secs * 1e9 / f64::from(CALLS))
            })?
        }
        Kind::CallHost => {
            let (mut store, instance) = instance(&linker, &module)?;
            samples(runs, || {
                let (got, secs) = timed(|| call_i32(&mut store, instance, CALLS))?;
                check("run", got, CALLS)?;
                Ok(secs * 1e9 / f64::from(CALLS))
            })?
        }
        Kind::Instantiate { probe, expected } => {
            let (mut store, instance) = instance(&linker, &module)?;
            check("run", call_i32(&mut store, instance, probe)?, expected)?;
            samples(runs, || {
                let ((), secs) = timed(|| {
                    for _ in 0..INSTANCES {
                        let mut store = new_store(&engine)?;
                        linker.instantiate(&mut store, &module)?;
                    }
                    Ok(())
                })?;
                Ok(secs * 1e6 / INSTANCES as f64)
            })?
        }
        Kind::Grow => samples(runs, || {
            let (mut store, instance) = instance(&linker, &module)?;
            let (got, secs) = timed(|| call_i32(&mut store, instance, GROWS))?;
            check("run", got, GROWS + 1)?;
            Ok(secs * 1e6)
        })?,
        Kind::Load { arg, expected } => {
            let (mut store, instance) = instance(&linker, &module)?;
            check("run", call_i32(&mut store, instance, arg)?, expected())?;
            samples(runs, || {
                // SAFETY: as above.
                let (loaded, secs) =
                    timed(|| Ok(unsafe { Module::deserialize(&engine, artifact) }?))?;
                drop(loaded);
                Ok(secs * 1e3)
            })?
        }
        Kind::LoadInPlace { arg, expected } => {
            let kept = crate::in_place::AlignedBytes::new(artifact);
            let load = || -> Result<Module> {
                Ok(if pulley {
                    // SAFETY: as above; `kept` outlives every module made
                    // from it (each is dropped within its sample).
                    unsafe { Module::deserialize_raw(&engine, NonNull::from(kept.bytes())) }?
                } else {
                    // Native code cannot run from the caller's bytes.
                    // SAFETY: as above.
                    unsafe { Module::deserialize(&engine, artifact) }?
                })
            };
            let module = load()?;
            let (mut store, instance) = instance(&linker, &module)?;
            check("run", call_i32(&mut store, instance, arg)?, expected())?;
            // Wasmtime registers code by address: two live modules from the
            // same bytes would collide.
            drop(store);
            drop(module);
            samples(runs, || {
                let (loaded, secs) = timed(load)?;
                drop(loaded);
                Ok(secs * 1e3)
            })?
        }
    })
}
