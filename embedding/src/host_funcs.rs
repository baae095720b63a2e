//! Host functions: C callbacks made importable by WebAssembly.

use crate::errors::{self, HostFuncFailed, status, str_arg};
use crate::store::state;
use alloc::vec::Vec;
use core::ffi::c_void;
use core::mem::MaybeUninit;
use embedding_abi::values;
use embedding_abi::{EmbError, EmbHostFunc, EmbStore, EmbVal, EmbValKind};
use wasmtime::FuncType;

/// The host's callback and its environment pointer.
#[derive(Clone, Copy)]
struct Callback {
    func: EmbHostFunc,
    env: *mut c_void,
}

impl Callback {
    /// Calls the host. (A method, so closures capture the whole `Callback`
    /// rather than its raw pointer field alone.)
    unsafe fn call(&self, args: &[EmbVal], results: &mut [EmbVal]) -> i32 {
        unsafe {
            (self.func)(
                self.env,
                args.as_ptr(),
                args.len(),
                results.as_mut_ptr(),
                results.len(),
            )
        }
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
        state
            .linker
            .func_new(module, name, ty, move |mut caller, args, out| {
                // On the stack for the usual few values: a host call then
                // allocates nothing of the embedding's own.
                let mut args_buf = [const { MaybeUninit::uninit() }; INLINE];
                let mut out_buf = [const { MaybeUninit::uninit() }; INLINE];
                let mut args_vec = Vec::new();
                let mut out_vec = Vec::new();
                let raw_args = buffer(&mut args_buf, &mut args_vec, args.len());
                let raw_out = buffer(&mut out_buf, &mut out_vec, out.len());
                for (slot, a) in raw_args.iter_mut().zip(args) {
                    *slot = values::from_wasm(&mut caller, a)?;
                }
                // SAFETY: the host promised this callback takes these arrays.
                let code = crate::serial::outside(|| unsafe { callback.call(raw_args, raw_out) });
                if code != 0 {
                    return Err(wasmtime::Error::new(HostFuncFailed { code }));
                }
                for (slot, v) in out.iter_mut().zip(&*raw_out) {
                    *slot = values::to_wasm(&mut caller, v)?;
                }
                Ok(())
            })
            .map_err(errors::from_wasmtime)?;
        Ok(())
    })())
}

/// Values a host call passes without allocating, each way.
const INLINE: usize = 8;

/// `len` values: the first of `inline` when they fit, else `spill`. Only
/// those `len` are initialised: clearing the whole array cost more than
/// the rest of an empty host call (the embedding's `memset` in `perf`).
fn buffer<'a>(
    inline: &'a mut [MaybeUninit<EmbVal>; INLINE],
    spill: &'a mut Vec<EmbVal>,
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
        spill.resize(len, EMPTY);
        spill
    }
}

const EMPTY: EmbVal = EmbVal {
    kind: EmbValKind::I32,
    of: embedding_abi::EmbValPayload { i64: 0 },
};
