//! Resource limits per store (`store_set_limits`) and the leak check: the
//! `limits` and `leak` checks of `host reliability`.

use crate::artifacts::Compiler;
use crate::embedding::{Embedding, Engine, Failure, Module, Store};
use crate::values::Value;
use anyhow::{Result, bail, ensure};
use embedding_abi::{EMB_NO_LIMIT, EmbErrorKind, EmbLimits};

const PAGE: u64 = 64 << 10;

/// No limit anywhere; the checks lower one field at a time.
const NONE: EmbLimits = EmbLimits {
    memory_bytes: EMB_NO_LIMIT,
    table_elements: EMB_NO_LIMIT,
    instances: EMB_NO_LIMIT,
    memories: EMB_NO_LIMIT,
    tables: EMB_NO_LIMIT,
};

const GROWER: &str = r#"(module
  (memory (export "mem") 1)
  (table 10 funcref)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size))
  (func (export "table_grow") (param i32) (result i32)
    (table.grow (ref.null func) (local.get 0)))
  (func (export "touch") (param i32) (result i32)
    (i32.store (local.get 0) (i32.const 7)) (i32.load (local.get 0))))"#;

struct Ctx<'a> {
    compiler: &'a Compiler,
    engine: &'a Engine<'a>,
}

impl<'a> Ctx<'a> {
    fn load(&self, wat: &str) -> Result<Module<'a>> {
        Ok(self
            .engine
            .load(&self.compiler.precompile(wat.as_bytes())?)?)
    }

    fn store(&self, limits: &EmbLimits) -> Result<Store<'a>> {
        let mut store = self.engine.store()?;
        store.set_fuel(10_000_000)?;
        store.set_limits(limits)?;
        Ok(store)
    }
}

fn i32_of(store: &mut Store<'_>, i: u32, name: &str, args: &[Value]) -> Result<i32> {
    match store.call(i, name, args, 1)?[..] {
        [Value::I32(v)] => Ok(v),
        ref other => bail!("{name} returned {other:?}"),
    }
}

/// An instantiation refused with an error (not a trap, not a panic) whose
/// text mentions `needle`.
fn refused(result: Result<u32, Failure>, needle: &str) -> Result<()> {
    match result {
        Ok(_) => bail!("instantiated; expected an error mentioning {needle:?}"),
        Err(f) if f.kind == EmbErrorKind::Error && f.message.contains(needle) => Ok(()),
        Err(f) => bail!("expected an error mentioning {needle:?}, got {f}"),
    }
}

fn memory_bytes(ctx: &Ctx<'_>) -> Result<String> {
    let module = ctx.load(GROWER)?;
    // Control: without a limit the memory grows past 4 pages.
    let mut free = ctx.store(&NONE)?;
    let i = free.instantiate(&module)?;
    ensure!(
        i32_of(&mut free, i, "grow", &[Value::I32(8)])? == 1,
        "unlimited grow failed"
    );
    let mut store = ctx.store(&EmbLimits {
        memory_bytes: 4 * PAGE,
        ..NONE
    })?;
    let i = store.instantiate(&module)?;
    let grown = i32_of(&mut store, i, "grow", &[Value::I32(3)])?;
    ensure!(grown == 1, "grow to the limit returned {grown}, expected 1");
    let refused_grow = i32_of(&mut store, i, "grow", &[Value::I32(1)])?;
    ensure!(
        refused_grow == -1,
        "grow past the limit returned {refused_grow}, expected -1"
    );
    let huge = i32_of(&mut store, i, "grow", &[Value::I32(60000)])?;
    ensure!(
        huge == -1,
        "grow by 60000 pages returned {huge}, expected -1"
    );
    let size = i32_of(&mut store, i, "size", &[])?;
    ensure!(
        size == 4,
        "memory has {size} pages after refused growth, expected 4"
    );
    // The store and its memory are still usable, up to the last page.
    let last = (4 * PAGE - 4) as i32;
    ensure!(i32_of(&mut store, i, "touch", &[Value::I32(last)])? == 7);
    // A memory whose minimum is over the limit is refused at instantiation.
    refused(
        store.instantiate(&ctx.load("(module (memory 5))")?),
        "memory minimum size",
    )?;
    Ok("grow to 4 pages: 1; one more: -1; 60000 more: -1; (memory 5): refused".into())
}

fn table_elements(ctx: &Ctx<'_>) -> Result<String> {
    let module = ctx.load(GROWER)?;
    let mut store = ctx.store(&EmbLimits {
        table_elements: 100,
        ..NONE
    })?;
    let i = store.instantiate(&module)?;
    let grown = i32_of(&mut store, i, "table_grow", &[Value::I32(90)])?;
    ensure!(
        grown == 10,
        "table.grow to the limit returned {grown}, expected 10"
    );
    let over = i32_of(&mut store, i, "table_grow", &[Value::I32(1)])?;
    ensure!(
        over == -1,
        "table.grow past the limit returned {over}, expected -1"
    );
    refused(
        store.instantiate(&ctx.load("(module (table 101 funcref))")?),
        "table minimum size",
    )?;
    Ok("table.grow to 100: 10; one more: -1; (table 101): refused".into())
}

/// A count limit: `allowed` instantiations of `wat` succeed, the next is
/// refused naming `needle`, and the store still runs what it has.
fn count(
    ctx: &Ctx<'_>,
    limits: EmbLimits,
    wat: &str,
    allowed: u32,
    needle: &str,
) -> Result<String> {
    let module = ctx.load(wat)?;
    let mut store = ctx.store(&limits)?;
    for n in 0..allowed {
        store
            .instantiate(&module)
            .map_err(|f| anyhow::anyhow!("instantiation {} of {allowed}: {f}", n + 1))?;
    }
    refused(store.instantiate(&module), needle)?;
    let good = ctx.load("(module (func (export \"one\") (result i32) (i32.const 1)))")?;
    let mut other = ctx.store(&limits)?;
    let i = other.instantiate(&good)?;
    ensure!(i32_of(&mut other, i, "one", &[])? == 1);
    Ok(format!("{allowed} allowed, the next refused"))
}

fn instances(ctx: &Ctx<'_>) -> Result<String> {
    count(
        ctx,
        EmbLimits {
            instances: 3,
            ..NONE
        },
        "(module)",
        3,
        "instance count",
    )
}

fn memories(ctx: &Ctx<'_>) -> Result<String> {
    count(
        ctx,
        EmbLimits {
            memories: 2,
            ..NONE
        },
        "(module (memory 1))",
        2,
        "memory count",
    )
}

fn tables(ctx: &Ctx<'_>) -> Result<String> {
    count(
        ctx,
        EmbLimits { tables: 2, ..NONE },
        "(module (table 1 funcref))",
        2,
        "table count",
    )
}

pub fn limit_checks(
    compiler: &Compiler,
    engine: &Engine<'_>,
) -> Vec<(&'static str, Result<String>)> {
    let ctx = Ctx { compiler, engine };
    vec![
        ("limits/memory-bytes", memory_bytes(&ctx)),
        ("limits/table-elements", table_elements(&ctx)),
        ("limits/instances", instances(&ctx)),
        ("limits/memories", memories(&ctx)),
        ("limits/tables", tables(&ctx)),
    ]
}

/// Cycles of the leak check, unless `--cycles` says otherwise.
pub const CYCLES: usize = 10_000;

/// `heap_used` must be back at its baseline after `cycles` cycles of store
/// creation, instantiation (memory with data, table, global), a call and
/// store release. A warm-up first lets one-time allocations settle.
pub fn leak(
    emb: &Embedding,
    compiler: &Compiler,
    engine: &Engine<'_>,
    cycles: usize,
) -> Result<String> {
    let ctx = Ctx { compiler, engine };
    let module = ctx.load(
        r#"(module
  (memory 1) (data (i32.const 16) "leak check")
  (table 4 funcref) (elem (i32.const 0) $f)
  (global $g (mut i32) (i32.const 5))
  (func $f (result i32) (global.get $g))
  (func (export "run") (result i32)
    (global.set $g (i32.add (global.get $g) (i32.load8_u (i32.const 16))))
    (drop (memory.grow (i32.const 1)))
    (call_indirect (result i32) (i32.const 0))))"#,
    )?;
    let cycle = || -> Result<usize> {
        let mut store = ctx.store(&NONE)?;
        let i = store.instantiate(&module)?;
        let v = i32_of(&mut store, i, "run", &[])?;
        ensure!(v == 5 + i32::from(b'l'), "run returned {v}");
        Ok(emb.heap_used())
    };
    // (No more warm-up than measured cycles: under qemu-user each `full`
    // cycle costs the emulator 25 MB, see docs/architectures.md.)
    for _ in 0..cycles.min(100) {
        cycle()?;
    }
    let baseline = emb.heap_used();
    let start = std::time::Instant::now();
    let mut during = 0;
    for _ in 0..cycles {
        during = during.max(cycle()?);
    }
    let elapsed = start.elapsed();
    let after = emb.heap_used();
    // The measurement must see a cycle's allocations at all.
    ensure!(
        during > baseline,
        "heap_used never rose above the baseline {baseline} during a cycle"
    );
    ensure!(
        after == baseline,
        "heap_used {after} after {cycles} cycles, baseline {baseline}: {} bytes leaked",
        after as i64 - baseline as i64
    );
    Ok(format!(
        "{cycles} cycles in {:.2} s: heap_used {baseline} before and after, up to {during} during",
        elapsed.as_secs_f64()
    ))
}
