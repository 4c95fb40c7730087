// The derivation pipeline against an in-memory L1, with a real Sequencer producing the chain it
// derives: a follower reproduces the sequencer's blocks from L1 alone; deposits are forced into
// their epoch's first block; past the sequencing window without batches the follower derives
// the epoch itself and the sequencer's own pipeline reorgs its unsafe chain onto that; batches
// from anyone but the batcher, garbage and epoch-skipping batches are ignored; an L1 reorg of
// the blocks holding batches rolls the safe head back and re-derives.
#include <gtest/gtest.h>

#include <array>
#include <cstring>

#include <derivation/channel.hpp>
#include <derivation/deposits.hpp>
#include <derivation/pipeline.hpp>
#include <execution/chain.hpp>
#include <execution/l1_info.hpp>
#include <execution/l1sload.hpp>
#include <l1client/fake_l1_source.hpp>
#include <sequencer/batcher.hpp>
#include <sequencer/chain_pool_view.hpp>
#include <sequencer/sequencer.hpp>
#include <state/memory_store.hpp>
#include <txtypes/keccak.hpp>

#include "portal_logs.hpp"
#include "rollup_world.hpp"

using namespace l2;

namespace {

constexpr Hash kKey =
    hash_literal("4646464646464646464646464646464646464646464646464646464646464646");
constexpr Address kPortal = test::kRollupPortal;
constexpr Address kStranger = address_literal("5000000000000000000000000000000000000005");
constexpr Address kDepositor = address_literal("00000000000000000000000000000000000000d1");
constexpr Address kRecipient = address_literal("00000000000000000000000000000000000000e2");

l1client::L1Log deposit_log(const U256& mint)
{
    return test::deposit_log(kPortal, kDepositor, mint);
}

/// A node: a chain on its own memory store and a derivation pipeline over the shared L1.
using Node = test::RollupNode;

/// Steps derivation until it has read all of L1.
void sync(Node& n)
{
    auto r = n.sync_to_l1();
    ASSERT_TRUE(r) << r.error();
}

Address sender_of_key()
{
    return *address_from_private_key(kKey);
}

execution::ChainSpec spec_for_key()
{
    const std::array<Address, 1> funded{sender_of_key()};
    return test::rollup_spec(funded);
}

/// The sequencer (its node, pool, Sequencer, real Batcher) over the in-memory L1, one funded
/// sender, and what the tests do with them.
struct World : test::RollupWorld
{
    Address sender = sender_of_key();
    uint64_t nonce = 0;

    World() : test::RollupWorld{spec_for_key()} {}

    void submit_transfer()
    {
        txtypes::Transaction t;
        t.type = txtypes::TxType::kDynamicFee;
        t.chain_id = 901;
        t.nonce = nonce++;
        t.max_fee_per_gas = U256{10'000'000'000ULL};
        t.max_priority_fee_per_gas = U256{1};
        t.gas_limit = 21'000;
        t.to = kRecipient;
        t.value = U256{1};
        ASSERT_TRUE(txtypes::sign_transaction(t, kKey));
        auto r = pool->add(txtypes::encode_transaction(t));
        ASSERT_TRUE(r) << r.error().message;
    }

    /// The sequencer builds every block due by the L1 clock.
    void sequence()
    {
        auto r = sequence_due();
        ASSERT_TRUE(r) << r.error();
    }

    /// The span batch of the sequencer's blocks [from, to].
    derivation::SpanBatch span(uint64_t from, uint64_t to) const
    {
        derivation::SpanBatch s;
        const Node& n = *seq_node;
        s.parent_check = derivation::HashPrefix::of(n.block(from).header.parent_hash);
        for (uint64_t i = from; i <= to; ++i)
        {
            const auto b = n.block(i);
            const auto info = *execution::decode_l1_info_calldata(b.transactions[0].data);
            derivation::BatchBlock bb{b.header.timestamp, info.number, {}};
            for (const auto& t : b.transactions)
                if (t.type != txtypes::TxType::kDeposit)
                    bb.txs.push_back(txtypes::encode_transaction(t));
            s.blocks.push_back(std::move(bb));
            if (i == to)
                s.l1_origin_check = derivation::HashPrefix::of(info.hash);
        }
        return s;
    }

    /// `tag` tells apart channels of batches that start at the same block.
    Bytes channel_calldata(const derivation::SpanBatch& s, uint8_t tag = 0)
    {
        derivation::ChannelId id;
        id[0] = static_cast<uint8_t>(s.blocks.front().timestamp);
        id[1] = static_cast<uint8_t>(s.blocks.front().timestamp >> 8);
        id[2] = tag;
        derivation::ChannelOut ch{id};
        EXPECT_TRUE(ch.add_batch(s));
        const auto frames = ch.output_frames(100'000);
        return derivation::encode_calldata(frames);
    }

    /// The sequencer's node derives (moving its safe head), then the batcher posts what is new
    /// into the next L1 block.
    void batch_new_blocks()
    {
        auto r = batch_blocks();
        ASSERT_TRUE(r) << r.error();
    }

    /// `n` rounds of: an L1 block (with the last round's batch), the sequencer catching up with
    /// it, `txs` transfers per round, the new blocks batched.
    void run(int rounds, int txs, bool post = true)
    {
        for (int i = 0; i < rounds; ++i)
        {
            mine_l1();
            for (int k = 0; k < txs; ++k)
                submit_transfer();
            sequence();
            if (post)
                batch_new_blocks();
        }
    }
};

void expect_same_chain(const Node& a, const Node& b)
{
    ASSERT_EQ(a.head(), b.head());
    for (uint64_t n = 0; n <= a.head(); ++n)
        ASSERT_EQ(a.hash(n), b.hash(n)) << "block " << n;
}

}  // namespace

TEST(Follower, DerivesTheSequencersChainFromL1)
{
    World w;
    w.run(10, 3);
    // A deposit in the next L1 block: the first block of its epoch must carry it.
    const auto dep_block = w.mine_l1({deposit_log(U256{77})});
    w.sequence();
    w.batch_new_blocks();
    w.run(6, 2);
    w.mine_l1();  // includes the last batch

    auto f = w.follower();
    sync(*f);
    const uint64_t seq_head = w.seq_node->head();
    ASSERT_GE(seq_head, 30u);
    ASSERT_EQ(f->head(), seq_head);
    expect_same_chain(*w.seq_node, *f);
    EXPECT_EQ(f->safe(), seq_head);
    EXPECT_EQ(f->chain->state().account(state::Engine::kEvm, kDepositor)->balance, U256{77});
    const auto st = f->pipeline->status();
    EXPECT_EQ(st.blocks_derived, seq_head);
    EXPECT_EQ(st.default_blocks, 0u);
    EXPECT_EQ(st.batches_dropped, 0u);
    EXPECT_EQ(st.txs_recovery_skipped, 0u);  // it executes every block: all senders recovered

    // The epoch's first block holds the deposit right after the L1-info tx.
    bool found = false;
    for (uint64_t n = 1; n <= f->head(); ++n)
    {
        const auto b = f->block(n);
        const auto info = *execution::decode_l1_info_calldata(b.transactions[0].data);
        if (info.number == dep_block.number && info.sequence_number == 0)
        {
            ASSERT_GE(b.transactions.size(), 2u);
            EXPECT_EQ(b.transactions[1].type, txtypes::TxType::kDeposit);
            found = true;
        }
    }
    EXPECT_TRUE(found);

    // The sequencer's own pipeline confirms its blocks without executing them again, nor
    // recovering the senders of their 10 x 3 + 6 x 2 transfers.
    sync(*w.seq_node);
    EXPECT_EQ(w.seq_node->safe(), seq_head);
    EXPECT_EQ(w.seq_node->pipeline->status().blocks_consolidated, seq_head);
    EXPECT_EQ(w.seq_node->pipeline->status().l2_reorgs, 0u);
    EXPECT_EQ(w.seq_node->pipeline->status().txs_recovery_skipped, 42u);
}

TEST(Follower, SequencerDowntimeForcesTheEpochAndTheSequencerConverges)
{
    World w;
    w.run(4, 2);
    w.mine_l1();
    auto f = w.follower();
    sync(*f);
    const uint64_t before = f->head();
    ASSERT_EQ(before, w.seq_node->head());

    // The sequencer keeps building (with user txs) but its batches never reach L1; a deposit
    // lands on L1 meanwhile.
    w.submit_transfer();
    w.sequence();
    const auto dep = w.mine_l1({deposit_log(U256{55})});
    w.submit_transfer();
    w.sequence();
    for (uint64_t i = 0; i < w.rollup.seq_window_size + 3; ++i)
        w.mine_l1();

    // Past the window the follower derives the missing epochs itself, deposit included.
    sync(*f);
    EXPECT_GT(f->head(), before);
    EXPECT_GT(f->pipeline->status().default_blocks, 0u);
    EXPECT_EQ(f->chain->state().account(state::Engine::kEvm, kDepositor)->balance, U256{55});
    for (uint64_t n = before + 1; n <= f->head(); ++n)
    {
        const auto b = f->block(n);
        for (const auto& t : b.transactions)
            EXPECT_EQ(t.type, txtypes::TxType::kDeposit) << "block " << n;
        const auto info = *execution::decode_l1_info_calldata(b.transactions[0].data);
        if (info.number == dep.number && info.sequence_number == 0)
        {
            EXPECT_EQ(b.transactions.size(), 2u);
        }
    }

    // The sequencer's node derives the same and reorgs its unsafe blocks onto it.
    sync(*w.seq_node);
    EXPECT_GT(w.seq_node->pipeline->status().l2_reorgs, 0u);
    ASSERT_GE(w.seq_node->head(), f->head());
    for (uint64_t n = 0; n <= f->head(); ++n)
        ASSERT_EQ(w.seq_node->hash(n), f->hash(n)) << "block " << n;

    // Back in business: the sequencer continues on the derived chain (its stale unsafe blocks
    // are confirmed or replaced as their windows pass), its batches land again and the follower
    // follows block for block.
    w.run(static_cast<int>(w.rollup.seq_window_size) + 4, 1);
    w.mine_l1();
    sync(*f);
    sync(*w.seq_node);
    expect_same_chain(*w.seq_node, *f);
    EXPECT_EQ(f->safe(), f->head());
    EXPECT_EQ(f->chain->state().account(state::Engine::kEvm, w.sender)->nonce, w.nonce);
}

TEST(Follower, IgnoresStrangersGarbageAndEpochSkippingBatches)
{
    World w;
    w.run(3, 1);
    w.mine_l1();
    auto f = w.follower();
    sync(*f);
    const uint64_t base = f->head();

    // The next blocks, batched by a stranger; garbage and a truncated frame from the batcher.
    w.run(2, 2, /*post=*/false);
    const auto good = w.span(base + 1, w.seq_node->head());
    w.queue_calldata(w.channel_calldata(good), kStranger);
    w.queue_calldata(Bytes{0x00, 0x01, 0x02});
    w.queue_calldata(Bytes{0x07, 0xff});
    // An epoch-skipping copy: the first block claims an origin two L1 blocks ahead, leaving the
    // deposits of the skipped epoch out.
    auto skip = good;
    skip.blocks[0].l1_origin += 2;
    for (auto& b : skip.blocks)
        b.l1_origin = std::max(b.l1_origin, skip.blocks[0].l1_origin);
    w.queue_calldata(w.channel_calldata(skip));
    // A copy in which the first block with transfers after the first block has one with an
    // unrecoverable signature (r = 0): the blocks before it are good.
    auto forged = good;
    size_t bad_block = 1;
    while (forged.blocks.at(bad_block).txs.empty())
        ++bad_block;
    {
        auto& raw = forged.blocks[bad_block].txs.back();
        auto t = *txtypes::decode_transaction(raw);
        t.signature.r = U256{0};
        raw = txtypes::encode_transaction(t);
    }
    w.queue_calldata(w.channel_calldata(forged, 1));
    w.mine_l1();
    sync(*f);
    EXPECT_EQ(f->head(), base + bad_block);  // the forged copy's good blocks, then nothing
    const auto st = f->pipeline->status();
    EXPECT_EQ(st.txs_ignored, 3u);  // stranger + 2 malformed
    EXPECT_GE(st.batches_dropped, 2u);  // the epoch-skipping block, the forged signature

    // The real batch, in time: accepted, the chain matches the sequencer's.
    w.queue_calldata(w.channel_calldata(good));
    w.mine_l1();
    sync(*f);
    ASSERT_EQ(f->head(), w.seq_node->head());
    expect_same_chain(*w.seq_node, *f);
}

TEST(Follower, L1ReorgOfBatchBlocksRollsBackAndRederives)
{
    World w;
    w.run(3, 1);
    w.mine_l1();
    auto f = w.follower();
    sync(*f);
    const uint64_t safe_before = f->safe();
    const uint64_t l1_before = w.l1.head()->number;

    // Blocks batched into L1 block l1_before + 1, derived by the follower...
    w.run(2, 2);
    const auto batch_block = w.mine_l1();
    ASSERT_EQ(batch_block.number, l1_before + 1 + 2);
    sync(*f);
    ASSERT_GT(f->safe(), safe_before);

    // ...then L1 reorgs those blocks away (the batch is gone with them) and reposts it later.
    w.l1.rewind(l1_before);
    w.l1_time = w.l1.head()->timestamp;
    w.next_l1_txs.clear();
    w.mine_l1();  // a different block at l1_before + 1 (no batch)
    sync(*f);
    EXPECT_EQ(f->pipeline->status().l1_reorgs, 1u);
    EXPECT_LE(f->safe(), safe_before);

    // The sequencer's own chain was built on the old L1 blocks: its pipeline and the sequencer
    // notice, the sequencer rebuilds, and the batches of the new chain make both agree.
    sync(*w.seq_node);
    w.run(3, 1);
    w.batch_new_blocks();
    w.mine_l1();
    w.mine_l1();
    sync(*f);
    sync(*w.seq_node);
    ASSERT_EQ(f->head(), w.seq_node->head());
    expect_same_chain(*w.seq_node, *f);
    EXPECT_EQ(f->safe(), f->head());
}

TEST(Follower, FinalizedFollowsL1Finality)
{
    World w;
    w.run(6, 1);
    w.mine_l1();
    auto f = w.follower();
    sync(*f);
    EXPECT_EQ(f->chain->head_ref(state::Head::kFinalized)->number, 0u);
    // L1 finalizes the block holding the batches of the first rounds.
    w.l1.set_finalized(w.l1.head()->number - 3);
    sync(*f);
    const uint64_t fin = f->chain->head_ref(state::Head::kFinalized)->number;
    EXPECT_GT(fin, 0u);
    EXPECT_LT(fin, f->safe());
}

namespace {

/// L1SLOAD's source for one node: every slot reads as its key + 1; `down` fails every read.
struct SwitchableL1 final : execution::L1StorageReader
{
    bool down = false;
    int reads = 0;
    Result<std::vector<Hash>, std::string> load(const Address&, std::span<const Hash> keys,
                                                uint64_t, const Hash&) override
    {
        ++reads;
        if (down)
            return unexpected(std::string{"connection refused"});
        std::vector<Hash> out;
        for (Hash k : keys)
        {
            k[31] = static_cast<uint8_t>(k[31] + 1);
            out.push_back(k);
        }
        return out;
    }
};

/// A tx from the World's sender straight to the L1SLOAD precompile (one key).
void submit_l1sload(World& w)
{
    txtypes::Transaction t;
    t.type = txtypes::TxType::kDynamicFee;
    t.chain_id = 901;
    t.nonce = w.nonce++;
    t.max_fee_per_gas = U256{10'000'000'000ULL};
    t.max_priority_fee_per_gas = U256{1};
    t.gas_limit = 60'000;
    t.to = execution::kL1SloadAddress;
    t.data = Bytes{kStranger.view()} + Bytes(32, 0x07);
    ASSERT_TRUE(txtypes::sign_transaction(t, kKey));
    auto r = w.pool->add(txtypes::encode_transaction(t));
    ASSERT_TRUE(r) << r.error().message;
}

}  // namespace

// DESIGN "L1SLOAD": an L1 that does not answer never becomes a revert. The sequencer leaves the
// tx in its pool and includes it once L1 answers; a follower deriving a block with an L1SLOAD
// retries (keeping the batch) until L1 answers, then reaches the same chain.
TEST(Follower, L1SloadWithoutL1DefersTheTxAndTheFollowerWaits)
{
    World w;
    SwitchableL1 seq_l1;
    w.seq_node->chain->set_l1_storage(&seq_l1);
    w.run(2, 1);

    // Sequencer, L1 down: blocks go on, the tx stays in the pool.
    seq_l1.down = true;
    submit_l1sload(w);
    w.mine_l1();
    w.submit_transfer();  // a later nonce of the same sender: waits behind it
    w.sequence();
    const auto st = w.seq->status();
    EXPECT_GE(st.txs_deferred_l1, 1u);
    EXPECT_EQ(w.pool->size(), 2u);
    const uint64_t head_down = w.seq_node->head();
    for (uint64_t n = 1; n <= head_down; ++n)
        for (const auto& t : w.seq_node->block(n).transactions)
            EXPECT_NE(t.to, std::optional<Address>{execution::kL1SloadAddress}) << "block " << n;

    // L1 back: both go in, the L1SLOAD tx first.
    seq_l1.down = false;
    w.mine_l1();
    w.sequence();
    EXPECT_EQ(w.pool->size(), 0u);
    uint64_t l1sload_block = 0;
    for (uint64_t n = head_down + 1; n <= w.seq_node->head(); ++n)
        for (const auto& t : w.seq_node->block(n).transactions)
            if (t.to == std::optional<Address>{execution::kL1SloadAddress})
                l1sload_block = n;
    ASSERT_GT(l1sload_block, head_down);
    w.batch_new_blocks();
    w.run(2, 1);
    w.mine_l1();

    // Follower, L1 down: derivation stops below that block and says why; nothing is dropped.
    auto f = w.follower();
    SwitchableL1 f_l1;
    f_l1.down = true;
    f->chain->set_l1_storage(&f_l1);
    bool saw_error = false;
    for (int i = 0; i < 20; ++i)
    {
        auto r = f->pipeline->step(16);
        if (!r)
        {
            EXPECT_NE(r.error().find("L1SLOAD"), std::string::npos) << r.error();
            saw_error = true;
        }
    }
    EXPECT_TRUE(saw_error);
    EXPECT_EQ(f->safe(), l1sload_block - 1);
    EXPECT_EQ(f->pipeline->status().batches_dropped, 0u);

    f_l1.down = false;
    sync(*f);
    expect_same_chain(*w.seq_node, *f);
    EXPECT_EQ(f->safe(), w.seq_node->head());
    EXPECT_EQ(f->pipeline->status().default_blocks, 0u);
}
