//! Bad input: each case must produce a clear error and leave the host (and
//! the embedding) working.

use crate::artifacts::Compiler;
use crate::embedding::{Embedding, Engine, Failure, Module, Paths, Store};
use crate::values::Value;
use anyhow::{Result, bail, ensure};
use embedding_abi::{EmbErrorKind, EmbMode, EmbValKind};
use std::path::Path;

pub struct Ctx<'a> {
    pub mode: EmbMode,
    pub out: &'a Path,
    /// Whether the checks run on the mode's build with WASI (`samples --wasi`).
    pub wasi_build: bool,
    pub compiler: &'a Compiler,
    pub engine: &'a Engine<'a>,
}

pub type Case = fn(&Ctx<'_>) -> Result<String>;

/// Cases that only make sense where linear memory comes from the embedding's
/// own heap.
pub const MINIMAL_CASES: &[(&str, Case)] = &[
    ("bad-input/memory-exceeds-heap", memory_exceeds_heap),
    ("bad-input/table-exceeds-heap", table_exceeds_heap),
];

/// `small` is built without Wasmtime's GC runtime: a module using the GC or
/// the exception-handling proposal must be refused when it is precompiled,
/// naming the proposal, rather than run.
pub const SMALL_CASES: &[(&str, Case)] = &[
    ("proposal-disabled/gc", gc_module),
    ("proposal-disabled/exceptions", exceptions_module),
];

/// Each case returns the error text the user would have seen.
pub const CASES: &[(&str, Case)] = &[
    ("bad-input/truncated-artifact", truncated_artifact),
    ("bad-input/random-bytes", random_bytes),
    ("bad-input/wasm-not-precompiled", wasm_not_precompiled),
    ("bad-input/other-mode-artifact", other_mode_artifact),
    ("bad-input/forged-envelope", forged_envelope),
    ("bad-input/bare-artifact", bare_artifact),
    ("bad-input/missing-library", missing_library),
    ("bad-input/missing-import", missing_import),
    ("bad-input/trapping-start", trapping_start),
    ("bad-input/wrong-arguments", wrong_arguments),
    ("bad-input/func-handle-misuse", func_handle_misuse),
    ("bad-input/host-func-wrong-result", host_func_wrong_result),
    ("bad-input/heap-exhaustion-panic", heap_exhaustion_panic),
];

const MODULE: &str = r#"(module (func (export "one") (result i32) (i32.const 1)))"#;

/// Expects a non-trap error whose message mentions `needle`, then proves the
/// engine still loads and runs a good module.
fn rejected<T>(ctx: &Ctx<'_>, result: Result<T, Failure>, needle: &str) -> Result<String> {
    let failure = match result {
        Ok(_) => bail!("accepted; expected an error mentioning {needle:?}"),
        Err(f) => f,
    };
    ensure!(
        failure.kind == EmbErrorKind::Error,
        "expected an error, got {failure}"
    );
    ensure!(
        failure.message.contains(needle),
        "error does not mention {needle:?}: {}",
        failure.message
    );
    still_works(ctx)?;
    Ok(failure.message)
}

/// Precompiles `wat` for the mode and loads it into the embedding.
fn load<'a>(ctx: &'a Ctx<'_>, wat: &str) -> Result<Module<'a>> {
    Ok(ctx.engine.load(&ctx.compiler.precompile(wat.as_bytes())?)?)
}

/// A fresh store holding an instance of `MODULE`.
fn good_instance<'a>(ctx: &'a Ctx<'_>) -> Result<(Store<'a>, u32)> {
    let module = load(ctx, MODULE)?;
    let mut store = ctx.engine.store()?;
    store.set_fuel(1_000)?;
    let i = store.instantiate(&module)?;
    Ok((store, i))
}

fn still_works(ctx: &Ctx<'_>) -> Result<()> {
    let (mut store, i) = good_instance(ctx)?;
    let r = store.call(i, "one", &[], 1)?;
    ensure!(
        r == [Value::I32(1)],
        "good module after bad input returned {r:?}"
    );
    Ok(())
}

fn truncated_artifact(ctx: &Ctx<'_>) -> Result<String> {
    let artifact = ctx.compiler.precompile(MODULE.as_bytes())?;
    let half = &artifact[..artifact.len() / 2];
    rejected(ctx, ctx.engine.load(half), "truncated")
}

fn random_bytes(ctx: &Ctx<'_>) -> Result<String> {
    // A fixed xorshift sequence: random-looking, and the same on every run.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes: Vec<u8> = (0..4096)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    rejected(
        ctx,
        ctx.engine.load(&bytes),
        "bad magic, not a precompiled artifact",
    )
}

fn wasm_not_precompiled(ctx: &Ctx<'_>) -> Result<String> {
    let wasm = wat_to_wasm(MODULE)?;
    rejected(
        ctx,
        ctx.engine.load(&wasm),
        "WebAssembly binary, not a precompiled artifact",
    )
}

fn other_mode_artifact(ctx: &Ctx<'_>) -> Result<String> {
    let other = other_mode(ctx.mode);
    let artifact = Compiler::new(other)?.precompile(MODULE.as_bytes())?;
    rejected(ctx, ctx.engine.load(&artifact), "wrong mode")
}

fn gc_module(ctx: &Ctx<'_>) -> Result<String> {
    let wat = r#"(module (type $pair (struct (field i32) (field i32)))
        (func (export "pair") (result anyref) (struct.new_default $pair)))"#;
    proposal_disabled(ctx, wat, "without the gc feature")
}

fn exceptions_module(ctx: &Ctx<'_>) -> Result<String> {
    let wat = r#"(module (tag $oops)
        (func (export "throws") (throw $oops)))"#;
    proposal_disabled(ctx, wat, "exceptions proposal not enabled")
}

/// Precompiling `wat` for the mode must fail with an error containing
/// `needle`; then the engine must still run a good module.
fn proposal_disabled(ctx: &Ctx<'_>, wat: &str, needle: &str) -> Result<String> {
    let text = match ctx.compiler.precompile(wat.as_bytes()) {
        Ok(_) => bail!("precompiled; expected an error containing {needle:?}"),
        Err(e) => format!("{e:#}"),
    };
    ensure!(
        text.contains(needle),
        "error does not say {needle:?}: {text}"
    );
    still_works(ctx)?;
    Ok(text)
}

fn other_mode(mode: EmbMode) -> EmbMode {
    match mode {
        EmbMode::Minimal => EmbMode::Vm,
        EmbMode::Vm => EmbMode::Full,
        EmbMode::Full => EmbMode::Minimal,
        // The one mode whose artifacts `small` would otherwise accept:
        // the same target and tunables.
        EmbMode::Small => EmbMode::Minimal,
    }
}

/// Behind the envelope, Wasmtime's own checks still stand: another mode's
/// artifact resealed as this mode's (a forged envelope) passes the envelope
/// and is refused by Wasmtime.
fn forged_envelope(ctx: &Ctx<'_>) -> Result<String> {
    use embedding_abi::envelope::{ArtifactKind, HEADER_LEN, open};
    let other = other_mode(ctx.mode);
    let sealed = Compiler::new(other)?.precompile(MODULE.as_bytes())?;
    let payload = open(ArtifactKind::Module, other, &sealed).map_err(|e| anyhow::anyhow!("{e}"))?;
    ensure!(payload.len() + HEADER_LEN == sealed.len());
    let forged = crate::envelope::seal_module(ctx.mode, payload);
    // Minimal vs. native differ in architecture; vm vs. full in tunables
    // (both reserve 4 GiB; only `full` has a guard region).
    let needle = match (ctx.mode, other) {
        (EmbMode::Vm, EmbMode::Full) => "memory guard size",
        // `minimal`'s artifacts claim the GC proposal, which `small` lacks.
        (EmbMode::Small, EmbMode::Minimal) => "GC is disabled",
        _ => "compiled for architecture",
    };
    rejected(ctx, ctx.engine.load(&forged), needle)
}

fn bare_artifact(ctx: &Ctx<'_>) -> Result<String> {
    use embedding_abi::envelope::{ArtifactKind, open};
    let sealed = ctx.compiler.precompile(MODULE.as_bytes())?;
    let payload =
        open(ArtifactKind::Module, ctx.mode, &sealed).map_err(|e| anyhow::anyhow!("{e}"))?;
    rejected(
        ctx,
        ctx.engine.load(payload),
        "without the embedding's integrity envelope",
    )
}

fn missing_library(ctx: &Ctx<'_>) -> Result<String> {
    let paths = Paths::in_dir(Path::new("/nonexistent/out"), ctx.mode);
    match Embedding::load(&paths, ctx.mode) {
        Ok(_) => bail!("loading from /nonexistent succeeded"),
        Err(e) => {
            let text = format!("{e:#}");
            ensure!(
                text.contains("/nonexistent/out"),
                "error does not name the path: {text}"
            );
            Ok(text)
        }
    }
}

fn missing_import(ctx: &Ctx<'_>) -> Result<String> {
    let wat = r#"(module (import "env" "nowhere" (func (param i32))))"#;
    let module = load(ctx, wat)?;
    let mut store = ctx.engine.store()?;
    rejected(ctx, store.instantiate(&module), "env::nowhere")
}

fn trapping_start(ctx: &Ctx<'_>) -> Result<String> {
    let wat = r#"(module (func $start unreachable) (start $start))"#;
    let module = load(ctx, wat)?;
    let mut store = ctx.engine.store()?;
    store.set_fuel(1_000)?;
    match store.instantiate(&module) {
        Err(f) if f.trap == Some(wasmtime::Trap::UnreachableCodeReached) => {
            still_works(ctx)?;
            Ok(f.message)
        }
        Err(f) => bail!("expected an `unreachable` trap, got {f}"),
        Ok(_) => bail!("a module whose start function traps was instantiated"),
    }
}

fn wrong_arguments(ctx: &Ctx<'_>) -> Result<String> {
    let (mut store, i) = good_instance(ctx)?;
    rejected(
        ctx,
        store.call(i, "one", &[Value::I64(3)], 1),
        "expected 0 arguments, got 1",
    )?;
    rejected(
        ctx,
        store.call(i, "one", &[], 0),
        "returns 1 values, the caller has room for 0",
    )?;
    rejected(
        ctx,
        store.call(i, "absent", &[], 0),
        "no exported function `absent`",
    )?;
    rejected(ctx, store.call(i + 7, "one", &[], 1), "no instance")
}

/// Function handles (`func_get`, `func_call`): each misuse is refused with
/// an error saying what was wrong, and a good call still works after all.
fn func_handle_misuse(ctx: &Ctx<'_>) -> Result<String> {
    let (mut store, i) = good_instance(ctx)?;
    let one = store.func(i, "one")?;
    ensure!(
        one.call(&[], 1)? == [Value::I32(1)],
        "`one` through its handle"
    );
    let mut texts = vec![rejected(
        ctx,
        store.func(i, "absent"),
        "no exported function `absent`",
    )?];
    texts.push(rejected(ctx, store.func(i + 7, "one"), "no instance")?);
    texts.push(rejected(
        ctx,
        one.call(&[Value::I32(3)], 1),
        "takes 0 arguments, 1 given",
    )?);
    texts.push(rejected(
        ctx,
        one.call(&[], 0),
        "returns 1 values, the caller has room for 0",
    )?);
    let wat = r#"(module (func (export "id") (param i64) (result i64) (local.get 0)))"#;
    let module = load(ctx, wat)?;
    let id_instance = store.instantiate(&module)?;
    let id = store.func(id_instance, "id")?;
    ensure!(id.call(&[Value::I64(-5)], 1)? == [Value::I64(-5)], "`id`");
    texts.push(rejected(
        ctx,
        id.call(&[Value::I32(7)], 1),
        "argument 0 of `id` is I32, the function takes i64",
    )?);
    let (mut other, _) = good_instance(ctx)?;
    texts.push(rejected(
        ctx,
        other.call_func(&one, &[], 1),
        "belongs to another store",
    )?);
    drop(store);
    // The handle outlives its store: refused, before the freed store is
    // touched, whether the call names that store or a live one.
    texts.push(rejected(ctx, one.call(&[], 1), "was freed")?);
    texts.push(rejected(ctx, other.call_func(&id, &[], 1), "was freed")?);
    Ok(texts.join("; "))
}

/// A host function that writes a result of another kind than it declared
/// is refused by name, on the numeric fast path (`num`: raw values) and on
/// the path with references (`ref`: Wasmtime's `Val`), and a well-behaved
/// one then runs in the same store.
fn host_func_wrong_result(ctx: &Ctx<'_>) -> Result<String> {
    let wat = r#"(module
        (import "host" "num" (func $num (param i64) (result i32)))
        (import "host" "ref" (func $ref (result funcref)))
        (import "host" "good" (func $good (param i32) (result i32)))
        (func (export "num") (result i32) (call $num (i64.const 1)))
        (func (export "ref") (call $ref) drop)
        (func (export "good") (result i32) (call $good (i32.const 41))))"#;
    let module = load(ctx, wat)?;
    let mut store = ctx.engine.store()?;
    store.set_fuel(1_000)?;
    store.define_func(
        "host",
        "num",
        &[EmbValKind::I64],
        &[EmbValKind::I32],
        Box::new(|_, out| {
            out[0] = Value::F64(2.5f64.to_bits());
            0
        }),
    )?;
    store.define_func(
        "host",
        "ref",
        &[],
        &[EmbValKind::FuncRef],
        Box::new(|_, out| {
            out[0] = Value::I32(7);
            0
        }),
    )?;
    store.define_func(
        "host",
        "good",
        &[EmbValKind::I32],
        &[EmbValKind::I32],
        Box::new(|args, out| match args {
            [Value::I32(x)] => {
                out[0] = Value::I32(x + 1);
                0
            }
            _ => 1,
        }),
    )?;
    let i = store.instantiate(&module)?;
    let texts = [
        rejected(
            ctx,
            store.call(i, "num", &[], 1),
            "host function `host.num` returned F64 as result 0, declared I32",
        )?,
        rejected(
            ctx,
            store.call(i, "ref", &[], 0),
            "host function `host.ref` returned I32 as result 0, declared FuncRef",
        )?,
    ];
    let good = store.call(i, "good", &[], 1)?;
    ensure!(good == [Value::I32(42)], "`good` returned {good:?}");
    Ok(texts.join("; "))
}

fn wat_to_wasm(wat: &str) -> Result<Vec<u8>> {
    // The host's Wasmtime parses text; compile nothing, just encode.
    Ok(wat::parse_str(wat)?)
}

/// Instantiates `wat` and expects a clean instantiation error naming `needle`.
fn instantiation_fails(ctx: &Ctx<'_>, wat: &str, needle: &str) -> Result<String> {
    let module = load(ctx, wat)?;
    let mut store = ctx.engine.store()?;
    rejected(ctx, store.instantiate(&module), needle)
}

fn memory_exceeds_heap(ctx: &Ctx<'_>) -> Result<String> {
    // 12000 pages = 750 MiB, more than the default 512 MiB heap.
    instantiation_fails(ctx, "(module (memory 12000))", "memory allocation failed")
}

fn table_exceeds_heap(ctx: &Ctx<'_>) -> Result<String> {
    instantiation_fails(ctx, "(module (table 100000000 funcref))", "out of memory")
}

/// What is too big for the heap and has no fallible path panics inside the
/// embedding: the panic must reach the host's hook with a message naming the
/// heap, and end the process rather than hang it. Run in a child process.
fn heap_exhaustion_panic(ctx: &Ctx<'_>) -> Result<String> {
    let exe = std::env::current_exe()?;
    let out = std::process::Command::new(exe)
        .args([
            "exhaust-heap",
            "--mode",
            crate::mode_name(ctx.mode),
            "--out",
        ])
        .arg(ctx.out)
        .args(ctx.wasi_build.then_some("--wasi"))
        .output()?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    ensure!(
        out.status.code() == Some(crate::EXIT_EMBEDDING_PANICKED),
        "child ended with {}, expected exit status {} from the panic hook; stderr: {stderr}",
        out.status,
        crate::EXIT_EMBEDDING_PANICKED
    );
    ensure!(
        stderr.contains("embedding panicked:")
            && (stderr.contains("out of memory") || stderr.contains("memory allocation of"))
            && stderr.contains("embedding heap:"),
        "panic message does not say what ran out: {stderr}"
    );
    Ok(stderr.trim().to_string())
}

/// The child side of `heap_exhaustion_panic`. Tables, stores and linker
/// entries fail cleanly when the heap is full, so it fills the heap
/// completely; then even the text of an error cannot be allocated, and the
/// embedding has to panic. Does not return if panic handling works.
pub fn exhaust_heap(emb: &Embedding, compiler: &Compiler) -> Result<()> {
    let engine = emb.engine()?;
    let mut store = engine.store()?;
    // Tables of 1/16 of the heap first (8-byte funcref slots).
    // All modules are loaded first: loading needs heap too.
    let modules = std::iter::successors(Some(emb.heap_size() / 8 / 16), |n| Some(n / 2))
        .take_while(|&n| n > 0)
        .map(|n| {
            let wat = format!("(module (table {n} funcref))");
            Ok(engine.load(&compiler.precompile(wat.as_bytes())?)?)
        })
        .collect::<Result<Vec<_>>>()?;
    for module in &modules {
        while store.instantiate(module).is_ok() {}
    }
    // Then host functions with ever shorter names take the last fragments,
    // until a failure cannot even be described.
    for len in [1024, 256, 64, 16, 1] {
        for k in 0.. {
            let name = format!("{k:0len$}");
            if store
                .define_func("host", &name, &[], &[], Box::new(|_, _| 0))
                .is_err()
            {
                break;
            }
        }
    }
    bail!(
        "the heap never ran out ({} of {} bytes used)",
        emb.heap_used(),
        emb.heap_size()
    )
}
