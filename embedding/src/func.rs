//! Exported functions resolved once (`func_get`) and called by handle
//! (`func_call`): the host->wasm fast path.
//!
//! `call` finds the export by name and asks Wasmtime for its type on every
//! call (a hash lookup, a type-registry lock and a clone of the type). A
//! handle does both once; a call then checks the arguments against the
//! cached type and enters Wasmtime through `Func::call_unchecked` with a
//! buffer the handle owns, so a call with numeric values allocates nothing.

use crate::errors::{self, non_null, status, str_arg};
use crate::raw_values;
use crate::store::{StoreOwner, state};
use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use embedding_abi::values::{self, numeric_kind};
use embedding_abi::{EmbError, EmbFunc, EmbStore, EmbVal};
use wasmtime::{Func, Val, ValRaw, ValType};

/// What an `EmbFunc *` points at.
struct FuncHandle {
    /// The store the function lives in; `store_free` marks it gone, so a
    /// handle that outlives its store is refused instead of followed.
    owner: Arc<StoreOwner>,
    func: Func,
    name: String,
    params: Box<[ValType]>,
    results: Box<[ValType]>,
    /// Arguments in, results out: `max(params, results)` slots.
    raw: Box<[ValRaw]>,
}

pub unsafe extern "C" fn func_get(
    store: *mut EmbStore,
    instance: u32,
    name: *const u8,
    name_len: usize,
    out: *mut *mut EmbFunc,
) -> *mut EmbError {
    let _serial = crate::serial::enter();
    status((|| {
        let state = unsafe { state(store)? };
        let name = unsafe { str_arg("func_get: name", name, name_len)? };
        non_null("func_get: out", out)?;
        let func = state.export_func(instance, name)?;
        let ty = func.ty(&state.store);
        let params: Box<[ValType]> = ty.params().collect();
        let results: Box<[ValType]> = ty.results().collect();
        let slots = params.len().max(results.len());
        let handle = FuncHandle {
            owner: state.owner.clone(),
            func,
            name: name.into(),
            params,
            results,
            raw: (0..slots).map(|_| ValRaw::i64(0)).collect(),
        };
        unsafe { *out = Box::into_raw(Box::new(handle)).cast() };
        Ok(())
    })())
}

pub unsafe extern "C" fn func_free(func: *mut EmbFunc) {
    let _serial = crate::serial::enter();
    if !func.is_null() {
        // SAFETY: made by `func_get`. Dropping a `Func` touches no store.
        drop(unsafe { Box::from_raw(func.cast::<FuncHandle>()) });
    }
}

pub unsafe extern "C" fn func_call(
    store: *mut EmbStore,
    func: *mut EmbFunc,
    args: *const EmbVal,
    nargs: usize,
    results: *mut EmbVal,
    results_cap: usize,
    nresults: *mut usize,
) -> *mut EmbError {
    let _serial = crate::serial::enter();
    status((|| {
        non_null("func_call: func", func)?;
        // SAFETY: made by `func_get` and not yet freed (the caller's promise).
        let h = unsafe { &mut *func.cast::<FuncHandle>() };
        // Checked before `store` is touched: when the function's store is
        // gone, `store` is most likely that freed pointer.
        if !h.owner.is_alive() {
            return Err(errors::message(format!(
                "func_call: the store of `{}` was freed (a function handle lives no \
                 longer than the store it came from)",
                h.name
            )));
        }
        let state = unsafe { state(store)? };
        if !Arc::ptr_eq(&h.owner, &state.owner) {
            return Err(errors::message(format!(
                "func_call: `{}` belongs to another store than the one passed",
                h.name
            )));
        }
        non_null("func_call: nresults", nresults)?;
        if nargs != h.params.len() {
            return Err(errors::message(format!(
                "func_call: `{}` takes {} arguments, {nargs} given",
                h.name,
                h.params.len()
            )));
        }
        let count = h.results.len();
        if count > results_cap {
            return Err(errors::message(format!(
                "func_call: `{}` returns {count} values, the caller has room for {results_cap}",
                h.name
            )));
        }
        if count > 0 {
            non_null("func_call: results", results)?;
        }
        let args = if nargs == 0 {
            &[][..]
        } else {
            non_null("func_call: args", args)?;
            // SAFETY: the caller passes `nargs` values.
            unsafe { core::slice::from_raw_parts(args, nargs) }
        };
        for (i, (arg, ty)) in args.iter().zip(&h.params).enumerate() {
            h.raw[i] = argument(&mut state.store, &h.name, i, arg, ty)?;
        }
        // SAFETY: `raw` has a slot for every parameter and result, and each
        // parameter slot holds a value of its declared type, checked above;
        // `func` belongs to `state.store` (the owner check).
        unsafe {
            h.func
                .call_unchecked(&mut state.store, core::ptr::from_mut(&mut *h.raw))
                .map_err(errors::from_wasmtime)?;
        }
        for (i, ty) in h.results.iter().enumerate() {
            let v = result(&mut state.store, h.raw[i], ty)?;
            // SAFETY: the caller passes room for `results_cap` >= `count` values.
            unsafe { results.add(i).write(v) };
        }
        // SAFETY: checked non-null above.
        unsafe { *nresults = count };
        Ok(())
    })())
}

/// Argument `i` of `name` as Wasmtime's raw value, refused unless it has
/// the parameter's type.
fn argument(
    store: &mut wasmtime::Store<wasmtime::StoreLimits>,
    name: &str,
    i: usize,
    arg: &EmbVal,
    ty: &ValType,
) -> Result<ValRaw, *mut EmbError> {
    let mismatch = || {
        errors::message(format!(
            "func_call: argument {i} of `{name}` is {:?}, the function takes {ty}",
            arg.kind
        ))
    };
    match (numeric_kind(ty), raw_values::to_raw(arg)) {
        (Some(want), Some(raw)) if want == arg.kind => Ok(raw),
        (Some(_), _) | (None, Some(_)) => Err(mismatch()),
        (None, None) => {
            let val = values::to_wasm(&mut *store, arg).map_err(errors::from_wasmtime)?;
            if !val.matches_ty(&*store, ty).map_err(errors::from_wasmtime)? {
                return Err(mismatch());
            }
            val.to_raw(&mut *store).map_err(errors::from_wasmtime)
        }
    }
}

/// A result of type `ty`, as the ABI's value.
fn result(
    store: &mut wasmtime::Store<wasmtime::StoreLimits>,
    raw: ValRaw,
    ty: &ValType,
) -> Result<EmbVal, *mut EmbError> {
    if let Some(val) = numeric_kind(ty).and_then(|kind| raw_values::from_raw(raw, kind)) {
        return Ok(val);
    }
    // SAFETY: the function just returned `raw` as a value of `ty` in this
    // store.
    let val: Val = unsafe { Val::from_raw(&mut *store, raw, ty.clone()) };
    values::from_wasm(&mut *store, &val).map_err(errors::from_wasmtime)
}
