/// L1StorageReader (the L1SLOAD reader) against an in-process JSON-RPC server: one batch per
/// read, memory and disk cache hits, block-hash checks, failures, the circuit breaker,
/// malformed replies, pruning, eviction and concurrent readers.

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include <l1client/l1_storage.hpp>
#include <nlohmann/json.hpp>
#include <state/memory_store.hpp>
#include <txtypes/hex.hpp>

#include "fake_http_server.hpp"

using namespace l2;
using namespace l2::l1client;
using namespace std::chrono_literals;
using json = nlohmann::json;
using Server = l2::l1client::test::FakeHttpServer;

namespace {

constexpr auto kAccount = address_literal("1000000000000000000000000000000000000001");
constexpr auto kHashA =
    hash_literal("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
constexpr auto kHashB =
    hash_literal("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
constexpr uint64_t kBlock = 100;

Hash slot(uint64_t v)
{
    Hash h;
    for (size_t i = 0; i < 8; ++i)
        h[31 - i] = static_cast<uint8_t>(v >> (8 * i));
    return h;
}

/// The value the fake L1 holds in `key` at `block_hash`: a function of both.
Hash value_of(const Hash& block_hash, const Hash& key)
{
    Hash v;
    for (size_t i = 0; i < 32; ++i)
        v[i] = static_cast<uint8_t>(block_hash[i] ^ key[i] ^ 0x5a);
    return v;
}

/// A fake L1 that answers eth_getStorageAt batches for the blocks it knows (kHashA, kHashB),
/// with hooks to break its replies.
class FakeL1
{
public:
    /// Rewrites the reply array (or replaces the whole body) before it is sent.
    using Tamper = std::function<void(json& reply)>;

    FakeL1() : m_server{[this](const std::string& body) { return handle(body); }} {}

    std::string url() const { return m_server.url(); }
    int requests() const { return m_server.requests(); }
    json last_body() const
    {
        const std::lock_guard lock{m_mutex};
        return m_last;
    }
    void set_tamper(Tamper t)
    {
        const std::lock_guard lock{m_mutex};
        m_tamper = std::move(t);
    }
    void set_status(int status)
    {
        const std::lock_guard lock{m_mutex};
        m_status = status;
    }
    void set_delay(std::chrono::milliseconds delay)
    {
        const std::lock_guard lock{m_mutex};
        m_delay = delay;
    }

private:
    Server::Reply handle(const std::string& body)
    {
        const auto req = json::parse(body);
        json reply = json::array();
        for (const auto& r : req)
        {
            json item = {{"jsonrpc", "2.0"}, {"id", r["id"]}};
            const auto& p = r["params"];
            const auto block = hash_from_hex(p[2]["blockHash"].get<std::string>());
            const auto key = hash_from_hex(p[1].get<std::string>());
            if (r["method"] != "eth_getStorageAt" || !block || !key ||
                p[0] != to_0x_hex(kAccount) || (*block != kHashA && *block != kHashB))
                item["error"] = {{"code", -32001}, {"message", "Resource not found"}};
            else
                item["result"] = to_0x_hex(value_of(*block, *key));
            reply.push_back(item);
        }
        const std::lock_guard lock{m_mutex};
        m_last = req;
        if (m_tamper)
            m_tamper(reply);
        return {.status = m_status, .body = reply.dump(), .delay = m_delay};
    }

    mutable std::mutex m_mutex;
    json m_last;
    Tamper m_tamper;
    int m_status = 200;
    std::chrono::milliseconds m_delay{0};
    Server m_server;  // last: its threads stop before the members they use go
};

std::shared_ptr<RpcClient> client(const std::string& url)
{
    RpcClientOptions o;
    o.connect_timeout = 300ms;
    o.request_timeout = 2000ms;
    o.max_retries = 0;
    o.log_failures = false;
    return std::make_shared<RpcClient>(url, o);
}

std::vector<Hash> slots(uint64_t first, size_t n)
{
    std::vector<Hash> out;
    for (size_t i = 0; i < n; ++i)
        out.push_back(slot(first + i));
    return out;
}

void expect_values(const Result<std::vector<Hash>, RpcError>& r,
                   const Hash& block_hash,
                   const std::vector<Hash>& keys)
{
    ASSERT_TRUE(r) << r.error().to_string();
    ASSERT_EQ(r->size(), keys.size());
    for (size_t i = 0; i < keys.size(); ++i)
        EXPECT_EQ((*r)[i], value_of(block_hash, keys[i])) << "key " << i;
}

}  // namespace

TEST(L1Storage, BatchOfKeysIsOneRequestByBlockHash)
{
    FakeL1 l1;
    L1StorageReader reader{client(l1.url()), nullptr};
    const auto keys = slots(1, 5);
    expect_values(reader.read(kAccount, keys, kBlock, kHashA), kHashA, keys);
    EXPECT_EQ(l1.requests(), 1);

    const auto body = l1.last_body();
    ASSERT_TRUE(body.is_array());
    ASSERT_EQ(body.size(), 5u);
    for (size_t i = 0; i < 5; ++i)
    {
        EXPECT_EQ(body[i]["method"], "eth_getStorageAt");
        EXPECT_EQ(body[i]["params"][0], to_0x_hex(kAccount));
        EXPECT_EQ(body[i]["params"][1], to_0x_hex(keys[i]));
        EXPECT_EQ(body[i]["params"][2],
                  (json{{"blockHash", to_0x_hex(kHashA)}, {"requireCanonical", false}}));
    }
    const auto s = reader.stats();
    EXPECT_EQ(s.misses, 5u);
    EXPECT_EQ(s.requests, 1u);
    EXPECT_EQ(s.memory_hits, 0u);
    EXPECT_EQ(s.failures, 0u);
}

TEST(L1Storage, MemoryHitMakesNoRequest)
{
    FakeL1 l1;
    L1StorageReader reader{client(l1.url()), nullptr};
    const auto keys = slots(1, 5);
    ASSERT_TRUE(reader.read(kAccount, keys, kBlock, kHashA));
    expect_values(reader.read(kAccount, keys, kBlock, kHashA), kHashA, keys);
    // A subset, in another order.
    const std::vector<Hash> some = {keys[3], keys[0]};
    expect_values(reader.read(kAccount, some, kBlock, kHashA), kHashA, some);
    EXPECT_EQ(l1.requests(), 1);
    EXPECT_EQ(reader.stats().memory_hits, 7u);

    // Only the new key of a partly cached read goes to L1.
    const std::vector<Hash> mixed = {keys[1], slot(42), keys[2]};
    expect_values(reader.read(kAccount, mixed, kBlock, kHashA), kHashA, mixed);
    EXPECT_EQ(l1.requests(), 2);
    EXPECT_EQ(l1.last_body().size(), 1u);
}

TEST(L1Storage, EmptyReadSendsNothing)
{
    FakeL1 l1;
    L1StorageReader reader{client(l1.url()), nullptr};
    const auto r = reader.read(kAccount, {}, kBlock, kHashA);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->empty());
    EXPECT_EQ(l1.requests(), 0);
}

TEST(L1Storage, SecondReaderOverTheSameStoreHitsDisk)
{
    FakeL1 l1;
    state::MemoryStore store;
    const auto keys = slots(7, 3);
    {
        L1StorageReader first{client(l1.url()), &store};
        ASSERT_TRUE(first.read(kAccount, keys, kBlock, kHashA));
    }
    EXPECT_EQ(store.count(state::Column::kL1Sload), 3u);
    // Layout: l1_num(8 BE) || address || key -> l1_hash || value.
    Bytes raw;
    const auto key = l1sload_db_key(kBlock, kAccount, keys[0]);
    ASSERT_EQ(to_hex(ByteView{key.data(), 8}), "0000000000000064");
    ASSERT_TRUE(store.get(state::Column::kL1Sload, ByteView{key.data(), key.size()}, raw));
    EXPECT_EQ(raw, Bytes{kHashA.view()} + Bytes{value_of(kHashA, keys[0]).view()});

    L1StorageReader second{client(l1.url()), &store};
    expect_values(second.read(kAccount, keys, kBlock, kHashA), kHashA, keys);
    EXPECT_EQ(l1.requests(), 1);
    EXPECT_EQ(second.stats().disk_hits, 3u);
    // Now in its memory too.
    ASSERT_TRUE(second.read(kAccount, keys, kBlock, kHashA));
    EXPECT_EQ(second.stats().memory_hits, 3u);
    EXPECT_EQ(second.stats().disk_hits, 3u);
}

TEST(L1Storage, CacheOnlyReaderWithoutRpc)
{
    FakeL1 l1;
    state::MemoryStore store;
    const auto keys = slots(1, 2);
    L1StorageReader writer{client(l1.url()), &store};
    ASSERT_TRUE(writer.read(kAccount, keys, kBlock, kHashA));

    L1StorageReader cache_only{nullptr, &store};
    expect_values(cache_only.read(kAccount, keys, kBlock, kHashA), kHashA, keys);
    const auto r = cache_only.read(kAccount, slots(9, 1), kBlock, kHashA);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, RpcErrc::kTransport);
    EXPECT_EQ(cache_only.stats().failures, 1u);
}

TEST(L1Storage, OtherBlockHashIsAMissAndReplacesTheDiskEntry)
{
    FakeL1 l1;
    state::MemoryStore store;
    const auto keys = slots(1, 2);
    L1StorageReader reader{client(l1.url()), &store};
    expect_values(reader.read(kAccount, keys, kBlock, kHashA), kHashA, keys);
    // Same number, another hash (an L1 reorg): a miss, answered for the new hash.
    expect_values(reader.read(kAccount, keys, kBlock, kHashB), kHashB, keys);
    EXPECT_EQ(l1.requests(), 2);
    EXPECT_EQ(store.count(state::Column::kL1Sload), 2u);  // replaced, not added

    // A fresh reader sees hash B on disk: B hits, A misses.
    L1StorageReader fresh{client(l1.url()), &store};
    expect_values(fresh.read(kAccount, keys, kBlock, kHashB), kHashB, keys);
    EXPECT_EQ(l1.requests(), 2);
    expect_values(fresh.read(kAccount, keys, kBlock, kHashA), kHashA, keys);
    EXPECT_EQ(l1.requests(), 3);
    // And another block number is another entry.
    expect_values(fresh.read(kAccount, keys, kBlock + 1, kHashA), kHashA, keys);
    EXPECT_EQ(l1.requests(), 4);
}

TEST(L1Storage, UnknownBlockIsAnRpcErrorAndNotCached)
{
    FakeL1 l1;
    state::MemoryStore store;
    L1StorageReader reader{client(l1.url()), &store};
    const auto unknown =
        hash_literal("cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc");
    const auto r = reader.read(kAccount, slots(1, 2), kBlock, unknown);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, RpcErrc::kRpc);
    EXPECT_EQ(r.error().rpc_code, -32001);
    EXPECT_EQ(store.count(state::Column::kL1Sload), 0u);
    EXPECT_EQ(reader.stats().failures, 1u);
    // A JSON-RPC error is an answer: the breaker stays closed.
    expect_values(reader.read(kAccount, slots(1, 2), kBlock, kHashA), kHashA, slots(1, 2));
    EXPECT_EQ(l1.requests(), 2);
}

TEST(L1Storage, ServerDownIsAnError)
{
    L1StorageReader reader{client("http://127.0.0.1:" + std::to_string(Server::free_port())),
                           nullptr};
    const auto r = reader.read(kAccount, slots(1, 1), kBlock, kHashA);
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().code == RpcErrc::kTransport || r.error().code == RpcErrc::kTimeout)
        << r.error().to_string();
    EXPECT_EQ(reader.stats().failures, 1u);
    EXPECT_EQ(reader.stats().requests, 1u);
}

TEST(L1Storage, CircuitBreakerFailsFastThenProbes)
{
    FakeL1 l1;
    L1StorageReader reader{
        client(l1.url()), nullptr, {.backoff_initial = 300ms, .backoff_max = 1000ms}};
    const auto cached = slots(50, 1);
    ASSERT_TRUE(reader.read(kAccount, cached, kBlock, kHashA));
    EXPECT_EQ(l1.requests(), 1);

    l1.set_status(503);
    auto r = reader.read(kAccount, slots(1, 1), kBlock, kHashA);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, RpcErrc::kHttpStatus);
    EXPECT_EQ(l1.requests(), 2);

    // Open: misses fail at once without a request; hits still work.
    r = reader.read(kAccount, slots(1, 1), kBlock, kHashA);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("circuit breaker open"), std::string::npos)
        << r.error().message;
    EXPECT_TRUE(r.error().is_transient());
    EXPECT_EQ(l1.requests(), 2);
    expect_values(reader.read(kAccount, cached, kBlock, kHashA), kHashA, cached);

    // After the backoff, one probe; it fails, and the backoff doubles to 600 ms.
    std::this_thread::sleep_for(350ms);
    ASSERT_FALSE(reader.read(kAccount, slots(1, 1), kBlock, kHashA));
    EXPECT_EQ(l1.requests(), 3);
    std::this_thread::sleep_for(350ms);  // < 600 ms: still open
    ASSERT_FALSE(reader.read(kAccount, slots(1, 1), kBlock, kHashA));
    EXPECT_EQ(l1.requests(), 3);

    // L1 is back: the next probe succeeds and closes the breaker.
    l1.set_status(200);
    std::this_thread::sleep_for(400ms);
    expect_values(reader.read(kAccount, slots(1, 1), kBlock, kHashA), kHashA, slots(1, 1));
    EXPECT_EQ(l1.requests(), 4);
    expect_values(reader.read(kAccount, slots(2, 1), kBlock, kHashA), kHashA, slots(2, 1));
    EXPECT_EQ(l1.requests(), 5);
    const auto s = reader.stats();
    EXPECT_EQ(s.requests, 5u);
    EXPECT_EQ(s.failures, 4u);
}

TEST(L1Storage, OtherReadsFailFastWhileTheProbeRuns)
{
    FakeL1 l1;
    L1StorageReader reader{client(l1.url()), nullptr, {.backoff_initial = 50ms}};
    l1.set_status(500);
    ASSERT_FALSE(reader.read(kAccount, slots(1, 1), kBlock, kHashA));
    l1.set_status(200);
    l1.set_delay(400ms);
    std::this_thread::sleep_for(80ms);
    std::thread probe{[&] {
        expect_values(reader.read(kAccount, slots(1, 1), kBlock, kHashA), kHashA, slots(1, 1));
    }};
    std::this_thread::sleep_for(150ms);
    const auto r = reader.read(kAccount, slots(2, 1), kBlock, kHashA);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("probe in flight"), std::string::npos) << r.error().message;
    probe.join();
    EXPECT_EQ(l1.requests(), 2);
    l1.set_delay(0ms);
    expect_values(reader.read(kAccount, slots(2, 1), kBlock, kHashA), kHashA, slots(2, 1));
}

TEST(L1Storage, ConcurrentMissesOfOneKeySendOneRequest)
{
    // L1 answers slowly: every read below starts while the first one's request is in flight.
    FakeL1 l1;
    L1StorageReader reader{client(l1.url()), nullptr};
    l1.set_delay(300ms);
    constexpr int kThreads = 6;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&] {
            expect_values(reader.read(kAccount, slots(7, 2), kBlock, kHashA), kHashA, slots(7, 2));
        });
    for (auto& t : threads)
        t.join();
    EXPECT_EQ(l1.requests(), 1);
    const auto s = reader.stats();
    EXPECT_EQ(s.requests, 1u);
    // Each read's two keys missed (the first read's landed only after 300 ms); all but the
    // fetching read's were answered by its request.
    EXPECT_EQ(s.misses, 2u * kThreads);
    EXPECT_EQ(s.coalesced, 2u * (kThreads - 1));
    EXPECT_EQ(s.failures, 0u);
}

TEST(L1Storage, ReadsWaitingOnAFailedRequestFailWithIt)
{
    FakeL1 l1;
    L1StorageReader reader{client(l1.url()), nullptr};
    l1.set_status(503);
    l1.set_delay(300ms);
    std::thread first{[&] { EXPECT_FALSE(reader.read(kAccount, slots(1, 1), kBlock, kHashA)); }};
    std::this_thread::sleep_for(100ms);
    // The key is in flight: this read waits for the first one's request, and fails with it.
    const auto r = reader.read(kAccount, slots(1, 1), kBlock, kHashA);
    first.join();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, RpcErrc::kHttpStatus) << r.error().to_string();
    EXPECT_EQ(l1.requests(), 1);
    const auto s = reader.stats();
    EXPECT_EQ(s.coalesced, 0u);  // counted only for keys answered
    EXPECT_EQ(s.failures, 2u);
    // Nothing was cached: once L1 is back (and the breaker's backoff is over), L1 is asked.
    l1.set_status(200);
    l1.set_delay(0ms);
    std::this_thread::sleep_for(600ms);
    expect_values(reader.read(kAccount, slots(1, 1), kBlock, kHashA), kHashA, slots(1, 1));
    EXPECT_EQ(l1.requests(), 2);
}

TEST(L1Storage, MalformedRepliesAreErrors)
{
    struct Case
    {
        const char* name;
        FakeL1::Tamper tamper;
        RpcErrc code;
    };
    const Case cases[] = {
        {"missing item", [](json& r) { r.erase(r.size() - 1); }, RpcErrc::kDecode},
        {"wrong id", [](json& r) { r[0]["id"] = 999999; }, RpcErrc::kDecode},
        {"non-hex", [](json& r) { r[1]["result"] = "0xzz"; }, RpcErrc::kDecode},
        {"no 0x", [](json& r) { r[1]["result"] = std::string(64, '0'); }, RpcErrc::kDecode},
        {"odd length", [](json& r) { r[0]["result"] = "0x123"; }, RpcErrc::kDecode},
        {"33 bytes", [](json& r) { r[0]["result"] = "0x" + std::string(66, '1'); },
         RpcErrc::kDecode},
        {"number", [](json& r) { r[0]["result"] = 5; }, RpcErrc::kDecode},
        {"null", [](json& r) { r[0]["result"] = nullptr; }, RpcErrc::kDecode},
        {"not an array",
         [](json& r) {
             r = json{{"jsonrpc", "2.0"}, {"id", 1}};
         },
         RpcErrc::kDecode},
        {"a string", [](json& r) { r = "garbage"; }, RpcErrc::kDecode},
        {"error item",
         [](json& r) {
             r[1].erase("result");
             r[1]["error"] = {{"code", -32000}, {"message", "boom"}};
         },
         RpcErrc::kRpc},
    };
    for (const auto& c : cases)
    {
        SCOPED_TRACE(c.name);
        FakeL1 l1;
        state::MemoryStore store;
        L1StorageReader reader{client(l1.url()), &store, {.backoff_initial = 1ms}};
        l1.set_tamper(c.tamper);
        const auto r = reader.read(kAccount, slots(1, 3), kBlock, kHashA);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, c.code) << r.error().to_string();
        EXPECT_FALSE(r.error().message.empty());
        // Nothing of a failed read is cached.
        EXPECT_EQ(store.count(state::Column::kL1Sload), 0u);
        l1.set_tamper({});
        std::this_thread::sleep_for(5ms);  // past a breaker the whole-batch errors opened
        expect_values(reader.read(kAccount, slots(1, 3), kBlock, kHashA), kHashA, slots(1, 3));
        EXPECT_EQ(l1.requests(), 2);
    }
}

TEST(L1Storage, ShortValuesAreLeftPadded)
{
    // Some nodes (Nethermind, Ganache) trim leading zeros: "0x" is zero, "0x01ff" is 0x1ff.
    FakeL1 l1;
    l1.set_tamper([](json& r) {
        r[0]["result"] = "0x";
        r[1]["result"] = "0x01ff";
    });
    L1StorageReader reader{client(l1.url()), nullptr};
    const auto r = reader.read(kAccount, slots(1, 2), kBlock, kHashA);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ((*r)[0], Hash{});
    EXPECT_EQ((*r)[1], slot(0x1ff));
}

TEST(L1Storage, PruneBelowDropsOldBlocks)
{
    FakeL1 l1;
    state::MemoryStore store;
    L1StorageReader reader{client(l1.url()), &store};
    for (uint64_t n = 10; n < 14; ++n)
        ASSERT_TRUE(reader.read(kAccount, slots(1, 2), n, kHashA));
    EXPECT_EQ(store.count(state::Column::kL1Sload), 8u);
    reader.prune_below(12);
    EXPECT_EQ(store.count(state::Column::kL1Sload), 4u);
    const int before = l1.requests();
    ASSERT_TRUE(reader.read(kAccount, slots(1, 2), 12, kHashA));
    ASSERT_TRUE(reader.read(kAccount, slots(1, 2), 13, kHashA));
    EXPECT_EQ(l1.requests(), before);
    ASSERT_TRUE(reader.read(kAccount, slots(1, 2), 11, kHashA));
    EXPECT_EQ(l1.requests(), before + 1);
}

TEST(L1Storage, MemoryCacheIsBounded)
{
    FakeL1 l1;
    L1StorageReader reader{client(l1.url()), nullptr, {.memory_entries = 4}};
    for (uint64_t i = 0; i < 10; ++i)
        ASSERT_TRUE(reader.read(kAccount, slots(i, 1), kBlock, kHashA));
    EXPECT_EQ(l1.requests(), 10);
    // The newest entries stay; the first ones went.
    ASSERT_TRUE(reader.read(kAccount, slots(9, 1), kBlock, kHashA));
    EXPECT_EQ(l1.requests(), 10);
    ASSERT_TRUE(reader.read(kAccount, slots(0, 1), kBlock, kHashA));
    EXPECT_EQ(l1.requests(), 11);

    // memory_entries = 0: no memory cache at all.
    L1StorageReader none{client(l1.url()), nullptr, {.memory_entries = 0}};
    ASSERT_TRUE(none.read(kAccount, slots(0, 1), kBlock, kHashA));
    ASSERT_TRUE(none.read(kAccount, slots(0, 1), kBlock, kHashA));
    EXPECT_EQ(l1.requests(), 13);
}

TEST(L1Storage, ShardedCacheKeepsRecentEntries)
{
    FakeL1 l1;
    // 16 shards x 2 generations of 96 entries (tables of 128 slots).
    L1StorageReader reader{client(l1.url()), nullptr, {.memory_entries = 4096}};
    for (uint64_t first = 0; first < 5000; first += 500)
        expect_values(reader.read(kAccount, slots(first, 500), kBlock, kHashA), kHashA,
                      slots(first, 500));
    EXPECT_EQ(l1.requests(), 10);
    // The newest 500 (about 31 per shard) are all still there, with their values.
    expect_values(reader.read(kAccount, slots(4500, 500), kBlock, kHashA), kHashA,
                  slots(4500, 500));
    EXPECT_EQ(l1.requests(), 10);
    EXPECT_EQ(reader.stats().memory_hits, 500u);
    // The oldest went.
    expect_values(reader.read(kAccount, slots(0, 500), kBlock, kHashA), kHashA, slots(0, 500));
    EXPECT_EQ(l1.requests(), 11);
    EXPECT_LT(reader.stats().memory_hits, 1000u);
    // Pruning empties it.
    reader.prune_below(kBlock + 1);
    ASSERT_TRUE(reader.read(kAccount, slots(4990, 10), kBlock, kHashA));
    EXPECT_EQ(l1.requests(), 12);
}

TEST(L1Storage, ConcurrentReaders)
{
    FakeL1 l1;
    state::MemoryStore store;
    L1StorageReader reader{client(l1.url()), &store, {.memory_entries = 64}};
    constexpr int kThreads = 6;
    constexpr int kReads = 200;
    std::atomic<int> bad{0};
    std::atomic<uint64_t> keys_read{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < kReads; ++i)
            {
                const auto n = static_cast<uint64_t>((i * 7 + t) % 40);  // 40 x 3 keys > 64
                const auto keys = slots(n, 1 + static_cast<size_t>(i % 3));
                const Hash& h = (i + t) % 2 == 0 ? kHashA : kHashB;
                const auto r = reader.read(kAccount, keys, kBlock + n % 3, h);
                keys_read += keys.size();
                if (!r || r->size() != keys.size())
                {
                    ++bad;
                    continue;
                }
                for (size_t k = 0; k < keys.size(); ++k)
                    if ((*r)[k] != value_of(h, keys[k]))
                        ++bad;
            }
        });
    for (auto& t : threads)
        t.join();
    EXPECT_EQ(bad, 0);
    const auto s = reader.stats();
    EXPECT_EQ(s.memory_hits + s.disk_hits + s.misses, keys_read.load());
    EXPECT_EQ(s.failures, 0u);
    EXPECT_EQ(s.requests, static_cast<uint64_t>(l1.requests()));
    EXPECT_GT(s.memory_hits, 0u);
}
