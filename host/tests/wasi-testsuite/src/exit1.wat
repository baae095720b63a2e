;; Exits with code 1 through proc_exit, printing nothing. (1, because the
;; adapter route carries a non-zero code as WASI 0.2's `exit(err)`, which is
;; 1: the self-check tests the executor, not the route.)
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (call $proc_exit (i32.const 1))))
