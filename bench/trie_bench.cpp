// State-root update (state/trie.hpp): blocks of 20,000 dirty keys (about 80% overwrites of
// existing keys, 19% new keys, 1% deletes; account-sized values) applied to a trie of 1M keys,
// on RocksDB and in memory, without and with a TrieNodeCache. DESIGN's target: a block of
// 20k accounts + 20k slots commits, root included, in <= 100 ms on 2 cores.
// The timed part is Trie::apply (reads, rebuild, encode, hash, batch fill); writing the batch to
// the store is outside the timing. Each store is built once (~1M keys in sorted chunks) and
// shared by the benchmarks on it; every iteration commits on the previous one's root.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <state/memory_store.hpp>
#include <state/rocksdb_store.hpp>
#include <state/trie.hpp>
#include <txtypes/block.hpp>
#include <txtypes/keccak.hpp>

namespace {

using namespace l2;
using namespace l2::state;

constexpr uint64_t kInitialKeys = 1'000'000;
constexpr size_t kBlockKeys = 20'000;
constexpr size_t kSetupChunk = 100'000;

Hash key_of(uint64_t i)
{
    uint8_t be[8];
    for (size_t b = 0; b < 8; ++b)
        be[b] = static_cast<uint8_t>(i >> (56 - 8 * b));
    return keccak256(ByteView{be, 8});
}

/// About the size of an account leaf (nonce, balance, two hashes).
Bytes account_like(std::mt19937_64& rng)
{
    Bytes v(70, 0);
    for (auto& b : v)
        b = static_cast<uint8_t>(rng());
    return v;
}

struct Fixture
{
    std::unique_ptr<KvStore> kv;
    std::filesystem::path dir;
    Hash root = txtypes::kEmptyRootHash;
    uint64_t next_key = kInitialKeys;
    std::mt19937_64 rng{1};

    Fixture() = default;
    Fixture(const Fixture&) = delete;
    Fixture& operator=(const Fixture&) = delete;
    ~Fixture()
    {
        kv.reset();
        if (!dir.empty())
            std::filesystem::remove_all(dir);
    }

    /// 1M keys, committed in sorted chunks so each batch stays ~100k leaves.
    bool populate()
    {
        std::vector<Hash> keys;
        keys.reserve(kInitialKeys);
        for (uint64_t i = 0; i < kInitialKeys; ++i)
            keys.push_back(key_of(i));
        std::sort(keys.begin(), keys.end());
        Trie trie{*kv};
        for (size_t from = 0; from < keys.size(); from += kSetupChunk)
        {
            std::vector<TrieUpdate> block;
            const size_t to = std::min(keys.size(), from + kSetupChunk);
            block.reserve(to - from);
            for (size_t i = from; i < to; ++i)
                block.push_back({keys[i], account_like(rng)});
            WriteBatch batch;
            const auto r = trie.apply(root, block, batch);
            if (!r || !kv->write(batch))
                return false;
            root = *r;
        }
        return true;
    }

    std::vector<TrieUpdate> next_block()
    {
        std::vector<TrieUpdate> block;
        block.reserve(kBlockKeys);
        for (size_t i = 0; i < kBlockKeys; ++i)
        {
            const uint64_t pick = rng() % 100;
            if (pick < 80)
                block.push_back({key_of(rng() % next_key), account_like(rng)});
            else if (pick < 99)
                block.push_back({key_of(next_key++), account_like(rng)});
            else
                block.push_back({key_of(rng() % next_key), {}});
        }
        std::sort(block.begin(), block.end(),
                  [](const auto& a, const auto& b) { return a.key < b.key; });
        block.erase(std::unique(block.begin(), block.end(),
                                [](const auto& a, const auto& b) { return a.key == b.key; }),
                    block.end());
        return block;
    }
};

Fixture* make_fixture(bool rocks)
{
    auto f = std::make_unique<Fixture>();
    if (rocks)
    {
        f->dir = std::filesystem::temp_directory_path() /
                 ("l2_trie_bench_" + std::to_string(std::random_device{}()));
        auto db = RocksDbStore::open(f->dir.string());
        if (!db)
            return nullptr;
        f->kv = std::move(*db);
    }
    else
        f->kv = std::make_unique<MemoryStore>();
    if (!f->populate())
        return nullptr;
    return f.release();
}

Fixture* fixture(bool rocks)
{
    // Built on first use, kept for the process (both stores: ~1M leaves + ~70k branches).
    static std::unique_ptr<Fixture> on_disk, in_memory;
    auto& slot = rocks ? on_disk : in_memory;
    if (!slot)
        slot.reset(make_fixture(rocks));
    return slot.get();
}

/// Args: (store: 1 = RocksDB, 0 = memory; node cache MiB, 0 = none).
void BM_trie_apply_20k(benchmark::State& state)
{
    const bool rocks = state.range(0) != 0;
    const auto cache_bytes = static_cast<size_t>(state.range(1)) << 20;
    Fixture* f = fixture(rocks);
    if (f == nullptr)
    {
        state.SkipWithError("cannot build the 1M-key trie");
        return;
    }
    TrieNodeCache cache{cache_bytes};
    Trie trie{*f->kv, cache_bytes != 0 ? &cache : nullptr};

    // Commits one block; false (and the benchmark skipped) on an error.
    const auto commit = [&](const std::vector<TrieUpdate>& block, WriteBatch& batch, bool timed) {
        const auto r = trie.apply(f->root, block, batch);
        if (timed)
            state.PauseTiming();
        if (!r || !f->kv->write(batch))
        {
            state.SkipWithError(r ? "write failed" : r.error().message.c_str());
            return false;
        }
        f->root = *r;
        return true;
    };
    // One untimed block first: a running node has the previous blocks' nodes cached.
    {
        WriteBatch batch;
        if (!commit(f->next_block(), batch, false))
            return;
    }
    size_t keys = 0, nodes = 0;
    for (auto _ : state)
    {
        state.PauseTiming();
        const auto block = f->next_block();
        WriteBatch batch;
        state.ResumeTiming();
        if (!commit(block, batch, true))
            return;
        keys += block.size();
        nodes += batch.size();
        state.ResumeTiming();
    }
    const auto n = static_cast<double>(state.iterations());
    state.counters["keys/s"] = benchmark::Counter(static_cast<double>(keys),
                                                  benchmark::Counter::kIsRate);
    state.counters["nodes/apply"] = static_cast<double>(nodes) / n;
    state.counters["db_MB"] =
        static_cast<double>(f->kv->approximate_size(Column::kTrieNodes)) / 1e6;
    if (cache_bytes != 0)
        state.counters["cache_hit%"] =
            100.0 * static_cast<double>(cache.hits()) /
            static_cast<double>(std::max<uint64_t>(1, cache.hits() + cache.misses()));
}
BENCHMARK(BM_trie_apply_20k)
    ->ArgNames({"rocksdb", "cache_MiB"})
    ->Args({1, 0})
    ->Args({1, 256})
    ->Args({0, 0})
    ->Args({0, 256})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(2.0);

}  // namespace
