// The WASM engine: metered execution and the host API against a fake host
// (docs/spec/wasm-host.md).
#include "wasm_test_helpers.hpp"

#include <gtest/gtest.h>

#include <execution/wasm/engine.hpp>
#include <txtypes/hex.hpp>
#include <txtypes/keccak.hpp>

namespace l2::execution::wasm {
namespace {

using test::FakeHost;
using test::load_wat;

Module must_load(std::string_view wat)
{
    auto m = load_wat(wat);
    if (!m)
        ADD_FAILURE() << m.error().message;
    return m ? std::move(*m) : Module{};
}

CallOutcome run(const Module& m,
                FakeHost& host,
                uint64_t gas,
                const GasSchedule& schedule = cancun_schedule())
{
    auto r = execute(m, host, gas, schedule);
    if (!r)
    {
        ADD_FAILURE() << r.error().message;
        return {};
    }
    return std::move(*r);
}

/// What a call of `m` pays before anything runs: its base, per defined function and per page
/// of its memory's maximum (docs/spec/wasm-host.md, "Metering").
uint64_t call_gas(const GasSchedule& gs, const Module& m)
{
    return static_cast<uint64_t>(gs.wasm_call_base) +
           m.functions() * static_cast<uint64_t>(gs.wasm_call_function) +
           m.max_pages() * static_cast<uint64_t>(gs.wasm_call_page);
}

/// The execution gas of a call of `m` that ran `instructions` in `segments` straight-line
/// segments: the call's entry, then each segment's charge.
uint64_t execution_gas(const GasSchedule& gs,
                       const Module& m,
                       uint64_t instructions,
                       uint64_t segments)
{
    return call_gas(gs, m) + instructions * static_cast<uint64_t>(gs.wasm_instruction) +
           segments * static_cast<uint64_t>(gs.wasm_segment);
}

/// A schedule that charges one gas per instruction and nothing else: gas used = instructions.
GasSchedule counting_schedule()
{
    GasSchedule gs = cancun_schedule();
    gs.wasm_instruction = 1;
    gs.wasm_segment = 0;
    gs.wasm_call_base = 0;
    gs.wasm_call_function = 0;
    gs.wasm_call_page = 0;
    return gs;
}

/// Function body: `loop` (1 instruction, its own segment, entered once); loop body: 7
/// instructions in one segment, run 10 times. 71 instructions in 11 segments.
constexpr std::string_view kLoop71 = R"((module
  (memory (export "memory") 1 1)
  (func (export "call") (local i32)
    (loop $l
      local.get 0 i32.const 1 i32.add local.tee 0 i32.const 10 i32.lt_u br_if $l))))";

constexpr std::string_view kCounter = R"((module
  (import "env" "storage_read" (func $sr (param i64 i32)))
  (import "env" "storage_write" (func $sw (param i64 i32)))
  (memory (export "memory") 1 1)
  (func (export "call")
    (call $sr (i64.const 0) (i32.const 0))
    ;; the word is big-endian: bump its low byte
    (i32.store8 (i32.const 31) (i32.add (i32.load8_u (i32.const 31)) (i32.const 1)))
    (call $sw (i64.const 0) (i32.const 0)))))";

TEST(WasmEngine, Counter)
{
    const Module m = must_load(kCounter);
    FakeHost host;
    const GasSchedule gs = cancun_schedule();
    for (int i = 1; i <= 3; ++i)
    {
        const auto out = run(m, host, 100000);
        ASSERT_EQ(out.status, CallStatus::kSuccess) << out.message;
        // 12 instructions in one segment + one read + one write.
        EXPECT_EQ(out.gas_used, execution_gas(gs, m, 12, 1) +
                                    static_cast<uint64_t>(gs.wasm_storage_read +
                                                          gs.wasm_storage_write));
        EXPECT_EQ(host.storage[0][31], i);
    }
    EXPECT_EQ(host.storage.size(), 1u);
}

TEST(WasmEngine, ChargesExactlyTheInstructionsExecuted)
{
    const Module m = must_load(kLoop71);
    FakeHost host;
    GasSchedule gs = counting_schedule();
    auto out = run(m, host, 1000, gs);
    ASSERT_EQ(out.status, CallStatus::kSuccess) << out.message;
    EXPECT_EQ(out.gas_used, 71u);
    gs.wasm_instruction = 3;
    out = run(m, host, 1000, gs);
    ASSERT_EQ(out.status, CallStatus::kSuccess) << out.message;
    EXPECT_EQ(out.gas_used, 213u);
    // Exactly enough gas succeeds; one less runs out.
    EXPECT_EQ(run(m, host, 213, gs).status, CallStatus::kSuccess);
    out = run(m, host, 212, gs);
    EXPECT_EQ(out.status, CallStatus::kOutOfGas);
    EXPECT_EQ(out.gas_used, 212u);

    // Branches, if/else and calls: count what runs.
    const Module m2 = must_load(R"((module
      (memory (export "memory") 1 1)
      (func $two (result i32) i32.const 2)
      (func (export "call")
        (if (i32.eq (call $two) (i32.const 2))
          (then nop nop)
          (else nop))
        (block $b (br $b) unreachable))))");
    // call: [call $two, i32.const, i32.eq, if] = 4; $two: 1; then: 2; after if: [block] = 1;
    // block body: [br] = 1 (the unreachable after it is never charged).
    out = run(m2, host, 1000, counting_schedule());
    ASSERT_EQ(out.status, CallStatus::kSuccess) << out.message;
    EXPECT_EQ(out.gas_used, 9u);
}

TEST(WasmEngine, ChargesEachSegmentEnteredAndTheCall)
{
    const Module m = must_load(kLoop71);
    FakeHost host;
    GasSchedule gs = cancun_schedule();
    ASSERT_GT(gs.wasm_segment, 0);
    ASSERT_GT(gs.wasm_call_base, 0);
    const uint64_t need = execution_gas(gs, m, 71, 11);
    auto out = run(m, host, 100'000, gs);
    ASSERT_EQ(out.status, CallStatus::kSuccess) << out.message;
    EXPECT_EQ(out.gas_used, need);
    // Exactly enough gas succeeds; one less runs out in the last segment, using all gas.
    EXPECT_EQ(run(m, host, need, gs).status, CallStatus::kSuccess);
    out = run(m, host, need - 1, gs);
    EXPECT_EQ(out.status, CallStatus::kOutOfGas);
    EXPECT_EQ(out.gas_used, need - 1);

    // Each cost on its own.
    gs.wasm_instruction = 0;
    gs.wasm_call_base = 0;
    gs.wasm_call_function = 0;
    gs.wasm_call_page = 0;
    gs.wasm_segment = 7;
    EXPECT_EQ(run(m, host, 100'000, gs).gas_used, 77u);
    gs.wasm_segment = 0;
    gs.wasm_call_base = 500;
    EXPECT_EQ(run(m, host, 100'000, gs).gas_used, 500u);
    // kLoop71 defines one function and a memory of at most 1 page.
    ASSERT_EQ(m.functions(), 1u);
    ASSERT_EQ(m.max_pages(), 1u);
    gs.wasm_call_function = 30;
    EXPECT_EQ(run(m, host, 100'000, gs).gas_used, 530u);
    gs.wasm_call_page = 1000;
    EXPECT_EQ(run(m, host, 100'000, gs).gas_used, 1530u);

    // Less gas than the call's entry: out of gas before anything runs.
    gs = cancun_schedule();
    const Module counter = must_load(kCounter);
    out = run(counter, host, call_gas(gs, counter) - 1, gs);
    EXPECT_EQ(out.status, CallStatus::kOutOfGas);
    EXPECT_EQ(out.gas_used, call_gas(gs, counter) - 1);
    EXPECT_TRUE(host.storage.empty());

    // A gas limit beyond what the signed charge can hold is cut to 2^63 - 1, not wrapped.
    out = run(m, host, UINT64_MAX, gs);
    ASSERT_EQ(out.status, CallStatus::kSuccess) << out.message;
    EXPECT_EQ(out.gas_used, need);
}

TEST(WasmEngine, RunawayLoopStopsAtTheGasLimitDeterministically)
{
    const Module m = must_load(R"((module
      (memory (export "memory") 1 1)
      (func (export "call") (loop $l (br $l)))))");
    FakeHost host;
    const auto a = run(m, host, 1'000'000);
    const auto b = run(m, host, 1'000'000);
    EXPECT_EQ(a.status, CallStatus::kOutOfGas);
    EXPECT_EQ(a.gas_used, 1'000'000u);
    EXPECT_EQ(b.status, a.status);
    EXPECT_EQ(b.gas_used, a.gas_used);
}

TEST(WasmEngine, DeepRecursionTraps)
{
    const Module m = must_load(R"((module
      (memory (export "memory") 1 1)
      (func $f (call $f))
      (func (export "call") (call $f))))");
    FakeHost host;
    const auto a = run(m, host, 100'000'000);
    const auto b = run(m, host, 100'000'000);
    EXPECT_EQ(a.status, CallStatus::kTrap);
    EXPECT_LT(a.gas_used, 100'000'000u);
    EXPECT_EQ(a.gas_used, b.gas_used);
}

TEST(WasmEngine, Revert)
{
    const Module m = must_load(R"((module
      (import "env" "storage_write" (func $sw (param i64 i32)))
      (import "env" "revert" (func $revert (param i32 i32)))
      (memory (export "memory") 1 1)
      (data (i32.const 0) "oops")
      (func (export "call")
        (call $revert (i32.const 0) (i32.const 4))
        (call $sw (i64.const 1) (i32.const 0)))))");
    FakeHost host;
    const GasSchedule gs = cancun_schedule();
    const auto out = run(m, host, 100000);
    EXPECT_EQ(out.status, CallStatus::kRevert);
    EXPECT_EQ(out.output, (Bytes{'o', 'o', 'p', 's'}));
    // The segment of 6 instructions is charged up front, then revert's base + one word.
    EXPECT_EQ(out.gas_used, execution_gas(gs, m, 6, 1) +
                                static_cast<uint64_t>(gs.wasm_host_call + gs.wasm_copy_word));
    EXPECT_TRUE(host.storage.empty());
}

TEST(WasmEngine, TrapsRevert)
{
    FakeHost host;
    const Module trapping = must_load(R"((module (memory (export "memory") 1 1)
        (func (export "call") unreachable)))");
    const auto unreachable = run(trapping, host, 100000);
    EXPECT_EQ(unreachable.status, CallStatus::kTrap);
    EXPECT_EQ(unreachable.gas_used, execution_gas(cancun_schedule(), trapping, 1, 1));

    const auto oob = run(must_load(R"((module (memory (export "memory") 1 1)
        (func (export "call") (drop (i32.load (i32.const 65534))))))"),
                         host, 100000);
    EXPECT_EQ(oob.status, CallStatus::kTrap);

    // A host function given memory out of bounds traps too.
    const auto host_oob = run(must_load(R"((module
        (import "env" "caller" (func $caller (param i32)))
        (memory (export "memory") 1 1)
        (func (export "call") (call $caller (i32.const 65530)))))"),
                              host, 100000);
    EXPECT_EQ(host_oob.status, CallStatus::kTrap);
    EXPECT_NE(host_oob.message.find("out of bounds"), std::string::npos) << host_oob.message;

    // A data segment outside the memory fails at instantiation: a trap, the call's entry used.
    const Module bad_data = must_load(R"((module (memory (export "memory") 1 1)
        (data (i32.const 65535) "xy")
        (func (export "call"))))");
    const auto seg = run(bad_data, host, 100000);
    EXPECT_EQ(seg.status, CallStatus::kTrap);
    EXPECT_EQ(seg.gas_used, call_gas(cancun_schedule(), bad_data));
}

TEST(WasmEngine, RefusedWriteTraps)
{
    const Module m = must_load(kCounter);
    FakeHost host;
    host.read_only = true;
    const auto out = run(m, host, 100000);
    EXPECT_EQ(out.status, CallStatus::kTrap);
    EXPECT_NE(out.message.find("static"), std::string::npos) << out.message;
    EXPECT_TRUE(host.storage.empty());
}

TEST(WasmEngine, HostCallOutOfGasUsesAllGas)
{
    const Module m = must_load(kCounter);
    FakeHost host;
    const auto out = run(m, host, 3000);  // enough for the read, not the write
    EXPECT_EQ(out.status, CallStatus::kOutOfGas);
    EXPECT_EQ(out.gas_used, 3000u);
    EXPECT_TRUE(host.storage.empty());
}

TEST(WasmEngine, Logs)
{
    const Module m = must_load(R"((module
      (import "env" "emit_log" (func $log (param i32 i32 i32 i32)))
      (memory (export "memory") 1 1)
      (data (i32.const 31) "\01")
      (data (i32.const 63) "\02")
      (data (i32.const 64) "hello")
      (func (export "call")
        (call $log (i32.const 0) (i32.const 2) (i32.const 64) (i32.const 5))
        (call $log (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))))");
    FakeHost host;
    const GasSchedule gs = cancun_schedule();
    const auto out = run(m, host, 100000);
    ASSERT_EQ(out.status, CallStatus::kSuccess) << out.message;
    ASSERT_EQ(host.logs.size(), 2u);
    ASSERT_EQ(host.logs[0].topics.size(), 2u);
    EXPECT_EQ(host.logs[0].topics[0][31], 1);
    EXPECT_EQ(host.logs[0].topics[1][31], 2);
    EXPECT_EQ(host.logs[0].data, (Bytes{'h', 'e', 'l', 'l', 'o'}));
    EXPECT_TRUE(host.logs[1].topics.empty());
    EXPECT_TRUE(host.logs[1].data.empty());
    EXPECT_EQ(out.gas_used,
              execution_gas(gs, m, 10, 1) +
                  static_cast<uint64_t>(2 * gs.wasm_log_base + 2 * gs.wasm_log_topic +
                                        5 * gs.wasm_log_data_byte));

    const auto five = run(must_load(R"((module
      (import "env" "emit_log" (func $log (param i32 i32 i32 i32)))
      (memory (export "memory") 1 1)
      (func (export "call") (call $log (i32.const 0) (i32.const 5) (i32.const 0) (i32.const 0)))))"),
                          host, 100000);
    EXPECT_EQ(five.status, CallStatus::kTrap);
}

TEST(WasmEngine, Keccak)
{
    const Module m = must_load(R"((module
      (import "env" "keccak256" (func $k (param i32 i32 i32)))
      (import "env" "set_return" (func $ret (param i32 i32)))
      (memory (export "memory") 1 1)
      (data (i32.const 0) "abc")
      (func (export "call")
        (call $k (i32.const 0) (i32.const 3) (i32.const 100))
        (call $ret (i32.const 100) (i32.const 32)))))");
    FakeHost host;
    const auto out = run(m, host, 100000);
    ASSERT_EQ(out.status, CallStatus::kSuccess) << out.message;
    EXPECT_EQ(out.output, Bytes{keccak256(as_view("abc")).view()});
}

TEST(WasmEngine, EvmStorageRead)
{
    const Module m = must_load(R"((module
      (import "env" "evm_storage_read" (func $r (param i32 i32 i32)))
      (import "env" "set_return" (func $ret (param i32 i32)))
      (memory (export "memory") 1 1)
      (data (i32.const 0) "\aa\aa\aa\aa\aa\aa\aa\aa\aa\aa\aa\aa\aa\aa\aa\aa\aa\aa\aa\aa")
      (data (i32.const 63) "\07")
      (func (export "call")
        (call $r (i32.const 0) (i32.const 32) (i32.const 128))
        (call $ret (i32.const 128) (i32.const 32)))))");
    FakeHost host;
    Address a;
    a.bytes.fill(0xaa);
    Hash key;
    key[31] = 7;
    Hash v;
    v[0] = 0x42;
    v[31] = 0x43;
    host.evm_storage[{a, key}] = v;
    const auto out = run(m, host, 100000);
    ASSERT_EQ(out.status, CallStatus::kSuccess) << out.message;
    EXPECT_EQ(out.output, Bytes{v.view()});
    EXPECT_EQ(host.evm_reads, 1);
}

TEST(WasmEngine, CallEnvironment)
{
    // Returns caller(20) || value(32) || calldata_size(4, LE) || calldata[1..9) zero-padded ||
    // block_number(8, LE) || block_timestamp(8, LE) || l1_block_number(8, LE).
    const Module m = must_load(R"((module
      (import "env" "caller" (func $caller (param i32)))
      (import "env" "value" (func $value (param i32)))
      (import "env" "calldata_size" (func $cds (result i32)))
      (import "env" "calldata_copy" (func $cdc (param i32 i32 i32)))
      (import "env" "block_number" (func $bn (result i64)))
      (import "env" "block_timestamp" (func $ts (result i64)))
      (import "env" "l1_block_number" (func $l1 (result i64)))
      (import "env" "set_return" (func $ret (param i32 i32)))
      (memory (export "memory") 1 1)
      (func (export "call")
        (call $caller (i32.const 0))
        (call $value (i32.const 20))
        (i32.store (i32.const 52) (call $cds))
        (call $cdc (i32.const 56) (i32.const 1) (i32.const 8))
        (i64.store (i32.const 64) (call $bn))
        (i64.store (i32.const 72) (call $ts))
        (i64.store (i32.const 80) (call $l1))
        (call $ret (i32.const 0) (i32.const 88)))))");
    FakeHost host;
    host.call_env.caller.bytes.fill(0x11);
    host.call_env.value = U256{5};
    const Bytes calldata{1, 2, 3, 4};
    host.call_env.calldata = calldata;
    host.call_env.block_number = 0x0102;
    host.call_env.block_timestamp = 0x0304;
    host.call_env.l1_block_number = 0x0506;
    const auto out = run(m, host, 100000);
    ASSERT_EQ(out.status, CallStatus::kSuccess) << out.message;
    ASSERT_EQ(out.output.size(), 88u);
    EXPECT_EQ(out.output.substr(0, 20), Bytes(20, 0x11));
    EXPECT_EQ(out.output[51], 5);
    EXPECT_EQ(out.output.substr(52, 4), (Bytes{4, 0, 0, 0}));
    EXPECT_EQ(out.output.substr(56, 8), (Bytes{2, 3, 4, 0, 0, 0, 0, 0}));
    EXPECT_EQ(out.output.substr(64, 2), (Bytes{2, 1}));
    EXPECT_EQ(out.output.substr(72, 2), (Bytes{4, 3}));
    EXPECT_EQ(out.output.substr(80, 2), (Bytes{6, 5}));
}

TEST(WasmEngine, GasTableKeys)
{
    const auto t = GasTable::from_json(
        R"({"overrides": {"wasm_instruction": 2, "wasm_storage_write": 5000}})");
    ASSERT_TRUE(t) << t.error();
    EXPECT_EQ(t->at(0).wasm_instruction, 2);
    EXPECT_EQ(t->at(0).wasm_storage_write, 5000);
    EXPECT_EQ(t->at(0).wasm_storage_read, 2100);
}

}  // namespace
}  // namespace l2::execution::wasm
