// Mempool intake and block-building paths: add_batch (parallel sender recovery) in tx/s, the
// same txs through add() one by one, and a best() pass over 10k executable txs.
#include <benchmark/benchmark.h>

#include <memory>

#include <sequencer/mempool.hpp>
#include <txtypes/keccak.hpp>

namespace {

using namespace l2;
using namespace l2::sequencer;
using txtypes::Transaction;

constexpr uint64_t kChainId = 901;
constexpr uint64_t kGwei = 1'000'000'000;

/// Every account rich, every nonce 0. Read-only while benchmarked, so safe to share.
class BenchView : public PoolView
{
public:
    uint64_t nonce(const Address&) const override { return 0; }
    U256 balance(const Address&) const override { return U256{1} << 100; }
    uint64_t chain_id() const override { return kChainId; }
    U256 base_fee() const override { return kGwei; }
    uint64_t block_gas_limit() const override { return 30'000'000; }
    U256 data_fee(const Transaction&, ByteView raw) const override
    {
        return U256{16 * raw.size()} * 1000;  // a stand-in for the L1 data fee formula
    }
};

/// `senders` x `per_sender` signed 0x02 transfers, interleaved by nonce (as clients send).
std::vector<Bytes> signed_transfers(unsigned senders, unsigned per_sender)
{
    std::vector<Hash> keys;
    for (unsigned s = 0; s < senders; ++s)
        keys.push_back(keccak256(as_view("mempool bench key " + std::to_string(s))));
    std::vector<Bytes> out;
    out.reserve(size_t{senders} * per_sender);
    for (unsigned n = 0; n < per_sender; ++n)
        for (unsigned s = 0; s < senders; ++s)
        {
            Transaction t;
            t.type = txtypes::TxType::kDynamicFee;
            t.chain_id = kChainId;
            t.nonce = n;
            t.max_priority_fee_per_gas = U256{(1 + (s * 7 + n) % 13) * kGwei};
            t.max_fee_per_gas = 100 * kGwei;
            t.gas_limit = 21000;
            t.to = address_literal("3535353535353535353535353535353535353535");
            t.value = 1;
            txtypes::sign_transaction(t, keys[s]);
            out.push_back(txtypes::encode_transaction(t));
        }
    return out;
}

const std::vector<Bytes>& transfers_1000()
{
    static const std::vector<Bytes> txs = signed_transfers(100, 10);
    return txs;
}

/// 1000 transfers from 100 senders through add_batch into an empty pool; arg = threads
/// (0 = every core).
void BM_mempool_add_batch(benchmark::State& state)
{
    const auto& txs = transfers_1000();
    const BenchView view;
    PoolConfig config;
    config.recovery_threads = static_cast<unsigned>(state.range(0));
    for (auto _ : state)
    {
        state.PauseTiming();
        auto pool = std::make_unique<Mempool>(config, view);
        state.ResumeTiming();
        auto results = pool->add_batch(txs);
        benchmark::DoNotOptimize(results);
        state.PauseTiming();
        if (pool->size() != txs.size())
            state.SkipWithError("a transaction was rejected");
        pool.reset();
        state.ResumeTiming();
    }
    state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(txs.size()));
}
BENCHMARK(BM_mempool_add_batch)->Arg(1)->Arg(0)->UseRealTime()->Unit(benchmark::kMillisecond);

/// The same 1000 through add(), one at a time on one thread.
void BM_mempool_add_sequential(benchmark::State& state)
{
    const auto& txs = transfers_1000();
    const BenchView view;
    for (auto _ : state)
    {
        state.PauseTiming();
        auto pool = std::make_unique<Mempool>(PoolConfig{}, view);
        state.ResumeTiming();
        for (const Bytes& raw : txs)
            benchmark::DoNotOptimize(pool->add(raw));
        state.PauseTiming();
        pool.reset();
        state.ResumeTiming();
    }
    state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(txs.size()));
}
BENCHMARK(BM_mempool_add_sequential)->UseRealTime()->Unit(benchmark::kMillisecond);

/// Rejection before recovery: a resubmitted tx ("already known") costs decode + hash only.
void BM_mempool_add_known(benchmark::State& state)
{
    const auto& txs = transfers_1000();
    const BenchView view;
    Mempool pool{PoolConfig{}, view};
    (void)pool.add_batch(txs);
    size_t i = 0;
    for (auto _ : state)
        benchmark::DoNotOptimize(pool.add(txs[i++ % txs.size()]));
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_mempool_add_known);

/// A pool of 10k executable txs (1000 senders x 10), shared by the benchmarks below.
Mempool& pool_10k()
{
    static const BenchView view;
    static Mempool* pool = [] {
        auto* p = new Mempool{PoolConfig{}, view};  // lives for the process
        (void)p->add_batch(signed_transfers(1000, 10));
        return p;
    }();
    return *pool;
}

/// best() snapshot + next() over all 10k txs: what the builder pays per block at most.
void BM_mempool_best_10k(benchmark::State& state)
{
    Mempool& pool = pool_10k();
    if (pool.pending_count() != 10000)
        state.SkipWithError("pool not filled");
    for (auto _ : state)
    {
        auto best = pool.best(kGwei);
        size_t n = 0;
        while (best.next())
            ++n;
        benchmark::DoNotOptimize(n);
    }
    state.SetItemsProcessed(state.iterations() * 10000);
}
BENCHMARK(BM_mempool_best_10k)->Unit(benchmark::kMicrosecond);

/// on_new_head over 1000 senders / 10k txs when nothing was mined (the re-check alone).
void BM_mempool_new_head_10k(benchmark::State& state)
{
    Mempool& pool = pool_10k();
    for (auto _ : state)
        pool.on_new_head();
    if (pool.size() != 10000)
        state.SkipWithError("on_new_head dropped txs");
}
BENCHMARK(BM_mempool_new_head_10k)->Unit(benchmark::kMicrosecond);

}  // namespace
