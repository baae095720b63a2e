//! A `no_std` Wasmtime embedding for a target without an operating system.
//!
//! Everything OS-shaped reaches Wasmtime through the C platform hooks in
//! `platform/wasmtime-platform.h`; everything the host does goes through the
//! one exported symbol, [`embedding_api`], whose table is declared in
//! `embedding-abi` (`embedding/abi/src/api.rs`).

#![no_std]

extern crate alloc;

mod engine;
mod errors;
mod func;
mod heap;
mod host_funcs;
#[cfg(all(feature = "vm", any(target_arch = "aarch64", target_arch = "riscv64")))]
mod icache;
mod in_place;
#[cfg(any(feature = "wasi", feature = "wasip1"))]
mod os;
mod panic;
mod raw_values;
mod serial;
mod softfloat;
mod store;
#[cfg(any(feature = "wasi", feature = "wasip1"))]
mod wasi;

use embedding_abi::{EMB_ABI_VERSION, EmbApi, EmbMode, EmbWasiApi};

#[cfg(not(any(feature = "minimal", feature = "vm", feature = "small")))]
compile_error!(
    "build the embedding with exactly one of the features `minimal`, `vm`, `full`, `small`"
);

/// The mode this build implements; `full` implies the `vm` feature.
pub(crate) const MODE: EmbMode = if cfg!(feature = "full") {
    EmbMode::Full
} else if cfg!(feature = "vm") {
    EmbMode::Vm
} else if cfg!(feature = "small") {
    EmbMode::Small
} else {
    EmbMode::Minimal
};

static API: EmbApi = EmbApi {
    abi_version: EMB_ABI_VERSION,
    mode: MODE,
    heap_size: heap::HEAP_SIZE,
    set_panic_hook: panic::set_panic_hook,
    heap_used: heap::heap_used,
    heap_peak: heap::heap_peak,
    counter: engine::counter,
    error_free: errors::error_free,
    engine_new: engine::engine_new,
    engine_free: engine::engine_free,
    engine_increment_epoch: engine::engine_increment_epoch,
    module_load: engine::module_load,
    module_free: engine::module_free,
    store_new: store::store_new,
    store_free: store::store_free,
    store_set_fuel: store::store_set_fuel,
    store_get_fuel: store::store_get_fuel,
    store_set_limits: store::store_set_limits,
    store_set_epoch_deadline: store::store_set_epoch_deadline,
    define_func: host_funcs::define_func,
    instantiate: store::instantiate,
    register_instance: store::register,
    call: store::call,
    global_get: store::global_get,
    wasi: WASI_API,
    func_get: func::func_get,
    func_call: func::func_call,
    func_free: func::func_free,
    module_load_in_place: in_place::module_load_in_place,
};

#[cfg(any(feature = "wasi", feature = "wasip1"))]
const WASI_API: *const EmbWasiApi = &wasi::API;
#[cfg(not(any(feature = "wasi", feature = "wasip1")))]
const WASI_API: *const EmbWasiApi = core::ptr::null();

/// The embedding's only exported symbol: its whole C ABI.
#[unsafe(no_mangle)]
pub extern "C" fn embedding_api() -> *const EmbApi {
    &API
}

// Checked here rather than trusted: the symbol's type is the one the ABI
// declares.
const _: embedding_abi::EmbApiGetter = embedding_api;
