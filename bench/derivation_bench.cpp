// Derivation throughput: L2 blocks of ETH transfers derived from batches on an in-memory L1
// (tests/support/rollup_world.hpp: the real Sequencer, Batcher and Pipeline). A follower
// executes every block (senders recovered on 1 or 2 threads); the sequencer's own pipeline
// confirms blocks it already holds (consolidation: no execution, no sender recovery).
// Figures in docs/performance.md ("Derivation").
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include <rollup_world.hpp>
#include <txtypes/keccak.hpp>

namespace {

using namespace l2;

constexpr Address kRecipient = address_literal("00000000000000000000000000000000000000e2");
constexpr unsigned kSenders = 200;
constexpr unsigned kRounds = 4;
constexpr unsigned kTxsPerRound = 1000;  ///< one L2 block each

struct Senders
{
    std::vector<Hash> keys;
    std::vector<Address> addresses;
    Senders()
    {
        for (unsigned s = 0; s < kSenders; ++s)
        {
            keys.push_back(keccak256(as_view("derivation bench key " + std::to_string(s))));
            addresses.push_back(*address_from_private_key(keys.back()));
        }
    }
};

/// The sequencer's chain of kRounds blocks of kTxsPerRound transfers, with L1 holding their
/// batches. Its own pipeline has derived nothing yet (its safe head is genesis).
struct World : test::RollupWorld
{
    explicit World(const Senders& s) : test::RollupWorld{test::rollup_spec(s.addresses)}
    {
        uint64_t nonce = 0;
        for (unsigned round = 0; round < kRounds && ok; ++round)
        {
            mine_l1();
            std::vector<Bytes> raw;
            for (unsigned i = 0; i < kTxsPerRound; ++i)
            {
                txtypes::Transaction t;
                t.type = txtypes::TxType::kDynamicFee;
                t.chain_id = spec.chain_id;
                t.nonce = nonce + i / kSenders;
                t.max_fee_per_gas = U256{10'000'000'000ULL};
                t.max_priority_fee_per_gas = U256{1};
                t.gas_limit = 21'000;
                t.to = kRecipient;
                t.value = U256{1};
                ok = ok && txtypes::sign_transaction(t, s.keys[i % kSenders]);
                raw.push_back(txtypes::encode_transaction(t));
            }
            nonce += kTxsPerRound / kSenders;
            for (const auto& r : pool->add_batch(raw))
                ok = ok && r.has_value();
            ok = ok && sequence_due().has_value();
            ok = ok && batcher->tick(l1.head()->number, l1_time).has_value();
        }
        mine_l1();  // the last batch
    }

    uint64_t user_txs() const
    {
        uint64_t n = 0;
        for (uint64_t b = 1; b <= seq_node->head(); ++b)
            for (const auto& t : seq_node->block(b).transactions)
                n += t.type != txtypes::TxType::kDeposit ? 1 : 0;
        return n;
    }

    bool ok = true;
};

/// A follower deriving the whole chain: decode, recover senders (Arg: threads), execute, commit.
void BM_derive_follower(benchmark::State& state)
{
    const auto threads = static_cast<unsigned>(state.range(0));
    const Senders senders;
    World w{senders};
    const uint64_t txs = w.user_txs();
    if (!w.ok || txs != uint64_t{kRounds} * kTxsPerRound)
    {
        state.SkipWithError("building the sequencer's chain failed");
        return;
    }
    for (auto _ : state)
    {
        state.PauseTiming();
        auto f = w.follower(threads);
        state.ResumeTiming();
        if (!f->sync_to_l1() || f->chain->head().hash != w.seq_node->chain->head().hash)
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
BENCHMARK(BM_derive_follower)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

/// The sequencer's own pipeline making its blocks safe: consolidation (compare with the stored
/// blocks; no sender recovery, no execution). A fresh world per iteration, untimed.
void BM_derive_consolidate(benchmark::State& state)
{
    const Senders senders;
    uint64_t txs = 0;
    for (auto _ : state)
    {
        state.PauseTiming();
        auto w = std::make_unique<World>(senders);
        txs += w->user_txs();
        if (!w->ok)
        {
            state.SkipWithError("building the sequencer's chain failed");
            return;
        }
        state.ResumeTiming();
        if (!w->seq_node->sync_to_l1() ||
            w->seq_node->pipeline->status().blocks_consolidated != w->seq_node->head())
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
BENCHMARK(BM_derive_consolidate)->UseRealTime()->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
