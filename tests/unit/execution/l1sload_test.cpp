// L1SLOAD (RIP-7728) at 0x10001: input decoding and gas, the values and the L1 block they are
// read at, malformed input consuming all gas, and an unreachable L1 aborting the whole
// transaction (never a revert) from the EVM, from nested calls, from WASM and from a deposit
// (docs/spec/l1sload.md).
#include "wasm_test_helpers.hpp"

#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include <execution/block_builder.hpp>
#include <execution/call.hpp>
#include <execution/evm/evm.hpp>
#include <execution/l1_info.hpp>
#include <execution/l1sload.hpp>
#include <execution/precompiles.hpp>
#include <execution/predeploys.hpp>
#include <execution/wasm/evm_entry.hpp>
#include <state/memory_store.hpp>
#include <state/state_db.hpp>
#include <txtypes/keccak.hpp>

namespace l2::execution {
namespace {

using evm::Status;

constexpr Address kL1Token = address_literal("1111111111111111111111111111111111111111");
constexpr Address kReader = address_literal("00000000000000000000000000000000000000c1");
constexpr Address kCatcher = address_literal("00000000000000000000000000000000000000c2");
constexpr Hash kKey =
    hash_literal("4646464646464646464646464646464646464646464646464646464646464646");

Hash word(uint64_t v)
{
    Hash h;
    for (int i = 0; i < 8; ++i)
        h[31 - static_cast<size_t>(i)] = static_cast<uint8_t>(v >> (8 * i));
    return h;
}

/// An L1 made of a map; records the block every read asked for; can be "down".
class FakeL1 final : public L1StorageReader
{
public:
    Result<std::vector<Hash>, std::string> load(const Address& account,
                                                std::span<const Hash> keys, uint64_t number,
                                                const Hash& hash) override
    {
        std::lock_guard lock{m_mutex};
        ++reads;
        last_number = number;
        last_hash = hash;
        if (down)
            return unexpected(std::string{"connection refused"});
        std::vector<Hash> out;
        for (const Hash& k : keys)
        {
            const auto it = slots.find({account, k});
            out.push_back(it == slots.end() ? Hash{} : it->second);
        }
        return out;
    }

    std::map<std::pair<Address, Hash>, Hash> slots;
    bool down = false;
    int reads = 0;
    uint64_t last_number = 0;
    Hash last_hash;

private:
    std::mutex m_mutex;
};

Bytes input(const Address& a, std::initializer_list<Hash> keys)
{
    Bytes in{a.view()};
    for (const Hash& k : keys)
        in += k.view();
    return in;
}

/// Forwards its calldata to 0x10001 (STATICCALL, all gas) and returns what came back; reverts
/// when the call failed.
///   CALLDATASIZE PUSH0 PUSH0 CALLDATACOPY
///   PUSH1 0 PUSH1 0 CALLDATASIZE PUSH1 0 PUSH3 0x010001 GAS STATICCALL
///   RETURNDATASIZE PUSH1 0 PUSH1 0 RETURNDATACOPY
///   PUSH1 (fail) JUMPI? -> success: RETURN(0, RETURNDATASIZE); failure: REVERT(0, 0)
const Bytes kReaderCode = [] {
    Bytes c{0x36, 0x5f, 0x5f, 0x37,                    // calldatacopy(0, 0, size)
            0x60, 0x00, 0x60, 0x00, 0x36, 0x60, 0x00,  // out 0/0, in size/0
            0x62, 0x01, 0x00, 0x01, 0x5a, 0xfa,        // staticcall(gas, 0x10001, ...)
            0x3d, 0x60, 0x00, 0x60, 0x00, 0x3e,        // returndatacopy(0, 0, rds)
            0x60, 0x1e, 0x57,                          // jumpi(ok, success)
            0x60, 0x00, 0x80, 0xfd,                    // revert(0, 0)
            0x5b, 0x3d, 0x60, 0x00, 0xf3};             // ok: return(0, rds)
    return c;
}();

/// Calls kReader with its calldata, ignores whether that failed, stores 1 in slot 0 and stops:
/// a contract that would swallow an L1SLOAD revert.
const Bytes kCatcherCode{0x36, 0x5f, 0x5f, 0x37,                          // calldatacopy
                         0x60, 0x00, 0x60, 0x00, 0x36, 0x60, 0x00, 0x60, 0x00,  // 0,0,size,0,value 0
                         0x60, 0xc1, 0x5a, 0xf1, 0x50,                          // call(gas, c1), pop
                         0x60, 0x01, 0x60, 0x00, 0x55, 0x00};                   // sstore(0, 1) stop

TEST(L1Sload, InputAndGas)
{
    const GasSchedule g = cancun_schedule();
    for (size_t k = 1; k <= kL1SloadMaxKeys; ++k)
    {
        Bytes in{kL1Token.view()};
        for (size_t i = 0; i < k; ++i)
            in += word(i).view();
        const auto d = decode_l1sload_input(in);
        ASSERT_TRUE(d) << k;
        EXPECT_EQ(d->account, kL1Token);
        ASSERT_EQ(d->keys.size(), k);
        EXPECT_EQ(d->keys.back(), word(k - 1));
        EXPECT_EQ(l1sload_gas(in, g), 2000u + 2000u * k);
    }
    for (size_t n : {size_t{0}, size_t{19}, size_t{20}, size_t{51}, size_t{53}, size_t{212}, size_t{181}})
    {
        const Bytes in(n, 0);
        EXPECT_FALSE(decode_l1sload_input(in)) << n;
        EXPECT_EQ(l1sload_gas(in, g), UINT64_MAX) << n;
    }
    GasSchedule cheap = g;
    cheap.l1sload_base = 10;
    cheap.l1sload_per_key = 3;
    EXPECT_EQ(l1sload_gas(input(kL1Token, {kKey, kKey}), cheap), 16u);
    // Warm from the start of every tx on l2node chains only (it is a RIP precompile).
    EXPECT_TRUE(is_precompile(kL1SloadAddress, Revision::kCancun, true));
    EXPECT_FALSE(is_precompile(kL1SloadAddress, Revision::kCancun, false));
}

class L1SloadEvm : public testing::Test
{
protected:
    L1SloadEvm()
    {
        m_block.number = 5;
        m_block.gas_limit = 30'000'000;
        m_block.chain_id = 901;
        m_block.l1_block_number = 77;
        m_block.l1_block_hash = keccak256(Bytes{77});
        m_block.l1_storage = &m_l1;
        m_st.set_code(kReader, kReaderCode);
        m_st.set_code(kCatcher, kCatcherCode);
        m_l1.slots[{kL1Token, word(1)}] = word(0xabc);
        m_l1.slots[{kL1Token, word(2)}] = word(0xdef);
    }

    evm::CallResult call(const Address& to, ByteView in, int64_t gas = 1'000'000)
    {
        evm::Message msg;
        msg.gas = gas;
        msg.sender = address_literal("000000000000000000000000000000000000ca11");
        msg.recipient = msg.code_address = to;
        msg.input = in;
        return m_vm.call(msg);
    }

    FakeL1 m_l1;
    state::MemoryStore m_kv;
    state::StateDb m_db{m_kv};
    state::JournaledState m_st{m_db};
    evm::BlockContext m_block;
    evm::TxContext m_tx;
    GasSchedule m_gas = cancun_schedule();
    evm::Evm m_vm{m_st, m_block, m_tx, m_gas, Revision::kCancun, true};
};

TEST_F(L1SloadEvm, ReadsAtTheL1OriginAndCharges)
{
    const Bytes in = input(kL1Token, {word(1), word(9), word(2)});
    const auto r = call(kL1SloadAddress, in, 100'000);
    ASSERT_EQ(r.status, Status::kSuccess);
    EXPECT_EQ(r.output, Bytes{word(0xabc).view()} + Bytes{Hash{}.view()} + Bytes{word(0xdef).view()});
    EXPECT_EQ(100'000 - r.gas_left, 2000 + 3 * 2000);
    EXPECT_EQ(m_l1.last_number, 77u);
    EXPECT_EQ(m_l1.last_hash, keccak256(Bytes{77}));
    EXPECT_FALSE(m_vm.aborted());

    // Through a contract (STATICCALL): the same words.
    const auto c = call(kReader, input(kL1Token, {word(2)}));
    ASSERT_EQ(c.status, Status::kSuccess);
    EXPECT_EQ(c.output, Bytes{word(0xdef).view()});
}

TEST_F(L1SloadEvm, MalformedInputOrTooLittleGasConsumesAllGas)
{
    for (const Bytes& in : {Bytes{}, Bytes(20, 0), Bytes(51, 0), Bytes(20 + 32 * 6, 0)})
    {
        const auto r = call(kL1SloadAddress, in, 50'000);
        EXPECT_EQ(r.status, Status::kOutOfGas) << in.size();
        EXPECT_EQ(r.gas_left, 0);
    }
    const auto r = call(kL1SloadAddress, input(kL1Token, {word(1)}), 3999);
    EXPECT_EQ(r.status, Status::kOutOfGas);
    EXPECT_EQ(m_l1.reads, 0);  // nothing asked of L1 for a call that cannot pay
    EXPECT_FALSE(m_vm.aborted());
}

TEST_F(L1SloadEvm, UnreachableL1AbortsEvenThroughACallThatIgnoresFailure)
{
    m_l1.down = true;
    const auto r = call(kCatcher, input(kL1Token, {word(1)}));
    // Not a revert the catcher could swallow: every frame unwinds with kL1Unavailable.
    EXPECT_EQ(r.status, Status::kL1Unavailable);
    EXPECT_TRUE(m_vm.aborted());
    EXPECT_NE(m_vm.abort_reason().find("connection refused"), std::string::npos);
    EXPECT_EQ(m_st.storage(kCatcher, U256{0}), U256{0});
}

TEST_F(L1SloadEvm, NoReaderAborts)
{
    m_block.l1_storage = nullptr;
    const auto r = call(kL1SloadAddress, input(kL1Token, {word(1)}));
    EXPECT_EQ(r.status, Status::kL1Unavailable);
    EXPECT_TRUE(m_vm.aborted());
}

constexpr std::string_view kWasmL1Reader = R"((module
  (import "env" "l1_sload" (func $l1s (param i32 i32 i32)))
  (import "env" "set_return" (func $ret (param i32 i32)))
  (memory (export "memory") 1 1)
  (data (i32.const 0) "\11\11\11\11\11\11\11\11\11\11\11\11\11\11\11\11\11\11\11\11")
  (data (i32.const 63) "\02")
  (func (export "call")
    (call $l1s (i32.const 0) (i32.const 32) (i32.const 64))
    (call $ret (i32.const 64) (i32.const 32))))
)";

TEST(L1SloadWasm, HostFunctionReadsAndAbortsWhenL1IsDown)
{
    auto m = wasm::test::load_wat(kWasmL1Reader);
    ASSERT_TRUE(m) << m.error().message;
    wasm::test::FakeHost host;
    host.l1_storage[{kL1Token, word(2)}] = word(0xdef);
    const GasSchedule g = cancun_schedule();
    auto out = wasm::execute(*m, host, 1'000'000, g);
    ASSERT_TRUE(out);
    ASSERT_EQ(out->status, wasm::CallStatus::kSuccess) << out->message;
    EXPECT_EQ(out->output, Bytes{word(0xdef).view()});
    // The host call costs l1sload_base + l1sload_per_key (one key per call).
    wasm::test::FakeHost host2 = host;
    host2.l1_down = true;
    auto down = wasm::execute(*m, host2, 1'000'000, g);
    ASSERT_TRUE(down);
    EXPECT_EQ(down->status, wasm::CallStatus::kL1Unavailable);
    EXPECT_NE(down->message.find("L1 down"), std::string::npos);
}

// ---- block level: the transaction is not included and changes nothing ------------------

struct L2Chain
{
    state::MemoryStore kv;
    state::StateDb db{kv};
    ChainSpec spec;
    txtypes::BlockHeader genesis;
    Address sender;
    FakeL1 l1;

    L2Chain()
    {
        sender = *address_from_private_key(kKey);
        spec.chain_id = 901;
        spec.alloc[sender].balance = U256{1'000'000'000'000'000'000ULL};
        spec.alloc[kReader].code = kReaderCode;
        spec.alloc[kCatcher].code = kCatcherCode;
        // The L1Block predeploy as the L1-info deposit leaves it (this chain runs no L1Block
        // code: STOP); L1SLOAD reads at its number and hash.
        namespace slot = predeploys::l1block_slot;
        auto& s = spec.alloc[predeploys::kL1Block].storage;
        s[U256{slot::kNumber}] = U256{42};
        s[U256{slot::kHash}] = from_be_bytes(keccak256(Bytes{42}).view());
        spec.alloc[predeploys::kL1Block].code = Bytes{0x00};
        state::PreparedState p;
        auto g = build_genesis(spec, db, p);
        EXPECT_TRUE(g);
        genesis = *g;
        EXPECT_TRUE(db.commit(p));
        l1.slots[{kL1Token, word(1)}] = word(0xabc);
    }

    BlockBuilder builder(std::vector<txtypes::Transaction> deposits = {})
    {
        PayloadAttributes attrs;
        attrs.timestamp = 2;
        attrs.fee_recipient = predeploys::kSequencerFeeVault;
        L1Info info;
        info.number = 42;
        info.hash = keccak256(Bytes{42});
        attrs.deposits.push_back(make_l1_info_transaction(info));
        for (auto& d : deposits)
            attrs.deposits.push_back(std::move(d));
        return BlockBuilder{db, spec, genesis, txtypes::header_hash(genesis), std::move(attrs),
                            [](uint64_t) { return Hash{}; }};
    }

    txtypes::Transaction call_tx(uint64_t nonce, const Address& to)
    {
        txtypes::Transaction t;
        t.type = txtypes::TxType::kDynamicFee;
        t.chain_id = 901;
        t.nonce = nonce;
        t.max_fee_per_gas = U256{10'000'000'000ULL};
        t.max_priority_fee_per_gas = U256{1};
        t.gas_limit = 200'000;
        t.to = to;
        t.data = input(kL1Token, {word(1)});
        EXPECT_TRUE(txtypes::sign_transaction(t, kKey));
        return t;
    }
};

TEST(L1SloadBlock, TxIsIncludedWithTheL1ValueWhenL1Answers)
{
    L2Chain c;
    auto b = c.builder();
    b.set_l1_storage(&c.l1);
    ASSERT_TRUE(b.apply_deposits());
    const auto t = c.call_tx(0, kReader);
    auto out = b.add(t, c.sender, txtypes::encode_transaction(t));
    ASSERT_TRUE(out) << to_string(out.error());
    EXPECT_TRUE((*out)->success);
    EXPECT_EQ((*out)->output, Bytes{word(0xabc).view()});
    EXPECT_EQ(c.l1.last_number, 42u);
    EXPECT_EQ(c.l1.last_hash, keccak256(Bytes{42}));
}

TEST(L1SloadBlock, UnreachableL1LeavesTheTxOutAndTheBlockUnchanged)
{
    L2Chain c;
    c.l1.down = true;
    auto b = c.builder();
    b.set_l1_storage(&c.l1);
    ASSERT_TRUE(b.apply_deposits());
    const uint64_t gas_before = b.gas_used();
    const size_t txs_before = b.tx_count();
    for (const Address& to : {kReader, kCatcher})
    {
        const auto t = c.call_tx(0, to);
        auto out = b.add(t, c.sender, txtypes::encode_transaction(t));
        ASSERT_FALSE(out);
        EXPECT_EQ(out.error(), TxRejection::kL1Unavailable);
    }
    EXPECT_EQ(b.gas_used(), gas_before);
    EXPECT_EQ(b.tx_count(), txs_before);

    // The same tx goes in once L1 answers; nothing of the aborted attempts is left (nonce 0
    // still valid, the full balance before it).
    c.l1.down = false;
    const auto t = c.call_tx(0, kCatcher);
    auto out = b.add(t, c.sender, txtypes::encode_transaction(t));
    ASSERT_TRUE(out) << to_string(out.error());
    EXPECT_TRUE((*out)->success);
    auto built = b.seal();
    ASSERT_TRUE(built);

    // A block with the aborted attempts equals one built without them.
    L2Chain fresh;
    auto b2 = fresh.builder();
    b2.set_l1_storage(&fresh.l1);
    ASSERT_TRUE(b2.apply_deposits());
    ASSERT_TRUE(b2.add(t, fresh.sender, txtypes::encode_transaction(t)));
    auto built2 = b2.seal();
    ASSERT_TRUE(built2);
    EXPECT_EQ(built->hash, built2->hash);
    EXPECT_EQ(built->block.header.state_root, built2->block.header.state_root);
}

TEST(L1SloadBlock, DepositCallingL1SloadWaitsForL1)
{
    L2Chain c;
    c.l1.down = true;
    txtypes::Transaction d;
    d.type = txtypes::TxType::kDeposit;
    d.source_hash = keccak256(Bytes{1});
    d.from = address_literal("00000000000000000000000000000000000000d1");
    d.to = kReader;
    d.mint = U256{5};
    d.gas_limit = 200'000;
    d.data = input(kL1Token, {word(1)});
    auto b = c.builder({d});
    b.set_l1_storage(&c.l1);
    auto r = b.apply_deposits();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, BlockErrc::kL1Unavailable);

    c.l1.down = false;
    auto b2 = c.builder({d});
    b2.set_l1_storage(&c.l1);
    ASSERT_TRUE(b2.apply_deposits());
    auto built = b2.seal();
    ASSERT_TRUE(built);
    EXPECT_TRUE(built->receipts[1].success);
}

TEST(L1SloadCall, EthCallReadsAtTheHeadOriginAndReportsAnUnreachableL1)
{
    L2Chain c;
    CallEnv env{c.db, c.spec, child_block_context(c.spec, c.genesis, [](uint64_t) { return Hash{}; })};
    env.block.l1_storage = &c.l1;
    CallRequest req;
    req.to = kReader;
    req.data = input(kL1Token, {word(1)});
    auto ok = simulate_call(env, req, 1'000'000);
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(ok->output, Bytes{word(0xabc).view()});
    EXPECT_EQ(c.l1.last_number, 42u);  // the L1Block's number in the head state

    c.l1.down = true;
    auto down = simulate_call(env, req, 1'000'000);
    ASSERT_FALSE(down);
    EXPECT_EQ(down.error().code, CallErrc::kL1Unavailable);
    auto est = estimate_gas(env, req, 1'000'000);
    ASSERT_FALSE(est);
    EXPECT_EQ(est.error().code, CallErrc::kL1Unavailable);
}

}  // namespace
}  // namespace l2::execution
