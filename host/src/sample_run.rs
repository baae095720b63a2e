//! Runs the sample table (`samples.rs`) through the embedding on Linux.

use crate::artifacts::Compiler;
use crate::embedding::{Engine, Store, expect_trap};
use crate::samples::{HostFunc, Outcome, STORE_FUEL, Sample, Step};
use crate::values::Value;
use anyhow::{Context, Result, bail, ensure};
use embedding_abi::EmbValKind;
use std::cell::Cell;
use std::rc::Rc;

/// What a sample runs against.
pub struct Ctx<'a> {
    pub compiler: &'a Compiler,
    pub engine: &'a Engine<'a>,
}

/// Runs every step of `sample` in a fresh store; the first step that fails
/// ends it, named by its number (from 1) in the error.
pub fn run(ctx: &Ctx<'_>, sample: &Sample) -> Result<()> {
    let mut store = ctx.engine.store()?;
    store.set_fuel(STORE_FUEL)?;
    let host_calls = Rc::new(Cell::new(0u32));
    for (n, step) in sample.steps.iter().enumerate() {
        run_step(ctx, &mut store, &host_calls, step).with_context(|| format!("step {}", n + 1))?;
    }
    Ok(())
}

fn run_step(
    ctx: &Ctx<'_>,
    store: &mut Store<'_>,
    host_calls: &Rc<Cell<u32>>,
    step: &Step,
) -> Result<()> {
    match step {
        Step::DefineHostFunc { module, name, func } => {
            let calls = host_calls.clone();
            let HostFunc::Triple = func;
            store.define_func(
                module,
                name,
                &[EmbValKind::I32],
                &[EmbValKind::I32],
                Box::new(move |args, results| {
                    calls.set(calls.get() + 1);
                    match args {
                        [Value::I32(x)] => {
                            results[0] = Value::I32(x.wrapping_mul(3));
                            0
                        }
                        _ => 1,
                    }
                }),
            )?;
        }
        Step::Instantiate { wat, index } => {
            let artifact = ctx.compiler.precompile(wat.as_bytes())?;
            let module = ctx.engine.load(&artifact)?;
            let got = store.instantiate(&module)?;
            ensure!(
                got == *index,
                "new instance has index {got}, expected {index}"
            );
        }
        Step::Register { instance, name } => store.register(*instance, name)?,
        Step::Call {
            instance,
            export,
            args,
            expect,
        } => match expect {
            Outcome::Returns(expected) => {
                let got = store.call(*instance, export, args, expected.len())?;
                ensure!(
                    got == *expected,
                    "{export}{args:?} returned {got:?}, expected {expected:?}"
                );
            }
            Outcome::Traps(trap) => {
                expect_trap(store.call(*instance, export, args, 1), *trap)
                    .with_context(|| format!("{export}{args:?}"))?;
            }
        },
        Step::GlobalGet {
            instance,
            name,
            expect,
        } => {
            let got = store.global_get(*instance, name)?;
            ensure!(
                got == *expect,
                "global {name} is {got:?}, expected {expect:?}"
            );
        }
        Step::SetFuel(fuel) => store.set_fuel(*fuel)?,
        Step::FuelAtMost(most) => {
            let left = store.fuel()?;
            ensure!(left <= *most, "{left} fuel left, expected at most {most}");
        }
        Step::HostCalls(expected) => {
            let got = host_calls.get();
            if got != *expected {
                bail!("host functions called {got} times, expected {expected}");
            }
        }
    }
    Ok(())
}
