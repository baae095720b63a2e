//! The C ABI between a host and the embedding.
//!
//! The embedding exports exactly one symbol, [`EMB_API_SYMBOL`]
//! (`embedding_api`), a function returning a pointer to a static [`EmbApi`]
//! table. Everything else is reached through that table, so a host needs one
//! `dlsym` and can check [`EmbApi::abi_version`] and [`EmbApi::mode`] before it
//! calls anything. `embedding/embedding.h` is generated from this file by
//! cbindgen; this file is the source of truth for both languages.
//!
//! Conventions:
//! * Fallible functions return `EmbError *`: `NULL` on success, otherwise an
//!   error the caller owns and releases with [`EmbApi::error_free`].
//! * Strings are UTF-8 pointer/length pairs and need no terminator.
//! * Engines and modules may be shared between threads. A store, and the
//!   instances in it, must be used by one thread at a time.
//! * Everything is allocated from the embedding's own heap
//!   ([`EmbApi::heap_size`] bytes, fixed when it is built).

use core::ffi::c_void;

/// Bumped on any incompatible change to this file.
pub const EMB_ABI_VERSION: u32 = 3;

/// Name of the one symbol the embedding exports.
pub const EMB_API_SYMBOL: &str = "embedding_api";

/// What the embedding was built to need from the platform. Each mode is one
/// Wasmtime configuration, see `modes.rs`.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EmbMode {
    /// TLS only; runs Pulley bytecode.
    Minimal = 0,
    /// Virtual memory; native code with explicit bounds checks.
    Vm = 1,
    /// Virtual memory and native signals; guard pages and signal-based traps.
    Full = 2,
}

/// Opaque handle to a Wasmtime engine configured for the embedding's mode.
pub struct EmbEngine {
    _opaque: [u8; 0],
}

/// Opaque handle to a module loaded from a precompiled artifact.
pub struct EmbModule {
    _opaque: [u8; 0],
}

/// Opaque handle to a store: its instances, its linker (the imports that
/// later instantiations can see) and its fuel.
pub struct EmbStore {
    _opaque: [u8; 0],
}

/// Whether an [`EmbError`] is a WebAssembly trap or any other failure.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmbErrorKind {
    /// Not a trap: a bad artifact, a missing import or export, a type
    /// mismatch, an invalid argument.
    Error = 0,
    /// WebAssembly trapped; see [`EmbError::trap_code`].
    Trap = 1,
}

/// An error returned by the embedding. Owned by the caller.
#[repr(C)]
pub struct EmbError {
    pub kind: EmbErrorKind,
    /// When `kind` is [`EmbErrorKind::Trap`]: the discriminant of Wasmtime
    /// 48.0.8's `wasmtime::Trap` (`Trap::from_u8` turns it back), or 255 for a
    /// trap that carries no code (e.g. a failing host function).
    pub trap_code: u8,
    /// The whole error chain as UTF-8 text, owned by this error.
    pub message: *const u8,
    pub message_len: usize,
}

/// `trap_code` of a trap that has no Wasmtime trap code.
pub const EMB_TRAP_CODE_NONE: u8 = 255;

/// The type of a WebAssembly value crossing the ABI.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EmbValKind {
    I32 = 0,
    I64 = 1,
    /// Carried as its IEEE-754 bit pattern so NaN payloads survive.
    F32 = 2,
    /// Carried as its IEEE-754 bit pattern so NaN payloads survive.
    F64 = 3,
    V128 = 4,
    /// `(ref null func)`.
    FuncRef = 5,
    /// `(ref null extern)`.
    ExternRef = 6,
    /// `(ref null any)`: GC objects, `i31`, and host values converted with
    /// `any.convert_extern`.
    AnyRef = 7,
    /// `(ref null exn)`.
    ExnRef = 8,
}

/// What a non-null reference refers to, as far as a host can tell.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EmbRefClass {
    /// A function, an exception, or anything else with no host-visible
    /// identity.
    Opaque = 0,
    /// A host value: [`EmbRef::host_id`] is the number the host wrapped.
    Host = 1,
    /// An `i31`: [`EmbRef::i31`] is its value, sign-extended.
    I31 = 2,
    Struct = 3,
    Array = 4,
}

/// A reference value. The host can pass in null references of any kind and
/// host values (as `externref`, or as `anyref` through `any.convert_extern`);
/// references coming out are described by their class.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EmbRef {
    pub is_null: bool,
    /// Meaningful when not null.
    pub class: EmbRefClass,
    /// For [`EmbRefClass::Host`].
    pub host_id: u32,
    /// For [`EmbRefClass::I31`].
    pub i31: i32,
}

/// The payload of an [`EmbVal`], selected by its kind.
#[repr(C)]
#[derive(Clone, Copy)]
pub union EmbValPayload {
    pub i32: i32,
    pub i64: i64,
    pub f32_bits: u32,
    pub f64_bits: u64,
    /// Little-endian lane bytes.
    pub v128: [u8; 16],
    pub reference: EmbRef,
}

/// A WebAssembly value.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct EmbVal {
    pub kind: EmbValKind,
    pub of: EmbValPayload,
}

/// Called by the embedding's panic handler with the panic message. The
/// embedding cannot continue after a panic: the hook should report the
/// message and end the process (or thread). If it returns, the embedding
/// executes an illegal instruction.
pub type EmbPanicHook = unsafe extern "C" fn(message: *const u8, message_len: usize);

/// A host function. `args` holds the `nargs` parameters; the host writes the
/// `nresults` results into `results`, each with the kind that was declared.
/// Returning non-zero makes the calling WebAssembly trap, with the code in the
/// message.
pub type EmbHostFunc = unsafe extern "C" fn(
    env: *mut c_void,
    args: *const EmbVal,
    nargs: usize,
    results: *mut EmbVal,
    nresults: usize,
) -> i32;

/// Type of the exported [`EMB_API_SYMBOL`] function.
pub type EmbApiGetter = unsafe extern "C" fn() -> *const EmbApi;

unsafe extern "C" {
    /// The embedding's only exported symbol: returns its static table, valid
    /// for as long as the embedding is loaded. A host that `dlopen`s the
    /// embedding looks it up by name instead of linking against it.
    pub fn embedding_api() -> *const EmbApi;
}

/// The embedding's whole C ABI.
#[repr(C)]
pub struct EmbApi {
    /// [`EMB_ABI_VERSION`] of the embedding; a host must refuse any other.
    pub abi_version: u32,
    /// The mode the embedding was built for.
    pub mode: EmbMode,
    /// Size in bytes of the embedding's heap.
    pub heap_size: usize,

    /// Installs (or with `NULL`, removes) the hook that receives panics.
    pub set_panic_hook: unsafe extern "C" fn(
        hook: Option<unsafe extern "C" fn(message: *const u8, message_len: usize)>,
    ),
    /// Bytes of the heap currently allocated.
    pub heap_used: unsafe extern "C" fn() -> usize,
    /// The most bytes of the heap ever allocated at once since the embedding
    /// was loaded: the smallest heap this workload fits in (plus allocator
    /// overhead and fragmentation).
    pub heap_peak: unsafe extern "C" fn() -> usize,
    /// Releases an error. `NULL` is allowed.
    pub error_free: unsafe extern "C" fn(error: *mut EmbError),

    /// Creates an engine with the mode's configuration.
    pub engine_new: unsafe extern "C" fn(out: *mut *mut EmbEngine) -> *mut EmbError,
    pub engine_free: unsafe extern "C" fn(engine: *mut EmbEngine),

    /// Loads an artifact precompiled by the host for this mode. The bytes are
    /// copied; Wasmtime checks its version, target, flags and configuration
    /// and refuses a mismatch, including a CPU feature the artifact's code
    /// needs and this processor lacks (checked with CPUID). The artifact must
    /// come from a trusted compiler: its code is run as is.
    pub module_load: unsafe extern "C" fn(
        engine: *const EmbEngine,
        bytes: *const u8,
        len: usize,
        out: *mut *mut EmbModule,
    ) -> *mut EmbError,
    pub module_free: unsafe extern "C" fn(module: *mut EmbModule),

    /// Creates an empty store with no fuel.
    pub store_new:
        unsafe extern "C" fn(engine: *const EmbEngine, out: *mut *mut EmbStore) -> *mut EmbError,
    pub store_free: unsafe extern "C" fn(store: *mut EmbStore),
    /// Sets the fuel that WebAssembly in this store may still burn; running
    /// out traps with `OutOfFuel`.
    pub store_set_fuel: unsafe extern "C" fn(store: *mut EmbStore, fuel: u64) -> *mut EmbError,
    pub store_get_fuel: unsafe extern "C" fn(store: *mut EmbStore, out: *mut u64) -> *mut EmbError,

    /// Makes a host function importable as `module`.`name` by later
    /// instantiations in this store.
    pub define_func: unsafe extern "C" fn(
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
    ) -> *mut EmbError,
    /// Instantiates `module`, resolving its imports against what the store
    /// defines, and runs its start function. `*out` receives the instance's
    /// index within the store.
    pub instantiate: unsafe extern "C" fn(
        store: *mut EmbStore,
        module: *const EmbModule,
        out: *mut u32,
    ) -> *mut EmbError,
    /// Makes every export of `instance` importable under module name `name`.
    pub register_instance: unsafe extern "C" fn(
        store: *mut EmbStore,
        instance: u32,
        name: *const u8,
        name_len: usize,
    ) -> *mut EmbError,
    /// Calls the exported function `name` of `instance`. The number and kinds
    /// of `args` must match its type. Its results are written to `results`,
    /// which has room for `results_cap` values, and their number to
    /// `*nresults`; too little room is an error, detected before the call.
    pub call: unsafe extern "C" fn(
        store: *mut EmbStore,
        instance: u32,
        name: *const u8,
        name_len: usize,
        args: *const EmbVal,
        nargs: usize,
        results: *mut EmbVal,
        results_cap: usize,
        nresults: *mut usize,
    ) -> *mut EmbError,
    /// Reads the exported global `name` of `instance`.
    pub global_get: unsafe extern "C" fn(
        store: *mut EmbStore,
        instance: u32,
        name: *const u8,
        name_len: usize,
        out: *mut EmbVal,
    ) -> *mut EmbError,
}
