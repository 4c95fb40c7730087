// State-root update (state/trie.hpp): blocks of 20,000 dirty keys (about 80% overwrites of
// existing keys, 19% new keys, 1% deletes; account-sized values) applied to a trie of 1M keys,
// on RocksDB and in memory, without and with a TrieNodeCache, on 1 or 2 threads, without and
// with old-value hints (TrieUpdate::old_value). DESIGN's target: a block of 20k accounts + 20k
// slots commits, root included, in <= 100 ms on 2 cores.
// The timed part is Trie::apply (reads, rebuild, encode, hash, batch fill); writing the batch to
// the store is outside the timing. Each store is built once (~1M keys in sorted chunks, ~15 s)
// and shared by the benchmarks on it; every iteration commits on the previous one's root.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
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
constexpr size_t kCacheBytes = size_t{512} << 20;

Hash key_of(uint64_t i)
{
    uint8_t be[8];
    for (size_t b = 0; b < 8; ++b)
        be[b] = static_cast<uint8_t>(i >> (56 - 8 * b));
    return keccak256(ByteView{be, 8});
}

/// About the size of an account leaf (nonce, balance, two hashes), derived from the key's
/// index and version so the bench can give apply() the old value as a hint.
Bytes account_like(uint64_t index, uint32_t version)
{
    uint8_t seed[12];
    for (size_t b = 0; b < 8; ++b)
        seed[b] = static_cast<uint8_t>(index >> (8 * b));
    for (size_t b = 0; b < 4; ++b)
        seed[8 + b] = static_cast<uint8_t>(version >> (8 * b));
    const Hash h1 = keccak256(ByteView{seed, sizeof(seed)});
    const Hash h2 = keccak256(h1);
    Bytes v;
    v.reserve(70);
    v.append(h1.view()).append(h2.view()).append(h1.view().substr(0, 6));
    return v;
}

struct Fixture
{
    std::unique_ptr<KvStore> kv;
    std::filesystem::path dir;
    /// The node's cache: shared by the cached runs on this store, warm from the setup.
    TrieNodeCache cache{kCacheBytes};
    Hash root = txtypes::kEmptyRootHash;
    /// Per key index: the version of its current value (0: absent).
    std::vector<uint32_t> versions;
    uint32_t last_version = 0;
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
        versions.assign(kInitialKeys, 1);
        last_version = 1;
        std::vector<std::pair<Hash, uint64_t>> keys;
        keys.reserve(kInitialKeys);
        for (uint64_t i = 0; i < kInitialKeys; ++i)
            keys.emplace_back(key_of(i), i);
        std::sort(keys.begin(), keys.end());
        Trie trie{*kv, &cache, 2};
        for (size_t from = 0; from < keys.size(); from += kSetupChunk)
        {
            std::vector<TrieUpdate> block;
            const size_t to = std::min(keys.size(), from + kSetupChunk);
            block.reserve(to - from);
            for (size_t i = from; i < to; ++i)
                block.push_back({keys[i].first, account_like(keys[i].second, 1)});
            WriteBatch batch;
            const auto r = trie.apply(root, block, batch);
            if (!r || !kv->write(batch))
                return false;
            root = *r;
        }
        return true;
    }

    /// 20k distinct keys: 80% existing (overwrites), 19% new, 1% deletes; with `hints`, each
    /// update carries the key's old value.
    std::vector<TrieUpdate> next_block(bool hints)
    {
        constexpr uint64_t kDelete = uint64_t{1} << 63;
        std::vector<uint64_t> picked;
        picked.reserve(kBlockKeys);
        while (picked.size() < kBlockKeys)
        {
            const uint64_t pick = rng() % 100;
            if (pick < 19)
            {
                picked.push_back(versions.size());
                versions.push_back(0);
            }
            else
                picked.push_back(rng() % versions.size());
            if (pick == 99)
                picked.back() |= kDelete;
        }
        std::sort(picked.begin(), picked.end(),
                  [](uint64_t a, uint64_t b) { return (a & ~kDelete) < (b & ~kDelete); });
        std::vector<TrieUpdate> block;
        block.reserve(picked.size());
        for (size_t n = 0; n < picked.size(); ++n)
        {
            const bool del = (picked[n] & kDelete) != 0;
            const uint64_t i = picked[n] & ~kDelete;
            if (n > 0 && (picked[n - 1] & ~kDelete) == i)
                continue;  // picked twice
            TrieUpdate u{key_of(i), {}};
            if (hints && versions[i] != 0)
                u.old_value = account_like(i, versions[i]);
            versions[i] = del ? 0 : ++last_version;
            if (!del)
                u.value = account_like(i, versions[i]);
            block.push_back(std::move(u));
        }
        std::sort(block.begin(), block.end(),
                  [](const auto& a, const auto& b) { return a.key < b.key; });
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

// Built on first use, kept for the process. Not static objects: closing RocksDB from a static
// destructor (after RocksDB's own statics are gone) crashes, so an atexit handler, registered
// after the database opened, closes them first.
Fixture* g_on_disk = nullptr;
Fixture* g_in_memory = nullptr;

void destroy_fixtures()
{
    delete g_on_disk;
    delete g_in_memory;
    g_on_disk = g_in_memory = nullptr;
}

Fixture* fixture(bool rocks)
{
    Fixture*& slot = rocks ? g_on_disk : g_in_memory;
    if (slot == nullptr)
    {
        slot = make_fixture(rocks);
        std::atexit(destroy_fixtures);  // runs once per registration; later ones find nullptr
    }
    return slot;
}

/// Args: store (1 = RocksDB, 0 = memory), node cache (1 = the store's 512 MiB cache), threads,
/// old-value hints (1 = given).
void BM_trie_apply_20k(benchmark::State& state)
{
    const bool rocks = state.range(0) != 0;
    const bool cached = state.range(1) != 0;
    const auto threads = static_cast<unsigned>(state.range(2));
    const bool hints = state.range(3) != 0;
    Fixture* f = fixture(rocks);
    if (f == nullptr)
    {
        state.SkipWithError("cannot build the 1M-key trie");
        return;
    }
    Trie trie{*f->kv, cached ? &f->cache : nullptr, threads};
    const uint64_t hits0 = f->cache.hits(), misses0 = f->cache.misses();

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
    // Two untimed blocks first: a running node has its recent blocks' nodes cached.
    for (int i = 0; i < 2; ++i)
    {
        WriteBatch batch;
        if (!commit(f->next_block(hints), batch, false))
            return;
    }
    size_t keys = 0, nodes = 0;
    std::vector<TrieUpdate> block;
    WriteBatch batch;
    for (auto _ : state)
    {
        // The last block and batch are freed here, untimed.
        state.PauseTiming();
        block = f->next_block(hints);
        batch.clear();
        state.ResumeTiming();
        if (!commit(block, batch, true))
            return;
        keys += block.size();
        nodes += batch.size();
        state.ResumeTiming();
    }
    const auto n = static_cast<double>(state.iterations());
    state.counters["keys/s"] =
        benchmark::Counter(static_cast<double>(keys), benchmark::Counter::kIsRate);
    state.counters["nodes/apply"] = static_cast<double>(nodes) / n;
    state.counters["db_MB"] =
        static_cast<double>(f->kv->approximate_size(Column::kTrieNodes)) / 1e6;
    if (cached)
    {
        const auto hits = static_cast<double>(f->cache.hits() - hits0);
        const auto misses = static_cast<double>(f->cache.misses() - misses0);
        state.counters["cache_hit%"] = 100.0 * hits / std::max(1.0, hits + misses);
        state.counters["cache_MB"] = static_cast<double>(f->cache.size_bytes()) / 1e6;
    }
}
BENCHMARK(BM_trie_apply_20k)
    ->ArgNames({"rocksdb", "cache", "threads", "hints"})
    ->Args({1, 0, 1, 0})
    ->Args({1, 1, 1, 0})
    ->Args({1, 1, 1, 1})
    ->Args({1, 1, 2, 1})
    ->Args({0, 1, 1, 0})
    ->Args({0, 1, 1, 1})
    ->Args({0, 1, 2, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(2.0);

}  // namespace

/// A uniform 32-byte key without a keccak (splitmix64 of `i` in every word).
Hash fresh_key(uint64_t i)
{
    Hash h;
    for (size_t w = 0; w < 4; ++w)
    {
        uint64_t z = (i * 4 + w + 1) * 0x9e3779b97f4a7c15ULL;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        z ^= z >> 31;
        std::memcpy(h.bytes.data() + 8 * w, &z, 8);
    }
    return h;
}

/// TrieNodeCache alone, as apply uses it: a node read to be rewritten (get with `replaced`)
/// and its new version put, over a cache holding range(0) nodes of 100-532 bytes (leaves to
/// full branches) at random hashes, far larger than the CPU caches. With two threads, both
/// work on the one cache, as the parallel apply and the storage-trie jobs do.
void BM_trie_node_cache_replace(benchmark::State& state)
{
    static std::unique_ptr<TrieNodeCache> cache;
    static std::vector<Hash> keys;
    const auto entries = static_cast<uint64_t>(state.range(0));
    if (state.thread_index() == 0)
    {
        cache = std::make_unique<TrieNodeCache>(size_t{1} << 30);
        keys.clear();
        std::mt19937_64 rng{3};
        for (uint64_t i = 0; i < entries; ++i)
        {
            keys.push_back(key_of(i));
            cache->put(keys.back(), Bytes(100 + rng() % 433, 0x5a));
        }
    }
    // Each thread takes its own keys (i = thread, thread + threads, ...), replacing each by a
    // new hash, as apply replaces a node by its new version.
    std::mt19937_64 rng{static_cast<uint64_t>(state.thread_index()) + 1};
    Bytes out;
    uint64_t next = entries + static_cast<uint64_t>(state.thread_index());
    for (auto _ : state)
    {
        const size_t i =
            static_cast<size_t>(rng() % (entries / static_cast<uint64_t>(state.threads()))) *
                static_cast<size_t>(state.threads()) +
            static_cast<size_t>(state.thread_index());
        if (cache->get(keys[i], out, true))
        {
            keys[i] = fresh_key(next);
            next += static_cast<uint64_t>(state.threads());
            cache->put(keys[i], out);
        }
        else
            cache->put(keys[i], Bytes(300, 0x5a));
    }
    state.SetItemsProcessed(state.iterations());
    if (state.thread_index() == 0)
        state.counters["hit%"] = 100.0 * static_cast<double>(cache->hits()) /
                                 static_cast<double>(cache->hits() + cache->misses());
}
BENCHMARK(BM_trie_node_cache_replace)->Arg(400'000)->Threads(1)->Threads(2)->UseRealTime();
