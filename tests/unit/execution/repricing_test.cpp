// A repricing scheduled in the chain config's gas table changes the gas a transaction uses from
// its activation block on, and not before.
#include <gtest/gtest.h>

#include <execution/executor.hpp>
#include <execution/gas_schedule.hpp>
#include <state/journaled_state.hpp>
#include <state/memory_store.hpp>
#include <state/state_db.hpp>
#include <txtypes/keccak.hpp>

using namespace l2;
using namespace l2::execution;

namespace {

constexpr Hash kKey =
    hash_literal("4646464646464646464646464646464646464646464646464646464646464646");
constexpr Address kContract = address_literal("00000000000000000000000000000000000c0de0");

/// Commits a funded sender and `code` at kContract as the genesis block of `db`.
void fund_and_deploy(state::StateDb& db, const Bytes& code)
{
    state::StateDiff genesis;
    state::AccountChange funded;
    funded.identity = *address_from_private_key(kKey);
    funded.account = state::Account{};
    funded.account->balance = U256{1'000'000'000'000'000'000ULL};
    genesis.accounts.push_back(funded);
    state::AccountChange contract;
    contract.identity = kContract;
    contract.account = state::Account{};
    contract.account->code_hash = keccak256(code);
    genesis.accounts.push_back(contract);
    genesis.code.emplace_back(keccak256(code), code);
    auto p = db.prepare(genesis, txtypes::kEmptyRootHash);
    ASSERT_TRUE(p && db.commit(*p));
}

/// Gas used by one call to a contract doing SLOAD(0) then ADD, under the table at `block_num`.
uint64_t gas_used_at(const GasTable& table, uint64_t block_num)
{
    state::MemoryStore kv;
    state::StateDb db{kv};
    const Address sender = *address_from_private_key(kKey);
    // PUSH1 0 SLOAD PUSH1 1 ADD POP STOP
    fund_and_deploy(db, Bytes{0x60, 0x00, 0x54, 0x60, 0x01, 0x01, 0x50, 0x00});

    txtypes::Transaction txn;
    txn.type = txtypes::TxType::kDynamicFee;
    txn.chain_id = 901;
    txn.gas_limit = 100'000;
    txn.max_fee_per_gas = 10;
    txn.to = kContract;
    EXPECT_TRUE(txtypes::sign_transaction(txn, kKey));

    evm::BlockContext block;
    block.number = block_num;
    block.gas_limit = 30'000'000;
    block.chain_id = 901;
    state::JournaledState st{db};
    TxEnv env{Revision::kCancun, true, &table.at(block_num), std::nullopt};
    auto out = execute_transaction(st, block, txn, sender, env, block.gas_limit);
    EXPECT_TRUE(out) << (out ? "" : to_string(out.error()));
    return out ? out->gas_used : 0;
}

TEST(GasTable, RepricingChangesGasFromItsBlockOn)
{
    auto table = GasTable::from_json(R"({
        "base": "Cancun",
        "repricings": [{"block": 1000, "overrides": {"cold_sload": 4000, "op.ADD": 5}}]
    })");
    ASSERT_TRUE(table) << table.error();
    const uint64_t before = gas_used_at(*table, 999);
    const uint64_t after = gas_used_at(*table, 1000);
    const uint64_t later = gas_used_at(*table, 5000);
    // cold SLOAD 2100 -> 4000 (+1900) and ADD 3 -> 5 (+2).
    EXPECT_EQ(after - before, 1900u + 2u);
    EXPECT_EQ(later, after);
    // The unrepriced default: 21000 + 3 (PUSH) + 2100 (cold SLOAD) + 3 + 3 (ADD) + 2 (POP).
    EXPECT_EQ(before, 21000u + 3 + 2100 + 3 + 3 + 2);
}

TEST(Executor, ReceiptOfALoggingCall)
{
    state::MemoryStore kv;
    state::StateDb db{kv};
    const Address sender = *address_from_private_key(kKey);
    // PUSH1 0x2a PUSH1 0 MSTORE PUSH1 0xaa PUSH1 32 PUSH1 0 LOG1 STOP: one log, one topic.
    fund_and_deploy(db, Bytes{0x60, 0x2a, 0x60, 0x00, 0x52, 0x60, 0xaa, 0x60, 0x20, 0x60, 0x00,
                              0xa1, 0x00});

    txtypes::Transaction txn;
    txn.type = txtypes::TxType::kDynamicFee;
    txn.chain_id = 901;
    txn.gas_limit = 100'000;
    txn.max_fee_per_gas = 10;
    txn.max_priority_fee_per_gas = 10;  // base fee 0: the price is the tip
    txn.to = kContract;
    ASSERT_TRUE(txtypes::sign_transaction(txn, kKey));
    evm::BlockContext block;
    block.gas_limit = 30'000'000;
    const GasSchedule gas = cancun_schedule();
    state::JournaledState st{db};
    auto out = execute_transaction(st, block, txn, sender, {Revision::kCancun, true, &gas, {}},
                                   block.gas_limit);
    ASSERT_TRUE(out);
    ASSERT_EQ(out->logs.size(), 1u);
    const auto r = make_receipt(*out, txn.type, 50'000 + out->gas_used);
    EXPECT_TRUE(r.success);
    EXPECT_EQ(r.cumulative_gas_used, 50'000 + out->gas_used);
    EXPECT_EQ(r.logs[0].address, kContract);
    EXPECT_EQ(r.logs[0].topics[0][31], 0xaa);
    EXPECT_EQ(r.logs[0].data[31], 0x2a);
    EXPECT_TRUE(txtypes::bloom_may_contain(r.bloom, kContract));
    // The sender paid gas_used * price and nothing else; the nonce moved.
    EXPECT_EQ(st.balance(sender), U256{1'000'000'000'000'000'000ULL} - U256{out->gas_used * 10});
    EXPECT_EQ(st.nonce(sender), 1u);
}

}  // namespace
