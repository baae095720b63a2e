//! Host functions: C callbacks made importable by WebAssembly.

use crate::errors::{self, HostFuncFailed, status, str_arg};
use crate::store::state;
use alloc::vec::Vec;
use core::ffi::c_void;
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
                let args = args
                    .iter()
                    .map(|a| values::from_wasm(&mut caller, a))
                    .collect::<wasmtime::Result<Vec<EmbVal>>>()?;
                let mut raw = Vec::with_capacity(out.len());
                raw.resize(out.len(), EMPTY);
                // SAFETY: the host promised this callback takes these arrays.
                let code = crate::serial::outside(|| unsafe { callback.call(&args, &mut raw) });
                if code != 0 {
                    return Err(wasmtime::Error::new(HostFuncFailed { code }));
                }
                for (slot, v) in out.iter_mut().zip(&raw) {
                    *slot = values::to_wasm(&mut caller, v)?;
                }
                Ok(())
            })
            .map_err(errors::from_wasmtime)?;
        Ok(())
    })())
}

const EMPTY: EmbVal = EmbVal {
    kind: EmbValKind::I32,
    of: embedding_abi::EmbValPayload { i64: 0 },
};
