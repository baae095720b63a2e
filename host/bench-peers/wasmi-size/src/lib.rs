//! What a porter would ship with wasmi instead of the embedding: load a
//! binary, link a host function, instantiate with fuel, call an export,
//! all behind one exported C function. The allocator and the host function
//! come from the platform (`wasmi_size_alloc`, `wasmi_size_free`,
//! `wasmi_size_host`), so the figure is wasmi's code alone; the
//! embedding's own figure includes its allocator (dlmalloc).

#![no_std]

use core::alloc::{GlobalAlloc, Layout};
use wasmi::{Config, Engine, Linker, Module, Store};

unsafe extern "C" {
    fn wasmi_size_alloc(size: usize, align: usize) -> *mut u8;
    fn wasmi_size_free(ptr: *mut u8, size: usize, align: usize);
    fn wasmi_size_host();
}

struct PlatformHeap;

// SAFETY: the platform's allocator honours size and alignment.
unsafe impl GlobalAlloc for PlatformHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { wasmi_size_alloc(layout.size(), layout.align()) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { wasmi_size_free(ptr, layout.size(), layout.align()) }
    }
}

#[global_allocator]
static HEAP: PlatformHeap = PlatformHeap;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {
        core::hint::spin_loop();
    }
}

/// Runs the export `run(arg)` of the module `wasm[..len]`, whose import
/// `bench.nop` is the platform's `wasmi_size_host`. Returns its result, or
/// -1 (invalid module), -2 (instantiation failed), -3 (no `run`), -4 (trap).
///
/// # Safety
/// `wasm` points at `len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmi_size_run(wasm: *const u8, len: usize, arg: i32) -> i32 {
    // SAFETY: the caller's promise.
    let wasm = unsafe { core::slice::from_raw_parts(wasm, len) };
    let mut config = Config::default();
    config.consume_fuel(true);
    let engine = Engine::new(&config);
    let Ok(module) = Module::new(&engine, wasm) else {
        return -1;
    };
    let mut store = Store::new(&engine, ());
    if store.set_fuel(u64::MAX).is_err() {
        return -2;
    }
    let mut linker = Linker::new(&engine);
    // SAFETY: the platform's host function takes nothing.
    if linker
        .func_wrap("bench", "nop", || unsafe { wasmi_size_host() })
        .is_err()
    {
        return -2;
    }
    let Ok(instance) = linker.instantiate_and_start(&mut store, &module) else {
        return -2;
    };
    let Ok(run) = instance.get_typed_func::<i32, i32>(&store, "run") else {
        return -3;
    };
    run.call(&mut store, arg).unwrap_or(-4)
}
