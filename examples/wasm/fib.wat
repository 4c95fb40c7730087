;; The benchmark loop of bench/wasm_bench.cpp (docs/performance.md): fibonacci mod 2^64,
;; a = 0, b = 1, n times (a, b) = (b, a + b); the result is b.
;;
;;   call       (the l2node entry point) fib(10000), returned as 8 bytes little-endian
;;   fib_10m    () -> i64: fib(10,000,000), for timing wabt's stock `wasm-interp` on the same
;;              loop: wasm-interp --dummy-import-func --run-all-exports fib.wasm
(module
  (import "env" "set_return" (func $set_return (param i32 i32)))
  (memory (export "memory") 1 1)

  ;; 15 instructions per iteration, one metering segment (it ends at br_if). n must be >= 1.
  (func $fib (param $n i64) (result i64)
    (local $a i64) (local $b i64) (local $t i64)
    (local.set $b (i64.const 1))
    (loop $next
      (local.set $t (i64.add (local.get $a) (local.get $b)))
      (local.set $a (local.get $b))
      (local.set $b (local.get $t))
      (br_if $next (i64.ne (local.tee $n (i64.sub (local.get $n) (i64.const 1))) (i64.const 0))))
    (local.get $b))

  (func (export "call")
    (i64.store (i32.const 0) (call $fib (i64.const 10000)))
    (call $set_return (i32.const 0) (i32.const 8)))

  (func (export "fib_10m") (result i64)
    (call $fib (i64.const 10000000))))
