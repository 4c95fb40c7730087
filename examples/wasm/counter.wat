;; A counter for l2node's WASM engine (docs/spec/wasm-host.md); protocol in README.md.
;;
;;   calldata empty                      increment slot 0; returns the new value (32 bytes)
;;   0x01                                returns slot 0 (read only: works in eth_call)
;;   0x02 ‖ address (20) ‖ key (32)      reads slot `key` of the EVM account `address`
;;                                       (evm_storage_read), stores it in slot 1, returns it
;;   anything else                       reverts with "counter: bad calldata"
;;
;; Slot values are 32-byte big-endian words, so readU64(counter, 0) from the EVM is the count.
(module
  (import "env" "storage_read" (func $storage_read (param i64 i32)))
  (import "env" "storage_write" (func $storage_write (param i64 i32)))
  (import "env" "calldata_size" (func $calldata_size (result i32)))
  (import "env" "calldata_copy" (func $calldata_copy (param i32 i32 i32)))
  (import "env" "set_return" (func $set_return (param i32 i32)))
  (import "env" "revert" (func $revert (param i32 i32)))
  (import "env" "evm_storage_read" (func $evm_storage_read (param i32 i32 i32)))

  ;; 0..32 slot word, 64..117 calldata, 128..160 EVM word, 256.. revert message
  (memory (export "memory") 1 1)
  (data (i32.const 256) "counter: bad calldata")

  (func $bad
    (call $revert (i32.const 256) (i32.const 21)))

  ;; Adds one to the 32-byte big-endian word at 0 (carry from byte 31 upwards).
  (func $increment
    (local $i i32) (local $b i32)
    (local.set $i (i32.const 31))
    (block $done
      (loop $next
        (local.set $b (i32.add (i32.load8_u (local.get $i)) (i32.const 1)))
        (i32.store8 (local.get $i) (local.get $b))
        (br_if $done (i32.lt_u (local.get $b) (i32.const 256)))
        (br_if $done (i32.eqz (local.get $i)))
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        (br $next))))

  (func (export "call")
    (local $size i32)
    (local.set $size (call $calldata_size))
    ;; increment
    (if (i32.eqz (local.get $size))
      (then
        (call $storage_read (i64.const 0) (i32.const 0))
        (call $increment)
        (call $storage_write (i64.const 0) (i32.const 0))
        (call $set_return (i32.const 0) (i32.const 32))
        (return)))
    (if (i32.gt_u (local.get $size) (i32.const 53))
      (then (call $bad) (return)))
    (call $calldata_copy (i32.const 64) (i32.const 0) (local.get $size))
    ;; get
    (if (i32.and (i32.eq (local.get $size) (i32.const 1))
                 (i32.eq (i32.load8_u (i32.const 64)) (i32.const 1)))
      (then
        (call $storage_read (i64.const 0) (i32.const 0))
        (call $set_return (i32.const 0) (i32.const 32))
        (return)))
    ;; read an EVM contract's slot
    (if (i32.and (i32.eq (local.get $size) (i32.const 53))
                 (i32.eq (i32.load8_u (i32.const 64)) (i32.const 2)))
      (then
        (call $evm_storage_read (i32.const 65) (i32.const 85) (i32.const 128))
        (call $storage_write (i64.const 1) (i32.const 128))
        (call $set_return (i32.const 128) (i32.const 32))
        (return)))
    (call $bad)))
