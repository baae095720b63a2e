//! Components: loading, linking against WASI 0.2, and running them.

use super::bindings::{Command, CommandPre, wasi};
use super::ctx::Ctx;
use super::executor::{self, Task, Timers};
use crate::engine;
use crate::errors::{self, non_null, status};
use crate::wasi::program::{Face, Outcome, Program};
use crate::wasi::state::{Exit, State};
use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;
use embedding_abi::{EmbComponent, EmbEngine, EmbError, EmbProgram, EmbWasiConfig};
use wasmtime::component::{Component, HasSelf, Linker, ResourceTable};
use wasmtime::{Engine, Store};

/// A component, its store and what it will be instantiated from.
pub struct P2Program {
    pub store: Store<Ctx>,
    pre: CommandPre<Ctx>,
}

pub unsafe extern "C" fn component_load(
    engine: *const EmbEngine,
    bytes: *const u8,
    len: usize,
    out: *mut *mut EmbComponent,
) -> *mut EmbError {
    let _serial = crate::serial::enter();
    status((|| {
        let engine = unsafe { engine::engine(engine)? };
        non_null("component_load: bytes", bytes)?;
        non_null("component_load: out", out)?;
        // SAFETY: the caller passes `len` readable bytes.
        let bytes = unsafe { core::slice::from_raw_parts(bytes, len) };
        let bytes = engine::open_artifact(embedding_abi::envelope::ArtifactKind::Component, bytes)?;
        // SAFETY: as for modules (`module_load`): the envelope matched;
        // Wasmtime checks the
        // artifact's header and configuration; its code is trusted.
        let component =
            unsafe { Component::deserialize(engine, bytes) }.map_err(errors::from_wasmtime)?;
        unsafe { *out = Box::into_raw(Box::new(component)).cast() };
        Ok(())
    })())
}

pub unsafe extern "C" fn component_free(component: *mut EmbComponent) {
    let _serial = crate::serial::enter();
    if !component.is_null() {
        // SAFETY: made by `component_load`.
        drop(unsafe { Box::from_raw(component.cast::<Component>()) });
    }
}

/// Every interface of `embedding/wit/world.wit`.
fn linker(engine: &Engine) -> wasmtime::Result<Linker<Ctx>> {
    type Data = HasSelf<Ctx>;
    let mut linker = Linker::new(engine);
    wasmtime_wasi_io::add_to_linker_async(&mut linker)?;
    wasi::cli::environment::add_to_linker::<_, Data>(&mut linker, |c| c)?;
    wasi::cli::exit::add_to_linker::<_, Data>(&mut linker, |c| c)?;
    wasi::cli::stdin::add_to_linker::<_, Data>(&mut linker, |c| c)?;
    wasi::cli::stdout::add_to_linker::<_, Data>(&mut linker, |c| c)?;
    wasi::cli::stderr::add_to_linker::<_, Data>(&mut linker, |c| c)?;
    wasi::cli::terminal_input::add_to_linker::<_, Data>(&mut linker, |c| c)?;
    wasi::cli::terminal_output::add_to_linker::<_, Data>(&mut linker, |c| c)?;
    wasi::cli::terminal_stdin::add_to_linker::<_, Data>(&mut linker, |c| c)?;
    wasi::cli::terminal_stdout::add_to_linker::<_, Data>(&mut linker, |c| c)?;
    wasi::cli::terminal_stderr::add_to_linker::<_, Data>(&mut linker, |c| c)?;
    wasi::clocks::monotonic_clock::add_to_linker::<_, Data>(&mut linker, |c| c)?;
    wasi::clocks::wall_clock::add_to_linker::<_, Data>(&mut linker, |c| c)?;
    wasi::filesystem::types::add_to_linker::<_, Data>(&mut linker, |c| c)?;
    wasi::filesystem::preopens::add_to_linker::<_, Data>(&mut linker, |c| c)?;
    wasi::random::random::add_to_linker::<_, Data>(&mut linker, |c| c)?;
    wasi::random::insecure::add_to_linker::<_, Data>(&mut linker, |c| c)?;
    wasi::random::insecure_seed::add_to_linker::<_, Data>(&mut linker, |c| c)?;
    Ok(linker)
}

pub unsafe extern "C" fn program_new(
    engine: *const EmbEngine,
    component: *const EmbComponent,
    config: *const EmbWasiConfig,
    out: *mut *mut EmbProgram,
) -> *mut EmbError {
    let _serial = crate::serial::enter();
    status((|| {
        let engine = unsafe { engine::engine(engine)? };
        non_null("program_new: component", component)?;
        non_null("program_new: config", config)?;
        non_null("program_new: out", out)?;
        // SAFETY: made by `component_load` and not yet freed.
        let component = unsafe { &*component.cast::<Component>() };
        let config = unsafe { &*config };
        let state = unsafe { State::from_config(config)? };

        // Linking happens here, before anything runs, so that a component
        // importing an interface this embedding lacks (sockets, http, ...)
        // is refused with Wasmtime's message naming that import.
        let linker = linker(engine).map_err(errors::from_wasmtime)?;
        let pre = linker
            .instantiate_pre(component)
            .and_then(CommandPre::new)
            .map_err(|e| {
                errors::from_wasmtime(e.context(
                    "the component needs an import this embedding's WASI does not provide \
                     (it has wasi:cli, wasi:clocks, wasi:filesystem, wasi:io and wasi:random)",
                ))
            })?;
        let ctx = Ctx {
            table: ResourceTable::new(),
            state,
            timers: Arc::new(Timers::default()),
        };
        let mut store = Store::try_new(engine, ctx).map_err(errors::from_wasmtime)?;
        store.set_fuel(config.fuel).map_err(errors::from_wasmtime)?;
        // Programs are bounded by fuel; the engine's epoch checks must not
        // stop them.
        crate::store::no_deadline(&mut store);
        if config.yield_interval > 0 {
            store
                .fuel_async_yield_interval(Some(config.yield_interval))
                .map_err(errors::from_wasmtime)?;
        }
        let program = Program::new(Face::P2(P2Program { store, pre }));
        unsafe { *out = Box::into_raw(Box::new(program)).cast() };
        Ok(())
    })())
}

/// Instantiates and runs one program, and records how it ended.
async fn run_one(program: &mut P2Program, outcome: &mut Outcome) {
    let result = async {
        let command: Command = program.pre.instantiate_async(&mut program.store).await?;
        command.wasi_cli_run().call_run(&mut program.store).await
    }
    .await;
    *outcome = match result {
        Ok(Ok(())) => Outcome::Exited(0),
        Ok(Err(())) => Outcome::Exited(1),
        Err(e) => match e.downcast_ref::<Exit>() {
            Some(Exit(code)) => Outcome::Exited(*code),
            None => Outcome::Failed(e),
        },
    };
}

/// Runs components to completion, interleaved on the executor; one that
/// waits for something that can never happen fails saying so.
pub fn run_all(list: Vec<&mut Program>) {
    let mut list: Vec<(&mut P2Program, &mut Outcome)> = list
        .into_iter()
        .filter_map(|p| match &mut p.face {
            Face::P2(c) => Some((c, &mut p.outcome)),
            #[allow(
                unreachable_patterns,
                reason = "a build with preview 1 has a second face"
            )]
            _ => None,
        })
        .collect();
    let timers: Vec<Arc<Timers>> = list
        .iter()
        .map(|(p, _)| p.store.data().timers.clone())
        .collect();
    let stuck = {
        let tasks: Vec<(Task<'_>, Arc<Timers>)> = list
            .iter_mut()
            .zip(timers)
            .map(|((p, o), t)| (Box::pin(run_one(p, o)) as Task<'_>, t))
            .collect();
        executor::run_all(tasks)
    };
    for i in stuck {
        *list[i].1 = Outcome::Failed(wasmtime::format_err!(
            "the program waits for something that can never happen: no clock \
             deadline and no other program to run"
        ));
    }
}
