//! Preview 1 programs: a core module linked against the embedding's own
//! `wasi_snapshot_preview1`, instantiated and run synchronously: no
//! component model, no async, no fibers.

use super::ctx::P1;
use super::fds::Fds;
use super::linker;
use crate::engine::{self, LoadedModule};
use crate::errors::{self, non_null, status};
use crate::in_place::Claim;
use crate::wasi::program::{Face, Outcome, Program};
use crate::wasi::state::{Exit, State};
use alloc::boxed::Box;
use alloc::format;
use alloc::sync::Arc;
use embedding_abi::{EmbEngine, EmbError, EmbModule, EmbProgram, EmbWasiConfig};
use wasmtime::{ExternType, InstancePre, Module, Store};

pub struct P1Program {
    pub store: Store<P1>,
    pre: InstancePre<P1>,
    /// Keeps a module loaded in place counted as in use (`in_place.rs`).
    _claim: Option<Arc<Claim>>,
}

/// A command module exports its memory as `memory` and its entry point as
/// `_start: func()`; anything else cannot run as a preview 1 program, and
/// is refused here with what is missing rather than at run time.
fn check_exports(module: &Module) -> Result<(), *mut EmbError> {
    let refuse = |why: &str| Err(errors::message(format!("module_program_new: {why}")));
    match module.get_export("memory") {
        Some(ExternType::Memory(_)) => {}
        Some(_) => return refuse("the module's export `memory` is not a memory"),
        None => {
            return refuse(
                "the module exports no `memory`; a preview 1 program must export its linear \
                 memory as `memory`",
            );
        }
    }
    match module.get_export("_start") {
        Some(ExternType::Func(f)) if f.params().len() == 0 && f.results().len() == 0 => Ok(()),
        Some(_) => {
            refuse("the module's export `_start` is not a function without parameters or results")
        }
        None => refuse(
            "the module exports no `_start`; only command modules (not reactors or \
             libraries) run as preview 1 programs",
        ),
    }
}

pub unsafe extern "C" fn module_program_new(
    engine: *const EmbEngine,
    module: *const EmbModule,
    config: *const EmbWasiConfig,
    out: *mut *mut EmbProgram,
) -> *mut EmbError {
    let _serial = crate::serial::enter();
    status((|| {
        let engine = unsafe { engine::engine(engine)? };
        let loaded: &LoadedModule = unsafe { engine::module(module)? };
        non_null("module_program_new: config", config)?;
        non_null("module_program_new: out", out)?;
        let config = unsafe { &*config };
        check_exports(&loaded.module)?;
        let state = unsafe { State::from_config(config)? };
        // Linking happens here, before anything runs, so that a module
        // importing a function preview 1 lacks, or with the wrong
        // signature, is refused with Wasmtime's message naming it.
        let linker = linker::linker(engine).map_err(errors::from_wasmtime)?;
        let pre = linker.instantiate_pre(&loaded.module).map_err(|e| {
            errors::from_wasmtime(e.context(format!(
                "the module needs an import this embedding does not provide (it has every \
                 function of {} and nothing else)",
                linker::MODULE
            )))
        })?;
        let ctx = P1 {
            fds: Fds::new(&state.preopens),
            state,
            memory: None,
        };
        let mut store = Store::try_new(engine, ctx).map_err(errors::from_wasmtime)?;
        store.set_fuel(config.fuel).map_err(errors::from_wasmtime)?;
        // Programs are bounded by fuel; the engine's epoch checks must not
        // stop them.
        crate::store::no_deadline(&mut store);
        let program = Program::new(Face::P1(P1Program {
            store,
            pre,
            _claim: loaded.claim.clone(),
        }));
        unsafe { *out = Box::into_raw(Box::new(program)).cast() };
        Ok(())
    })())
}

impl P1Program {
    /// Instantiates the module and runs `_start` to its end.
    pub fn run(&mut self) -> Outcome {
        let result = (|| {
            let instance = self.pre.instantiate(&mut self.store)?;
            let memory = instance
                .get_memory(&mut self.store, "memory")
                .ok_or_else(|| wasmtime::format_err!("the module exports no memory `memory`"))?;
            self.store.data_mut().memory = Some(memory);
            let start = instance.get_typed_func::<(), ()>(&mut self.store, "_start")?;
            start.call(&mut self.store, ())
        })();
        match result {
            Ok(()) => Outcome::Exited(0),
            Err(e) => match e.downcast_ref::<Exit>() {
                Some(Exit(code)) => Outcome::Exited(*code),
                None => Outcome::Failed(e),
            },
        }
    }
}
