//! Stores: instances, the linker their imports resolve against, and fuel.

use crate::engine;
use crate::errors::{self, non_null, status, str_arg};
use crate::in_place::Claim;
use alloc::boxed::Box;
use alloc::format;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, Ordering};
use embedding_abi::values;
use embedding_abi::{EMB_NO_LIMIT, EmbEngine, EmbError, EmbLimits, EmbModule, EmbStore, EmbVal};
use wasmtime::{Instance, Linker, Store, StoreLimits, StoreLimitsBuilder, Val};

pub struct StoreState {
    /// The store's data is its resource limiter (`store_set_limits`).
    pub store: Store<StoreLimits>,
    pub linker: Linker<StoreLimits>,
    instances: Vec<Instance>,
    /// Shared with the function handles made in this store (`func.rs`).
    pub owner: Arc<StoreOwner>,
    /// The in-place modules instantiated here: their bytes stay in use
    /// until the store is freed (`in_place.rs`).
    claims: Vec<Arc<Claim>>,
}

/// Whether a store still exists, as seen by the handles that refer to it:
/// they may outlive it, and must then refuse to be used.
pub struct StoreOwner {
    alive: AtomicBool,
}

impl StoreOwner {
    pub fn is_alive(&self) -> bool {
        self.alive.load(Ordering::Acquire)
    }
}

/// The state behind a handle.
#[inline]
pub unsafe fn state<'a>(store: *mut EmbStore) -> Result<&'a mut StoreState, *mut EmbError> {
    non_null("store", store)?;
    // SAFETY: made by `store_new`, not freed, used by one thread at a time.
    Ok(unsafe { &mut *store.cast::<StoreState>() })
}

impl StoreState {
    pub fn instance(&self, index: u32) -> Result<Instance, *mut EmbError> {
        self.instances.get(index as usize).copied().ok_or_else(|| {
            errors::message(format!(
                "no instance {index} in this store (it has {})",
                self.instances.len()
            ))
        })
    }

    /// The function instance `index` exports as `name`.
    pub fn export_func(&mut self, index: u32, name: &str) -> Result<wasmtime::Func, *mut EmbError> {
        self.instance(index)?
            .get_func(&mut self.store, name)
            .ok_or_else(|| errors::message(format!("no exported function `{name}`")))
    }
}

pub unsafe extern "C" fn store_new(
    engine: *const EmbEngine,
    out: *mut *mut EmbStore,
) -> *mut EmbError {
    let _serial = crate::serial::enter();
    status((|| {
        let engine = unsafe { engine::engine(engine)? };
        non_null("store_new: out", out)?;
        let mut linker = Linker::new(engine);
        // Scripts register several instances under one name in turn; the
        // latest definition wins, as in the spec interpreter.
        linker.allow_shadowing(true);
        let state = StoreState {
            // `try_new`: an exhausted heap is an error here, not a panic.
            store: Store::try_new(engine, StoreLimits::default()).map_err(errors::from_wasmtime)?,
            linker,
            instances: Vec::new(),
            owner: Arc::new(StoreOwner {
                alive: AtomicBool::new(true),
            }),
            claims: Vec::new(),
        };
        let mut state = state;
        state.store.limiter(|limits| limits);
        no_deadline(&mut state.store);
        unsafe { *out = Box::into_raw(Box::new(state)).cast() };
        Ok(())
    })())
}

pub unsafe extern "C" fn store_free(store: *mut EmbStore) {
    let _serial = crate::serial::enter();
    if !store.is_null() {
        // SAFETY: made by `store_new`.
        let state = unsafe { Box::from_raw(store.cast::<StoreState>()) };
        state.owner.alive.store(false, Ordering::Release);
        drop(state);
    }
}

pub unsafe extern "C" fn store_set_fuel(store: *mut EmbStore, fuel: u64) -> *mut EmbError {
    let _serial = crate::serial::enter();
    status((|| {
        let state = unsafe { state(store)? };
        state.store.set_fuel(fuel).map_err(errors::from_wasmtime)
    })())
}

pub unsafe extern "C" fn store_get_fuel(store: *mut EmbStore, out: *mut u64) -> *mut EmbError {
    let _serial = crate::serial::enter();
    status((|| {
        let state = unsafe { state(store)? };
        non_null("store_get_fuel: out", out)?;
        let fuel = state.store.get_fuel().map_err(errors::from_wasmtime)?;
        unsafe { *out = fuel };
        Ok(())
    })())
}

pub unsafe extern "C" fn store_set_limits(
    store: *mut EmbStore,
    limits: *const EmbLimits,
) -> *mut EmbError {
    let _serial = crate::serial::enter();
    status((|| {
        let state = unsafe { state(store)? };
        non_null("store_set_limits: limits", limits)?;
        // SAFETY: checked non-null; the caller passes a valid struct.
        let limits = unsafe { *limits };
        // A limit beyond the address space is no limit.
        let size = |v: u64| usize::try_from(v).unwrap_or(usize::MAX);
        let mut builder = StoreLimitsBuilder::new()
            // -1 from `memory.grow`/`table.grow`, as the specification allows.
            .trap_on_grow_failure(false)
            .instances(size(limits.instances))
            .memories(size(limits.memories))
            .tables(size(limits.tables));
        if limits.memory_bytes != EMB_NO_LIMIT {
            builder = builder.memory_size(size(limits.memory_bytes));
        }
        if limits.table_elements != EMB_NO_LIMIT {
            builder = builder.table_elements(size(limits.table_elements));
        }
        *state.store.data_mut() = builder.build();
        // Wasmtime reads the count limits when the limiter is installed, so
        // install it again.
        state.store.limiter(|limits| limits);
        Ok(())
    })())
}

/// What [`EMB_NO_DEADLINE`] arms: Wasmtime has no "never", and a store of
/// an epoch-enabled engine with no deadline set traps at once, so "never"
/// is 2^63 ticks away (the sum with the current epoch cannot wrap before
/// the engine has counted 2^63 ticks).
#[cfg(target_has_atomic = "64")]
pub const NEVER_TICKS: u64 = 1 << 63;

/// Removes a store's epoch deadline (see [`NEVER_TICKS`]). Without 64-bit
/// atomics there are no epochs, hence no deadline to remove.
pub fn no_deadline<T>(_store: &mut Store<T>) {
    #[cfg(target_has_atomic = "64")]
    _store.set_epoch_deadline(NEVER_TICKS);
}

pub unsafe extern "C" fn store_set_epoch_deadline(
    store: *mut EmbStore,
    ticks: u64,
) -> *mut EmbError {
    let _serial = crate::serial::enter();
    status((|| {
        let state = unsafe { state(store)? };
        set_epoch_deadline(&mut state.store, ticks)
    })())
}

#[cfg(target_has_atomic = "64")]
fn set_epoch_deadline<T>(store: &mut Store<T>, ticks: u64) -> Result<(), *mut EmbError> {
    use embedding_abi::{EMB_MAX_DEADLINE_TICKS, EMB_NO_DEADLINE};
    match ticks {
        EMB_NO_DEADLINE => no_deadline(store),
        0..=EMB_MAX_DEADLINE_TICKS => store.set_epoch_deadline(ticks),
        _ => {
            return Err(errors::message(format!(
                "store_set_epoch_deadline: {ticks} ticks is beyond the largest deadline \
                 ({EMB_MAX_DEADLINE_TICKS}); pass EMB_NO_DEADLINE for none"
            )));
        }
    }
    Ok(())
}

/// Wasmtime compiles no epochs where `AtomicU64` does not exist (RV32IMAC,
/// ARMv7E-M), and the configuration of those targets does not enable them
/// (`modes.rs`): refuse, naming the alternative.
#[cfg(not(target_has_atomic = "64"))]
fn set_epoch_deadline<T>(_store: &mut Store<T>, _ticks: u64) -> Result<(), *mut EmbError> {
    Err(errors::message(alloc::string::String::from(
        "store_set_epoch_deadline: epoch interruption needs 64-bit atomics, which this \
         target lacks (Wasmtime has no epochs without AtomicU64); bound guests with fuel \
         (store_set_fuel) instead",
    )))
}

pub unsafe extern "C" fn instantiate(
    store: *mut EmbStore,
    module: *const EmbModule,
    out: *mut u32,
) -> *mut EmbError {
    let _serial = crate::serial::enter();
    status((|| {
        let state = unsafe { state(store)? };
        let loaded = unsafe { engine::module(module)? };
        non_null("instantiate: out", out)?;
        // Before instantiating: a failed instantiation (a trapping start
        // function) can leave the instance, and so the module, in the store.
        if let Some(claim) = &loaded.claim
            && !state.claims.iter().any(|c| Arc::ptr_eq(c, claim))
        {
            state.claims.push(claim.clone());
        }
        let instance = state
            .linker
            .instantiate(&mut state.store, &loaded.module)
            .map_err(errors::from_wasmtime)?;
        let index = u32::try_from(state.instances.len())
            .map_err(|_| errors::message("too many instances in one store".into()))?;
        state.instances.push(instance);
        unsafe { *out = index };
        Ok(())
    })())
}

pub unsafe extern "C" fn register(
    store: *mut EmbStore,
    instance: u32,
    name: *const u8,
    name_len: usize,
) -> *mut EmbError {
    let _serial = crate::serial::enter();
    status((|| {
        let state = unsafe { state(store)? };
        let name = unsafe { str_arg("register: name", name, name_len)? };
        let instance = state.instance(instance)?;
        state
            .linker
            .instance(&mut state.store, name, instance)
            .map_err(errors::from_wasmtime)?;
        Ok(())
    })())
}

pub unsafe extern "C" fn call(
    store: *mut EmbStore,
    instance: u32,
    name: *const u8,
    name_len: usize,
    args: *const EmbVal,
    nargs: usize,
    results: *mut EmbVal,
    results_cap: usize,
    nresults: *mut usize,
) -> *mut EmbError {
    let _serial = crate::serial::enter();
    status((|| {
        let state = unsafe { state(store)? };
        let name = unsafe { str_arg("call: name", name, name_len)? };
        non_null("call: nresults", nresults)?;
        let func = state.export_func(instance, name)?;
        let args = if nargs == 0 {
            &[][..]
        } else {
            non_null("call: args", args)?;
            // SAFETY: the caller passes `nargs` values.
            unsafe { core::slice::from_raw_parts(args, nargs) }
        };
        let args = args
            .iter()
            .map(|a| values::to_wasm(&mut state.store, a).map_err(errors::from_wasmtime))
            .collect::<Result<Vec<_>, _>>()?;
        let ty = func.ty(&state.store);
        let count = ty.results().len();
        if count > results_cap {
            return Err(errors::message(format!(
                "`{name}` returns {count} values, the caller has room for {results_cap}"
            )));
        }
        let mut out = alloc::vec![Val::I32(0); count];
        // Wasmtime checks the number and types of the arguments.
        func.call(&mut state.store, &args, &mut out)
            .map_err(errors::from_wasmtime)?;
        if count > 0 {
            non_null("call: results", results)?;
        }
        // SAFETY: checked non-null above.
        unsafe { *nresults = count };
        for (i, v) in out.iter().enumerate() {
            let v = values::from_wasm(&mut state.store, v).map_err(errors::from_wasmtime)?;
            // SAFETY: the caller passes room for `results_cap` >= `count` values.
            unsafe { results.add(i).write(v) };
        }
        Ok(())
    })())
}

pub unsafe extern "C" fn global_get(
    store: *mut EmbStore,
    instance: u32,
    name: *const u8,
    name_len: usize,
    out: *mut EmbVal,
) -> *mut EmbError {
    let _serial = crate::serial::enter();
    status((|| {
        let state = unsafe { state(store)? };
        let name = unsafe { str_arg("global_get: name", name, name_len)? };
        non_null("global_get: out", out)?;
        let instance = state.instance(instance)?;
        let global = instance
            .get_global(&mut state.store, name)
            .ok_or_else(|| errors::message(format!("no exported global `{name}`")))?;
        let value = global.get(&mut state.store);
        let value = values::from_wasm(&mut state.store, &value).map_err(errors::from_wasmtime)?;
        unsafe { out.write(value) };
        Ok(())
    })())
}
