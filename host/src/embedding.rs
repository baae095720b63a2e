//! Loading the embedding and calling it safely through its ABI table.

use crate::values::Value;
use anyhow::{Context, Result, bail, ensure};
use embedding_abi::{
    EMB_ABI_VERSION, EMB_API_SYMBOL, EmbApi, EmbApiGetter, EmbEngine, EmbError, EmbErrorKind,
    EmbFunc, EmbMode, EmbModule, EmbStore, EmbVal, EmbValKind,
};
use libloading::os::unix::{Library, RTLD_GLOBAL, RTLD_NOW};
use std::ffi::c_void;
use std::fmt;
use std::path::{Path, PathBuf};
use wasmtime::Trap;

/// Where a mode's two shared objects are.
#[derive(Clone, Debug)]
pub struct Paths {
    pub platform: PathBuf,
    pub embedding: PathBuf,
}

impl Paths {
    /// The layout build.sh writes: `<out>/<mode>/lib*.so`.
    pub fn in_dir(out: &Path, mode: EmbMode) -> Paths {
        Paths::in_build_dir(out.join(crate::mode_name(mode)))
    }

    /// The build with the `wasi` feature: `<out>/<mode>-wasi/lib*.so`.
    pub fn wasi(out: &Path, mode: EmbMode) -> Paths {
        Paths::in_build_dir(out.join(format!("{}-wasi", crate::mode_name(mode))))
    }

    /// [`Paths::wasi`] when `wasi`, else [`Paths::in_dir`].
    pub fn of_build(out: &Path, mode: EmbMode, wasi: bool) -> Paths {
        if wasi {
            Paths::wasi(out, mode)
        } else {
            Paths::in_dir(out, mode)
        }
    }

    /// The build with preview 1 alone: `<out>/<mode>-wasip1/lib*.so`.
    pub fn wasip1(out: &Path, mode: EmbMode) -> Paths {
        Paths::in_build_dir(out.join(format!("{}-wasip1", crate::mode_name(mode))))
    }

    /// Where a preview 1 module runs natively: the `-wasi` build (both
    /// faces) when there is one, else the `-wasip1` build (preview 1
    /// alone, e.g. `small`); and whether that build has the component
    /// model, which the artifact's configuration must match.
    pub fn native_preview1(out: &Path, mode: EmbMode) -> (Paths, bool) {
        let both = Paths::wasi(out, mode);
        if both.embedding.exists() {
            return (both, true);
        }
        let alone = Paths::wasip1(out, mode);
        if alone.embedding.exists() {
            return (alone, false);
        }
        (both, true)
    }

    fn in_build_dir(dir: PathBuf) -> Paths {
        Paths {
            platform: dir.join("libwasmtime-platform.so"),
            embedding: dir.join("libembedding.so"),
        }
    }

    /// Replaces the platform library, when one is given (`--platform`).
    pub fn with_platform(mut self, platform: Option<&Path>) -> Paths {
        if let Some(platform) = platform {
            self.platform = platform.to_path_buf();
        }
        self
    }
}

/// A loaded embedding. Only one should be loaded per process: the platform
/// library is loaded `RTLD_GLOBAL` and its hooks are process-wide.
pub struct Embedding {
    pub(crate) api: &'static EmbApi,
    // Dropped in declaration order: the embedding before the platform it uses.
    _embedding: Library,
    _platform: Library,
}

fn open(path: &Path, flags: i32, what: &str) -> Result<Library> {
    ensure!(
        path.is_file(),
        "{what} {} does not exist (build it with ./build.sh)",
        path.display()
    );
    // SAFETY: loading runs the library's initialisers; ours have none that
    // misbehave, and a foreign library is the user's explicit choice.
    unsafe { Library::open(Some(path), flags) }
        .with_context(|| format!("cannot load {what} {}", path.display()))
}

impl Embedding {
    /// Loads the platform (so that its hooks resolve the embedding's
    /// undefined symbols), then the embedding, and checks that the embedding
    /// speaks this ABI version and was built for `mode`.
    pub fn load(paths: &Paths, mode: EmbMode) -> Result<Embedding> {
        let platform = open(&paths.platform, RTLD_NOW | RTLD_GLOBAL, "platform library")?;
        let embedding = open(&paths.embedding, RTLD_NOW, "embedding")?;
        let name = format!("{EMB_API_SYMBOL}\0");
        // SAFETY: the symbol's type is the ABI's `EmbApiGetter`.
        let getter: EmbApiGetter = unsafe { embedding.get::<EmbApiGetter>(name.as_bytes()) }
            .map(|symbol| *symbol)
            .with_context(|| {
                format!(
                    "{} does not export `{EMB_API_SYMBOL}`: not an embedding",
                    paths.embedding.display()
                )
            })?;
        // SAFETY: the table is static within the loaded library, which
        // `Embedding` keeps loaded for as long as `api` is reachable.
        let api: &'static EmbApi = unsafe { getter().as_ref() }
            .with_context(|| format!("{} returned no API table", paths.embedding.display()))?;
        ensure!(
            api.abi_version == EMB_ABI_VERSION,
            "{} speaks ABI version {}, this host speaks {EMB_ABI_VERSION}",
            paths.embedding.display(),
            api.abi_version
        );
        ensure!(
            api.mode == mode,
            "{} was built for the {} mode, not {}",
            paths.embedding.display(),
            crate::mode_name(api.mode),
            crate::mode_name(mode)
        );
        // SAFETY: `report_panic` matches `EmbPanicHook`.
        unsafe { (api.set_panic_hook)(Some(report_panic)) };
        Ok(Embedding {
            api,
            _embedding: embedding,
            _platform: platform,
        })
    }

    pub fn heap_size(&self) -> usize {
        self.api.heap_size
    }

    pub fn heap_used(&self) -> usize {
        // SAFETY: no preconditions.
        unsafe { (self.api.heap_used)() }
    }

    /// Artifacts that passed the envelope check and reached Wasmtime's
    /// deserializer.
    pub fn artifacts_deserialized(&self) -> u64 {
        // SAFETY: no preconditions.
        unsafe { (self.api.counter)(embedding_abi::EmbCounter::ArtifactsDeserialized) }
    }

    /// The Linux platform's debug lock counters (acquisitions, contended
    /// ones), or `None` for a platform without them.
    pub fn platform_lock_counts(&self) -> Option<(u64, u64)> {
        type Counts = unsafe extern "C" fn(*mut u64, *mut u64);
        // SAFETY: the symbol, when present, has this type (platform C file).
        let f = unsafe {
            self._platform
                .get::<Counts>(b"embedding_platform_lock_counts\0")
        }
        .ok()?;
        let (mut acquired, mut contended) = (0, 0);
        // SAFETY: two valid out-pointers.
        unsafe { f(&mut acquired, &mut contended) };
        Some((acquired, contended))
    }

    /// ABI calls that waited for another thread (`minimal` only).
    pub fn serialized_waits(&self) -> u64 {
        // SAFETY: no preconditions.
        unsafe { (self.api.counter)(embedding_abi::EmbCounter::SerializedWaits) }
    }

    pub fn heap_peak(&self) -> usize {
        // SAFETY: no preconditions.
        unsafe { (self.api.heap_peak)() }
    }

    /// Turns the ABI's `EmbError *` into a `Result`, freeing the error.
    pub(crate) fn check(&self, error: *mut EmbError) -> Result<(), Failure> {
        if error.is_null() {
            return Ok(());
        }
        // SAFETY: a non-null error is valid until freed, below.
        let failure = unsafe {
            let e = &*error;
            let message = std::slice::from_raw_parts(e.message, e.message_len);
            Failure {
                kind: e.kind,
                trap: match e.kind {
                    EmbErrorKind::Trap => Trap::from_u8(e.trap_code),
                    EmbErrorKind::Error => None,
                },
                message: String::from_utf8_lossy(message).into_owned(),
            }
        };
        // SAFETY: made by the embedding, freed once.
        unsafe { (self.api.error_free)(error) };
        Err(failure)
    }

    pub fn engine(&self) -> Result<Engine<'_>, Failure> {
        let mut raw = std::ptr::null_mut();
        // SAFETY: `raw` is a valid out-pointer.
        self.check(unsafe { (self.api.engine_new)(&mut raw) })?;
        Ok(Engine { emb: self, raw })
    }
}

/// The embedding cannot continue after a panic; report it and leave with a
/// distinct exit status the parent process recognises.
unsafe extern "C" fn report_panic(message: *const u8, len: usize) {
    // SAFETY: the embedding passes `len` bytes of text.
    let text = unsafe { std::slice::from_raw_parts(message, len) };
    eprintln!("embedding panicked: {}", String::from_utf8_lossy(text));
    std::process::exit(crate::EXIT_EMBEDDING_PANICKED);
}

/// An error or trap reported by the embedding.
#[derive(Debug, Clone)]
pub struct Failure {
    pub kind: EmbErrorKind,
    /// The Wasmtime trap code, when the embedding reported one.
    pub trap: Option<Trap>,
    pub message: String,
}

impl Failure {
    /// A failure of the host's own (compiling, decoding a value, a child
    /// that died), reported for the side it happened on: an error, never a
    /// trap. `{:#}` keeps an `anyhow` error's chain of causes.
    pub fn host(e: impl fmt::Display) -> Self {
        Failure {
            kind: EmbErrorKind::Error,
            trap: None,
            message: format!("{e:#}"),
        }
    }

    /// An uncaught WebAssembly exception (Wasmtime's `ThrownException`).
    /// A trap, or a failure that aborts execution like one (a host
    /// function's error).
    pub fn is_trap_like(&self) -> bool {
        self.kind == EmbErrorKind::Trap
    }

    pub fn is_exception(&self) -> bool {
        self.kind == EmbErrorKind::Error && self.message.contains("thrown Wasm exception")
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.kind, self.trap) {
            (EmbErrorKind::Trap, Some(trap)) => write!(f, "trap {trap:?}: {}", self.message),
            (EmbErrorKind::Trap, None) => write!(f, "trap: {}", self.message),
            (EmbErrorKind::Error, _) => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Failure {}

pub struct Engine<'e> {
    pub(crate) emb: &'e Embedding,
    pub(crate) raw: *mut EmbEngine,
}

// SAFETY: the ABI lets engines and modules be shared between threads (in
// `minimal` mode by serializing every call).
unsafe impl Send for Engine<'_> {}
unsafe impl Sync for Engine<'_> {}
unsafe impl Send for Module<'_> {}
unsafe impl Sync for Module<'_> {}

impl Drop for Engine<'_> {
    fn drop(&mut self) {
        // SAFETY: made by `engine_new`; modules and stores borrow `self`.
        unsafe { (self.emb.api.engine_free)(self.raw) }
    }
}

impl<'e> Engine<'e> {
    /// Loads a precompiled artifact.
    pub fn load(&self, artifact: &[u8]) -> Result<Module<'_>, Failure> {
        let mut raw = std::ptr::null_mut();
        // SAFETY: pointer/length of a live slice; valid out-pointer.
        self.emb.check(unsafe {
            (self.emb.api.module_load)(self.raw, artifact.as_ptr(), artifact.len(), &mut raw)
        })?;
        Ok(Module { emb: self.emb, raw })
    }

    /// Loads a precompiled module in place (`module_load_in_place`):
    /// the embedding reads `artifact` itself instead of a copy.
    ///
    /// # Safety
    ///
    /// `artifact` must stay alive and unchanged until the module and every
    /// store that instantiated it are dropped.
    pub unsafe fn load_in_place(&self, artifact: &[u8]) -> Result<Module<'_>, Failure> {
        let mut raw = std::ptr::null_mut();
        // SAFETY: pointer/length of a live slice; valid out-pointer; the
        // caller keeps the bytes as the ABI requires.
        self.emb.check(unsafe {
            (self.emb.api.module_load_in_place)(
                self.raw,
                artifact.as_ptr(),
                artifact.len(),
                &mut raw,
            )
        })?;
        Ok(Module { emb: self.emb, raw })
    }

    /// Advances the epoch by one tick (`engine_increment_epoch`); callable
    /// from any thread while the engine's guests run.
    pub fn increment_epoch(&self) -> bool {
        // SAFETY: `self.raw` is a live engine.
        unsafe { (self.emb.api.engine_increment_epoch)(self.raw) }
    }

    /// The raw handle and ABI table, for callers that must reach the
    /// embedding without `&self` (a signal handler).
    pub fn raw(&self) -> (*mut EmbEngine, &'static EmbApi) {
        (self.raw, self.emb.api)
    }

    pub fn store(&self) -> Result<Store<'_>, Failure> {
        let mut raw = std::ptr::null_mut();
        // SAFETY: valid engine and out-pointer.
        self.emb
            .check(unsafe { (self.emb.api.store_new)(self.raw, &mut raw) })?;
        Ok(Store {
            emb: self.emb,
            raw,
            host_funcs: Vec::new(),
        })
    }
}

pub struct Module<'a> {
    emb: &'a Embedding,
    raw: *mut EmbModule,
}

impl Module<'_> {
    /// The raw handle, for the WASI table (`module_program_new`).
    pub fn raw(&self) -> *mut EmbModule {
        self.raw
    }
}

impl Drop for Module<'_> {
    fn drop(&mut self) {
        // SAFETY: made by `module_load`. Instances keep what they need alive.
        unsafe { (self.emb.api.module_free)(self.raw) }
    }
}

/// A host function as the host writes it: arguments in, results out, and a
/// non-zero return to make the calling WebAssembly trap.
pub type HostFn = Box<dyn FnMut(&[Value], &mut [Value]) -> i32>;

pub struct Store<'a> {
    emb: &'a Embedding,
    raw: *mut EmbStore,
    // Boxed twice so each closure has a stable thin pointer to pass as `env`;
    // kept here until the store (which may call them) is freed.
    #[allow(clippy::vec_box)]
    host_funcs: Vec<Box<HostFn>>,
}

impl Drop for Store<'_> {
    fn drop(&mut self) {
        // SAFETY: made by `store_new`; freed before `host_funcs`.
        unsafe { (self.emb.api.store_free)(self.raw) }
    }
}

/// Bridges `EmbHostFunc` to a `HostFn` closure.
unsafe extern "C" fn call_host_fn(
    env: *mut c_void,
    args: *const EmbVal,
    nargs: usize,
    results: *mut EmbVal,
    nresults: usize,
) -> i32 {
    let run = || -> Result<i32> {
        // SAFETY: `env` is the `Box<HostFn>` registered in `define_func`;
        // the embedding passes `nargs` arguments and room for `nresults`.
        let (f, args, results) = unsafe {
            (
                &mut *env.cast::<HostFn>(),
                slice_or_empty(args, nargs),
                std::slice::from_raw_parts_mut(results, nresults),
            )
        };
        if args.is_empty() && results.is_empty() {
            // No conversions to make: the common callback, kept cheap.
            return Ok(f(&[], &mut []));
        }
        let args = args
            .iter()
            .map(Value::from_raw)
            .collect::<Result<Vec<_>>>()?;
        let mut out = vec![Value::I32(0); nresults];
        let code = f(&args, &mut out);
        for (slot, v) in results.iter_mut().zip(&out) {
            *slot = v.to_raw();
        }
        Ok(code)
    };
    // A panic must not unwind into the embedding.
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)) {
        Ok(Ok(code)) => code,
        Ok(Err(e)) => {
            eprintln!("host function failed: {e:#}");
            -1
        }
        Err(_) => -2,
    }
}

unsafe fn slice_or_empty<'a, T>(ptr: *const T, len: usize) -> &'a [T] {
    if len == 0 {
        &[]
    } else {
        // SAFETY: the caller passes `len` valid elements.
        unsafe { std::slice::from_raw_parts(ptr, len) }
    }
}

impl<'a> Store<'a> {
    pub fn set_fuel(&mut self, fuel: u64) -> Result<(), Failure> {
        // SAFETY: valid store.
        self.emb
            .check(unsafe { (self.emb.api.store_set_fuel)(self.raw, fuel) })
    }

    pub fn set_limits(&mut self, limits: &embedding_abi::EmbLimits) -> Result<(), Failure> {
        // SAFETY: valid store and pointer to a live struct.
        self.emb
            .check(unsafe { (self.emb.api.store_set_limits)(self.raw, limits) })
    }

    /// Arms the epoch deadline `ticks` ahead (`EMB_NO_DEADLINE`: none).
    pub fn set_epoch_deadline(&mut self, ticks: u64) -> Result<(), Failure> {
        // SAFETY: valid store.
        self.emb
            .check(unsafe { (self.emb.api.store_set_epoch_deadline)(self.raw, ticks) })
    }

    pub fn fuel(&mut self) -> Result<u64, Failure> {
        let mut fuel = 0;
        // SAFETY: valid store and out-pointer.
        self.emb
            .check(unsafe { (self.emb.api.store_get_fuel)(self.raw, &mut fuel) })?;
        Ok(fuel)
    }

    pub fn define_func(
        &mut self,
        module: &str,
        name: &str,
        params: &[EmbValKind],
        results: &[EmbValKind],
        f: HostFn,
    ) -> Result<(), Failure> {
        let mut f: Box<HostFn> = Box::new(f);
        let env: *mut HostFn = &mut *f;
        self.host_funcs.push(f);
        // SAFETY: all slices are live; `env` outlives the store (see field).
        self.emb.check(unsafe {
            (self.emb.api.define_func)(
                self.raw,
                module.as_ptr(),
                module.len(),
                name.as_ptr(),
                name.len(),
                params.as_ptr(),
                params.len(),
                results.as_ptr(),
                results.len(),
                call_host_fn,
                env.cast(),
            )
        })
    }

    /// Instantiates `module`; returns the instance's index in this store.
    pub fn instantiate(&mut self, module: &Module<'_>) -> Result<u32, Failure> {
        let mut index = 0;
        // SAFETY: valid store, module and out-pointer.
        self.emb
            .check(unsafe { (self.emb.api.instantiate)(self.raw, module.raw, &mut index) })?;
        Ok(index)
    }

    pub fn register(&mut self, instance: u32, name: &str) -> Result<(), Failure> {
        // SAFETY: valid store and string.
        self.emb.check(unsafe {
            (self.emb.api.register_instance)(self.raw, instance, name.as_ptr(), name.len())
        })
    }

    /// Calls an export with room for `results_cap` results; returns them.
    pub fn call(
        &mut self,
        instance: u32,
        name: &str,
        args: &[Value],
        results_cap: usize,
    ) -> Result<Vec<Value>, Failure> {
        marshalled(args, results_cap, |args, results| {
            let mut nresults = 0;
            // SAFETY: live slices with their lengths; valid store.
            self.emb.check(unsafe {
                (self.emb.api.call)(
                    self.raw,
                    instance,
                    name.as_ptr(),
                    name.len(),
                    args.as_ptr(),
                    args.len(),
                    results.as_mut_ptr(),
                    results.len(),
                    &mut nresults,
                )
            })?;
            Ok(nresults)
        })
    }

    /// Resolves an export once (`func_get`) for [`Func::call`].
    pub fn func(&mut self, instance: u32, name: &str) -> Result<Func<'a>, Failure> {
        let mut raw = std::ptr::null_mut();
        // SAFETY: valid store, string and out-pointer.
        self.emb.check(unsafe {
            (self.emb.api.func_get)(self.raw, instance, name.as_ptr(), name.len(), &mut raw)
        })?;
        Ok(Func {
            emb: self.emb,
            raw,
            store: self.raw,
        })
    }

    /// Calls `func` in this store, which need not be the one it came from:
    /// the embedding refuses a handle of another store.
    pub fn call_func(
        &mut self,
        func: &Func<'_>,
        args: &[Value],
        results_cap: usize,
    ) -> Result<Vec<Value>, Failure> {
        func.call_in(self.raw, args, results_cap)
    }

    pub fn global_get(&mut self, instance: u32, name: &str) -> Result<Value, Failure> {
        let mut out = Value::I32(0).to_raw();
        // SAFETY: valid store, string and out-pointer.
        self.emb.check(unsafe {
            (self.emb.api.global_get)(self.raw, instance, name.as_ptr(), name.len(), &mut out)
        })?;
        Value::from_raw(&out).map_err(Failure::host)
    }
}

/// An exported function resolved once (`func_get`). It does not borrow
/// its store, as a C caller's handle would not: calling it after the store
/// is dropped is refused by the embedding, which is what the bad-input
/// checks prove.
pub struct Func<'a> {
    emb: &'a Embedding,
    raw: *mut EmbFunc,
    /// The store it came from, possibly freed since.
    store: *mut EmbStore,
}

impl Drop for Func<'_> {
    fn drop(&mut self) {
        // SAFETY: made by `func_get`; allowed after its store is freed.
        unsafe { (self.emb.api.func_free)(self.raw) }
    }
}

impl Func<'_> {
    /// Calls the function in the store it came from (`func_call`).
    pub fn call(&self, args: &[Value], results_cap: usize) -> Result<Vec<Value>, Failure> {
        self.call_in(self.store, args, results_cap)
    }

    /// As [`Func::call`] with the ABI's own values, allocating nothing:
    /// the benchmark's loop. Returns the number of results written.
    pub fn call_raw(&self, args: &[EmbVal], results: &mut [EmbVal]) -> Result<usize, Failure> {
        self.call_raw_in(self.store, args, results)
    }

    fn call_in(
        &self,
        store: *mut EmbStore,
        args: &[Value],
        results_cap: usize,
    ) -> Result<Vec<Value>, Failure> {
        marshalled(args, results_cap, |args, results| {
            self.call_raw_in(store, args, results)
        })
    }

    fn call_raw_in(
        &self,
        store: *mut EmbStore,
        args: &[EmbVal],
        results: &mut [EmbVal],
    ) -> Result<usize, Failure> {
        let mut nresults = 0;
        // SAFETY: live slices with their lengths. `store` may have been
        // freed, or be another store: the embedding checks the handle's
        // store before using it.
        self.emb.check(unsafe {
            (self.emb.api.func_call)(
                store,
                self.raw,
                args.as_ptr(),
                args.len(),
                results.as_mut_ptr(),
                results.len(),
                &mut nresults,
            )
        })?;
        Ok(nresults)
    }
}

/// Runs `call` with `args` and room for `results_cap` results in the
/// ABI's representation, and returns the results it wrote as [`Value`]s.
fn marshalled(
    args: &[Value],
    results_cap: usize,
    call: impl FnOnce(&[EmbVal], &mut [EmbVal]) -> Result<usize, Failure>,
) -> Result<Vec<Value>, Failure> {
    let raw_args: Vec<EmbVal> = args.iter().copied().map(Value::to_raw).collect();
    let mut raw_results = vec![Value::I32(0).to_raw(); results_cap];
    let nresults = call(&raw_args, &mut raw_results)?;
    raw_results[..nresults]
        .iter()
        .map(|v| Value::from_raw(v).map_err(Failure::host))
        .collect()
}

/// Fails unless `result` is a trap with code `expected`.
pub fn expect_trap<T: fmt::Debug>(result: Result<T, Failure>, expected: Trap) -> Result<()> {
    match result {
        Err(f) if f.trap == Some(expected) => Ok(()),
        Err(f) => bail!("expected trap {expected:?}, got {f}"),
        Ok(v) => bail!("expected trap {expected:?}, got success: {v:?}"),
    }
}
