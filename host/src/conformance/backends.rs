//! The two sides of a conformance run: the `no_std` embedding, reached
//! through its C ABI, and stock Wasmtime (std, Linux) in this process.

use super::script::Backend;
use crate::artifacts::Compiler;
use crate::embedding::{Engine, Failure, Module, Store};
use crate::values::Value;
use embedding_abi::{EmbErrorKind, modes, values};
use wasmtime::{Config, Instance, Linker, Trap};

/// Room for results: far above what any spec test returns.
const RESULTS_CAP: usize = 1024;

/// `assert_invalid` and `assert_malformed` for an embedding, here or on
/// another arch: the host's compiler, with the mode's configuration, is what
/// accepts or refuses a module; the embedding only loads artifacts.
pub(super) fn validate_for_embedding(compiler: &Compiler, wasm: &[u8]) -> Result<(), Failure> {
    compiler.precompile(wasm).map(|_| ()).map_err(Failure::host)
}

/// The embedding: modules are precompiled here for its mode and loaded and
/// run there.
pub struct Embedded<'a> {
    compiler: &'a Compiler,
    engine: &'a Engine<'a>,
    store: Store<'a>,
    modules: Vec<Module<'a>>,
}

impl<'a> Embedded<'a> {
    pub fn new(compiler: &'a Compiler, engine: &'a Engine<'a>) -> Result<Self, Failure> {
        Ok(Embedded {
            compiler,
            engine,
            store: engine.store()?,
            modules: Vec::new(),
        })
    }
}

impl Backend for Embedded<'_> {
    fn compile(&mut self, wasm: &[u8]) -> Result<usize, Failure> {
        let artifact = self.compiler.precompile(wasm).map_err(Failure::host)?;
        self.modules.push(self.engine.load(&artifact)?);
        Ok(self.modules.len() - 1)
    }

    fn validate(&mut self, wasm: &[u8]) -> Result<(), Failure> {
        validate_for_embedding(self.compiler, wasm)
    }

    fn instantiate(&mut self, module: usize, fuel: u64) -> Result<u32, Failure> {
        self.store.set_fuel(fuel)?;
        self.store.instantiate(&self.modules[module])
    }

    fn register(&mut self, instance: u32, name: &str) -> Result<(), Failure> {
        self.store.register(instance, name)
    }

    fn invoke(
        &mut self,
        instance: u32,
        name: &str,
        args: &[Value],
        fuel: u64,
    ) -> Result<Vec<Value>, Failure> {
        self.store.set_fuel(fuel)?;
        self.store.call(instance, name, args, RESULTS_CAP)
    }

    fn get(&mut self, instance: u32, name: &str) -> Result<Value, Failure> {
        self.store.global_get(instance, name)
    }
}

/// Stock Wasmtime with the embedding's feature set (the same
/// `modes::wasm_features`) and its own defaults for everything else.
pub struct Reference {
    engine: wasmtime::Engine,
    store: wasmtime::Store<()>,
    linker: Linker<()>,
    modules: Vec<wasmtime::Module>,
    instances: Vec<Instance>,
}

/// Classifies an error exactly as the embedding's `errors.rs` does.
fn failure(e: wasmtime::Error) -> Failure {
    let trap = e.downcast_ref::<Trap>().copied();
    Failure {
        kind: if trap.is_some() {
            EmbErrorKind::Trap
        } else {
            EmbErrorKind::Error
        },
        trap,
        message: format!("{e:#}"),
    }
}

fn value(store: &mut wasmtime::Store<()>, v: &wasmtime::Val) -> Result<Value, Failure> {
    let raw = values::from_wasm(&mut *store, v).map_err(failure)?;
    Value::from_raw(&raw).map_err(Failure::host)
}

impl Reference {
    pub fn new() -> anyhow::Result<Self> {
        let mut config = Config::new();
        modes::wasm_features(&mut config);
        let engine = wasmtime::Engine::new(&config)?;
        let mut linker = Linker::new(&engine);
        linker.allow_shadowing(true);
        Ok(Reference {
            store: wasmtime::Store::new(&engine, ()),
            engine,
            linker,
            modules: Vec::new(),
            instances: Vec::new(),
        })
    }

    fn instance(&self, index: u32) -> Result<Instance, Failure> {
        self.instances
            .get(index as usize)
            .copied()
            .ok_or_else(|| Failure::host(format_args!("no instance {index}")))
    }
}

impl Backend for Reference {
    fn compile(&mut self, wasm: &[u8]) -> Result<usize, Failure> {
        self.modules
            .push(wasmtime::Module::new(&self.engine, wasm).map_err(failure)?);
        Ok(self.modules.len() - 1)
    }

    fn validate(&mut self, wasm: &[u8]) -> Result<(), Failure> {
        wasmtime::Module::new(&self.engine, wasm)
            .map(|_| ())
            .map_err(failure)
    }

    fn instantiate(&mut self, module: usize, fuel: u64) -> Result<u32, Failure> {
        self.store.set_fuel(fuel).map_err(failure)?;
        let instance = self
            .linker
            .instantiate(&mut self.store, &self.modules[module])
            .map_err(failure)?;
        self.instances.push(instance);
        Ok((self.instances.len() - 1) as u32)
    }

    fn register(&mut self, instance: u32, name: &str) -> Result<(), Failure> {
        let instance = self.instance(instance)?;
        self.linker
            .instance(&mut self.store, name, instance)
            .map(|_| ())
            .map_err(failure)
    }

    fn invoke(
        &mut self,
        instance: u32,
        name: &str,
        args: &[Value],
        fuel: u64,
    ) -> Result<Vec<Value>, Failure> {
        let instance = self.instance(instance)?;
        self.store.set_fuel(fuel).map_err(failure)?;
        let func = instance
            .get_func(&mut self.store, name)
            .ok_or_else(|| Failure::host(format_args!("no exported function `{name}`")))?;
        let args = args
            .iter()
            .map(|a| values::to_wasm(&mut self.store, &a.to_raw()).map_err(failure))
            .collect::<Result<Vec<_>, _>>()?;
        let count = func.ty(&self.store).results().len();
        let mut results = vec![wasmtime::Val::I32(0); count];
        func.call(&mut self.store, &args, &mut results)
            .map_err(failure)?;
        results.iter().map(|v| value(&mut self.store, v)).collect()
    }

    fn get(&mut self, instance: u32, name: &str) -> Result<Value, Failure> {
        let instance = self.instance(instance)?;
        let global = instance
            .get_global(&mut self.store, name)
            .ok_or_else(|| Failure::host(format_args!("no exported global `{name}`")))?;
        let v = global.get(&mut self.store);
        value(&mut self.store, &v)
    }
}
