//! `EmbError`: how failures and traps cross the ABI.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use embedding_abi::{EMB_TRAP_CODE_NONE, EmbError, EmbErrorKind};
use wasmtime::Trap;

/// The error as allocated: the public part first, so a pointer to the whole
/// is a pointer to the `EmbError` the host sees.
#[repr(C)]
struct OwnedError {
    public: EmbError,
    text: String,
}

/// A host function reported failure; WebAssembly traps with this as cause.
#[derive(Debug)]
pub struct HostFuncFailed {
    pub code: i32,
}

impl core::fmt::Display for HostFuncFailed {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "host function failed with code {}", self.code)
    }
}

impl core::error::Error for HostFuncFailed {}

fn new(kind: EmbErrorKind, trap_code: u8, text: String) -> *mut EmbError {
    let mut owned = Box::new(OwnedError {
        public: EmbError {
            kind,
            trap_code,
            message: core::ptr::null(),
            message_len: 0,
        },
        text,
    });
    owned.public.message = owned.text.as_ptr();
    owned.public.message_len = owned.text.len();
    Box::into_raw(owned).cast()
}

/// Converts a Wasmtime error, classifying traps by their code.
pub fn from_wasmtime(error: wasmtime::Error) -> *mut EmbError {
    from_wasmtime_ref(&error)
}

/// As [`from_wasmtime`], for an error that stays with its owner.
pub fn from_wasmtime_ref(error: &wasmtime::Error) -> *mut EmbError {
    let mut text = format!("{error:#}");
    if let Some(trap) = error.downcast_ref::<Trap>() {
        // Wasmtime says only "interrupt"; say which mechanism fired.
        if *trap == Trap::Interrupt {
            text.insert_str(0, "interrupted: epoch deadline reached: ");
        }
        new(EmbErrorKind::Trap, *trap as u8, text)
    } else if error.downcast_ref::<HostFuncFailed>().is_some() {
        new(EmbErrorKind::Trap, EMB_TRAP_CODE_NONE, text)
    } else {
        new(EmbErrorKind::Error, EMB_TRAP_CODE_NONE, text)
    }
}

/// An error of the embedding's own (bad argument, unknown export, ...).
pub fn message(text: String) -> *mut EmbError {
    new(EmbErrorKind::Error, EMB_TRAP_CODE_NONE, text)
}

/// Turns a `Result` into the ABI's convention: null on success.
#[inline]
pub fn status(result: Result<(), *mut EmbError>) -> *mut EmbError {
    match result {
        Ok(()) => core::ptr::null_mut(),
        Err(e) => e,
    }
}

pub unsafe extern "C" fn error_free(error: *mut EmbError) {
    if !error.is_null() {
        // SAFETY: every `EmbError` handed out was made by `new`.
        drop(unsafe { Box::from_raw(error.cast::<OwnedError>()) });
    }
}

/// Reads a UTF-8 pointer/length pair from the host.
pub unsafe fn str_arg<'a>(
    what: &str,
    ptr: *const u8,
    len: usize,
) -> Result<&'a str, *mut EmbError> {
    if ptr.is_null() && len != 0 {
        return Err(message(format!("{what}: null pointer with length {len}")));
    }
    let bytes = if len == 0 {
        &[][..]
    } else {
        // SAFETY: the caller passes `len` readable bytes at `ptr`.
        unsafe { core::slice::from_raw_parts(ptr, len) }
    };
    core::str::from_utf8(bytes).map_err(|e| message(format!("{what} is not UTF-8: {e}")))
}

/// Checks an out-pointer or handle from the host.
#[inline]
pub fn non_null<T>(what: &str, ptr: *const T) -> Result<(), *mut EmbError> {
    if ptr.is_null() {
        Err(message(format!("{what} is NULL")))
    } else {
        Ok(())
    }
}
