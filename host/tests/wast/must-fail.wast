;; A script whose expectations are wrong on purpose: the conformance runner
;; must report each of these directives as failed, on every side alike (so
;; they are failures, not divergences). build.sh test checks that it does.
(module
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_u (local.get 0) (local.get 1)))
  (func (export "nan") (result f32) (f32.const nan:0x200000)))
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 4))
(assert_trap (invoke "add" (i32.const 1) (i32.const 2)) "integer divide by zero")
(assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "out of bounds memory access")
(assert_return (invoke "nan") (f32.const nan:arithmetic))
(assert_invalid (module (func (result i32) (i32.const 0))) "type mismatch")
