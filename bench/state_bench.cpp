// State read and commit paths (DESIGN "Performance targets", issue 3):
// - cached state_get with the engine-prefixed flat key vs the same cache keyed without the
//   prefix (address || slot, as single-engine clients key flat storage): RFC 0004 target < 5%
//   overhead on a ~120 ns path;
// - uncached RocksDB reads (a block cache far smaller than the data set);
// - one block commit (prepare + atomic write, state root included) touching 20,000 accounts
//   and 20,000 storage slots on a RocksDB state of 200k accounts: target <= 100 ms.
#include <benchmark/benchmark.h>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>
#include <vector>

#include <state/journaled_state.hpp>
#include <state/rocksdb_store.hpp>
#include <state/state_cache.hpp>
#include <state/state_db.hpp>
#include <state/undo.hpp>
#include <state/write_order.hpp>
#include <txtypes/block.hpp>

#include "forwarding_store.hpp"

namespace {

using namespace l2;
using namespace l2::state;

Address addr_of(uint64_t i)
{
    Address a;
    for (size_t b = 0; b < 8; ++b)
        a[19 - b] = static_cast<uint8_t>(i >> (8 * b));
    a[0] = 0x5a;
    return a;
}

constexpr size_t kCachedKeys = 100'000;

/// A StateDb whose read cache holds kCachedKeys slots (100 contracts x 1000 slots).
struct CachedFixture
{
    std::filesystem::path dir = std::filesystem::temp_directory_path() / "l2bench-cached";
    std::unique_ptr<RocksDbStore> kv;
    std::unique_ptr<StateDb> db;
    std::vector<std::pair<Address, U256>> keys;

    CachedFixture()
    {
        std::filesystem::remove_all(dir);
        kv = std::move(*RocksDbStore::open(dir.string()));
        db = std::make_unique<StateDb>(*kv);
        StateDiff diff;
        for (uint64_t c = 0; c < 100; ++c)
        {
            AccountChange ch;
            ch.identity = addr_of(c);
            ch.account = Account{};
            for (uint64_t s = 0; s < kCachedKeys / 100; ++s)
            {
                const U256 slot = U256{s * 0x9e3779b97f4a7c15ULL};
                ch.storage.push_back({slot, U256{s + 1}});
                keys.emplace_back(ch.identity, slot);
            }
            diff.accounts.push_back(std::move(ch));
        }
        auto p = db->prepare(diff, txtypes::kEmptyRootHash);
        (void)db->commit(*p);
        std::shuffle(keys.begin(), keys.end(), std::mt19937_64{3});
        for (const auto& [a, s] : keys)  // warm the cache
            benchmark::DoNotOptimize(db->storage(Engine::kEvm, a, s));
    }
    ~CachedFixture()
    {
        db.reset();
        kv.reset();
        std::filesystem::remove_all(dir);
    }
};

CachedFixture& cached()
{
    static CachedFixture f;
    return f;
}

/// StateDb::storage() on cache hits, cycling over a working set of range(0) slots.
void BM_state_get_cached_prefixed(benchmark::State& state)
{
    auto& f = cached();
    const size_t n = static_cast<size_t>(state.range(0));
    size_t i = 0;
    for (auto _ : state)
    {
        const auto& [a, s] = f.keys[i++ % n];
        benchmark::DoNotOptimize(f.db->storage(Engine::kEvm, a, s));
    }
}
BENCHMARK(BM_state_get_cached_prefixed)->Arg(1000)->Arg(10000)->Arg(100000);

/// The flat cache alone, keyed as l2node keys it: engine || address || slot (53 bytes).
void BM_flat_cache_get_prefixed(benchmark::State& state)
{
    auto& f = cached();
    const size_t n = static_cast<size_t>(state.range(0));
    FlatCache<53, U256> cache{1u << 20};
    for (size_t j = 0; j < n; ++j)
        cache.put(evm_slot_key(f.keys[j].first, f.keys[j].second).view(), U256{j});
    size_t i = 0;
    for (auto _ : state)
    {
        const auto& [a, s] = f.keys[i++ % n];
        const SlotKey k = evm_slot_key(a, s);
        const U256* v = cache.find(k.view());
        benchmark::DoNotOptimize(v ? *v : U256{0});
    }
}
BENCHMARK(BM_flat_cache_get_prefixed)->Arg(1000)->Arg(10000)->Arg(100000);

/// The same cache and lookup with a 52-byte key address || slot (no engine byte).
void BM_flat_cache_get_unprefixed(benchmark::State& state)
{
    auto& f = cached();
    const size_t n = static_cast<size_t>(state.range(0));
    FlatCache<52, U256> cache{1u << 20};
    for (size_t j = 0; j < n; ++j)
    {
        uint8_t k[52];
        std::memcpy(k, f.keys[j].first.data(), 20);
        to_be_bytes(f.keys[j].second, k + 20);
        cache.put({k, 52}, U256{j});
    }
    size_t i = 0;
    for (auto _ : state)
    {
        const auto& [a, s] = f.keys[i++ % n];
        uint8_t k[52];
        std::memcpy(k, a.data(), 20);
        to_be_bytes(s, k + 20);
        const U256* v = cache.find({k, 52});
        benchmark::DoNotOptimize(v ? *v : U256{0});
    }
}
BENCHMARK(BM_flat_cache_get_unprefixed)->Arg(1000)->Arg(10000)->Arg(100000);

/// RocksDB point reads of flat slots, 1M keys, 8 MiB block cache: most reads miss the block
/// cache and read SST blocks (from the OS page cache on this machine, not the disk).
void BM_state_get_rocksdb_uncached(benchmark::State& state)
{
    static const auto dir = std::filesystem::temp_directory_path() / "l2bench-uncached";
    static std::unique_ptr<RocksDbStore> kv;
    static std::vector<SlotKey> keys;
    if (!kv)
    {
        std::filesystem::remove_all(dir);
        RocksDbOptions o;
        o.block_cache_bytes = 8u << 20;
        kv = std::move(*RocksDbStore::open(dir.string(), o));
        std::mt19937_64 rng{5};
        WriteBatch b;
        for (uint64_t i = 0; i < 1'000'000; ++i)
        {
            const SlotKey k = evm_slot_key(addr_of(i % 5000), U256{rng()});
            b.put(Column::kState, k.view(), encode_storage_value(U256{i + 1}));
            keys.push_back(k);
            if (b.size() == 100'000)
            {
                (void)kv->write(b);
                b.clear();
            }
        }
        kv->compact(Column::kState);
        std::shuffle(keys.begin(), keys.end(), rng);
    }
    size_t i = 0;
    Bytes out;
    for (auto _ : state)
        benchmark::DoNotOptimize(kv->get(Column::kState, keys[i++ % keys.size()].view(), out));
}
BENCHMARK(BM_state_get_rocksdb_uncached);

/// The commit benches' genesis: 200,000 funded accounts.
StateDiff genesis_diff()
{
    StateDiff genesis;
    for (uint64_t i = 0; i < 200'000; ++i)
    {
        AccountChange ch;
        ch.identity = addr_of(i);
        ch.account = Account{};
        ch.account->balance = U256{1'000'000'000};
        genesis.accounts.push_back(std::move(ch));
    }
    return genesis;
}

/// Block `number` of the commit benches: 20,000 accounts (balance/nonce changes, ~10% new) and
/// 20,000 slots over 1,000 contracts, each account once, in identity order (as
/// JournaledState::diff lists them).
StateDiff block_diff(std::mt19937_64& rng, uint64_t number)
{
    StateDiff diff;
    for (size_t i = 0; i < 20'000; ++i)
    {
        AccountChange ch;
        ch.identity = addr_of(rng() % 220'000);  // ~10% new accounts
        ch.account = Account{};
        ch.account->nonce = number;
        ch.account->balance = U256{rng()};
        diff.accounts.push_back(std::move(ch));
    }
    for (uint64_t c = 0; c < 1000; ++c)
    {
        AccountChange ch;
        ch.identity = addr_of(1'000'000 + c);
        ch.account = Account{};
        for (uint64_t s = 0; s < 20; ++s)
            ch.storage.push_back({U256{rng() % 5000}, U256{rng()}});
        diff.accounts.push_back(std::move(ch));
    }
    std::sort(diff.accounts.begin(), diff.accounts.end(),
              [](const auto& a, const auto& b) { return a.identity < b.identity; });
    diff.accounts.erase(std::unique(diff.accounts.begin(), diff.accounts.end(),
                                    [](const auto& a, const auto& b) {
                                        return a.identity == b.identity;
                                    }),
                        diff.accounts.end());
    return diff;
}

/// What-if for issue 3's planned redesign (docs/performance.md, "State root update and block
/// commit"): trie nodes kept in memory and never written, everything else (flat state, refs,
/// records) written to RocksDB as usual. Not crash-safe and not how the node stores nodes: a
/// lower bound for a commit whose node writes are deferred and mostly never made.
class NodesInMemoryStore final : public test::ForwardingStore
{
public:
    explicit NodesInMemoryStore(KvStore& inner) : ForwardingStore{inner}
    {
        m_nodes.reserve(4'000'000);
    }

    bool get(Column c, ByteView key, Bytes& out) const override
    {
        if (c == Column::kTrieNodes)
        {
            std::lock_guard lock{m_mutex};
            if (const auto it = m_nodes.find(hash_of(key)); it != m_nodes.end())
            {
                out = it->second;
                return true;
            }
        }
        return ForwardingStore::get(c, key, out);
    }
    Result<void, KvError> write(const WriteBatch& batch, bool sync) override
    {
        WriteBatch rest;
        {
            std::lock_guard lock{m_mutex};
            for (const WriteBatch::Op& op : batch.ops())
            {
                if (op.column == Column::kTrieNodes && !op.is_delete && !op.is_add)
                    m_nodes.try_emplace(hash_of(op.key), Bytes{op.value});
                else if (op.is_delete)
                    rest.del(op.column, op.key);
                else if (op.is_add)
                    rest.add(op.column, op.key, decode_counter(op.value));
                else
                    rest.put(op.column, op.key, op.value);
            }
        }
        return ForwardingStore::write(rest, sync);
    }
    Result<void, KvError> ingest(const WriteBatch& batch) override { return write(batch, true); }

private:
    static Hash hash_of(ByteView key) noexcept
    {
        Hash h;
        std::memcpy(h.bytes.data(), key.data(), std::min(key.size(), h.bytes.size()));
        return h;
    }

    mutable std::mutex m_mutex;
    std::unordered_map<Hash, Bytes, FixedBytesHasher> m_nodes;
};

/// The order RocksDbStore::write inserts a block's batches in (state/write_order.hpp). Arg 0:
/// the trie node batch of the commit bench's block (100k puts keyed by hash); arg 1: its flat
/// batch (20k accounts, random addresses, and 20k slots of 1,000 contracts).
WriteBatch write_order_batch(int shape)
{
    std::mt19937_64 rng{5};
    WriteBatch b;
    const auto random_bytes = [&](size_t n) {
        Bytes k(n, 0);
        for (auto& x : k)
            x = static_cast<uint8_t>(rng());
        return k;
    };
    const Bytes value(shape == 0 ? 180 : 40, 0xab);
    if (shape == 0)
    {
        for (int i = 0; i < 100'000; ++i)
            b.put(Column::kTrieNodes, random_bytes(32), value);
        return b;
    }
    std::vector<Bytes> contracts;
    for (int c = 0; c < 1000; ++c)
        contracts.push_back(random_bytes(21));
    for (int i = 0; i < 20'000; ++i)
    {
        b.put(Column::kState, random_bytes(21), value);
        Bytes slot = contracts[rng() % contracts.size()];
        slot += random_bytes(32);
        b.put(Column::kState, slot, value);
    }
    return b;
}

void BM_write_order(benchmark::State& state)
{
    const WriteBatch b = write_order_batch(static_cast<int>(state.range(0)));
    for (auto _ : state)
        benchmark::DoNotOptimize(write_order(b));
    state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(b.size()));
}
BENCHMARK(BM_write_order)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

/// CPU time of the whole process (every thread: the commit's, the trie node writer's,
/// RocksDB's flushes and compactions), in ms.
double process_cpu_ms()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    const auto ms = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_usec) / 1e3;
    };
    return ms(u.ru_utime) + ms(u.ru_stime);
}

/// One block of block_diff prepared (flat writes, storage tries, account trie, root) and
/// committed in one write, on top of a 200k-account state. With `after_execution`, the block's
/// accounts and slots are first read through the StateDb, untimed, as executing the block
/// reads them (a transfer reads its sender and recipient, SSTORE reads the slot's value for
/// its gas): the commit then finds the old values in the read cache, as it does in the node.
/// Without, nothing was read: every old value comes from RocksDB, inside the timed commit.
void run_block_commit(benchmark::State& state,
                      bool after_execution,
                      bool nodes_in_memory = false,
                      size_t buffer_bytes = 0,
                      size_t trie_cache_bytes = StateDb::kDefaultTrieCacheBytes,
                      std::chrono::milliseconds spacing = std::chrono::milliseconds{0})
{
    const auto dir = std::filesystem::temp_directory_path() / "l2bench-commit";
    std::filesystem::remove_all(dir);
    auto kv = std::move(*RocksDbStore::open(dir.string()));
    NodesInMemoryStore in_memory{*kv};
    StateDb db{nodes_in_memory ? static_cast<KvStore&>(in_memory) : *kv, trie_cache_bytes};
    // With a byte bound: the node buffer as execution::Chain sets it (64 blocks or
    // `buffer_bytes`); without, every block's nodes are written behind it.
    if (buffer_bytes != 0)
        db.set_node_buffer(64, buffer_bytes);
    Hash root = txtypes::kEmptyRootHash;
    {
        auto p = db.prepare(genesis_diff(), root);
        (void)db.commit(*p);
        root = p->state_root;
    }
    std::mt19937_64 rng{11};
    uint64_t block = 0;
    double prepare_ms = 0;
    double write_ms = 0;
    std::vector<double> prepare_each;
    std::vector<double> write_each;
    // prepare's phases (PrepareTimings), per block.
    std::vector<double> accounts_each, storage_each, records_each, account_trie_each;
    // From the first block's start to the last block's nodes written: all threads' CPU.
    double cpu_start = 0;
    // The block's work, counted (not timed): what any machine has to do for it.
    double nodes = 0, node_bytes = 0, node_perms = 0, flat_writes = 0, ops = 0, key_hashes = 0;
    for (auto _ : state)
    {
        state.PauseTiming();
        // Spaced blocks: the time the node spends executing the next block, during which the
        // previous block's background writes (flat state, nodes, RocksDB's flushes) run.
        if (spacing.count() > 0)
            std::this_thread::sleep_for(spacing);
        const StateDiff diff = block_diff(rng, block + 1);
        ++block;
        if (after_execution)
        {
            for (const AccountChange& ch : diff.accounts)
            {
                benchmark::DoNotOptimize(db.account(ch.engine, ch.identity));
                for (const StorageChange& s : ch.storage)
                    benchmark::DoNotOptimize(db.storage(ch.engine, ch.identity, s.slot));
            }
        }
        state.ResumeTiming();

        if (block == 1)
            cpu_start = process_cpu_ms();
        const auto t0 = std::chrono::steady_clock::now();
        auto p = db.prepare(diff, root);
        const auto t1 = std::chrono::steady_clock::now();
        if (p)
            p->block = block;
        if (p)
        {
            const auto ms = [](uint32_t us) { return static_cast<double>(us) / 1000.0; };
            accounts_each.push_back(ms(p->timings.accounts_us));
            storage_each.push_back(ms(p->timings.storage_us));
            records_each.push_back(ms(p->timings.records_us));
            account_trie_each.push_back(ms(p->timings.account_trie_us));
            for (const WriteBatch::Op& op : p->nodes.ops())
            {
                nodes += 1;
                node_bytes += static_cast<double>(op.value.size());
                // keccak-256 absorbs 136 bytes per permutation, padding included.
                node_perms += static_cast<double>(op.value.size() / 136 + 1);
            }
            for (const WriteBatch::Op& op : p->batch.ops())
                flat_writes += op.column == Column::kState ? 1 : 0;
            ops += static_cast<double>(p->batch.size() + p->nodes.size());
            for (const auto& ch : diff.accounts)
                key_hashes += static_cast<double>(1 + ch.storage.size());
        }
        if (!p || !db.commit(*p))
        {
            state.SkipWithError("commit failed");
            break;
        }
        const auto t2 = std::chrono::steady_clock::now();
        prepare_each.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        write_each.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
        prepare_ms += prepare_each.back();
        write_ms += write_each.back();
        root = p->state_root;
    }
    state.counters["prepare_ms"] = prepare_ms / static_cast<double>(block);
    state.counters["write_ms"] = write_ms / static_cast<double>(block);
    // Medians: on a shared machine a few blocks that wait for the CPU skew the means.
    const auto median = [](std::vector<double> v) {
        if (v.empty())
            return 0.0;
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
    };
    state.counters["prepare_p50"] = median(prepare_each);
    state.counters["write_p50"] = median(write_each);
    state.counters["accounts_p50"] = median(accounts_each);
    state.counters["storage_p50"] = median(storage_each);
    state.counters["records_p50"] = median(records_each);
    state.counters["account_trie_p50"] = median(account_trie_each);
    const auto per_block = [&](double v) { return v / static_cast<double>(block); };
    state.counters["trie_nodes"] = per_block(nodes);
    state.counters["trie_node_MB"] = per_block(node_bytes) / 1e6;
    state.counters["node_keccak_perms"] = per_block(node_perms);
    state.counters["key_keccak_perms"] = per_block(key_hashes);
    state.counters["flat_writes"] = per_block(flat_writes);
    state.counters["db_ops"] = per_block(ops);
    (void)db.wait_for_nodes();
    // What reached the store (the node buffer drops nodes replaced inside its window).
    state.counters["nodes_written"] = per_block(static_cast<double>(db.node_write_stats().nodes));
    // Untimed reads between blocks (after_execution) are in it too: compare like with like.
    state.counters["process_cpu_ms"] = (process_cpu_ms() - cpu_start) / static_cast<double>(block);
    state.counters["state_MB"] =
        static_cast<double>(kv->approximate_size(Column::kState) +
                            kv->approximate_size(Column::kTrieNodes)) / 1e6;
    kv.reset();
    std::filesystem::remove_all(dir);
}
void BM_block_commit_20k_accounts_20k_slots(benchmark::State& state)
{
    run_block_commit(state, false);
}
BENCHMARK(BM_block_commit_20k_accounts_20k_slots)->Unit(benchmark::kMillisecond)->Iterations(20);

void BM_block_commit_after_execution_20k_accounts_20k_slots(benchmark::State& state)
{
    run_block_commit(state, true);
}
BENCHMARK(BM_block_commit_after_execution_20k_accounts_20k_slots)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(20);

/// The after-execution block through the node buffer the node uses (execution::Chain: 64
/// blocks or 64 MiB), and with a larger one: nodes replaced within the window are never written.
void BM_block_commit_buffered_20k_accounts_20k_slots(benchmark::State& state)
{
    run_block_commit(state, true, false, static_cast<size_t>(state.range(0)) << 20);
}
BENCHMARK(BM_block_commit_buffered_20k_accounts_20k_slots)
    ->Arg(64)
    ->Arg(256)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(20);

/// The buffered block over 200 blocks instead of 20: RocksDB's flushes and compactions catch
/// up and the trie-node column grows (nothing runs trie GC here, as history pruning would in
/// the node), so per-block figures are higher than over the first 20 blocks. ~90 s each.
/// range(0): the node buffer's MiB; range(1): the trie-node cache's MiB (state.trie_cache_mb).
void BM_block_commit_buffered_20k_accounts_20k_slots_soak(benchmark::State& state)
{
    run_block_commit(state, true, false, static_cast<size_t>(state.range(0)) << 20,
                     static_cast<size_t>(state.range(1)) << 20);
}
BENCHMARK(BM_block_commit_buffered_20k_accounts_20k_slots_soak)
    ->Args({64, 256})
    ->Args({64, 1024})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(200);

/// The buffered block with 500 ms between blocks (untimed), as a node that executes a block
/// between two commits sees it: the background work of the previous block (the deferred flat
/// and node writes, RocksDB's flushes) has the time to finish instead of sharing the two cores
/// with the next commit. The wall figure is a commit's latency on an otherwise idle machine;
/// `process_cpu_ms` is the same work as back to back.
void BM_block_commit_spaced_20k_accounts_20k_slots(benchmark::State& state)
{
    run_block_commit(state, true, false, size_t{64} << 20, StateDb::kDefaultTrieCacheBytes,
                     std::chrono::milliseconds{state.range(0)});
}
BENCHMARK(BM_block_commit_spaced_20k_accounts_20k_slots)
    ->Arg(500)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(20);

/// The what-if above: the after-execution block with its trie nodes kept in memory, unwritten.
void BM_block_commit_nodes_unwritten_20k_accounts_20k_slots(benchmark::State& state)
{
    run_block_commit(state, true, true);
}
BENCHMARK(BM_block_commit_nodes_unwritten_20k_accounts_20k_slots)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(20);

/// Trie GC (StateDb::collect_garbage, the history pruner's step) of one block of the commit
/// bench's workload: its replaced nodes' counts read and dropped, the nodes no state uses any
/// more deleted, one atomic write. The blocks are committed first, untimed, with their GC
/// records, as the chain stores them.
void BM_trie_gc_20k_accounts_20k_slots(benchmark::State& state)
{
    const auto dir = std::filesystem::temp_directory_path() / "l2bench-trie-gc";
    std::filesystem::remove_all(dir);
    auto kv = std::move(*RocksDbStore::open(dir.string()));
    StateDb db{*kv};
    Hash root = txtypes::kEmptyRootHash;
    std::mt19937_64 rng{11};
    const auto commit = [&](const StateDiff& diff, uint64_t number) {
        auto p = db.prepare(diff, root);
        if (!p)
            return false;
        put_undo_record(p->batch, number, p->undo);
        p->block = number;
        if (!db.commit(*p))
            return false;
        root = p->state_root;
        return true;
    };
    constexpr uint64_t kBlocks = 12;
    bool ok = commit(genesis_diff(), 0);
    for (uint64_t n = 1; ok && n <= kBlocks; ++n)
        ok = commit(block_diff(rng, n), n);
    if (!ok)
    {
        state.SkipWithError("commit failed");
        return;
    }
    uint64_t next = 1;
    uint64_t deleted = 0;
    for (auto _ : state)
    {
        auto r = db.collect_garbage(next, 1);
        if (!r || r->blocks != 1)
        {
            state.SkipWithError("GC failed");
            break;
        }
        deleted += r->nodes_deleted;
        ++next;
    }
    state.counters["nodes_deleted"] =
        static_cast<double>(deleted) / static_cast<double>(std::max<uint64_t>(next - 1, 1));
    (void)db.wait_for_nodes();
    kv.reset();
    std::filesystem::remove_all(dir);
}
BENCHMARK(BM_trie_gc_20k_accounts_20k_slots)->Unit(benchmark::kMillisecond)->Iterations(10);

}  // namespace
