//! The workloads `host bench` times, each checked against its expected
//! result before it is timed.

use crate::values::Value;

/// A workload: a module exporting `run` (one i32 parameter, one result)
/// and the argument and result that check it computed the right thing.
pub struct Workload {
    pub name: &'static str,
    pub what: &'static str,
    pub wat: &'static str,
    pub arg: i32,
    pub expected: Value,
}

pub const WORKLOADS: &[Workload] = &[
    Workload {
        name: "fib",
        what: "recursive fib(n): calls and integer arithmetic",
        wat: r#"(module
          (func $fib (param i32) (result i32)
            (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
              (then (local.get 0))
              (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                             (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
          (func (export "run") (param i32) (result i32) (call $fib (local.get 0))))"#,
        arg: 27,
        expected: Value::I32(196_418),
    },
    Workload {
        name: "sieve",
        what: "sieve of Eratosthenes below n: memory loads and stores",
        wat: r#"(module
          (memory 32)
          (func (export "run") (param $n i32) (result i32)
            (local $i i32) (local $j i32) (local $count i32)
            (memory.fill (i32.const 0) (i32.const 1) (local.get $n))
            (local.set $i (i32.const 2))
            (block $done (loop $outer
              (br_if $done (i32.ge_u (i32.mul (local.get $i) (local.get $i)) (local.get $n)))
              (if (i32.load8_u (local.get $i)) (then
                (local.set $j (i32.mul (local.get $i) (local.get $i)))
                (block $inner_done (loop $inner
                  (br_if $inner_done (i32.ge_u (local.get $j) (local.get $n)))
                  (i32.store8 (local.get $j) (i32.const 0))
                  (local.set $j (i32.add (local.get $j) (local.get $i)))
                  (br $inner)))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $outer)))
            (local.set $i (i32.const 2))
            (block $end (loop $count_loop
              (br_if $end (i32.ge_u (local.get $i) (local.get $n)))
              (local.set $count (i32.add (local.get $count) (i32.load8_u (local.get $i))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $count_loop)))
            (local.get $count)))"#,
        arg: 2_000_000,
        expected: Value::I32(148_933),
    },
    Workload {
        name: "mandelbrot",
        what: "n x n Mandelbrot set, 64 iterations: f64 arithmetic",
        wat: r#"(module
          (func (export "run") (param $n i32) (result i32)
            (local $x i32) (local $y i32) (local $k i32) (local $inside i32)
            (local $cr f64) (local $ci f64) (local $zr f64) (local $zi f64) (local $t f64)
            (block $ydone (loop $yloop
              (br_if $ydone (i32.ge_u (local.get $y) (local.get $n)))
              (local.set $x (i32.const 0))
              (block $xdone (loop $xloop
                (br_if $xdone (i32.ge_u (local.get $x) (local.get $n)))
                (local.set $cr (f64.sub (f64.div (f64.mul (f64.convert_i32_u (local.get $x)) (f64.const 3))
                                                 (f64.convert_i32_u (local.get $n))) (f64.const 2)))
                (local.set $ci (f64.sub (f64.div (f64.mul (f64.convert_i32_u (local.get $y)) (f64.const 3))
                                                 (f64.convert_i32_u (local.get $n))) (f64.const 1.5)))
                (local.set $zr (f64.const 0)) (local.set $zi (f64.const 0)) (local.set $k (i32.const 0))
                (block $escaped (loop $iter
                  (br_if $escaped (f64.gt (f64.add (f64.mul (local.get $zr) (local.get $zr))
                                                   (f64.mul (local.get $zi) (local.get $zi))) (f64.const 4)))
                  (br_if $escaped (i32.ge_u (local.get $k) (i32.const 64)))
                  (local.set $t (f64.add (f64.sub (f64.mul (local.get $zr) (local.get $zr))
                                                  (f64.mul (local.get $zi) (local.get $zi))) (local.get $cr)))
                  (local.set $zi (f64.add (f64.mul (f64.mul (f64.const 2) (local.get $zr)) (local.get $zi)) (local.get $ci)))
                  (local.set $zr (local.get $t))
                  (local.set $k (i32.add (local.get $k) (i32.const 1)))
                  (br $iter)))
                (local.set $inside (i32.add (local.get $inside) (i32.eq (local.get $k) (i32.const 64))))
                (local.set $x (i32.add (local.get $x) (i32.const 1)))
                (br $xloop)))
              (local.set $y (i32.add (local.get $y) (i32.const 1)))
              (br $yloop)))
            (local.get $inside)))"#,
        arg: 300,
        expected: Value::I32(15_774),
    },
];
