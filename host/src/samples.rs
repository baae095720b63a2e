//! The samples: small modules, each with the steps that drive it and the
//! results those steps must produce. This table is data, interpreted by the
//! Linux runner (`sample_run.rs`) and turned into C for bare-metal ports
//! (`port_samples.rs`), so every platform checks exactly the same things.

use crate::values::Value;
use wasmtime::Trap;

/// Fuel each sample's fresh store starts with: far more than any sample
/// needs, small enough that a sample that loops by mistake fails in well
/// under a second.
pub const STORE_FUEL: u64 = 50_000_000;

pub struct Sample {
    pub name: &'static str,
    /// Run in order against one fresh store holding [`STORE_FUEL`].
    pub steps: Vec<Step>,
}

#[derive(Clone)]
pub enum Step {
    /// Makes `func` importable as `module`.`name` in the store.
    DefineHostFunc {
        module: &'static str,
        name: &'static str,
        func: HostFunc,
    },
    /// Precompiles and instantiates `wat`; the store must number the new
    /// instance `index` (later steps refer to instances by that number).
    Instantiate {
        wat: String,
        index: u32,
    },
    /// Makes the exports of `instance` importable under module name `name`.
    Register {
        instance: u32,
        name: &'static str,
    },
    Call {
        instance: u32,
        export: &'static str,
        args: Vec<Value>,
        expect: Outcome,
    },
    GlobalGet {
        instance: u32,
        name: &'static str,
        expect: Value,
    },
    SetFuel(u64),
    /// The store's remaining fuel must be at most this.
    FuelAtMost(u64),
    /// Host functions of this store must have been called this many times.
    HostCalls(u32),
}

#[derive(Clone)]
pub enum Outcome {
    /// Exactly these results (floats compared bit for bit).
    Returns(Vec<Value>),
    Traps(Trap),
}

/// The host functions a sample may define: a fixed set, because a port
/// implements each one in its own language.
#[derive(Clone, Copy)]
pub enum HostFunc {
    /// `(param i32) (result i32)`: its argument times three (wrapping).
    Triple,
}

fn call(instance: u32, export: &'static str, args: &[Value], results: &[Value]) -> Step {
    Step::Call {
        instance,
        export,
        args: args.to_vec(),
        expect: Outcome::Returns(results.to_vec()),
    }
}

fn call_traps(instance: u32, export: &'static str, args: &[Value], trap: Trap) -> Step {
    Step::Call {
        instance,
        export,
        args: args.to_vec(),
        expect: Outcome::Traps(trap),
    }
}

fn instantiate(wat: &str, index: u32) -> Step {
    Step::Instantiate {
        wat: wat.to_string(),
        index,
    }
}

use Value::{I32, I64};

pub fn all() -> Vec<Sample> {
    let mut samples = vec![
        smoke(),
        add(),
        host_import(),
        register_linking(),
        floats(),
        memory(),
        globals_tables(),
    ];
    samples.extend(traps());
    samples.push(fuel());
    samples
}

fn smoke() -> Sample {
    Sample {
        name: "smoke",
        steps: vec![instantiate("(module)", 0)],
    }
}

fn add() -> Sample {
    let wat = r#"(module
        (func (export "add") (param i32 i32) (result i32)
          (i32.add (local.get 0) (local.get 1)))
        (func (export "add64") (param i64 i64) (result i64)
          (i64.add (local.get 0) (local.get 1))))"#;
    Sample {
        name: "add",
        steps: vec![
            instantiate(wat, 0),
            call(0, "add", &[I32(2), I32(40)], &[I32(42)]),
            // Wraps around.
            call(0, "add", &[I32(i32::MAX), I32(1)], &[I32(i32::MIN)]),
            call(0, "add64", &[I64(1 << 40), I64(-1)], &[I64((1 << 40) - 1)]),
        ],
    }
}

fn host_import() -> Sample {
    let wat = r#"(module
        (import "host" "triple" (func $triple (param i32) (result i32)))
        (func (export "nine_times") (param i32) (result i32)
          (call $triple (call $triple (local.get 0)))))"#;
    Sample {
        name: "host-import",
        steps: vec![
            Step::DefineHostFunc {
                module: "host",
                name: "triple",
                func: HostFunc::Triple,
            },
            instantiate(wat, 0),
            call(0, "nine_times", &[I32(5)], &[I32(45)]),
            Step::HostCalls(2),
        ],
    }
}

fn register_linking() -> Sample {
    let lib = r#"(module
        (memory (export "mem") 1)
        (global (export "base") i32 (i32.const 100))
        (func (export "square") (param i32) (result i32)
          (i32.mul (local.get 0) (local.get 0))))"#;
    let user = r#"(module
        (import "lib" "square" (func $square (param i32) (result i32)))
        (import "lib" "mem" (memory 1))
        (import "lib" "base" (global $base i32))
        (func (export "go") (param i32) (result i32)
          (i32.store (global.get $base) (call $square (local.get 0)))
          (i32.load (global.get $base))))"#;
    Sample {
        name: "register-linking",
        steps: vec![
            instantiate(lib, 0),
            Step::Register {
                instance: 0,
                name: "lib",
            },
            instantiate(user, 1),
            // The store went to the shared memory of the first instance.
            call(1, "go", &[I32(12)], &[I32(144)]),
            call(0, "square", &[I32(-3)], &[I32(9)]),
        ],
    }
}

fn floats() -> Sample {
    // ceil and floor are the operations that become runtime calls, passing
    // floats in registers, when the native target lacks SSE4.1.
    let wat = r#"(module
        (func (export "ceil32") (param f32) (result f32) (f32.ceil (local.get 0)))
        (func (export "floor32") (param f32) (result f32) (f32.floor (local.get 0)))
        (func (export "ceil64") (param f64) (result f64) (f64.ceil (local.get 0)))
        (func (export "floor64") (param f64) (result f64) (f64.floor (local.get 0)))
        (func (export "mix") (param f32 f64) (result f64)
          (f64.add (f64.promote_f32 (local.get 0)) (f64.sqrt (local.get 1)))))"#;
    let mut steps = vec![instantiate(wat, 0)];
    for (x, ceil, floor) in [
        (1.5f32, 2.0f32, 1.0f32),
        (-1.5, -1.0, -2.0),
        (-0.5, -0.0, -1.0),
    ] {
        steps.push(call(0, "ceil32", &[Value::f32(x)], &[Value::f32(ceil)]));
        steps.push(call(0, "floor32", &[Value::f32(x)], &[Value::f32(floor)]));
    }
    for (x, ceil, floor) in [
        (2.25f64, 3.0f64, 2.0f64),
        (-2.25, -2.0, -3.0),
        (1e300, 1e300, 1e300),
    ] {
        steps.push(call(0, "ceil64", &[Value::f64(x)], &[Value::f64(ceil)]));
        steps.push(call(0, "floor64", &[Value::f64(x)], &[Value::f64(floor)]));
    }
    steps.push(call(
        0,
        "mix",
        &[Value::f32(0.5), Value::f64(16.0)],
        &[Value::f64(4.5)],
    ));
    Sample {
        name: "floats",
        steps,
    }
}

fn memory() -> Sample {
    let wat = r#"(module
        (memory (export "mem") 1 4)
        (data (i32.const 16) "hello")
        (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
        (func (export "store32") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
        (func (export "load32") (param i32) (result i32) (i32.load (local.get 0)))
        (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
        (func (export "size") (result i32) (memory.size)))"#;
    let last = 3 * 65536 - 4;
    let mut steps = vec![instantiate(wat, 0)];
    // The data segment.
    for (offset, byte) in [(16, b'h'), (20, b'o'), (21, 0)] {
        steps.push(call(0, "load8", &[I32(offset)], &[I32(byte.into())]));
    }
    steps.extend([
        call(0, "store32", &[I32(1000), I32(0x1234_5678)], &[]),
        call(0, "load32", &[I32(1000)], &[I32(0x1234_5678)]),
        // memory.grow returns the old size.
        call(0, "grow", &[I32(2)], &[I32(1)]),
        call(0, "size", &[], &[I32(3)]),
        // The new pages are zeroed and usable; the old contents survived.
        call(0, "load32", &[I32(last)], &[I32(0)]),
        call(0, "store32", &[I32(last), I32(-7)], &[]),
        call(0, "load32", &[I32(last)], &[I32(-7)]),
        call(0, "load8", &[I32(16)], &[I32(b'h'.into())]),
        // Growing past the declared maximum fails with -1 rather than trapping.
        call(0, "grow", &[I32(2)], &[I32(-1)]),
    ]);
    Sample {
        name: "memory",
        steps,
    }
}

fn globals_tables() -> Sample {
    let wat = r#"(module
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
          (call_indirect (type $binop) (local.get 1) (local.get 2) (local.get 0))))"#;
    let global = |name, expect| Step::GlobalGet {
        instance: 0,
        name,
        expect,
    };
    let mut steps = vec![
        instantiate(wat, 0),
        global("counter", I64(10)),
        global("pi", Value::f64(3.25)),
        call(0, "bump", &[], &[I64(11)]),
        call(0, "bump", &[], &[I64(12)]),
        global("counter", I64(12)),
    ];
    for (slot, expected) in [(0, 13), (1, 7), (2, 30)] {
        steps.push(call(
            0,
            "apply",
            &[I32(slot), I32(10), I32(3)],
            &[I32(expected)],
        ));
    }
    steps.push(call_traps(
        0,
        "apply",
        &[I32(3), I32(1), I32(1)],
        Trap::TableOutOfBounds,
    ));
    Sample {
        name: "globals-tables",
        steps,
    }
}

/// A fresh instance of `wat` (which exports `ok`) traps twice in `export`,
/// then still works. The second trap proves trap handling is re-armed (in
/// `full` mode: the signal is not left blocked).
fn traps_twice(
    wat: &str,
    index: u32,
    export: &'static str,
    args: &[Value],
    trap: Trap,
) -> Vec<Step> {
    vec![
        instantiate(wat, index),
        call_traps(index, export, args, trap),
        call_traps(index, export, args, trap),
        call(index, "ok", &[], &[I32(1)]),
    ]
}

fn traps() -> Vec<Sample> {
    let module =
        |body: &str| format!(r#"(module (func (export "ok") (result i32) (i32.const 1)) {body})"#);
    let unreachable = module(r#"(func (export "f") (result i32) unreachable)"#);
    let load = module(
        r#"(memory 1) (func (export "f") (param i32) (result i32) (i32.load (local.get 0)))"#,
    );
    let divide = module(
        r#"(func (export "f") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))"#,
    );
    let indirect = module(
        r#"(type $unary (func (param i32) (result i32)))
           (type $nullary (func (result i32)))
           (table 1 funcref)
           (elem (i32.const 0) $unary_fn)
           (func $unary_fn (type $unary) (local.get 0))
           (func (export "f") (result i32) (call_indirect (type $nullary) (i32.const 0)))"#,
    );
    let recurse = module(
        r#"(func $down (export "f") (param i32) (result i32)
             (i32.add (call $down (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))"#,
    );
    let sample = |name, steps| Sample { name, steps };
    vec![
        sample(
            "trap-unreachable",
            traps_twice(&unreachable, 0, "f", &[], Trap::UnreachableCodeReached),
        ),
        // Just past the end, and far past it (in `full` mode: deep in the
        // guard), each in a fresh instance.
        sample(
            "trap-out-of-bounds",
            [
                traps_twice(&load, 0, "f", &[I32(65536 - 2)], Trap::MemoryOutOfBounds),
                traps_twice(&load, 1, "f", &[I32(-4)], Trap::MemoryOutOfBounds),
            ]
            .concat(),
        ),
        sample(
            "trap-divide-by-zero",
            [
                traps_twice(
                    &divide,
                    0,
                    "f",
                    &[I32(7), I32(0)],
                    Trap::IntegerDivisionByZero,
                ),
                traps_twice(
                    &divide,
                    1,
                    "f",
                    &[I32(i32::MIN), I32(-1)],
                    Trap::IntegerOverflow,
                ),
            ]
            .concat(),
        ),
        sample(
            "trap-indirect-type-mismatch",
            traps_twice(&indirect, 0, "f", &[], Trap::BadSignature),
        ),
        sample(
            "trap-stack-exhaustion",
            traps_twice(&recurse, 0, "f", &[I32(0)], Trap::StackOverflow),
        ),
    ]
}

fn fuel() -> Sample {
    let wat = r#"(module
        (func (export "spin") (loop $l (br $l)))
        (func (export "count") (param i32) (result i32) (local i32)
          (loop $l
            (local.set 1 (i32.add (local.get 1) (i32.const 1)))
            (br_if $l (i32.lt_u (local.get 1) (local.get 0))))
          (local.get 1)))"#;
    Sample {
        name: "fuel",
        steps: vec![
            instantiate(wat, 0),
            Step::SetFuel(100_000),
            call_traps(0, "spin", &[], Trap::OutOfFuel),
            // Running out leaves none.
            Step::FuelAtMost(0),
            // Refuelled, the same store runs a bounded loop, and it costs
            // fuel: at least one unit per iteration.
            Step::SetFuel(1_000_000),
            call(0, "count", &[I32(1000)], &[I32(1000)]),
            Step::FuelAtMost(1_000_000 - 1000 - 1),
        ],
    }
}
