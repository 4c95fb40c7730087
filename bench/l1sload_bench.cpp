// L1SLOAD reads through l1client::L1StorageReader (DESIGN "Performance targets", issue 8):
// - memory cache hit for 1 and 5 keys (target <= 1 us), also from 2 threads at once;
// - disk hit: the memory cache off, every key from a RocksDB store (warm block cache);
// - miss: one JSON-RPC batch of eth_getStorageAt to anvil on loopback (skipped with a message
//   when node_modules/.bin/anvil is absent).
#include <benchmark/benchmark.h>

#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <l1client/l1_decode.hpp>
#include <l1client/l1_storage.hpp>
#include <nlohmann/json.hpp>
#include <state/memory_store.hpp>
#include <state/rocksdb_store.hpp>
#include <tests/e2e/l1client/anvil_process.hpp>
#include <txtypes/hex.hpp>

namespace {

using namespace l2;
using namespace l2::l1client;
using namespace std::chrono_literals;

constexpr auto kAccount = address_literal("5a1d000000000000000000000000000000000001");
constexpr uint64_t kBlocks = 64;
constexpr uint64_t kSlotsPerBlock = 1024;  // 64 x 1024 = 65,536 cached entries

Hash word(uint64_t v)
{
    Hash h;
    for (size_t i = 0; i < 8; ++i)
        h[31 - i] = static_cast<uint8_t>(v >> (8 * i));
    return h;
}

Hash block_hash(uint64_t n)
{
    Hash h = word(n);
    h[0] = 0xb1;
    return h;
}

/// Fills `kv` with kBlocks x kSlotsPerBlock entries of kAccount.
void fill(state::KvStore& kv)
{
    for (uint64_t n = 0; n < kBlocks; ++n)
    {
        state::WriteBatch batch;
        const Hash bh = block_hash(n);
        for (uint64_t s = 0; s < kSlotsPerBlock; ++s)
        {
            const auto key = l1sload_db_key(n, kAccount, word(s));
            uint8_t value[64];
            std::memcpy(value, bh.data(), 32);
            std::memcpy(value + 32, word(s * 7 + n).data(), 32);
            batch.put(state::Column::kL1Sload, ByteView{key.data(), key.size()},
                      ByteView{value, 64});
        }
        if (!kv.write(batch))
            std::abort();
    }
}

/// Reads k consecutive slots at a block, walking all cached (block, slot) pairs.
template <typename Reader>
void read_loop(benchmark::State& state, Reader& reader, size_t k)
{
    std::vector<Hash> keys(k);
    uint64_t i = 0;
    for (auto _ : state)
    {
        const uint64_t n = i % kBlocks;
        const uint64_t s0 = (i / kBlocks * k) % (kSlotsPerBlock - k);
        for (size_t j = 0; j < k; ++j)
            keys[j] = word(s0 + j);
        auto r = reader.read(kAccount, keys, n, block_hash(n));
        if (!r)
        {
            state.SkipWithError(r.error().to_string().c_str());
            break;
        }
        benchmark::DoNotOptimize(r->data());
        ++i;
    }
    state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(k));
}

/// A cache-only reader whose memory cache holds every entry (warmed from a MemoryStore).
L1StorageReader& memory_reader()
{
    static auto* reader = [] {
        static state::MemoryStore kv;
        fill(kv);
        auto* r = new L1StorageReader{nullptr, &kv};
        std::vector<Hash> keys(kSlotsPerBlock);
        for (uint64_t s = 0; s < kSlotsPerBlock; ++s)
            keys[s] = word(s);
        for (uint64_t n = 0; n < kBlocks; ++n)
            if (!r->read(kAccount, keys, n, block_hash(n)))
                std::abort();
        return r;
    }();
    return *reader;
}

void BM_L1SloadMemoryHit(benchmark::State& state)
{
    read_loop(state, memory_reader(), static_cast<size_t>(state.range(0)));
}
BENCHMARK(BM_L1SloadMemoryHit)->Arg(1)->Arg(5);
BENCHMARK(BM_L1SloadMemoryHit)->Arg(1)->Arg(5)->Threads(2)->UseRealTime();

/// The same k keys every time: the code path alone, every line in the CPU cache.
void BM_L1SloadMemoryHitHot(benchmark::State& state)
{
    auto& reader = memory_reader();
    std::vector<Hash> keys;
    for (int64_t j = 0; j < state.range(0); ++j)
        keys.push_back(word(static_cast<uint64_t>(j)));
    const Hash bh = block_hash(3);
    for (auto _ : state)
    {
        auto r = reader.read(kAccount, keys, 3, bh);
        benchmark::DoNotOptimize(r->data());
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_L1SloadMemoryHitHot)->Arg(1)->Arg(5);

/// RocksDB in a temp dir, memory cache off: every key is a RocksDB get.
struct DiskFixture
{
    std::filesystem::path dir = std::filesystem::temp_directory_path() / "l2bench-l1sload";
    std::unique_ptr<state::RocksDbStore> kv;
    std::unique_ptr<L1StorageReader> reader;

    DiskFixture()
    {
        std::filesystem::remove_all(dir);
        auto opened = state::RocksDbStore::open(dir.string());
        if (!opened)
            std::abort();
        kv = std::move(*opened);
        fill(*kv);
        reader = std::make_unique<L1StorageReader>(nullptr, kv.get(),
                                                   L1StorageOptions{.memory_entries = 0});
    }
    ~DiskFixture()
    {
        reader.reset();
        kv.reset();
        std::filesystem::remove_all(dir);
    }
};

void BM_L1SloadDiskHit(benchmark::State& state)
{
    static DiskFixture f;
    read_loop(state, *f.reader, static_cast<size_t>(state.range(0)));
}
BENCHMARK(BM_L1SloadDiskHit)->Arg(1)->Arg(5);

/// anvil on loopback with slots 0..7 of kAccount set, and the block that holds them.
struct AnvilFixture
{
    std::unique_ptr<l1client::test::AnvilProcess> anvil;
    uint64_t number = 0;
    Hash hash;
    std::string error;

    AnvilFixture()
    {
        anvil = std::make_unique<l1client::test::AnvilProcess>(L2_ANVIL);
        if (!anvil->ready())
        {
            error = "anvil absent or not starting (" L2_ANVIL "): miss benchmark skipped";
            return;
        }
        RpcClient rpc{anvil->url()};
        for (uint64_t s = 0; s < 8; ++s)
            if (!rpc.call("anvil_setStorageAt",
                          nlohmann::json::array(
                              {to_0x_hex(kAccount), to_0x_hex(word(s)), to_0x_hex(word(s + 100))})))
                error = "anvil_setStorageAt failed";
        auto mined = rpc.call("evm_mine", nullptr);
        auto block = rpc.call("eth_getBlockByNumber", nlohmann::json::array({"latest", false}));
        if (!mined || !block)
        {
            error = "anvil: cannot mine";
            return;
        }
        auto h = decode_hash((*block)["hash"]);
        if (!h)
        {
            error = "anvil: bad block hash";
            return;
        }
        auto n = decode_u64((*block)["number"]);
        if (!n)
        {
            error = "anvil: bad block number";
            return;
        }
        hash = *h;
        number = *n;
    }
};

void BM_L1SloadMissAnvil(benchmark::State& state)
{
    static AnvilFixture f;  // anvil is killed when the process exits (and if it dies)
    if (!f.error.empty())
    {
        state.SkipWithError(f.error.c_str());
        return;
    }
    RpcClientOptions o;
    o.max_retries = 0;
    o.request_timeout = 2000ms;
    L1StorageReader reader{
        std::make_shared<RpcClient>(f.anvil->url(), o), nullptr, {.memory_entries = 0}};
    const auto k = static_cast<size_t>(state.range(0));
    std::vector<Hash> keys;
    for (size_t j = 0; j < k; ++j)
        keys.push_back(word(j));
    for (auto _ : state)
    {
        auto r = reader.read(kAccount, keys, f.number, f.hash);
        if (!r || (*r)[0] != word(100))
        {
            state.SkipWithError(r ? "wrong value" : r.error().to_string().c_str());
            break;
        }
    }
    state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(k));
}
BENCHMARK(BM_L1SloadMissAnvil)->Arg(1)->Arg(5)->UseRealTime();

}  // namespace
