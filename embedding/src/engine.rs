//! Engines and modules.

use crate::MODE;
use crate::errors::{self, non_null, status};
use crate::in_place::Claim;
use alloc::boxed::Box;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicUsize, Ordering};
use embedding_abi::envelope::{self, ArtifactKind};
use embedding_abi::{EmbCounter, EmbEngine, EmbError, EmbModule, modes};
use wasmtime::{Engine, Module};

pub unsafe extern "C" fn engine_new(out: *mut *mut EmbEngine) -> *mut EmbError {
    let _serial = crate::serial::enter();
    status((|| {
        non_null("engine_new: out", out)?;
        #[allow(unused_mut, reason = "changed on aarch64 and riscv64 only")]
        let mut config =
            modes::config(MODE, cfg!(feature = "wasi")).map_err(errors::from_wasmtime)?;
        // Not part of `modes.rs`: it changes how code is published, not what
        // an artifact contains, so the host need not (and cannot) share it.
        #[cfg(all(feature = "vm", any(target_arch = "aarch64", target_arch = "riscv64")))]
        crate::icache::install(&mut config);
        let engine = Engine::new(&config).map_err(errors::from_wasmtime)?;
        // SAFETY: checked non-null above.
        unsafe { *out = Box::into_raw(Box::new(engine)).cast() };
        Ok(())
    })())
}

pub unsafe extern "C" fn engine_free(engine: *mut EmbEngine) {
    let _serial = crate::serial::enter();
    if !engine.is_null() {
        // SAFETY: made by `engine_new`.
        drop(unsafe { Box::from_raw(engine.cast::<Engine>()) });
    }
}

pub unsafe extern "C" fn engine_increment_epoch(engine: *const EmbEngine) -> bool {
    // No `serial::enter`: in `minimal` the ABI lock is held by the very call
    // this interrupts, and a timer interrupt must never wait. Nothing here
    // allocates or locks: Wasmtime's `increment_epoch` is one atomic add.
    if engine.is_null() {
        return false;
    }
    #[cfg(target_has_atomic = "64")]
    {
        // SAFETY: made by `engine_new` and not yet freed (the caller's promise).
        unsafe { &*engine.cast::<Engine>() }.increment_epoch();
        true
    }
    // Wasmtime has no epochs without `AtomicU64` (RV32IMAC, ARMv7E-M): the
    // ABI says `false`, and `store_set_epoch_deadline` explains why.
    #[cfg(not(target_has_atomic = "64"))]
    false
}

/// The engine behind a handle.
pub unsafe fn engine<'a>(engine: *const EmbEngine) -> Result<&'a Engine, *mut EmbError> {
    non_null("engine", engine)?;
    // SAFETY: made by `engine_new` and not yet freed (the caller's promise).
    Ok(unsafe { &*engine.cast::<Engine>() })
}

pub unsafe extern "C" fn module_load(
    engine: *const EmbEngine,
    bytes: *const u8,
    len: usize,
    out: *mut *mut EmbModule,
) -> *mut EmbError {
    let _serial = crate::serial::enter();
    status((|| {
        let engine = unsafe { self::engine(engine)? };
        non_null("module_load: bytes", bytes)?;
        non_null("module_load: out", out)?;
        // SAFETY: the caller passes `len` readable bytes.
        let bytes = unsafe { core::slice::from_raw_parts(bytes, len) };
        let bytes = open_artifact(ArtifactKind::Module, bytes)?;
        // SAFETY: the envelope matched; Wasmtime validates the artifact's header, version, target,
        // flags and configuration; its code is trusted, as this ABI documents.
        let module =
            unsafe { Module::deserialize(engine, bytes) }.map_err(errors::from_wasmtime)?;
        unsafe { *out = LoadedModule::handle(module, None) };
        Ok(())
    })())
}

pub unsafe extern "C" fn module_free(module: *mut EmbModule) {
    let _serial = crate::serial::enter();
    if !module.is_null() {
        // SAFETY: made by `module_load` or `module_load_in_place`.
        drop(unsafe { Box::from_raw(module.cast::<LoadedModule>()) });
    }
}

/// What an `EmbModule *` points at.
pub struct LoadedModule {
    pub module: Module,
    /// For a module loaded in place: held by the handle and by every store
    /// that instantiates it, so the bytes count as in use until all are
    /// freed (`in_place.rs`).
    pub claim: Option<Arc<Claim>>,
}

impl LoadedModule {
    /// A new handle for the host.
    pub fn handle(module: Module, claim: Option<Arc<Claim>>) -> *mut EmbModule {
        Box::into_raw(Box::new(LoadedModule { module, claim })).cast()
    }
}

/// The module behind a handle.
pub unsafe fn module<'a>(module: *const EmbModule) -> Result<&'a LoadedModule, *mut EmbError> {
    non_null("module", module)?;
    // SAFETY: made by `module_load` or `module_load_in_place`, not yet freed.
    Ok(unsafe { &*module.cast::<LoadedModule>() })
}

/// Payloads handed to Wasmtime's deserializer (`artifacts_deserialized`).
/// Pointer-wide, because 32-bit microcontrollers have no `AtomicU64`; a
/// 32-bit count wraps after 4 billion loads, far beyond such a device's life
/// between resets.
static DESERIALIZED: AtomicUsize = AtomicUsize::new(0);

pub unsafe extern "C" fn counter(which: EmbCounter) -> u64 {
    match which {
        EmbCounter::ArtifactsDeserialized => DESERIALIZED.load(Ordering::Relaxed) as u64,
        EmbCounter::SerializedWaits => crate::serial::contended(),
    }
}

/// The one gate between the host's bytes and Wasmtime's deserializer, for
/// modules and components: checks the integrity envelope (`envelope.rs`)
/// and returns the payload, counted as about to be deserialized.
pub fn open_artifact(kind: ArtifactKind, bytes: &[u8]) -> Result<&[u8], *mut EmbError> {
    let payload = envelope::open(kind, MODE, bytes)
        .map_err(|e| errors::message(alloc::format!("{e} ({} bytes)", bytes.len())))?;
    DESERIALIZED.fetch_add(1, Ordering::Relaxed);
    Ok(payload)
}
