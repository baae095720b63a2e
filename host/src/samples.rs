//! The samples: small modules, each asserting what the embedding computed.

use crate::artifacts::Compiler;
use crate::embedding::{Engine, Store, expect_trap};
use crate::values::Value;
use anyhow::{Context, Result, ensure};
use embedding_abi::EmbValKind;
use std::cell::Cell;
use std::rc::Rc;
use wasmtime::Trap;

/// What a sample runs against.
pub struct Ctx<'a> {
    pub compiler: &'a Compiler,
    pub engine: &'a Engine<'a>,
}

/// Fuel for ordinary calls: far more than any sample needs, small enough that
/// a sample that loops by mistake fails in well under a second.
const FUEL: u64 = 50_000_000;

impl Ctx<'_> {
    /// Precompiles `wat`, loads it, and instantiates it in a fresh store.
    fn instance(&self, wat: &str) -> Result<(Store<'_>, u32)> {
        let mut store = self.engine.store()?;
        store.set_fuel(FUEL)?;
        let instance = self.instantiate_in(&mut store, wat)?;
        Ok((store, instance))
    }

    fn instantiate_in(&self, store: &mut Store<'_>, wat: &str) -> Result<u32> {
        let artifact = self.compiler.precompile(wat.as_bytes())?;
        let module = self.engine.load(&artifact)?;
        Ok(store.instantiate(&module)?)
    }
}

pub type Sample = fn(&Ctx<'_>) -> Result<()>;

pub const SAMPLES: &[(&str, Sample)] = &[
    ("smoke", smoke),
    ("add", add),
    ("host-import", host_import),
    ("register-linking", register_linking),
    ("floats", floats),
    ("memory", memory),
    ("globals-tables", globals_tables),
    ("trap-unreachable", trap_unreachable),
    ("trap-out-of-bounds", trap_out_of_bounds),
    ("trap-divide-by-zero", trap_divide_by_zero),
    ("trap-indirect-type-mismatch", trap_indirect_type_mismatch),
    ("trap-stack-exhaustion", trap_stack_exhaustion),
    ("fuel", fuel),
];

fn smoke(ctx: &Ctx<'_>) -> Result<()> {
    let (_store, instance) = ctx.instance("(module)")?;
    ensure!(instance == 0, "first instance has index {instance}");
    Ok(())
}

fn add(ctx: &Ctx<'_>) -> Result<()> {
    let (mut store, i) = ctx.instance(
        r#"(module
            (func (export "add") (param i32 i32) (result i32)
              (i32.add (local.get 0) (local.get 1)))
            (func (export "add64") (param i64 i64) (result i64)
              (i64.add (local.get 0) (local.get 1))))"#,
    )?;
    let r = store.call(i, "add", &[Value::I32(2), Value::I32(40)], 1)?;
    ensure!(r == [Value::I32(42)], "add(2, 40) = {r:?}");
    let r = store.call(i, "add", &[Value::I32(i32::MAX), Value::I32(1)], 1)?;
    ensure!(r == [Value::I32(i32::MIN)], "add wraps: {r:?}");
    let r = store.call(i, "add64", &[Value::I64(1 << 40), Value::I64(-1)], 1)?;
    ensure!(r == [Value::I64((1 << 40) - 1)], "add64 = {r:?}");
    Ok(())
}

fn host_import(ctx: &Ctx<'_>) -> Result<()> {
    let mut store = ctx.engine.store()?;
    store.set_fuel(FUEL)?;
    let calls = Rc::new(Cell::new(0));
    let seen = calls.clone();
    store.define_func(
        "host",
        "triple",
        &[EmbValKind::I32],
        &[EmbValKind::I32],
        Box::new(move |args, results| {
            seen.set(seen.get() + 1);
            match args {
                [Value::I32(x)] => {
                    results[0] = Value::I32(x * 3);
                    0
                }
                _ => 1,
            }
        }),
    )?;
    let i = ctx.instantiate_in(
        &mut store,
        r#"(module
            (import "host" "triple" (func $triple (param i32) (result i32)))
            (func (export "nine_times") (param i32) (result i32)
              (call $triple (call $triple (local.get 0)))))"#,
    )?;
    let r = store.call(i, "nine_times", &[Value::I32(5)], 1)?;
    ensure!(r == [Value::I32(45)], "nine_times(5) = {r:?}");
    ensure!(
        calls.get() == 2,
        "host function called {} times",
        calls.get()
    );
    Ok(())
}

fn register_linking(ctx: &Ctx<'_>) -> Result<()> {
    let mut store = ctx.engine.store()?;
    store.set_fuel(FUEL)?;
    let lib = ctx.instantiate_in(
        &mut store,
        r#"(module
            (memory (export "mem") 1)
            (global (export "base") i32 (i32.const 100))
            (func (export "square") (param i32) (result i32)
              (i32.mul (local.get 0) (local.get 0))))"#,
    )?;
    store.register(lib, "lib")?;
    let user = ctx.instantiate_in(
        &mut store,
        r#"(module
            (import "lib" "square" (func $square (param i32) (result i32)))
            (import "lib" "mem" (memory 1))
            (import "lib" "base" (global $base i32))
            (func (export "go") (param i32) (result i32)
              (i32.store (global.get $base) (call $square (local.get 0)))
              (i32.load (global.get $base))))"#,
    )?;
    let r = store.call(user, "go", &[Value::I32(12)], 1)?;
    ensure!(r == [Value::I32(144)], "go(12) = {r:?}");
    // The store went to the shared memory of the first instance.
    let r = store.call(lib, "square", &[Value::I32(-3)], 1)?;
    ensure!(r == [Value::I32(9)], "square(-3) = {r:?}");
    Ok(())
}

fn floats(ctx: &Ctx<'_>) -> Result<()> {
    // ceil and floor are the operations that become runtime calls, passing
    // floats in registers, when the native target lacks SSE4.1.
    let (mut store, i) = ctx.instance(
        r#"(module
            (func (export "ceil32") (param f32) (result f32) (f32.ceil (local.get 0)))
            (func (export "floor32") (param f32) (result f32) (f32.floor (local.get 0)))
            (func (export "ceil64") (param f64) (result f64) (f64.ceil (local.get 0)))
            (func (export "floor64") (param f64) (result f64) (f64.floor (local.get 0)))
            (func (export "mix") (param f32 f64) (result f64)
              (f64.add (f64.promote_f32 (local.get 0)) (f64.sqrt (local.get 1)))))"#,
    )?;
    let f32_cases = [
        (1.5f32, 2.0f32, 1.0f32),
        (-1.5, -1.0, -2.0),
        (-0.5, -0.0, -1.0),
    ];
    for (x, ceil, floor) in f32_cases {
        let r = store.call(i, "ceil32", &[Value::f32(x)], 1)?;
        ensure!(r == [Value::f32(ceil)], "f32.ceil({x}) = {r:?}");
        let r = store.call(i, "floor32", &[Value::f32(x)], 1)?;
        ensure!(r == [Value::f32(floor)], "f32.floor({x}) = {r:?}");
    }
    let f64_cases = [
        (2.25f64, 3.0f64, 2.0f64),
        (-2.25, -2.0, -3.0),
        (1e300, 1e300, 1e300),
    ];
    for (x, ceil, floor) in f64_cases {
        let r = store.call(i, "ceil64", &[Value::f64(x)], 1)?;
        ensure!(r == [Value::f64(ceil)], "f64.ceil({x}) = {r:?}");
        let r = store.call(i, "floor64", &[Value::f64(x)], 1)?;
        ensure!(r == [Value::f64(floor)], "f64.floor({x}) = {r:?}");
    }
    let r = store.call(i, "mix", &[Value::f32(0.5), Value::f64(16.0)], 1)?;
    ensure!(r == [Value::f64(4.5)], "0.5 + sqrt(16) = {r:?}");
    Ok(())
}

fn memory(ctx: &Ctx<'_>) -> Result<()> {
    let (mut store, i) = ctx.instance(
        r#"(module
            (memory (export "mem") 1 4)
            (data (i32.const 16) "hello")
            (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
            (func (export "store32") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
            (func (export "load32") (param i32) (result i32) (i32.load (local.get 0)))
            (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
            (func (export "size") (result i32) (memory.size)))"#,
    )?;
    for (offset, byte) in [(16, b'h'), (20, b'o'), (21, 0)] {
        let r = store.call(i, "load8", &[Value::I32(offset)], 1)?;
        ensure!(
            r == [Value::I32(byte.into())],
            "data segment byte {offset}: {r:?}"
        );
    }
    store.call(
        i,
        "store32",
        &[Value::I32(1000), Value::I32(0x1234_5678)],
        0,
    )?;
    let r = store.call(i, "load32", &[Value::I32(1000)], 1)?;
    ensure!(r == [Value::I32(0x1234_5678)], "load after store: {r:?}");
    let r = store.call(i, "grow", &[Value::I32(2)], 1)?;
    ensure!(
        r == [Value::I32(1)],
        "memory.grow returned {r:?}, expected old size 1"
    );
    let r = store.call(i, "size", &[], 1)?;
    ensure!(r == [Value::I32(3)], "size after grow: {r:?}");
    // The new pages are zeroed and usable; the old contents survived.
    let last = 3 * 65536 - 4;
    let r = store.call(i, "load32", &[Value::I32(last)], 1)?;
    ensure!(r == [Value::I32(0)], "fresh page not zero: {r:?}");
    store.call(i, "store32", &[Value::I32(last), Value::I32(-7)], 0)?;
    let r = store.call(i, "load32", &[Value::I32(last)], 1)?;
    ensure!(r == [Value::I32(-7)], "store to grown page: {r:?}");
    let r = store.call(i, "load8", &[Value::I32(16)], 1)?;
    ensure!(r == [Value::I32(b'h'.into())], "data lost by grow: {r:?}");
    // Growing past the declared maximum fails with -1 rather than trapping.
    let r = store.call(i, "grow", &[Value::I32(2)], 1)?;
    ensure!(r == [Value::I32(-1)], "grow past maximum returned {r:?}");
    Ok(())
}

fn globals_tables(ctx: &Ctx<'_>) -> Result<()> {
    let (mut store, i) = ctx.instance(
        r#"(module
            (global $counter (export "counter") (mut i64) (i64.const 10))
            (global (export "pi") f64 (f64.const 3.25))
            (type $binop (func (param i32 i32) (result i32)))
            (table 3 funcref)
            (elem (i32.const 0) $add $sub $mul)
            (func $add (type $binop) (i32.add (local.get 0) (local.get 1)))
            (func $sub (type $binop) (i32.sub (local.get 0) (local.get 1)))
            (func $mul (type $binop) (i32.mul (local.get 0) (local.get 1)))
            (func (export "bump") (result i64)
              (global.set $counter (i64.add (global.get $counter) (i64.const 1)))
              (global.get $counter))
            (func (export "apply") (param i32 i32 i32) (result i32)
              (call_indirect (type $binop) (local.get 1) (local.get 2) (local.get 0))))"#,
    )?;
    ensure!(
        store.global_get(i, "counter")? == Value::I64(10),
        "initial global"
    );
    ensure!(
        store.global_get(i, "pi")? == Value::f64(3.25),
        "immutable f64 global"
    );
    store.call(i, "bump", &[], 1)?;
    let r = store.call(i, "bump", &[], 1)?;
    ensure!(r == [Value::I64(12)], "bump twice: {r:?}");
    ensure!(
        store.global_get(i, "counter")? == Value::I64(12),
        "global after bumps"
    );
    for (slot, expected) in [(0, 13), (1, 7), (2, 30)] {
        let r = store.call(
            i,
            "apply",
            &[Value::I32(slot), Value::I32(10), Value::I32(3)],
            1,
        )?;
        ensure!(r == [Value::I32(expected)], "table slot {slot}: {r:?}");
    }
    expect_trap(
        store.call(
            i,
            "apply",
            &[Value::I32(3), Value::I32(1), Value::I32(1)],
            1,
        ),
        Trap::TableOutOfBounds,
    )
}

/// Calls `export` of `wat` twice, expecting `trap` each time, and checks that
/// the instance still works afterwards. The second trap proves trap handling
/// is re-armed (in `full` mode: the signal is not left blocked).
fn assert_traps(ctx: &Ctx<'_>, wat: &str, export: &str, args: &[Value], trap: Trap) -> Result<()> {
    let (mut store, i) = ctx.instance(wat)?;
    for attempt in 1..=2 {
        expect_trap(store.call(i, export, args, 1), trap)
            .with_context(|| format!("attempt {attempt}"))?;
    }
    let r = store
        .call(i, "ok", &[], 1)
        .context("instance unusable after trap")?;
    ensure!(r == [Value::I32(1)], "`ok` after trap returned {r:?}");
    Ok(())
}

const OK_EXPORT: &str = r#"(func (export "ok") (result i32) (i32.const 1))"#;

fn trap_unreachable(ctx: &Ctx<'_>) -> Result<()> {
    let wat = format!(r#"(module {OK_EXPORT} (func (export "f") (result i32) unreachable))"#);
    assert_traps(ctx, &wat, "f", &[], Trap::UnreachableCodeReached)
}

fn trap_out_of_bounds(ctx: &Ctx<'_>) -> Result<()> {
    let wat = format!(
        r#"(module {OK_EXPORT} (memory 1)
            (func (export "f") (param i32) (result i32) (i32.load (local.get 0))))"#
    );
    // Just past the end, and far past it (in `full` mode: deep in the guard).
    assert_traps(
        ctx,
        &wat,
        "f",
        &[Value::I32(65536 - 2)],
        Trap::MemoryOutOfBounds,
    )?;
    assert_traps(ctx, &wat, "f", &[Value::I32(-4)], Trap::MemoryOutOfBounds)
}

fn trap_divide_by_zero(ctx: &Ctx<'_>) -> Result<()> {
    let wat = format!(
        r#"(module {OK_EXPORT}
            (func (export "f") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1))))"#
    );
    assert_traps(
        ctx,
        &wat,
        "f",
        &[Value::I32(7), Value::I32(0)],
        Trap::IntegerDivisionByZero,
    )?;
    assert_traps(
        ctx,
        &wat,
        "f",
        &[Value::I32(i32::MIN), Value::I32(-1)],
        Trap::IntegerOverflow,
    )
}

fn trap_indirect_type_mismatch(ctx: &Ctx<'_>) -> Result<()> {
    let wat = format!(
        r#"(module {OK_EXPORT}
            (type $unary (func (param i32) (result i32)))
            (type $nullary (func (result i32)))
            (table 1 funcref)
            (elem (i32.const 0) $unary_fn)
            (func $unary_fn (type $unary) (local.get 0))
            (func (export "f") (result i32) (call_indirect (type $nullary) (i32.const 0))))"#
    );
    assert_traps(ctx, &wat, "f", &[], Trap::BadSignature)
}

fn trap_stack_exhaustion(ctx: &Ctx<'_>) -> Result<()> {
    let wat = format!(
        r#"(module {OK_EXPORT}
            (func $down (export "f") (param i32) (result i32)
              (i32.add (call $down (i32.add (local.get 0) (i32.const 1))) (i32.const 1))))"#
    );
    assert_traps(ctx, &wat, "f", &[Value::I32(0)], Trap::StackOverflow)
}

fn fuel(ctx: &Ctx<'_>) -> Result<()> {
    let (mut store, i) = ctx.instance(
        r#"(module
            (func (export "spin") (loop $l (br $l)))
            (func (export "count") (param i32) (result i32) (local i32)
              (loop $l
                (local.set 1 (i32.add (local.get 1) (i32.const 1)))
                (br_if $l (i32.lt_u (local.get 1) (local.get 0))))
              (local.get 1)))"#,
    )?;
    store.set_fuel(100_000)?;
    expect_trap(store.call(i, "spin", &[], 0), Trap::OutOfFuel)?;
    ensure!(
        store.fuel()? == 0,
        "fuel left after running out: {}",
        store.fuel()?
    );
    // Refuelled, the same store runs a bounded loop, and it costs fuel.
    store.set_fuel(1_000_000)?;
    let r = store.call(i, "count", &[Value::I32(1000)], 1)?;
    ensure!(r == [Value::I32(1000)], "count(1000) = {r:?}");
    let left = store.fuel()?;
    ensure!(
        left < 1_000_000 - 1000,
        "a 1000-iteration loop burned only {} fuel",
        1_000_000 - left
    );
    Ok(())
}
