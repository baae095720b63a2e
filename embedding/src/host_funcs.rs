//! Host functions: C callbacks made importable by WebAssembly.

use crate::errors::{self, HostFuncFailed, status, str_arg};
use crate::raw_values;
use crate::store::state;
use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::ffi::c_void;
use core::mem::MaybeUninit;
use embedding_abi::values;
use embedding_abi::{EmbError, EmbHostFunc, EmbStore, EmbVal, EmbValKind};
use wasmtime::{FuncType, ValRaw};

/// The host's callback and its environment pointer.
#[derive(Clone, Copy)]
struct Callback {
    func: EmbHostFunc,
    env: *mut c_void,
}

impl Callback {
    /// Calls the host outside the embedding's serialisation (the host may
    /// call back in); a non-zero code is the host function's failure.
    fn invoke(&self, args: &[EmbVal], results: &mut [EmbVal]) -> wasmtime::Result<()> {
        // A method, so closures capture the whole `Callback` rather than
        // its raw pointer field alone.
        let code = crate::serial::outside(|| {
            // SAFETY: the host promised this callback takes these arrays.
            unsafe {
                (self.func)(
                    self.env,
                    args.as_ptr(),
                    args.len(),
                    results.as_mut_ptr(),
                    results.len(),
                )
            }
        });
        if code != 0 {
            return Err(wasmtime::Error::new(HostFuncFailed { code }));
        }
        Ok(())
    }
}

// SAFETY: the ABI makes the host responsible for `env` being usable from
// whichever thread runs the store.
unsafe impl Send for Callback {}
unsafe impl Sync for Callback {}

unsafe fn kinds<'a>(
    what: &str,
    ptr: *const EmbValKind,
    len: usize,
) -> Result<&'a [EmbValKind], *mut EmbError> {
    if len == 0 {
        return Ok(&[]);
    }
    errors::non_null(what, ptr)?;
    // SAFETY: the caller passes `len` kinds.
    Ok(unsafe { core::slice::from_raw_parts(ptr, len) })
}

pub unsafe extern "C" fn define_func(
    store: *mut EmbStore,
    module: *const u8,
    module_len: usize,
    name: *const u8,
    name_len: usize,
    params: *const EmbValKind,
    nparams: usize,
    results: *const EmbValKind,
    nresults: usize,
    func: EmbHostFunc,
    env: *mut c_void,
) -> *mut EmbError {
    let _serial = crate::serial::enter();
    status((|| {
        let state = unsafe { state(store)? };
        let module = unsafe { str_arg("define_func: module", module, module_len)? };
        let name = unsafe { str_arg("define_func: name", name, name_len)? };
        let params = unsafe { kinds("define_func: params", params, nparams)? };
        let results = unsafe { kinds("define_func: results", results, nresults)? };
        let ty = FuncType::new(
            state.store.engine(),
            params.iter().map(|k| values::val_type(*k)),
            results.iter().map(|k| values::val_type(*k)),
        );
        let callback = Callback { func, env };
        let signature = Signature {
            name: format!("{module}.{name}"),
            results: results.into(),
        };
        if params
            .iter()
            .chain(results)
            .all(|k| raw_values::is_numeric(*k))
        {
            let params: Box<[EmbValKind]> = params.into();
            // SAFETY: the closure reads each parameter slot as its declared
            // kind and writes each result slot as its declared kind (checked
            // by `Signature::check_results`), so it keeps to `ty`.
            unsafe {
                state
                    .linker
                    .func_new_unchecked(module, name, ty, move |_caller, slots| {
                        numeric_call(&callback, &signature, &params, slots)
                    })
            }
            .map_err(errors::from_wasmtime)?;
        } else {
            state
                .linker
                .func_new(module, name, ty, move |mut caller, args, out| {
                    // On the stack for the usual few values: a host call
                    // then allocates nothing of the embedding's own.
                    let mut args_buf = [const { MaybeUninit::uninit() }; INLINE];
                    let mut out_buf = [const { MaybeUninit::uninit() }; INLINE];
                    let mut args_vec = None;
                    let mut out_vec = None;
                    let raw_args = buffer(&mut args_buf, &mut args_vec, args.len());
                    let raw_out = buffer(&mut out_buf, &mut out_vec, out.len());
                    for (slot, a) in raw_args.iter_mut().zip(args) {
                        *slot = values::from_wasm(&mut caller, a)?;
                    }
                    callback.invoke(raw_args, raw_out)?;
                    signature.check_results(raw_out)?;
                    for (slot, v) in out.iter_mut().zip(&*raw_out) {
                        *slot = values::to_wasm(&mut caller, v)?;
                    }
                    Ok(())
                })
                .map_err(errors::from_wasmtime)?;
        }
        Ok(())
    })())
}

/// What a host function's results are checked against.
struct Signature {
    /// `module.name`, for errors.
    name: String,
    results: Box<[EmbValKind]>,
}

impl Signature {
    /// Refuses results whose kinds differ from the declared ones: Wasmtime
    /// would otherwise take the bits as the declared type (numeric path)
    /// or fail with a message that does not name the function.
    fn check_results(&self, out: &[EmbVal]) -> wasmtime::Result<()> {
        for (i, (v, want)) in out.iter().zip(&self.results).enumerate() {
            if v.kind != *want {
                wasmtime::bail!(
                    "host function `{}` returned {:?} as result {i}, declared {want:?}",
                    self.name,
                    v.kind
                );
            }
        }
        Ok(())
    }
}

/// A host function whose parameters and results are all numbers: Wasmtime
/// hands over its raw value slots (parameters in, results out), which
/// convert to and from the ABI's values without the store or `Val`.
fn numeric_call(
    callback: &Callback,
    signature: &Signature,
    params: &[EmbValKind],
    slots: &mut [MaybeUninit<ValRaw>],
) -> wasmtime::Result<()> {
    let mut args_buf = [const { MaybeUninit::uninit() }; INLINE];
    let mut out_buf = [const { MaybeUninit::uninit() }; INLINE];
    let mut args_vec = None;
    let mut out_vec = None;
    let args = buffer(&mut args_buf, &mut args_vec, params.len());
    let out = buffer(&mut out_buf, &mut out_vec, signature.results.len());
    for ((arg, slot), kind) in args.iter_mut().zip(&*slots).zip(params) {
        // SAFETY: Wasmtime initialises the first `params.len()` slots with
        // the arguments; `kind` is numeric (checked at definition).
        *arg = raw_values::from_raw(unsafe { slot.assume_init() }, *kind)
            .expect("numeric parameter kinds only");
    }
    callback.invoke(args, out)?;
    signature.check_results(out)?;
    for (slot, v) in slots.iter_mut().zip(&*out) {
        slot.write(raw_values::to_raw(v).expect("result kinds checked numeric"));
    }
    Ok(())
}

/// Values a host call passes without allocating, each way.
const INLINE: usize = 8;

/// `len` values: the first of `inline` when they fit, else `spill`. Only
/// those `len` are initialised: clearing the whole array cost more than
/// the rest of an empty host call (the embedding's `memset` in `perf`).
/// The spill is an `Option` so that the common call drops no `Vec`
/// (an out-of-line `deallocate` per buffer, 8 % of `host-call` in `perf`).
#[inline]
fn buffer<'a>(
    inline: &'a mut [MaybeUninit<EmbVal>; INLINE],
    spill: &'a mut Option<Vec<EmbVal>>,
    len: usize,
) -> &'a mut [EmbVal] {
    if len <= INLINE {
        let used = &mut inline[..len];
        for slot in used.iter_mut() {
            slot.write(EMPTY);
        }
        // SAFETY: these `len` slots were initialised just above.
        unsafe { &mut *(core::ptr::from_mut(used) as *mut [EmbVal]) }
    } else {
        spill.insert(alloc::vec![EMPTY; len])
    }
}

const EMPTY: EmbVal = EmbVal {
    kind: EmbValKind::I32,
    of: embedding_abi::EmbValPayload { i64: 0 },
};
