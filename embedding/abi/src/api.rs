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
//!   instances in it, must be used by one thread at a time. In `minimal`
//!   mode the embedding serializes all calls (see [`EmbCounter`]).
//! * Everything is allocated from the embedding's own heap
//!   ([`EmbApi::heap_size`] bytes, fixed when it is built).

use core::ffi::c_void;

/// Bumped on any incompatible change to this file. The table only grows at
/// its end, so a host written for an older version finds every entry it
/// knows where it was. 6 added function handles ([`EmbApi::func_get`],
/// [`EmbApi::func_call`], [`EmbApi::func_free`]) and
/// [`EmbApi::module_load_in_place`].
pub const EMB_ABI_VERSION: u32 = 7;

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
    /// `minimal` built for size: TLS only, Pulley, no GC or exceptions.
    Small = 3,
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

/// Opaque handle to an exported function of an instance, resolved once by
/// [`EmbApi::func_get`]: the fast way to call the same export many times.
pub struct EmbFunc {
    _opaque: [u8; 0],
}

/// The diagnostic counters of [`EmbApi::counter`].
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmbCounter {
    /// Artifact payloads (modules and components) that passed the envelope
    /// check and were handed to Wasmtime's deserializer: lets a test prove
    /// that a refused artifact never reached it.
    ArtifactsDeserialized = 0,
    /// In `minimal` mode, ABI calls that found another thread inside the
    /// embedding and waited for it (the ABI serializes all calls there,
    /// because Wasmtime's own `no_std` locks panic on contention); always 0
    /// in `vm` and `full`, where the platform's locks are used.
    SerializedWaits = 1,
}

/// A limit field of [`EmbLimits`] with this value does not limit anything.
pub const EMB_NO_LIMIT: u64 = u64::MAX;

/// [`EmbApi::store_set_epoch_deadline`] with this many ticks removes the
/// store's deadline (what a new store starts with).
pub const EMB_NO_DEADLINE: u64 = u64::MAX;

/// The largest finite epoch deadline, in ticks beyond the current epoch.
/// Wasmtime stores the deadline as `current epoch + ticks` in 64 bits; this
/// bound keeps the sum from wrapping (which would make the deadline already
/// reached) for the first 2^63 ticks of an engine: centuries at any timer
/// rate.
pub const EMB_MAX_DEADLINE_TICKS: u64 = 1 << 62;

/// Resource limits of one store (Wasmtime's `StoreLimits`), set with
/// [`EmbApi::store_set_limits`]. Each field is a maximum, or
/// [`EMB_NO_LIMIT`]. A `memory.grow` or `table.grow` past a limit returns
/// -1 to the guest; an instantiation that would exceed one fails with an
/// error naming it. A new store has no memory or table-size limit and at
/// most 10,000 instances, memories and tables (Wasmtime's defaults).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EmbLimits {
    /// Bytes that any one linear memory may grow to.
    pub memory_bytes: u64,
    /// Elements that any one table may grow to.
    pub table_elements: u64,
    /// Instances in the store (those of the store's instantiations, each
    /// counting every core instance it creates).
    pub instances: u64,
    /// Linear memories in the store.
    pub memories: u64,
    /// Tables in the store.
    pub tables: u64,
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

/// `trap_code` of a guest stopped by its epoch deadline
/// (`wasmtime::Trap::Interrupt`).
pub const EMB_TRAP_CODE_INTERRUPT: u8 = 10;

/// `trap_code` of a guest that ran out of fuel (`wasmtime::Trap::OutOfFuel`).
pub const EMB_TRAP_CODE_OUT_OF_FUEL: u8 = 11;

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
    /// One of the embedding's diagnostic counters ([`EmbCounter`]), counted
    /// since it was loaded.
    pub counter: unsafe extern "C" fn(which: EmbCounter) -> u64,
    /// Releases an error. `NULL` is allowed.
    pub error_free: unsafe extern "C" fn(error: *mut EmbError),

    /// Creates an engine with the mode's configuration.
    pub engine_new: unsafe extern "C" fn(out: *mut *mut EmbEngine) -> *mut EmbError,
    pub engine_free: unsafe extern "C" fn(engine: *mut EmbEngine),
    /// Advances the engine's epoch by one tick: every store of the engine
    /// whose deadline ([`EmbApi::store_set_epoch_deadline`]) this reaches
    /// traps with `Interrupt` at the guest's next function entry or loop
    /// back edge. It is one lock-free atomic add on the engine (Wasmtime's
    /// `Engine::increment_epoch`): it takes no lock (not even `minimal`'s
    /// ABI lock), allocates nothing and cannot fail, so it may be called
    /// from any thread while the engine's guests run, from a signal
    /// handler, or from a platform's timer interrupt, including one that
    /// interrupts the guest itself. The engine must stay alive until it
    /// returns. Returns `false`, doing nothing, when `engine` is `NULL`, and
    /// on a target without 64-bit atomics (riscv32imac, thumbv7em), where
    /// Wasmtime has no epochs: there [`EmbApi::store_set_epoch_deadline`]
    /// fails saying so, and fuel is the only interruption.
    pub engine_increment_epoch: unsafe extern "C" fn(engine: *const EmbEngine) -> bool,

    /// Loads an artifact precompiled by the host for this mode. The bytes are
    /// an integrity envelope (`envelope.rs`: magic, kind, mode, ABI version,
    /// length, SHA-256) around Wasmtime's artifact; the envelope is checked
    /// first and a damaged or foreign one is refused before Wasmtime sees
    /// the payload. The bytes are copied; Wasmtime then checks its version, target, flags and configuration
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

    /// Creates an empty store with no fuel and no epoch deadline.
    pub store_new:
        unsafe extern "C" fn(engine: *const EmbEngine, out: *mut *mut EmbStore) -> *mut EmbError,
    pub store_free: unsafe extern "C" fn(store: *mut EmbStore),
    /// Sets the fuel that WebAssembly in this store may still burn; running
    /// out traps with `OutOfFuel`. A new store has none, so fuel must be set
    /// before any code runs.
    pub store_set_fuel: unsafe extern "C" fn(store: *mut EmbStore, fuel: u64) -> *mut EmbError,
    pub store_get_fuel: unsafe extern "C" fn(store: *mut EmbStore, out: *mut u64) -> *mut EmbError,
    /// Replaces the store's resource limits; applies to later growth and
    /// instantiations (what exists already is not shrunk).
    pub store_set_limits:
        unsafe extern "C" fn(store: *mut EmbStore, limits: *const EmbLimits) -> *mut EmbError,
    /// Arms the store's epoch deadline `ticks` increments of the engine's
    /// epoch ([`EmbApi::engine_increment_epoch`]) from now; reaching it
    /// traps the running guest with `Interrupt` ("interrupted: epoch
    /// deadline reached"). A trap leaves the deadline where it was, so it
    /// must be armed again before the store runs code (else every call
    /// traps at once). `0` makes the next call trap on entry;
    /// [`EMB_NO_DEADLINE`] removes the deadline (a new store has none);
    /// anything above [`EMB_MAX_DEADLINE_TICKS`] is refused.
    pub store_set_epoch_deadline:
        unsafe extern "C" fn(store: *mut EmbStore, ticks: u64) -> *mut EmbError,

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

    /// WASI programs, or `NULL` when the embedding was built with neither
    /// of its WASI faces (features `wasi` and `wasip1`).
    pub wasi: *const EmbWasiApi,

    /// Resolves the exported function `name` of `instance` once, with its
    /// type, into a handle for [`EmbApi::func_call`]. The handle belongs to
    /// `store`; release it with [`EmbApi::func_free`] (before or after the
    /// store is freed: it does not keep the store alive).
    pub func_get: unsafe extern "C" fn(
        store: *mut EmbStore,
        instance: u32,
        name: *const u8,
        name_len: usize,
        out: *mut *mut EmbFunc,
    ) -> *mut EmbError,
    /// Calls `func` as [`EmbApi::call`] calls an export, without looking it
    /// up or building its type again; with numeric arguments and results
    /// it allocates nothing. Refused with an error, before anything runs:
    /// a handle whose store was freed (checked before `store` is used), a
    /// handle of another store than `store`, a wrong number of arguments, an
    /// argument of the wrong kind, too little room for the results.
    pub func_call: unsafe extern "C" fn(
        store: *mut EmbStore,
        func: *mut EmbFunc,
        args: *const EmbVal,
        nargs: usize,
        results: *mut EmbVal,
        results_cap: usize,
        nresults: *mut usize,
    ) -> *mut EmbError,
    /// Releases a handle of [`EmbApi::func_get`]. `NULL` is allowed.
    pub func_free: unsafe extern "C" fn(func: *mut EmbFunc),
    /// Loads a module as [`EmbApi::module_load`] does, but in place: the
    /// envelope is checked where the bytes are and Wasmtime reads the
    /// artifact from them (`Module::deserialize_raw`) instead of a copy on
    /// the heap, as a kernel would run it from flash. `bytes` must be
    /// 16-byte aligned, and stay readable and unchanged until the module and
    /// every store that instantiated it are freed. `minimal` and `small`
    /// only (Pulley bytecode is read as data): `vm` and `full` refuse with an
    /// error, because native code must be copied into memory that Wasmtime
    /// can make executable.
    pub module_load_in_place: unsafe extern "C" fn(
        engine: *const EmbEngine,
        bytes: *const u8,
        len: usize,
        out: *mut *mut EmbModule,
    ) -> *mut EmbError,
}

// SAFETY: the table is immutable and its `wasi` pointer, when set, points at
// another immutable static.
unsafe impl Sync for EmbApi {}

/// Opaque handle to a component loaded from a precompiled artifact.
pub struct EmbComponent {
    _opaque: [u8; 0],
}

/// Opaque handle to a WASI program: a component or a preview 1 module, its
/// store and its WASI context (arguments, environment, files), ready to run
/// once.
pub struct EmbProgram {
    _opaque: [u8; 0],
}

/// A UTF-8 string: pointer and length, no terminator.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct EmbStr {
    pub ptr: *const u8,
    pub len: usize,
}

/// What a file-tree entry is.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmbFileKind {
    Directory = 0,
    RegularFile = 1,
    /// A symbolic link; its data is the target path (UTF-8).
    Symlink = 2,
}

/// One entry of a program's in-memory file tree.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct EmbFileEntry {
    /// Index into [`EmbWasiConfig::preopens`] of the directory this entry is
    /// under.
    pub preopen: u32,
    /// Path below that directory, components separated by `/`, no leading
    /// `/`, no `.` or `..`. Missing parent directories are created.
    pub path: EmbStr,
    pub kind: EmbFileKind,
    /// A regular file's contents or a symbolic link's target (copied);
    /// ignored for a directory.
    pub data: *const u8,
    pub data_len: usize,
}

/// How a program is set up; everything is copied by
/// [`EmbWasiApi::program_new`].
#[repr(C)]
pub struct EmbWasiConfig {
    /// `argv`, including the program name as the first element.
    pub args: *const EmbStr,
    pub nargs: usize,
    /// Environment variables as `NAME=VALUE`.
    pub env: *const EmbStr,
    pub nenv: usize,
    /// The guest paths of the preopened directories, e.g. `/data`.
    pub preopens: *const EmbStr,
    pub npreopens: usize,
    /// The files and directories inside them.
    pub files: *const EmbFileEntry,
    pub nfiles: usize,
    /// Fuel the program may burn in all; running out traps with `OutOfFuel`.
    pub fuel: u64,
    /// Fuel between yields to the other programs of the same
    /// [`EmbWasiApi::run`]; 0 never yields.
    pub yield_interval: u64,
}

/// One node of a program's file tree as [`EmbWasiApi::program_files`]
/// reports it.
#[repr(C)]
pub struct EmbFileInfo {
    pub kind: EmbFileKind,
    /// A regular file's contents or a symbolic link's target; empty for a
    /// directory. Valid for the visitor's call only.
    pub data: *const u8,
    pub data_len: usize,
    /// The node's inode number: two paths with the same number are hard
    /// links to one file.
    pub ino: u64,
    /// Last access and modification, in nanoseconds since the Unix epoch
    /// (the platform's wall clock).
    pub atime: u64,
    pub mtime: u64,
}

/// Receives one entry of a program's file tree; see
/// [`EmbWasiApi::program_files`].
pub type EmbFileVisitor = unsafe extern "C" fn(
    env: *mut c_void,
    preopen: u32,
    path: *const u8,
    path_len: usize,
    info: *const EmbFileInfo,
);

/// How a program ended, filled in by [`EmbWasiApi::program_status`].
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmbProgramState {
    /// Not run yet.
    Ready = 0,
    /// Returned from `wasi:cli/run` or called `exit`: see the exit code.
    Exited = 1,
    /// Trapped, or failed to instantiate: see the error.
    Failed = 2,
}

/// WASI programs on the platform's OS services (`platform/embedding-os.h`),
/// through either face the embedding was built with: WASI 0.2
/// (`wasi:cli/command` components, feature `wasi`) and preview 1 (core
/// modules importing `wasi_snapshot_preview1`, feature `wasip1`). Both faces
/// share one implementation of the state (files, clocks, entropy, console).
///
/// Components run on the embedding's own executor: several passed to one
/// [`EmbWasiApi::run`] interleave, yielding to each other every
/// `yield_interval` units of fuel and whenever one waits for a clock.
/// Preview 1 programs are plain synchronous calls, with no fibers to
/// interleave on: `run` runs them one after another, each to its end, in
/// the order given, before the components; their `yield_interval` is
/// ignored.
#[repr(C)]
pub struct EmbWasiApi {
    /// Loads a component precompiled by the host for this mode. The same
    /// checks and trust apply as for [`EmbApi::module_load`]. A build
    /// without the `wasi` feature (preview 1 alone) refuses with an error
    /// saying so.
    pub component_load: unsafe extern "C" fn(
        engine: *const EmbEngine,
        bytes: *const u8,
        len: usize,
        out: *mut *mut EmbComponent,
    ) -> *mut EmbError,
    pub component_free: unsafe extern "C" fn(component: *mut EmbComponent),
    /// Creates a program: links `component` against the embedding's WASI
    /// (an import it does not provide is an error naming it) and sets up its
    /// context from `config`.
    pub program_new: unsafe extern "C" fn(
        engine: *const EmbEngine,
        component: *const EmbComponent,
        config: *const EmbWasiConfig,
        out: *mut *mut EmbProgram,
    ) -> *mut EmbError,
    /// Creates a preview 1 program from a core module loaded with
    /// [`EmbApi::module_load`] (or `module_load_in_place`, whose bytes must
    /// then outlive the program): links it against the embedding's own
    /// `wasi_snapshot_preview1` (an import it does not provide, or one with
    /// another signature, is an error naming it), checks that it exports
    /// `memory` and `_start`, and sets up its context from `config`. A build
    /// without the `wasip1` feature refuses with an error saying so.
    pub module_program_new: unsafe extern "C" fn(
        engine: *const EmbEngine,
        module: *const EmbModule,
        config: *const EmbWasiConfig,
        out: *mut *mut EmbProgram,
    ) -> *mut EmbError,
    /// Frees a program of either kind. `NULL` is allowed.
    pub program_free: unsafe extern "C" fn(program: *mut EmbProgram),
    /// Runs `count` programs to completion, interleaved; each ends exited or
    /// failed. Returns an error only when the arguments are unusable (a
    /// program already run, or a null pointer), or when every remaining
    /// program waits for something that can never happen.
    pub run: unsafe extern "C" fn(programs: *const *mut EmbProgram, count: usize) -> *mut EmbError,
    /// How `program` ended. When it exited, `*exit_code` is its code (0
    /// when `run` returned success, 1 when it returned an error). When it
    /// failed, the returned error says why (a trap, with its code, or a
    /// failed instantiation); otherwise `NULL` is returned.
    pub program_status: unsafe extern "C" fn(
        program: *const EmbProgram,
        state: *mut EmbProgramState,
        exit_code: *mut i32,
    ) -> *mut EmbError,
    /// Calls `visit` for every directory, file and symbolic link of the
    /// program's tree, as it stands now (after a run: with the program's
    /// writes), parents before children, names in byte order. A file with
    /// several hard links is visited once per name, with the same `ino`.
    pub program_files: unsafe extern "C" fn(
        program: *const EmbProgram,
        visit: EmbFileVisitor,
        env: *mut c_void,
    ) -> *mut EmbError,
}
