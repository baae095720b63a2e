//! The two sides of a differential run: the mode's embedding, reached
//! through its C ABI, and stock Wasmtime in this process. Both get the same
//! module, the same fuel, the same store limits and the same calls; each
//! step returns an [`Outcome`] the driver compares.

use super::outcome::Outcome;
use crate::artifacts::Compiler;
use crate::embedding::{Engine, Failure, Store};
use crate::values::Value;
use embedding_abi::modes::{self, Arch};
use embedding_abi::{EMB_NO_LIMIT, EmbLimits, values};
use wasmtime::{Config, Instance, Linker, StoreLimits, StoreLimitsBuilder, Trap};

/// Fuel for instantiation (start function) and for each call: enough for a
/// few thousand loop iterations, so a runaway guest ends quickly as an
/// `OutOfFuel` trap on both sides.
pub const FUEL: u64 = 20_000;
/// Fuel for the memory-hashing helper, which must never run out.
const HASH_FUEL: u64 = 1 << 40;
/// The largest a linear memory may grow to (wasm-smith declares at most 1
/// MiB, `generate::config`); `memory.grow` past it returns -1 on both sides.
pub const MEMORY_BYTES: u64 = 1 << 20;
pub const TABLE_ELEMENTS: u64 = 10_000;
/// The module name the fuzzed instance is registered under, for the helper
/// that hashes its memories.
const REGISTERED: &str = "fuzzed";
/// Room for results: wasm-smith's multi-value types stay far below it.
const RESULTS_CAP: usize = 256;

/// One side of the comparison.
pub trait Side {
    /// Compiles and instantiates `wasm` in a fresh store (dropping the
    /// previous one); success is `Values([])`.
    fn instantiate(&mut self, wasm: &[u8]) -> Outcome;
    /// Calls export `name` with `FUEL`; returns the outcome and the fuel
    /// left.
    fn call(&mut self, name: &str, args: &[Value]) -> (Outcome, u64);
    fn global(&mut self, name: &str) -> Outcome;
    /// A hash of the exported memory `name` (its size and every byte),
    /// computed by a helper module that imports it.
    fn memory_hash(&mut self, name: &str, is_64: bool) -> Outcome;
}

/// The helper that hashes a memory: FNV-1a over 8-byte words, seeded with
/// the size in pages. It runs the same code on both sides, so it compares
/// the memories and not the helper.
fn hasher(name: &str, is_64: bool) -> String {
    let t = if is_64 { "i64" } else { "i32" };
    let quoted: String = name.bytes().map(|b| format!("\\{b:02x}")).collect();
    let pages = if is_64 {
        "(memory.size)"
    } else {
        "(i64.extend_i32_u (memory.size))"
    };
    format!(
        r#"(module
  (import "{REGISTERED}" "{quoted}" (memory {t} 0))
  (func (export "hash") (result i64)
    (local $p {t}) (local $end {t}) (local $h i64)
    (local.set $h (i64.xor (i64.const 0xcbf29ce484222325) {pages}))
    (local.set $end ({t}.mul (memory.size) ({t}.const 65536)))
    (block $done
      (loop $next
        (br_if $done ({t}.ge_u (local.get $p) (local.get $end)))
        (local.set $h (i64.mul (i64.xor (local.get $h) (i64.load (local.get $p)))
                               (i64.const 0x100000001b3)))
        (local.set $p ({t}.add (local.get $p) ({t}.const 8)))
        (br $next)))
    (local.get $h)))"#
    )
}

fn limits() -> EmbLimits {
    EmbLimits {
        memory_bytes: MEMORY_BYTES,
        table_elements: TABLE_ELEMENTS,
        instances: EMB_NO_LIMIT,
        memories: EMB_NO_LIMIT,
        tables: EMB_NO_LIMIT,
    }
}

/// The embedding of the mode under test.
pub struct Embedded<'a> {
    compiler: &'a Compiler,
    engine: &'a Engine<'a>,
    store: Option<Store<'a>>,
    instance: u32,
}

impl<'a> Embedded<'a> {
    pub fn new(compiler: &'a Compiler, engine: &'a Engine<'a>) -> Self {
        Embedded {
            compiler,
            engine,
            store: None,
            instance: 0,
        }
    }

    fn store(&mut self) -> Result<&mut Store<'a>, Outcome> {
        self.store
            .as_mut()
            .ok_or_else(|| Outcome::Error("no instance".into()))
    }

    fn start(&mut self, wasm: &[u8], fuel: u64) -> Result<u32, Outcome> {
        let artifact = self
            .compiler
            .precompile(wasm)
            .map_err(|e| Outcome::Invalid(format!("{e:#}")))?;
        let module = self.engine.load(&artifact).map_err(Outcome::from)?;
        let mut store = self.engine.store().map_err(Outcome::from)?;
        store.set_limits(&limits()).map_err(Outcome::from)?;
        store.set_fuel(fuel).map_err(Outcome::from)?;
        let instance = store.instantiate(&module).map_err(Outcome::from)?;
        self.store = Some(store);
        Ok(instance)
    }
}

impl Side for Embedded<'_> {
    fn instantiate(&mut self, wasm: &[u8]) -> Outcome {
        self.store = None;
        match self.start(wasm, FUEL) {
            Ok(instance) => {
                self.instance = instance;
                Outcome::Values(Vec::new())
            }
            Err(outcome) => outcome,
        }
    }

    fn call(&mut self, name: &str, args: &[Value]) -> (Outcome, u64) {
        let instance = self.instance;
        let store = match self.store() {
            Ok(store) => store,
            Err(outcome) => return (outcome, 0),
        };
        if let Err(f) = store.set_fuel(FUEL) {
            return (f.into(), 0);
        }
        let outcome = match store.call(instance, name, args, RESULTS_CAP) {
            Ok(values) => Outcome::Values(values),
            Err(f) => f.into(),
        };
        (outcome, store.fuel().unwrap_or(u64::MAX))
    }

    fn global(&mut self, name: &str) -> Outcome {
        let instance = self.instance;
        match self.store() {
            Ok(store) => match store.global_get(instance, name) {
                Ok(v) => Outcome::Values(vec![v]),
                Err(f) => f.into(),
            },
            Err(outcome) => outcome,
        }
    }

    fn memory_hash(&mut self, name: &str, is_64: bool) -> Outcome {
        let (instance, engine, compiler) = (self.instance, self.engine, self.compiler);
        let run = |store: &mut Store<'_>| -> Result<Vec<Value>, Outcome> {
            let artifact = compiler
                .precompile(hasher(name, is_64).as_bytes())
                .map_err(|e| Outcome::Invalid(format!("{e:#}")))?;
            let helper = engine.load(&artifact)?;
            store.register(instance, REGISTERED)?;
            let h = store.instantiate(&helper)?;
            store.set_fuel(HASH_FUEL)?;
            Ok(store.call(h, "hash", &[], 1)?)
        };
        match self.store() {
            Ok(store) => run(store).map_or_else(|o| o, Outcome::Values),
            Err(outcome) => outcome,
        }
    }
}

/// Stock Wasmtime: its defaults plus the mode's feature set and fuel
/// (`modes::wasm_features`, as every reference run of the host), on `arch`
/// (`modes::stock`).
pub fn stock_config(arch: Arch) -> anyhow::Result<Config> {
    let mut config = Config::new();
    modes::wasm_features(&mut config);
    modes::stock(arch, false, &mut config)?;
    Ok(config)
}

/// Stock Wasmtime, the reference (see [`stock_config`]).
pub struct Stock {
    engine: wasmtime::Engine,
    /// The loader-only build's way to compile: the x86_64 host.
    #[cfg(not(feature = "compiler"))]
    compiler: Compiler,
    module: Option<wasmtime::Module>,
    run: Option<(wasmtime::Store<StoreLimits>, Instance)>,
}

fn failure(e: wasmtime::Error) -> Outcome {
    match e.downcast_ref::<Trap>() {
        Some(trap) => Outcome::Trap(Some(*trap)),
        None if e.is::<wasmtime::ThrownException>() => Outcome::Exception,
        None => Outcome::Error(format!("{e:#}")),
    }
}

fn store_limits() -> StoreLimits {
    let l = limits();
    StoreLimitsBuilder::new()
        .trap_on_grow_failure(false)
        .memory_size(l.memory_bytes as usize)
        .table_elements(l.table_elements as usize)
        .build()
}

impl Stock {
    pub fn new() -> anyhow::Result<Stock> {
        Ok(Stock {
            engine: wasmtime::Engine::new(&stock_config(Arch::NATIVE)?)?,
            #[cfg(not(feature = "compiler"))]
            compiler: Compiler::fuzz_stock(),
            module: None,
            run: None,
        })
    }

    /// `wasm` (text or binary) compiled, or why it is invalid.
    fn compile(&self, wasm: &[u8]) -> Result<wasmtime::Module, Outcome> {
        #[cfg(feature = "compiler")]
        let module = wasmtime::Module::new(&self.engine, wasm);
        #[cfg(not(feature = "compiler"))]
        let module = self.compiler.precompile(wasm).and_then(|artifact| {
            // SAFETY: compiled by the x86_64 host with this engine's
            // configuration (`stock_config` for this arch).
            unsafe { wasmtime::Module::deserialize(&self.engine, artifact) }
                .map_err(anyhow::Error::from)
        });
        module.map_err(|e| Outcome::Invalid(format!("{e:#}")))
    }

    /// The module of the last `instantiate`, for its exports' types.
    pub fn module(&self) -> Option<&wasmtime::Module> {
        self.module.as_ref()
    }

    fn value(
        store: &mut wasmtime::Store<StoreLimits>,
        v: &wasmtime::Val,
    ) -> Result<Value, Outcome> {
        let raw = values::from_wasm(&mut *store, v).map_err(failure)?;
        Value::from_raw(&raw).map_err(|e| Outcome::Error(format!("{e:#}")))
    }

    fn call_in(
        store: &mut wasmtime::Store<StoreLimits>,
        instance: Instance,
        name: &str,
        args: &[Value],
    ) -> Result<Vec<Value>, Outcome> {
        let func = instance
            .get_func(&mut *store, name)
            .ok_or_else(|| Outcome::Error(format!("no exported function `{name}`")))?;
        let args = args
            .iter()
            .map(|a| values::to_wasm(&mut *store, &a.to_raw()).map_err(failure))
            .collect::<Result<Vec<_>, _>>()?;
        let mut results = vec![wasmtime::Val::I32(0); func.ty(&*store).results().len()];
        func.call(&mut *store, &args, &mut results)
            .map_err(failure)?;
        results.iter().map(|v| Self::value(store, v)).collect()
    }
}

impl Side for Stock {
    fn instantiate(&mut self, wasm: &[u8]) -> Outcome {
        self.run = None;
        self.module = None;
        let module = match self.compile(wasm) {
            Ok(m) => m,
            Err(outcome) => return outcome,
        };
        self.module = Some(module.clone());
        let mut store = wasmtime::Store::new(&self.engine, store_limits());
        store.limiter(|l| l);
        if let Err(e) = store.set_fuel(FUEL) {
            return failure(e);
        }
        match Linker::new(&self.engine).instantiate(&mut store, &module) {
            Ok(instance) => {
                self.run = Some((store, instance));
                Outcome::Values(Vec::new())
            }
            Err(e) => failure(e),
        }
    }

    fn call(&mut self, name: &str, args: &[Value]) -> (Outcome, u64) {
        let Some((store, instance)) = &mut self.run else {
            return (Outcome::Error("no instance".into()), 0);
        };
        if let Err(e) = store.set_fuel(FUEL) {
            return (failure(e), 0);
        }
        let outcome =
            Self::call_in(store, *instance, name, args).map_or_else(|o| o, Outcome::Values);
        (outcome, store.get_fuel().unwrap_or(u64::MAX))
    }

    fn global(&mut self, name: &str) -> Outcome {
        let Some((store, instance)) = &mut self.run else {
            return Outcome::Error("no instance".into());
        };
        let Some(global) = instance.get_global(&mut *store, name) else {
            return Outcome::Error(format!("no exported global `{name}`"));
        };
        let v = global.get(&mut *store);
        Self::value(store, &v).map_or_else(|o| o, |v| Outcome::Values(vec![v]))
    }

    fn memory_hash(&mut self, name: &str, is_64: bool) -> Outcome {
        let engine = self.engine.clone();
        let helper = self.compile(hasher(name, is_64).as_bytes());
        let Some((store, instance)) = &mut self.run else {
            return Outcome::Error("no instance".into());
        };
        let run = || -> Result<Vec<Value>, Outcome> {
            let helper = helper?;
            let mut linker = Linker::new(&engine);
            linker
                .instance(&mut *store, REGISTERED, *instance)
                .map_err(failure)?;
            let h = linker.instantiate(&mut *store, &helper).map_err(failure)?;
            store.set_fuel(HASH_FUEL).map_err(failure)?;
            Self::call_in(&mut *store, h, "hash", &[])
        };
        run().map_or_else(|o| o, Outcome::Values)
    }
}

impl From<Failure> for Outcome {
    fn from(f: Failure) -> Outcome {
        if f.is_exception() {
            Outcome::Exception
        } else if f.is_trap_like() {
            Outcome::Trap(f.trap)
        } else {
            Outcome::Error(f.message)
        }
    }
}
