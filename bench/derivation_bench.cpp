// Derivation throughput: L2 blocks of ETH transfers derived from batches on an in-memory L1.
// A follower executes every block (senders recovered on 1 or 2 threads); the sequencer's own
// pipeline confirms blocks it already holds (consolidation: no execution, no sender recovery).
// Figures in docs/performance.md ("Derivation").
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include <derivation/pipeline.hpp>
#include <execution/chain.hpp>
#include <l1client/fake_l1_source.hpp>
#include <sequencer/batcher.hpp>
#include <sequencer/chain_pool_view.hpp>
#include <sequencer/mempool.hpp>
#include <sequencer/sequencer.hpp>
#include <state/memory_store.hpp>
#include <txtypes/keccak.hpp>

namespace {

using namespace l2;

constexpr uint64_t kChainId = 901;
constexpr Address kInbox = address_literal("ff00000000000000000000000000000000000901");
constexpr Address kBatcher = address_literal("b000000000000000000000000000000000000001");
constexpr Address kRecipient = address_literal("00000000000000000000000000000000000000e2");
constexpr unsigned kSenders = 200;
constexpr unsigned kRounds = 4;
constexpr unsigned kTxsPerRound = 1000;  ///< one L2 block each

execution::ChainSpec spec_for(const std::vector<Address>& funded)
{
    execution::ChainSpec spec;
    spec.chain_id = kChainId;
    spec.genesis_timestamp = 1000;
    for (const auto& a : funded)
        spec.alloc[a].balance = U256{1'000'000'000'000'000'000ULL};
    return spec;
}

/// A chain and its pipeline on an in-memory store.
struct Node
{
    state::MemoryStore kv;
    std::unique_ptr<execution::Chain> chain;
    std::unique_ptr<derivation::Pipeline> pipeline;

    Node(const derivation::RollupConfig& rollup,
         l1client::L1Source& l1,
         const std::vector<Address>& funded,
         unsigned recovery_threads)
    {
        chain = std::move(*execution::Chain::open(kv, spec_for(funded)));
        pipeline = std::make_unique<derivation::Pipeline>(*chain, rollup, l1, recovery_threads);
    }

    /// Derives until the pipeline has read all of L1; false on an error.
    bool sync()
    {
        for (int i = 0; i < 10'000; ++i)
        {
            auto r = pipeline->step(16);
            if (!r)
                return false;
            if (r->caught_up)
                return true;
        }
        return false;
    }
};

/// The sequencer's node, kRounds blocks of kTxsPerRound transfers, and L1 holding their
/// batches. Its own pipeline has not derived anything yet (its safe head is genesis).
struct World
{
    l1client::FakeL1Source l1;
    derivation::RollupConfig rollup;
    std::vector<Hash> keys;
    std::vector<Address> senders;
    std::unique_ptr<Node> seq_node;
    std::unique_ptr<sequencer::ChainPoolView> view;
    std::unique_ptr<sequencer::Mempool> pool;
    std::unique_ptr<sequencer::Sequencer> seq;
    std::unique_ptr<sequencer::BatchPoster> poster;
    std::unique_ptr<sequencer::Batcher> batcher;
    std::vector<l1client::L1Tx> next_l1_txs;
    uint64_t l1_time = 1000;
    bool ok = true;

    struct QueuePoster final : sequencer::BatchPoster
    {
        World& w;
        explicit QueuePoster(World& world) : w{world} {}
        Result<Hash, std::string> post(const Bytes& calldata) override
        {
            l1client::L1Tx tx;
            tx.hash = keccak256(calldata);
            tx.from = kBatcher;
            tx.to = kInbox;
            tx.input = calldata;
            w.next_l1_txs.push_back(std::move(tx));
            return keccak256(calldata);
        }
        void reset() override { w.next_l1_txs.clear(); }
    };

    World()
    {
        for (unsigned s = 0; s < kSenders; ++s)
        {
            keys.push_back(keccak256(as_view("derivation bench key " + std::to_string(s))));
            senders.push_back(*address_from_private_key(keys.back()));
        }
        l1client::L1Block g;
        g.number = 100;
        g.timestamp = 1000;
        g.base_fee = U256{7};
        const auto l1_genesis = l1.push_block(g);
        rollup.l1_chain_id = 900;
        rollup.l2_chain_id = kChainId;
        rollup.block_time = 2;
        rollup.max_sequencer_drift = 30;
        rollup.seq_window_size = 12;
        rollup.channel_timeout = 4;
        rollup.batch_inbox = kInbox;
        rollup.batcher = kBatcher;
        rollup.genesis_l1 = {l1_genesis.number, l1_genesis.hash};
        rollup.genesis_l2_time = 1000;
        seq_node = std::make_unique<Node>(rollup, l1, senders, 0);
        rollup.genesis_l2 = {0, seq_node->chain->genesis().hash};
        view = std::make_unique<sequencer::ChainPoolView>(*seq_node->chain);
        pool = std::make_unique<sequencer::Mempool>(sequencer::PoolConfig{}, *view);
        seq = std::make_unique<sequencer::Sequencer>(*seq_node->chain, rollup, l1, *pool);
        poster = std::make_unique<QueuePoster>(*this);
        sequencer::BatcherConfig bc;
        bc.max_delay = 0;
        batcher = std::make_unique<sequencer::Batcher>(*seq_node->chain, rollup, *poster, bc);

        uint64_t nonce = 0;
        for (unsigned round = 0; round < kRounds && ok; ++round)
        {
            mine_l1();
            std::vector<Bytes> raw;
            for (unsigned i = 0; i < kTxsPerRound; ++i)
            {
                txtypes::Transaction t;
                t.type = txtypes::TxType::kDynamicFee;
                t.chain_id = kChainId;
                t.nonce = nonce + i / kSenders;
                t.max_fee_per_gas = U256{10'000'000'000ULL};
                t.max_priority_fee_per_gas = U256{1};
                t.gas_limit = 21'000;
                t.to = kRecipient;
                t.value = U256{1};
                ok = ok && txtypes::sign_transaction(t, keys[i % kSenders]);
                raw.push_back(txtypes::encode_transaction(t));
            }
            nonce += kTxsPerRound / kSenders;
            for (const auto& r : pool->add_batch(raw))
                ok = ok && r.has_value();
            for (;;)
            {
                auto r = seq->tick(l1_time);
                if (!r)
                    ok = false;
                if (!r || !*r)
                    break;
            }
            ok = ok && batcher->tick(l1.head()->number, l1_time).has_value();
        }
        mine_l1();  // the last batch
    }

    void mine_l1()
    {
        l1_time += 4;
        l1client::L1Block b;
        b.timestamp = l1_time;
        b.base_fee = U256{7};
        b.transactions = std::move(next_l1_txs);
        next_l1_txs.clear();
        l1.push_block(b);
    }

    uint64_t user_txs() const
    {
        uint64_t n = 0;
        const auto& c = *seq_node->chain;
        for (uint64_t b = 1; b <= c.head().header.number; ++b)
        {
            const auto block = c.blocks().block(b, c.canonical_hash(b));
            if (!block || !*block)
                return 0;
            for (const auto& t : (*block)->transactions)
                n += t.type != txtypes::TxType::kDeposit ? 1 : 0;
        }
        return n;
    }
};

/// A follower deriving the whole chain: decode, recover senders (Arg: threads), execute, commit.
void BM_derive_follower(benchmark::State& state)
{
    const auto threads = static_cast<unsigned>(state.range(0));
    World w;
    const uint64_t txs = w.user_txs();
    if (!w.ok || txs != uint64_t{kRounds} * kTxsPerRound)
    {
        state.SkipWithError("building the sequencer's chain failed");
        return;
    }
    for (auto _ : state)
    {
        state.PauseTiming();
        auto f = std::make_unique<Node>(w.rollup, w.l1, w.senders, threads);
        state.ResumeTiming();
        if (!f->sync() || f->chain->head().hash != w.seq_node->chain->head().hash)
        {
            state.SkipWithError("the follower did not derive the sequencer's chain");
            return;
        }
        state.PauseTiming();
        f.reset();
        state.ResumeTiming();
    }
    state.counters["txs/s"] = benchmark::Counter(static_cast<double>(txs) *
                                                     static_cast<double>(state.iterations()),
                                                 benchmark::Counter::kIsRate);
}
BENCHMARK(BM_derive_follower)->ArgName("threads")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

/// The sequencer's own pipeline making its blocks safe: consolidation (compare with the stored
/// blocks; no sender recovery, no execution). A fresh world per iteration, untimed.
void BM_derive_consolidate(benchmark::State& state)
{
    uint64_t txs = 0;
    for (auto _ : state)
    {
        state.PauseTiming();
        auto w = std::make_unique<World>();
        txs += w->user_txs();
        if (!w->ok)
        {
            state.SkipWithError("building the sequencer's chain failed");
            return;
        }
        state.ResumeTiming();
        if (!w->seq_node->sync() ||
            w->seq_node->pipeline->status().blocks_consolidated != w->seq_node->chain->head().header.number)
        {
            state.SkipWithError("the sequencer's pipeline did not consolidate its chain");
            return;
        }
        state.PauseTiming();
        w.reset();
        state.ResumeTiming();
    }
    state.counters["txs/s"] =
        benchmark::Counter(static_cast<double>(txs), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_derive_consolidate)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
