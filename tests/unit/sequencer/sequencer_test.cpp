// The sequencer's block loop against an in-memory L1: epochs advance with L1, deposits land in
// the first block of their epoch only, an unreachable L1 does not stop block production within
// the max drift, and past the drift blocks carry no user transactions.
#include <gtest/gtest.h>

#include <cstring>

#include <derivation/deposits.hpp>
#include <execution/chain.hpp>
#include <execution/l1_info.hpp>
#include <l1client/fake_l1_source.hpp>
#include <sequencer/chain_pool_view.hpp>
#include <sequencer/sequencer.hpp>
#include <state/memory_store.hpp>
#include <txtypes/keccak.hpp>

#include "portal_logs.hpp"

using namespace l2;

namespace {

constexpr Hash kKey =
    hash_literal("4646464646464646464646464646464646464646464646464646464646464646");
constexpr Address kPortal = address_literal("5fbdb2315678afecb367f032d93f642f64180aa3");
constexpr Address kDepositor = address_literal("00000000000000000000000000000000000000d1");

l1client::L1Log deposit_log(const U256& mint)
{
    return test::deposit_log(kPortal, kDepositor, mint);
}

struct Fixture
{
    state::MemoryStore kv;
    l1client::FakeL1Source l1;
    std::unique_ptr<execution::Chain> chain;
    derivation::RollupConfig rollup;
    std::unique_ptr<sequencer::ChainPoolView> view;
    std::unique_ptr<sequencer::Mempool> pool;
    std::unique_ptr<sequencer::Sequencer> seq;
    Address sender;

    Fixture()
    {
        sender = *address_from_private_key(kKey);
        l1client::L1Block g;
        g.number = 100;
        g.timestamp = 1000;
        g.base_fee = U256{7};
        const auto l1_genesis = l1.push_block(g);

        execution::ChainSpec spec;
        spec.chain_id = 901;
        spec.genesis_timestamp = 1000;
        spec.alloc[sender].balance = U256{1'000'000'000'000'000'000ULL};
        chain = std::move(*execution::Chain::open(kv, spec));

        rollup.l2_chain_id = 901;
        rollup.block_time = 2;
        rollup.max_sequencer_drift = 30;
        rollup.genesis_l1 = {l1_genesis.number, l1_genesis.hash};
        rollup.genesis_l2 = {0, chain->genesis().hash};
        rollup.deposit_portal = kPortal;
        view = std::make_unique<sequencer::ChainPoolView>(*chain);
        pool = std::make_unique<sequencer::Mempool>(sequencer::PoolConfig{}, *view);
        seq = std::make_unique<sequencer::Sequencer>(*chain, rollup, l1, *pool);
    }

    /// The L1-info values of the head block.
    execution::L1Info head_info()
    {
        const auto head = chain->head();
        const auto block = *chain->blocks().block(head.header.number, head.hash);
        return *execution::decode_l1_info_calldata(block->transactions[0].data);
    }

    size_t head_tx_count()
    {
        const auto head = chain->head();
        return (*chain->blocks().block(head.header.number, head.hash))->transactions.size();
    }

    void submit_transfer(uint64_t nonce)
    {
        txtypes::Transaction t;
        t.type = txtypes::TxType::kDynamicFee;
        t.chain_id = 901;
        t.nonce = nonce;
        t.max_fee_per_gas = U256{10'000'000'000ULL};
        t.max_priority_fee_per_gas = U256{1};
        t.gas_limit = 21'000;
        t.to = kDepositor;
        t.value = U256{1};
        ASSERT_TRUE(txtypes::sign_transaction(t, kKey));
        auto r = pool->add(txtypes::encode_transaction(t));
        ASSERT_TRUE(r) << r.error().message;
    }
};

}  // namespace

TEST(Sequencer, EpochsFollowL1AndDepositsLandInTheFirstBlockOnly)
{
    Fixture f;
    // Not time yet: the next block is due at 1002.
    auto r = f.seq->tick(1001);
    ASSERT_TRUE(r);
    EXPECT_FALSE(*r);

    // L1 block 101 at 1003 holds a deposit; L2 block 1 (t=1002) stays in epoch 100.
    f.l1.push_block(l1client::L1Block{.timestamp = 1003}, {deposit_log(U256{5})});
    r = f.seq->tick(1002);
    ASSERT_TRUE(r && *r);
    EXPECT_EQ(**r, 1u);
    EXPECT_EQ(f.head_info().number, 100u);
    EXPECT_EQ(f.head_info().sequence_number, 1u);
    EXPECT_EQ(f.head_tx_count(), 1u);  // L1-info only

    // L2 block 2 (t=1004) adopts origin 101 and carries its deposit right after the L1-info.
    ASSERT_TRUE(f.seq->tick(1004));
    EXPECT_EQ(f.head_info().number, 101u);
    EXPECT_EQ(f.head_info().sequence_number, 0u);
    ASSERT_EQ(f.head_tx_count(), 2u);
    EXPECT_EQ(f.chain->state().account(state::Engine::kEvm, kDepositor)->balance, U256{5});

    // L2 block 3 stays in epoch 101: no deposit again.
    ASSERT_TRUE(f.seq->tick(1006));
    EXPECT_EQ(f.head_info().sequence_number, 1u);
    EXPECT_EQ(f.head_tx_count(), 1u);
    EXPECT_EQ(f.chain->state().account(state::Engine::kEvm, kDepositor)->balance, U256{5});
}

TEST(Sequencer, KeepsProducingWhileL1IsDownWithinTheDrift)
{
    Fixture f;
    f.submit_transfer(0);
    l1client::RpcError down;
    down.code = l1client::RpcErrc::kTransport;
    down.message = "connection refused";
    f.l1.fail_next(1, down);
    // The origin (100, t=1000) was never loaded: the first block needs L1.
    EXPECT_FALSE(f.seq->tick(1002));
    ASSERT_TRUE(f.seq->tick(1002));  // origin loaded, block 1 with the transfer
    EXPECT_EQ(f.head_tx_count(), 2u);

    // L1 down now (each tick asks for the L1 head once): blocks keep coming in the same epoch
    // while t <= origin time + drift (1030).
    f.l1.fail_next(15, down);
    f.submit_transfer(1);
    uint64_t t = 1004;
    for (; t <= 1030; t += 2)
    {
        auto r = f.seq->tick(t);
        ASSERT_TRUE(r) << r.error();
        ASSERT_TRUE(*r);
    }
    EXPECT_EQ(f.head_info().number, 100u);
    EXPECT_EQ(f.chain->head().header.number, 15u);
    EXPECT_EQ(f.seq->status().txs_included, 2u);

    // Past the drift with L1 still down: an error, no block.
    auto r = f.seq->tick(t);
    EXPECT_FALSE(r);
    EXPECT_EQ(f.chain->head().header.number, 15u);
    EXPECT_FALSE(f.seq->status().last_error.empty());
}

TEST(Sequencer, PastTheDriftBlocksCarryNoUserTransactions)
{
    Fixture f;
    // L1 answers but produces no new block: the origin cannot move past 100 (t=1000).
    for (uint64_t t = 1002; t <= 1030; t += 2)
        ASSERT_TRUE(f.seq->tick(t));
    f.submit_transfer(0);
    ASSERT_TRUE(f.seq->tick(1032));  // t > 1000 + 30: deposits-only block
    EXPECT_EQ(f.head_tx_count(), 1u);
    EXPECT_EQ(f.pool->size(), 1u);
    // Once L1 moves on, the transfer goes in.
    f.l1.push_block(l1client::L1Block{.timestamp = 1030});
    ASSERT_TRUE(f.seq->tick(1034));
    EXPECT_EQ(f.head_info().number, 101u);
    EXPECT_EQ(f.head_tx_count(), 2u);
}

TEST(Sequencer, StopAndStart)
{
    Fixture f;
    f.seq->stop();
    auto r = f.seq->tick(1002);
    ASSERT_TRUE(r);
    EXPECT_FALSE(*r);
    f.seq->start();
    r = f.seq->tick(1002);
    ASSERT_TRUE(r && *r);
}
