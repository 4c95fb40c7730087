// The WASM engine inside the EVM: the deployer precompile 0x20001, calls to a WASM identity,
// readU64 at 0x20002 and evm_storage_read, over a real JournaledState (docs/spec/wasm-host.md).
#include "wasm_test_helpers.hpp"

#include <gtest/gtest.h>

#include <execution/evm/evm.hpp>
#include <execution/wasm/evm_entry.hpp>
#include <execution/wasm/module_cache.hpp>
#include <state/keys.hpp>
#include <state/memory_store.hpp>
#include <state/state_db.hpp>
#include <txtypes/keccak.hpp>

namespace l2::execution::wasm {
namespace {

using evm::CallKind;
using evm::Status;

constexpr uint64_t kChainId = 901;
const Address kUser = address_literal("000000000000000000000000000000000000ca11");

Bytes selector(std::string_view sig)
{
    const Hash h = keccak256(as_view(sig));
    return Bytes{h.data(), 4};
}

Bytes word(uint64_t v)
{
    return to_be_word(U256{v});
}

Bytes padded(ByteView b)
{
    Bytes out = word(b.size());
    out += b;
    out.append((32 - b.size() % 32) % 32, 0);
    return out;
}

Bytes deploy_input(std::string_view name, uint64_t version, ByteView module)
{
    const Bytes name_tail = padded(as_view(name));
    Bytes in = selector("deploy(string,uint64,bytes)");
    in += word(96);
    in += word(version);
    in += word(96 + name_tail.size());
    in += name_tail;
    in += padded(module);
    return in;
}

Bytes read_u64_input(const Address& module, uint64_t slot)
{
    Bytes in = selector("readU64(address,uint64)");
    in += Bytes(12, 0);
    in += module.view();
    in += word(slot);
    return in;
}

Bytes wasm_of(std::string_view wat)
{
    auto b = wat_to_wasm(wat);
    EXPECT_TRUE(b) << (b ? "" : b.error());
    return b ? *b : Bytes{};
}

constexpr std::string_view kCounterLogger = R"((module
  (import "env" "storage_read" (func $sr (param i64 i32)))
  (import "env" "storage_write" (func $sw (param i64 i32)))
  (import "env" "emit_log" (func $log (param i32 i32 i32 i32)))
  (import "env" "evm_storage_read" (func $er (param i32 i32 i32)))
  (import "env" "l1_block_number" (func $l1 (result i64)))
  (import "env" "set_return" (func $ret (param i32 i32)))
  (memory (export "memory") 1 1)
  ;; 100..120: the EVM account read below; 128..160: its slot 0x07
  (data (i32.const 100) "\be\ef\be\ef\be\ef\be\ef\be\ef\be\ef\be\ef\be\ef\be\ef\be\ef")
  (data (i32.const 159) "\07")
  (func (export "call")
    (call $sr (i64.const 0) (i32.const 0))
    (i32.store8 (i32.const 31) (i32.add (i32.load8_u (i32.const 31)) (i32.const 1)))
    (call $sw (i64.const 0) (i32.const 0))
    (call $log (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 0))
    (call $er (i32.const 100) (i32.const 128) (i32.const 200))
    (i64.store (i32.const 232) (call $l1))
    (call $ret (i32.const 200) (i32.const 40)))))";

class WasmEvm : public testing::Test
{
protected:
    WasmEvm()
    {
        m_block.number = 5;
        m_block.gas_limit = 30'000'000;
        m_block.chain_id = kChainId;
        m_block.l1_block_number = 77;
        m_tx.origin = kUser;
    }

    evm::CallResult call(const Address& to,
                         ByteView input,
                         bool is_static = false,
                         int64_t gas = 5'000'000)
    {
        evm::Message msg;
        msg.kind = CallKind::kCall;
        msg.is_static = is_static;
        msg.gas = gas;
        msg.sender = kUser;
        msg.recipient = msg.code_address = to;
        msg.input = input;
        return m_vm.call(msg);
    }

    state::MemoryStore m_kv;
    state::StateDb m_db{m_kv};
    state::JournaledState m_st{m_db};
    evm::BlockContext m_block;
    evm::TxContext m_tx;
    GasSchedule m_gas = cancun_schedule();
    evm::Evm m_vm{m_st, m_block, m_tx, m_gas, Revision::kCancun, true};
};

TEST_F(WasmEvm, DeployCallAndRead)
{
    const Address evm_account = address_literal("beefbeefbeefbeefbeefbeefbeefbeefbeefbeef");
    m_st.set_code(evm_account, Bytes{0x00});
    m_st.set_storage(evm_account, U256{7}, U256{0x1234});

    const Bytes module = wasm_of(kCounterLogger);
    const Bytes input = deploy_input("counter", 1, module);
    const auto r = call(kDeployerAddress, input);
    ASSERT_EQ(r.status, Status::kSuccess) << as_chars(r.output);
    const Address id = state::wasm_identity(kChainId, "counter", 1);
    ASSERT_EQ(r.output.size(), 32u);
    EXPECT_EQ(r.output.substr(12), Bytes{id.view()});
    EXPECT_EQ(5'000'000 - r.gas_left,
              m_gas.wasm_deploy_base + m_gas.wasm_deploy_byte * static_cast<int64_t>(input.size()));
    EXPECT_EQ(m_st.engine(id), state::Engine::kWasm);
    EXPECT_EQ(m_st.code(id), ByteView{module});
    EXPECT_EQ(m_st.nonce(id), 1u);

    // (name, version) is immutable; another version is another identity.
    const auto again = call(kDeployerAddress, input);
    EXPECT_EQ(again.status, Status::kRevert);
    EXPECT_NE(as_chars(again.output).find("identity in use"), std::string_view::npos);
    const auto v2 = call(kDeployerAddress, deploy_input("counter", 2, module));
    ASSERT_EQ(v2.status, Status::kSuccess);
    EXPECT_EQ(v2.output.substr(12), Bytes{state::wasm_identity(kChainId, "counter", 2).view()});

    for (uint8_t i = 1; i <= 2; ++i)
    {
        const size_t logs_before = m_vm.logs().size();
        const auto c = call(id, {});
        ASSERT_EQ(c.status, Status::kSuccess);
        ASSERT_EQ(c.output.size(), 40u);
        EXPECT_EQ(from_be_bytes(ByteView{c.output.data(), 32}), U256{0x1234});  // EVM slot
        EXPECT_EQ(c.output[32], 77);  // l1_block_number, little-endian i64
        ASSERT_EQ(m_vm.logs().size(), logs_before + 1);
        EXPECT_EQ(m_vm.logs().back().address, id);
        EXPECT_EQ(m_vm.logs().back().topics.at(0)[31], i);
        EXPECT_EQ(m_st.storage(id, U256{0}), U256{i});

        const auto read = call(kReadU64Address, read_u64_input(id, 0));
        ASSERT_EQ(read.status, Status::kSuccess);
        EXPECT_EQ(from_be_bytes(read.output), U256{i});
        EXPECT_EQ(5'000'000 - read.gas_left, m_gas.wasm_read_u64);
    }
    // readU64 of an EVM account or an unused address reads zero.
    const auto evm_read = call(kReadU64Address, read_u64_input(evm_account, 7));
    ASSERT_EQ(evm_read.status, Status::kSuccess);
    EXPECT_EQ(evm_read.output, Bytes(32, 0));

    // A static call cannot write: the module traps, which reverts (gas left is kept).
    const auto st = call(id, {}, true);
    EXPECT_EQ(st.status, Status::kRevert);
    EXPECT_GT(st.gas_left, 0);
    EXPECT_EQ(m_st.storage(id, U256{0}), U256{2});
}

TEST_F(WasmEvm, CallsLoadTheModuleAgainWhenTheCacheHoldsNone)
{
    // With no room in the module cache every call loads the deployed code again: the same
    // results as with the module cached.
    const Bytes module = wasm_of(kCounterLogger);
    ASSERT_EQ(call(kDeployerAddress, deploy_input("uncached", 1, module)).status,
              Status::kSuccess);
    const Address id = state::wasm_identity(kChainId, "uncached", 1);
    set_module_cache_bytes(0);
    for (uint8_t i = 1; i <= 2; ++i)
    {
        const auto c = call(id, {});
        ASSERT_EQ(c.status, Status::kSuccess);
        EXPECT_EQ(m_st.storage(id, U256{0}), U256{i});
    }
    set_module_cache_bytes(ModuleCache::kUnbounded);
    const auto cached = call(id, {});
    ASSERT_EQ(cached.status, Status::kSuccess);
    EXPECT_EQ(m_st.storage(id, U256{0}), U256{3});
}

TEST_F(WasmEvm, DeployRefusals)
{
    const Bytes good = wasm_of(R"((module (memory (export "memory") 1 1) (func (export "call"))))");
    const Bytes floaty = wasm_of(R"((module (memory (export "memory") 1 1)
        (func (export "call") (drop (f32.const 1)))))");

    auto r = call(kDeployerAddress, deploy_input("f", 1, floaty));
    EXPECT_EQ(r.status, Status::kRevert);
    EXPECT_NE(as_chars(r.output).find("float"), std::string_view::npos);
    EXPECT_FALSE(m_st.exists(state::wasm_identity(kChainId, "f", 1)));

    r = call(kDeployerAddress, deploy_input("", 1, good));
    EXPECT_EQ(r.status, Status::kRevert);
    r = call(kDeployerAddress, deploy_input(std::string(65, 'x'), 1, good));
    EXPECT_EQ(r.status, Status::kRevert);
    r = call(kDeployerAddress, deploy_input("ok", 1, good), true);  // static
    EXPECT_EQ(r.status, Status::kRevert);
    Bytes truncated = deploy_input("ok", 1, good);
    truncated.resize(truncated.size() - 40);
    r = call(kDeployerAddress, truncated);
    EXPECT_EQ(r.status, Status::kRevert);
    r = call(kDeployerAddress, Bytes{1, 2, 3});
    EXPECT_EQ(r.status, Status::kRevert);
    r = call(kDeployerAddress, deploy_input("ok", 1, good), false, 1000);
    EXPECT_EQ(r.status, Status::kOutOfGas);

    r = call(kDeployerAddress, deploy_input("ok", 1, good));
    EXPECT_EQ(r.status, Status::kSuccess);
}

TEST_F(WasmEvm, RunawayModuleUsesAllGasAndRollsBack)
{
    const Bytes module = wasm_of(R"((module
      (import "env" "storage_write" (func $sw (param i64 i32)))
      (memory (export "memory") 1 1)
      (func (export "call")
        (call $sw (i64.const 3) (i32.const 0))
        (loop $l (br $l)))))");
    ASSERT_EQ(call(kDeployerAddress, deploy_input("spin", 1, module)).status, Status::kSuccess);
    const Address id = state::wasm_identity(kChainId, "spin", 1);
    const auto r = call(id, {}, false, 100'000);
    EXPECT_EQ(r.status, Status::kOutOfGas);
    EXPECT_EQ(r.gas_left, 0);
    EXPECT_EQ(m_st.storage(id, U256{3}), U256{0});
}

}  // namespace
}  // namespace l2::execution::wasm
