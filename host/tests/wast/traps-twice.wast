;; Two out-of-bounds traps on one thread, then a normal call. On a correct
;; platform this passes in every mode. build.sh test also runs it in `full`
;; mode on platform/fixtures/trap-no-nodefer.c, where the first trap leaves
;; SIGSEGV blocked and the second kills the process: the conformance runner
;; must report that as a divergence from stock Wasmtime and fail.
(module
  (memory 1)
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "ok") (result i32) (i32.const 1)))
(assert_trap (invoke "load" (i32.const 65536)) "out of bounds memory access")
(assert_trap (invoke "load" (i32.const -1)) "out of bounds memory access")
(assert_return (invoke "ok") (i32.const 1))
