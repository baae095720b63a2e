//! One workload in a mode's embedding, through its C ABI.

use super::timing::{check, samples, timed};
use super::workloads::{CALLS, GROWS, INSTANCES, Kind};
use crate::embedding::{Embedding, Engine, Module, Paths, Store};
use crate::values::Value;
use anyhow::{Result, bail};
use embedding_abi::EmbMode;
use std::path::Path;

/// What one run of a workload in the embedding measured.
pub struct Measured {
    pub samples: Vec<f64>,
    /// The embedding's heap high-water mark, in bytes, since it was loaded.
    pub heap_peak: usize,
}

fn call_i32(store: &mut Store<'_>, instance: u32, name: &str, arg: i32) -> Result<i32> {
    store.set_fuel(u64::MAX)?;
    match store.call(instance, name, &[Value::I32(arg)], 1)?[..] {
        [Value::I32(v)] => Ok(v),
        ref other => bail!("`{name}` returned {other:?}, expected one i32"),
    }
}

/// A store with unlimited fuel and, for `host-call`, the host function.
fn store<'e>(engine: &'e Engine<'_>, kind: Kind) -> Result<Store<'e>> {
    let mut store = engine.store()?;
    store.set_fuel(u64::MAX)?;
    if let Kind::CallHost = kind {
        store.define_func("bench", "nop", &[], &[], Box::new(|_, _| 0))?;
    }
    Ok(store)
}

fn instance<'e>(
    engine: &'e Engine<'_>,
    module: &Module<'_>,
    kind: Kind,
) -> Result<(Store<'e>, u32)> {
    let mut store = store(engine, kind)?;
    let instance = store.instantiate(module)?;
    Ok((store, instance))
}

/// `artifact` was precompiled for `mode` (`Compiler`).
pub fn run(
    mode: EmbMode,
    out: &Path,
    artifact: &[u8],
    kind: Kind,
    runs: usize,
) -> Result<Measured> {
    let emb = Embedding::load(&Paths::in_dir(out, mode), mode)?;
    let engine = emb.engine()?;
    let module = engine.load(artifact)?;
    let samples = match kind {
        Kind::Compute { arg, expected } => {
            let expected = expected();
            let (mut store, i) = instance(&engine, &module, kind)?;
            samples(runs, || {
                let (got, secs) = timed(|| call_i32(&mut store, i, "run", arg))?;
                check("run", got, expected)?;
                Ok(secs * 1e3)
            })?
        }
        Kind::CallEmpty => {
            let (mut store, i) = instance(&engine, &module, kind)?;
            let nop = store.func(i, "nop")?;
            samples(runs, || {
                let ((), secs) = timed(|| {
                    for _ in 0..CALLS {
                        nop.call_raw(&[], &mut [])?;
                    }
                    Ok(())
                })?;
                Ok(secs * 1e9 / f64::from(CALLS))
            })?
        }
        Kind::CallByName => {
            let (mut store, i) = instance(&engine, &module, kind)?;
            samples(runs, || {
                let ((), secs) = timed(|| {
                    for _ in 0..CALLS {
                        store.call(i, "nop", &[], 0)?;
                    }
                    Ok(())
                })?;
                Ok(secs * 1e9 / f64::from(CALLS))
            })?
        }
        Kind::CallHost => {
            let (mut store, i) = instance(&engine, &module, kind)?;
            samples(runs, || {
                let (got, secs) = timed(|| call_i32(&mut store, i, "run", CALLS))?;
                check("run", got, CALLS)?;
                Ok(secs * 1e9 / f64::from(CALLS))
            })?
        }
        Kind::Instantiate { probe, expected } => {
            let (mut store, i) = instance(&engine, &module, kind)?;
            check("run", call_i32(&mut store, i, "run", probe)?, expected)?;
            drop(store);
            samples(runs, || {
                let ((), secs) = timed(|| {
                    for _ in 0..INSTANCES {
                        let mut store = engine.store()?;
                        store.set_fuel(u64::MAX)?;
                        store.instantiate(&module)?;
                    }
                    Ok(())
                })?;
                Ok(secs * 1e6 / INSTANCES as f64)
            })?
        }
        Kind::Grow => samples(runs, || {
            let (mut store, i) = instance(&engine, &module, kind)?;
            let (got, secs) = timed(|| call_i32(&mut store, i, "run", GROWS))?;
            check("run", got, GROWS + 1)?;
            Ok(secs * 1e6)
        })?,
        Kind::Load { arg, expected } => {
            let (mut store, i) = instance(&engine, &module, kind)?;
            check("run", call_i32(&mut store, i, "run", arg)?, expected())?;
            drop(store);
            samples(runs, || {
                let (loaded, secs) = timed(|| Ok(engine.load(artifact)?))?;
                drop(loaded);
                Ok(secs * 1e3)
            })?
        }
        Kind::LoadInPlace { arg, expected } => {
            let kept = crate::in_place::AlignedBytes::new(artifact);
            // SAFETY: `kept` outlives this module, its store, and every
            // module loaded below (each dropped within its sample).
            let module = unsafe { engine.load_in_place(kept.bytes()) }?;
            let (mut store, i) = instance(&engine, &module, kind)?;
            check("run", call_i32(&mut store, i, "run", arg)?, expected())?;
            drop(store);
            drop(module);
            samples(runs, || {
                // SAFETY: as above.
                let (loaded, secs) = timed(|| Ok(unsafe { engine.load_in_place(kept.bytes()) }?))?;
                drop(loaded);
                Ok(secs * 1e3)
            })?
        }
    };
    Ok(Measured {
        samples,
        heap_peak: emb.heap_peak(),
    })
}
