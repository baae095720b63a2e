//! `module_load_in_place`: Pulley artifacts run from the caller's memory
//! (`Module::deserialize_raw`), as a kernel would run them from flash.
//!
//! Wasmtime registers every loaded module's code by address in a global
//! map, and asserts (panics) when a second module registers the same
//! range. A copy always has an address of its own; bytes loaded in place
//! do not, so the embedding refuses to load bytes in place while a module
//! loaded from them may still be alive. A [`Claim`] records that: the
//! module handle holds one, and so does every store that instantiated the
//! module (its instances keep the module's code); the bytes are free again
//! once the handle and those stores are all freed.

use crate::MODE;
use crate::engine::{self, LoadedModule, open_artifact};
use crate::errors::{self, non_null, status};
use alloc::format;
use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;
use core::cell::RefCell;
use core::ptr::NonNull;
use embedding_abi::envelope::ArtifactKind;
use embedding_abi::{EmbEngine, EmbError, EmbMode, EmbModule};
use wasmtime::Module;

/// Alignment asked of the artifact's first byte: the payload behind the
/// 64-byte envelope header is then as aligned as the copy Wasmtime would
/// have made, whose ELF tables it reads in place.
const ALIGN: usize = 16;

/// Bytes in use by a module loaded in place.
pub struct Claim {
    start: usize,
    len: usize,
}

/// The claims made so far; dead ones are dropped as new ones are made.
struct Claims(RefCell<Vec<Weak<Claim>>>);

// SAFETY: only `module_load_in_place` touches the list, and only in the
// Pulley modes (`minimal`, `small`), where every ABI call holds the one ABI
// lock (`serial.rs`). Other modes refuse before reaching it.
unsafe impl Sync for Claims {}

static CLAIMS: Claims = Claims(RefCell::new(Vec::new()));

/// Claims `start..start + len`, unless live bytes overlap it.
fn claim(start: usize, len: usize) -> Result<Arc<Claim>, *mut EmbError> {
    let mut claims = CLAIMS.0.borrow_mut();
    claims.retain(|c| c.strong_count() > 0);
    let end = start + len;
    if let Some(live) = claims
        .iter()
        .filter_map(Weak::upgrade)
        .find(|c| c.start < end && start < c.start + c.len)
    {
        return Err(errors::message(format!(
            "module_load_in_place: bytes {start:#x}..{end:#x} overlap {:#x}..{:#x}, which \
             back a module loaded in place that is still in use (its handle, or a store \
             that instantiated it, is not freed); Wasmtime registers code by address, so \
             the same bytes cannot be loaded twice at once",
            live.start,
            live.start + live.len
        )));
    }
    let claim = Arc::new(Claim { start, len });
    claims.push(Arc::downgrade(&claim));
    Ok(claim)
}

pub unsafe extern "C" fn module_load_in_place(
    engine: *const EmbEngine,
    bytes: *const u8,
    len: usize,
    out: *mut *mut EmbModule,
) -> *mut EmbError {
    let _serial = crate::serial::enter();
    status((|| {
        let engine = unsafe { engine::engine(engine)? };
        non_null("module_load_in_place: bytes", bytes)?;
        non_null("module_load_in_place: out", out)?;
        if matches!(MODE, EmbMode::Vm | EmbMode::Full) {
            // Native code must run from memory Wasmtime maps executable
            // itself; the caller's bytes (flash, a host buffer) cannot be.
            let mode = if MODE == EmbMode::Vm { "vm" } else { "full" };
            return Err(errors::message(format!(
                "module_load_in_place: the {mode} mode runs native code, which Wasmtime \
                 must copy into memory it can make executable; load the artifact with \
                 module_load (in place works in the minimal and small modes, whose \
                 Pulley bytecode is read as data)"
            )));
        }
        if !bytes.addr().is_multiple_of(ALIGN) {
            return Err(errors::message(format!(
                "module_load_in_place: the artifact is at {bytes:p}, which is not \
                 {ALIGN}-byte aligned"
            )));
        }
        // SAFETY: the caller passes `len` readable bytes, kept alive and
        // unchanged until the module and every store using it are freed.
        let bytes = unsafe { core::slice::from_raw_parts(bytes, len) };
        let claim = claim(bytes.as_ptr().addr(), len)?;
        let payload = open_artifact(ArtifactKind::Module, bytes)?;
        // SAFETY: as for `module_load`; Wasmtime reads `payload` for as long
        // as the module lives, which the caller promised to allow, and no
        // other live module uses these bytes (the claim).
        let module = unsafe { Module::deserialize_raw(engine, NonNull::from(payload)) }
            .map_err(errors::from_wasmtime)?;
        unsafe { *out = LoadedModule::handle(module, Some(claim)) };
        Ok(())
    })())
}
