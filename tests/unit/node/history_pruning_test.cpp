// History pruning in the node (issue 9): the HistoryPruner over a real Chain (in-memory store)
// and the JSON-RPC answers on pruned history (4444), `history.blocks` parsing and config.
#include <gtest/gtest.h>

#include "rpc_test_methods.hpp"

#include <chrono>
#include <cstdlib>
#include <thread>

#include <contracts/artifacts.hpp>
#include <execution/block_builder.hpp>
#include <execution/chain.hpp>
#include <execution/l1_info.hpp>
#include <execution/predeploys.hpp>
#include <node/config.hpp>
#include <node/eth_api.hpp>
#include <l1client/l1_storage.hpp>
#include <node/history_pruner.hpp>
#include <node/l1sload_source.hpp>
#include <node/rpc_json.hpp>
#include <state/memory_store.hpp>
#include <txtypes/hex.hpp>
#include <txtypes/keccak.hpp>

using namespace l2;
using namespace l2::node;
using nlohmann::json;

namespace {

constexpr Hash kKey =
    hash_literal("4646464646464646464646464646464646464646464646464646464646464646");
constexpr Address kRecipient = address_literal("00000000000000000000000000000000000000aa");
constexpr uint64_t kChainId = 901;
constexpr uint64_t kBlocks = 12;
constexpr int kPruned = 4444;

/// A chain of kBlocks blocks, each with its L1-info deposit and two transfers.
class HistoryPruning : public testing::Test
{
protected:
    void SetUp() override
    {
        sender = *address_from_private_key(kKey);
        execution::ChainSpec spec;
        spec.chain_id = kChainId;
        spec.alloc[sender].balance = U256{1'000'000'000'000'000'000ULL};
        const auto* l1block = contracts::find_artifact("L1Block");
        ASSERT_NE(l1block, nullptr);
        spec.alloc[execution::predeploys::kL1Block].code =
            *from_hex(l1block->runtime_hex.substr(2));
        auto c = execution::Chain::open(kv, spec);
        ASSERT_TRUE(c) << c.error();
        chain = std::move(*c);
        hashes.push_back(chain->genesis().hash);
        txs.emplace_back();
        for (uint64_t n = 1; n <= kBlocks; ++n)
            append_block();
        ctx = std::make_unique<EthApiContext>(EthApiContext{*chain});
        ctx->sync_status = [] { return json{{"role", "sequencer"}}; };
        register_eth_api(methods, *ctx);
    }

    void append_block()
    {
        const auto head = chain->head();
        execution::PayloadAttributes attrs;
        attrs.timestamp = head.header.timestamp + 2;
        attrs.fee_recipient = execution::predeploys::kSequencerFeeVault;
        execution::L1Info info;
        info.number = 10 + head.header.number;
        info.timestamp = 1000;
        info.base_fee = U256{1'000'000'000};
        info.hash = keccak256(Bytes{9});
        info.sequence_number = head.header.number;
        attrs.deposits.push_back(execution::make_l1_info_transaction(info));
        execution::BlockBuilder b{chain->state(), chain->spec(), head.header,
                                  head.hash,      attrs,         chain->block_hash_fn()};
        ASSERT_TRUE(b.apply_deposits());
        std::vector<Hash> block_txs;
        for (int k = 0; k < 2; ++k)
        {
            txtypes::Transaction t;
            t.type = txtypes::TxType::kDynamicFee;
            t.chain_id = kChainId;
            t.nonce = nonce++;
            t.max_fee_per_gas = U256{10'000'000'000ULL};
            t.max_priority_fee_per_gas = U256{1'000'000'000ULL};
            t.gas_limit = 21'000;
            t.to = kRecipient;
            t.value = U256{1};
            ASSERT_TRUE(txtypes::sign_transaction(t, kKey));
            auto r = b.add(t, sender, txtypes::encode_transaction(t));
            ASSERT_TRUE(r) << execution::to_string(r.error());
            block_txs.push_back(txtypes::transaction_hash(t));
        }
        auto built = b.seal();
        ASSERT_TRUE(built);
        ASSERT_TRUE(chain->append(*built));
        hashes.push_back(built->hash);
        txs.push_back(block_txs);
    }

    void finalize(uint64_t n)
    {
        ASSERT_TRUE(chain->set_heads(state::BlockRef{n, hashes[n]}, state::BlockRef{n, hashes[n]}));
    }

    std::unique_ptr<HistoryPruner> pruner(uint64_t keep, uint64_t batch = 256)
    {
        HistoryPrunerConfig cfg;
        cfg.keep_blocks = keep;
        cfg.batch_blocks = batch;
        cfg.poll = std::chrono::milliseconds{10};
        cfg.batch_pause = std::chrono::milliseconds{1};
        return std::make_unique<HistoryPruner>(kv, chain->blocks(), cfg, [this] {
            const auto fin = chain->head_ref(state::Head::kFinalized);
            return PruneHeads{chain->head().header.number, fin ? fin->number : 0};
        });
    }

    /// Prunes with `keep` until nothing is left to do.
    void prune_all(uint64_t keep)
    {
        auto p = pruner(keep);
        for (;;)
        {
            auto r = p->prune_step();
            ASSERT_TRUE(r) << r.error();
            if (*r == 0)
                break;
        }
    }

    RpcResult call(const std::string& method, const json& params)
    {
        return rpc_test::call_handler(methods, method, params);
    }
    json ok(const std::string& method, const json& params)
    {
        return rpc_test::call_ok(methods, method, params);
    }
    int err_code(const std::string& method, const json& params)
    {
        return rpc_test::call_err(methods, method, params).code;
    }
    static std::string q(uint64_t n) { return quantity(n); }
    static std::string hx(const Hash& h) { return to_0x_hex(h); }

    state::MemoryStore kv;
    std::unique_ptr<execution::Chain> chain;
    std::unique_ptr<EthApiContext> ctx;
    RpcMethods methods;
    Address sender;
    uint64_t nonce = 0;
    std::vector<Hash> hashes;            ///< by block number, genesis included
    std::vector<std::vector<Hash>> txs;  ///< user tx hashes by block number
};

}  // namespace

TEST(HistoryPrunerTarget, WindowAndFinalizedBound)
{
    EXPECT_FALSE(HistoryPruner::prune_target({100, 100}, 0));  // all
    EXPECT_FALSE(HistoryPruner::prune_target({64, 64}, 64));   // shorter than the window
    EXPECT_FALSE(HistoryPruner::prune_target({300, 0}, 64));   // nothing finalized
    EXPECT_EQ(HistoryPruner::prune_target({65, 65}, 64), 0u);  // block 1..65 stay
    EXPECT_EQ(HistoryPruner::prune_target({300, 300}, 64), 235u);
    EXPECT_EQ(HistoryPruner::prune_target({300, 100}, 64), 99u);  // the finalized block stays
}

TEST(HistoryBlocksFlag, Parses)
{
    EXPECT_EQ(parse_history_blocks("all").value(), 0u);
    EXPECT_EQ(parse_history_blocks("0").value(), 0u);
    EXPECT_EQ(parse_history_blocks("1000").value(), 1000u);
    EXPECT_FALSE(parse_history_blocks(""));
    EXPECT_FALSE(parse_history_blocks("-5"));
    EXPECT_FALSE(parse_history_blocks("12x"));
    EXPECT_FALSE(parse_history_blocks("All"));
}

TEST_F(HistoryPruning, PrunesBelowWindowUpToFinalized)
{
    finalize(kBlocks);
    auto p = pruner(4);
    // Head 12, window 4: blocks 8..12 stay, 0..7 go.
    auto r = p->prune_step();
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(*r, 8u);
    EXPECT_EQ(p->oldest_block(), 8u);
    EXPECT_EQ(p->pruned_blocks(), 8u);
    EXPECT_EQ(chain->blocks().oldest_available().value(), 8u);
    EXPECT_EQ(p->prune_step().value(), 0u);  // caught up
    for (uint64_t n = 0; n <= kBlocks; ++n)
    {
        EXPECT_TRUE(chain->blocks().header(n, hashes[n]).value()) << n;
        EXPECT_EQ(chain->blocks().block(n, hashes[n]).value().has_value(), n >= 8) << n;
    }
}

TEST_F(HistoryPruning, NeverAboveTheFinalizedHead)
{
    finalize(3);
    auto p = pruner(2);
    EXPECT_EQ(p->prune_step().value(), 3u);  // 0..2: the finalized block keeps its body
    EXPECT_EQ(p->oldest_block(), 3u);
    EXPECT_EQ(p->prune_step().value(), 0u);
    finalize(6);
    EXPECT_EQ(p->prune_step().value(), 3u);  // 3..5
    EXPECT_EQ(p->oldest_block(), 6u);
    EXPECT_TRUE(chain->blocks().block(6, hashes[6]).value());
}

TEST_F(HistoryPruning, BoundedBatchesAndStateGcHook)
{
    finalize(kBlocks);
    auto p = pruner(2, 3);
    std::vector<uint64_t> gc;
    p->state_gc = [&](uint64_t up_to) { gc.push_back(up_to); };
    std::vector<uint64_t> sizes;
    for (;;)
    {
        auto r = p->prune_step();
        ASSERT_TRUE(r);
        if (*r == 0)
            break;
        sizes.push_back(*r);
    }
    // Blocks 0..9 in batches of at most 3 heights; the hook after each, with its top.
    EXPECT_EQ(sizes, (std::vector<uint64_t>{3, 3, 3, 1}));
    EXPECT_EQ(gc, (std::vector<uint64_t>{2, 5, 8, 9}));
}

TEST_F(HistoryPruning, L1SloadCacheGoesWithTheBlocksThatReadIt)
{
    // Cached L1SLOAD reads at L1 blocks 8..24; block n's L1 origin is 9 + n.
    NodeConfig cfg;
    cfg.l1_rpc = "http://127.0.0.1:9";  // never asked: nothing here reads
    L1SloadSource source{cfg, kv};
    const auto cached = [&] {
        std::vector<uint64_t> l1;
        state::scan_prefix(kv, state::Column::kL1Sload, {}, [&](ByteView key, ByteView) {
            uint64_t n = 0;
            for (size_t i = 0; i < 8; ++i)
                n = n << 8 | key[i];
            l1.push_back(n);
            return true;
        });
        return l1;
    };
    state::WriteBatch b;
    for (uint64_t l1 = 8; l1 <= 24; ++l1)
    {
        const auto k = l1client::l1sload_db_key(l1, kRecipient, Hash{});
        b.put(state::Column::kL1Sload, {k.data(), k.size()}, Bytes(64, uint8_t{1}));
    }
    ASSERT_TRUE(kv.write(b));

    finalize(kBlocks);
    auto p = pruner(4, 3);
    std::vector<std::optional<uint64_t>> cuts;
    p->state_gc = [&](uint64_t up_to) {
        cuts.push_back(source.prune_for_history(chain->blocks(), up_to + 1, 3));
    };
    while (p->prune_step().value() != 0)
    {
    }
    // Target min(finalized 12 - 1, head 12 - 4 - 1) = 7: blocks 0..7 pruned in batches of 3,
    // the oldest kept 3, 6, 8 (origins 12, 15, 17). A cut needs a step of 3 L1 blocks: the
    // last batch moved the origin 2 (one range delete per step, not per batch).
    EXPECT_EQ(p->oldest_block(), 8u);
    EXPECT_EQ(cuts, (std::vector<std::optional<uint64_t>>{12, 15, std::nullopt}));
    EXPECT_EQ(source.pruned_below(), 15u);
    EXPECT_EQ(cached(), (std::vector<uint64_t>{15, 16, 17, 18, 19, 20, 21, 22, 23, 24}));
    EXPECT_EQ(source.prune_for_history(chain->blocks(), 9, 3), std::optional<uint64_t>{18});
    EXPECT_EQ(cached().front(), 18u);
    // A block that is gone or has no L1-info deposit (genesis) cuts nothing.
    EXPECT_FALSE(source.prune_for_history(chain->blocks(), 0, 1));
    EXPECT_FALSE(source.prune_for_history(chain->blocks(), kBlocks + 5, 1));
}

TEST_F(HistoryPruning, BatchOpBoundSplitsHeavyRanges)
{
    finalize(kBlocks);
    HistoryPrunerConfig cfg;
    cfg.keep_blocks = 2;
    cfg.batch_max_ops = 1;  // one height per batch, whatever batch_blocks says
    HistoryPruner p{kv, chain->blocks(), cfg, [] { return PruneHeads{kBlocks, kBlocks}; }};
    EXPECT_EQ(p.prune_step().value(), 1u);
    EXPECT_EQ(p.prune_step().value(), 1u);
    EXPECT_EQ(p.oldest_block(), 2u);
}

TEST_F(HistoryPruning, ChangingTheWindowOnRestart)
{
    finalize(kBlocks);
    prune_all(6);  // oldest 6
    EXPECT_EQ(chain->blocks().oldest_available().value(), 6u);
    // Growing the window: what is gone stays gone, nothing more is pruned.
    prune_all(10);
    EXPECT_EQ(chain->blocks().oldest_available().value(), 6u);
    // "all": the pruner does nothing.
    prune_all(0);
    EXPECT_EQ(chain->blocks().oldest_available().value(), 6u);
    // Shrinking it prunes more.
    prune_all(3);
    EXPECT_EQ(chain->blocks().oldest_available().value(), 9u);
    EXPECT_TRUE(chain->blocks().block(9, hashes[9]).value());
}

TEST_F(HistoryPruning, BackgroundThreadFollowsTheHead)
{
    finalize(kBlocks);
    auto p = pruner(5, 2);
    p->start();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
    while (p->oldest_block() < 7 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds{5});
    EXPECT_EQ(p->oldest_block(), 7u);
    // The head moves on: the thread follows it.
    append_block();
    append_block();
    finalize(kBlocks + 2);
    p->notify();
    while (p->oldest_block() < 9 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds{5});
    EXPECT_EQ(p->oldest_block(), 9u);
    p->stop();
    p->stop();  // idempotent
    EXPECT_EQ(p->last_error(), "");
}

TEST_F(HistoryPruning, KeepAllNeverStartsAThread)
{
    finalize(kBlocks);
    auto p = pruner(0);
    p->start();
    std::this_thread::sleep_for(std::chrono::milliseconds{30});
    p->stop();
    EXPECT_EQ(chain->blocks().oldest_available().value(), 0u);
    EXPECT_EQ(p->pruned_blocks(), 0u);
}

TEST_F(HistoryPruning, RpcAnswers4444BelowTheWindow)
{
    finalize(kBlocks);
    prune_all(4);  // oldest 8
    const uint64_t gone = 5;
    const uint64_t kept = 9;

    // Blocks: by number and by hash, hashes-only and full; tx counts; receipts.
    EXPECT_EQ(err_code("eth_getBlockByNumber", {q(gone), false}), kPruned);
    EXPECT_EQ(err_code("eth_getBlockByNumber", {q(gone), true}), kPruned);
    EXPECT_EQ(err_code("eth_getBlockByNumber", {"earliest", false}), kPruned);
    EXPECT_EQ(err_code("eth_getBlockByHash", {hx(hashes[gone]), false}), kPruned);
    EXPECT_EQ(err_code("eth_getBlockTransactionCountByNumber", {q(gone)}), kPruned);
    EXPECT_EQ(err_code("eth_getBlockReceipts", {q(gone)}), kPruned);
    EXPECT_EQ(err_code("eth_getTransactionByBlockNumberAndIndex", {q(gone), "0x1"}), kPruned);
    EXPECT_EQ(err_code("eth_getTransactionByBlockHashAndIndex", {hx(hashes[gone]), "0x1"}),
              kPruned);
    // By tx hash: the index entry is gone with the body, so the hash is unknown: null, as geth
    // answers for a hash it does not index (docs/rpc.md).
    EXPECT_TRUE(ok("eth_getTransactionByHash", {hx(txs[gone][0])}).is_null());
    EXPECT_TRUE(ok("eth_getTransactionReceipt", {hx(txs[gone][0])}).is_null());
    // Logs: any range reaching below the window, and a pruned block by hash.
    EXPECT_EQ(err_code("eth_getLogs", {{{"fromBlock", q(gone)}, {"toBlock", q(kept)}}}), kPruned);
    EXPECT_EQ(err_code("eth_getLogs", {{{"fromBlock", "earliest"}}}), kPruned);
    EXPECT_EQ(err_code("eth_getLogs", {{{"blockHash", hx(hashes[gone])}}}), kPruned);
    auto e = call("eth_getBlockByNumber", {q(gone), false});
    ASSERT_FALSE(e);
    EXPECT_NE(e.error().message.find("pruned history unavailable"), std::string::npos);

    // Inside the window everything answers.
    const json b = ok("eth_getBlockByNumber", {q(kept), true});
    ASSERT_TRUE(b.is_object());
    EXPECT_EQ(b["transactions"].size(), 3u);
    EXPECT_EQ(ok("eth_getBlockByHash", {hx(hashes[8]), false})["hash"], hx(hashes[8]));
    const json t = ok("eth_getTransactionByHash", {hx(txs[kept][1])});
    ASSERT_TRUE(t.is_object());
    EXPECT_EQ(t["blockNumber"], q(kept));
    const json r = ok("eth_getTransactionReceipt", {hx(txs[kept][1])});
    ASSERT_TRUE(r.is_object());
    EXPECT_EQ(r["status"], "0x1");
    EXPECT_EQ(ok("eth_getBlockReceipts", {q(kept)}).size(), 3u);
    EXPECT_TRUE(ok("eth_getLogs", {{{"fromBlock", q(8)}, {"toBlock", "latest"}}}).is_array());
    EXPECT_TRUE(ok("eth_getLogs", json::array({json::object()})).is_array());  // latest only
    // Headers stay: state at an old block still resolves its header (no 4444 for the block).
    EXPECT_EQ(ok("eth_blockNumber", json::array()), q(kBlocks));

    // rollup_syncStatus names the oldest available block.
    const json s = ok("rollup_syncStatus", json::array());
    EXPECT_EQ(s["oldest_available_block"], 8u);
    EXPECT_EQ(s["role"], "sequencer");
}

TEST_F(HistoryPruning, SyncStatusOnUnprunedChain)
{
    EXPECT_EQ(ok("rollup_syncStatus", json::array())["oldest_available_block"], 0u);
    EXPECT_TRUE(ok("eth_getBlockByNumber", {"0x1", false}).is_object());
}

TEST_F(HistoryPruning, CompactHookEveryWindowOfPrunedBlocksOnceCaughtUp)
{
    finalize(kBlocks);
    HistoryPrunerConfig cfg;
    cfg.keep_blocks = 1;
    cfg.batch_blocks = 2;
    cfg.compact_every = 4;
    uint64_t head = 3;  // the heads the pruner sees: target = head - 2
    HistoryPruner p{kv, chain->blocks(), cfg, [&] { return PruneHeads{head, head}; }};
    int compactions = 0;
    p.compact = [&] { ++compactions; };
    // Steady state: the head moves 2 blocks, the pruner follows (caught up after each batch):
    // a compaction after every 4 pruned heights.
    std::vector<int> after;
    for (; head <= 9; head += 2)
    {
        while (p.prune_step().value() > 0)
        {}
        after.push_back(compactions);
    }
    EXPECT_EQ(p.oldest_block(), 8u);                   // head 9 -> blocks 0..7
    EXPECT_EQ(after, (std::vector<int>{0, 1, 1, 2}));  // 2, 4, 6, 8 heights pruned
}

TEST_F(HistoryPruning, NoCompactionWhileABacklogIsPruned)
{
    finalize(kBlocks);
    HistoryPrunerConfig cfg;
    cfg.keep_blocks = 1;
    cfg.batch_blocks = 2;
    cfg.compact_every = 4;
    HistoryPruner p{kv, chain->blocks(), cfg, [&] { return PruneHeads{kBlocks, kBlocks}; }};
    int compactions = 0;
    p.compact = [&] { ++compactions; };
    // Blocks 0..10 in batches of 2: 4 and 8 pruned heights pass while still behind; one
    // compaction once caught up.
    std::vector<int> after;
    for (;;)
    {
        const uint64_t n = p.prune_step().value();
        if (n == 0)
            break;
        after.push_back(compactions);
    }
    EXPECT_EQ(after, (std::vector<int>{0, 0, 0, 0, 0, 1}));
    EXPECT_EQ(p.oldest_block(), 11u);
}
