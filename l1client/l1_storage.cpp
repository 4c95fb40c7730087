#include "l1_storage.hpp"

#include <algorithm>
#include <bit>
#include <condition_variable>
#include <cstring>
#include <optional>
#include <string>
#include <unordered_map>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>
#include <txtypes/hex.hpp>

#include "l1_decode.hpp"

namespace l2::l1client {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr size_t kValueSize = 64;  // l1_block_hash(32) || value(32)

uint64_t load_u64(const uint8_t* p) noexcept
{
    uint64_t v;
    std::memcpy(&v, p, sizeof(v));
    return v;
}

void store_be_u64(uint8_t* p, uint64_t v) noexcept
{
    for (int i = 7; i >= 0; --i)
    {
        p[i] = static_cast<uint8_t>(v);
        v >>= 8;
    }
}

/// One memory entry's key: the whole identity of a read, so a hit is exact (an L1 reorg gives
/// a new hash, hence a new key; the old entry ages out).
struct MemKey
{
    uint64_t number;
    Hash block_hash;
    Address account;
    Hash slot;

    friend bool operator==(const MemKey&, const MemKey&) = default;
};

/// A few multiply-xor rounds over words that vary: the number, the block hash's first word
/// (keccak output), the address's last word, and both ends of the slot (small integers vary at
/// the end, keccak-derived slots everywhere).
struct MemKeyHasher
{
    size_t operator()(const MemKey& k) const noexcept
    {
        uint64_t h = k.number * 0x9e3779b97f4a7c15;
        h ^= load_u64(k.block_hash.data());
        h = (h ^ load_u64(k.account.data() + 12)) * 0xff51afd7ed558ccd;
        h ^= load_u64(k.slot.data()) ^ std::rotl(load_u64(k.slot.data() + 24), 29);
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53;
        h ^= h >> 33;
        return static_cast<size_t>(h);
    }
};

RpcError decode_failure(const RpcClient& rpc, std::string message)
{
    return RpcError{.code = RpcErrc::kDecode,
                    .message = "bad result: " + std::move(message),
                    .method = "eth_getStorageAt",
                    .url = rpc.redacted_url()};
}

}  // namespace

std::array<uint8_t, 60> l1sload_db_key(uint64_t block_number,
                                       const Address& account,
                                       const Hash& key) noexcept
{
    std::array<uint8_t, 60> out;
    store_be_u64(out.data(), block_number);
    std::memcpy(out.data() + 8, account.data(), 20);
    std::memcpy(out.data() + 28, key.data(), 32);
    return out;
}

namespace {

/// An open-addressing hash table (linear probing) of fixed-size entries, one aligned cache-line
/// pair per entry: a hit costs one probe in the common case, where a node-based map chases three
/// pointers. Grows by doubling up to `max_slots`; the load stays <= 3/4, so probes end.
class FlatTable
{
public:
    static constexpr uint64_t kEmpty = ~uint64_t{0};  ///< `number` of a free slot

    struct alignas(128) Slot
    {
        MemKey key{kEmpty, {}, {}, {}};
        Hash value;
    };
    static_assert(sizeof(Slot) == 128);

    explicit FlatTable(size_t max_slots) noexcept : m_max_slots{max_slots} {}

    size_t size() const noexcept { return m_size; }

    const Slot* find(const MemKey& k, size_t h) const noexcept
    {
        if (m_slots.empty())
            return nullptr;
        for (size_t i = h & m_mask;; i = (i + 1) & m_mask)
        {
            const Slot& s = m_slots[i];
            if (s.key.number == kEmpty)
                return nullptr;
            if (s.key == k)
                return &s;
        }
    }

    /// Inserts or overwrites. The caller keeps size() <= 3/4 of max_slots.
    void put(const MemKey& k, size_t h, const Hash& v)
    {
        if ((m_size + 1) * 4 > m_slots.size() * 3 && m_slots.size() < m_max_slots)
            grow();
        Slot& s = probe(k, h);
        if (s.key.number == kEmpty)
        {
            s.key = k;
            ++m_size;
        }
        s.value = v;
    }

    /// Frees every slot, keeping the memory.
    void clear() noexcept
    {
        if (m_size == 0)
            return;
        for (Slot& s : m_slots)
            s.key.number = kEmpty;
        m_size = 0;
    }

    /// Drops the entries of blocks below `number` (rebuilds the table).
    void erase_below(uint64_t number)
    {
        std::vector<Slot> old(m_slots.size());
        old.swap(m_slots);
        m_size = 0;
        for (const Slot& s : old)
        {
            if (s.key.number != kEmpty && s.key.number >= number)
            {
                probe(s.key, MemKeyHasher{}(s.key)) = s;
                ++m_size;
            }
        }
    }

private:
    Slot& probe(const MemKey& k, size_t h) noexcept
    {
        for (size_t i = h & m_mask;; i = (i + 1) & m_mask)
        {
            Slot& s = m_slots[i];
            if (s.key.number == kEmpty || s.key == k)
                return s;
        }
    }

    void grow()
    {
        std::vector<Slot> old(m_slots.empty() ? std::min<size_t>(16, m_max_slots)
                                              : m_slots.size() * 2);
        old.swap(m_slots);
        m_mask = m_slots.size() - 1;
        for (const Slot& s : old)
            if (s.key.number != kEmpty)
                probe(s.key, MemKeyHasher{}(s.key)) = s;
    }

    std::vector<Slot> m_slots;
    size_t m_mask = 0;
    size_t m_size = 0;
    size_t m_max_slots;
};

}  // namespace

/// Sharded tables, each shard with two generations: inserts go to `young`; when it holds
/// `m_generation` entries, `old` is dropped and `young` becomes `old`. A hit in `old` is
/// copied to `young`, so entries in use survive (an approximate LRU with no per-entry
/// bookkeeping). At most 2 x shards x generation entries, which is <= memory_entries.
struct L1StorageReader::MemoryCache
{
    struct Shard
    {
        explicit Shard(size_t max_slots) : young{max_slots}, old{max_slots} {}
        std::mutex mutex;
        FlatTable young;
        FlatTable old;
    };

    explicit MemoryCache(size_t entries)
    {
        const size_t shards = entries >= 1024 ? 16 : 1;
        m_shard_shift = shards == 16 ? 60 : 63;
        const size_t per_generation = entries / (2 * shards);
        if (per_generation == 0)
            return;  // no memory cache
        // Tables of a power-of-two size, at most 3/4 full.
        const size_t slots = std::max<size_t>(4, std::bit_floor(per_generation));
        m_generation = std::min(per_generation, slots / 4 * 3);
        m_shards.reserve(shards);
        for (size_t i = 0; i < shards; ++i)
            m_shards.push_back(std::make_unique<Shard>(slots));
    }

    bool enabled() const noexcept { return m_generation != 0; }

    Shard& shard(size_t h) noexcept
    {
        return *m_shards[m_shards.size() == 1 ? 0 : static_cast<uint64_t>(h) >> m_shard_shift];
    }

    bool get(const MemKey& k, Hash& out)
    {
        if (!enabled() || k.number == FlatTable::kEmpty)
            return false;
        const size_t h = MemKeyHasher{}(k);
        Shard& s = shard(h);
        const std::lock_guard lock{s.mutex};
        if (const auto* e = s.young.find(k, h))
        {
            out = e->value;
            return true;
        }
        const auto* e = s.old.find(k, h);
        if (e == nullptr)
            return false;
        out = e->value;
        insert_locked(s, k, h, out);
        return true;
    }

    void put(const MemKey& k, const Hash& v)
    {
        if (!enabled() || k.number == FlatTable::kEmpty)
            return;
        const size_t h = MemKeyHasher{}(k);
        Shard& s = shard(h);
        const std::lock_guard lock{s.mutex};
        insert_locked(s, k, h, v);
    }

    void insert_locked(Shard& s, const MemKey& k, size_t h, const Hash& v)
    {
        if (s.young.size() >= m_generation && s.young.find(k, h) == nullptr)
        {
            std::swap(s.young, s.old);
            s.young.clear();  // keeps the dropped generation's memory for reuse
        }
        s.young.put(k, h, v);
    }

    void prune_below(uint64_t number)
    {
        for (auto& s : m_shards)
        {
            const std::lock_guard lock{s->mutex};
            s->young.erase_below(number);
            s->old.erase_below(number);
        }
    }

    std::vector<std::unique_ptr<Shard>> m_shards;
    size_t m_generation = 0;  ///< entries per generation per shard; 0 = no memory cache
    int m_shard_shift = 63;
};

/// One read's request to L1, as other reads that need the same keys wait for it.
struct L1StorageReader::Flight
{
    std::mutex mutex;
    std::condition_variable landed;
    bool done = false;
    std::vector<Hash> values;        ///< in the order of the fetching read's own keys
    std::optional<RpcError> error;   ///< the request failed: the waiting reads fail with it
};

/// The keys being fetched right now, each with its flight and its place in the flight's values.
struct L1StorageReader::Flights
{
    struct Entry
    {
        std::shared_ptr<Flight> flight;
        size_t index;
    };
    std::mutex mutex;
    std::unordered_map<MemKey, Entry, MemKeyHasher> pending;
};

/// A key of a read (`key`: its index in the read) answered by another read's flight.
struct L1StorageReader::Wait
{
    size_t key;
    std::shared_ptr<Flight> flight;
    size_t index;
};

L1StorageReader::L1StorageReader(std::shared_ptr<RpcClient> rpc,
                                 state::KvStore* persistent,
                                 L1StorageOptions options)
    : m_rpc{std::move(rpc)},
      m_persistent{persistent},
      m_options{options},
      m_memory{std::make_unique<MemoryCache>(options.memory_entries)},
      m_flights{std::make_unique<Flights>()}
{}

L1StorageReader::~L1StorageReader() = default;

Result<std::vector<Hash>, RpcError> L1StorageReader::read(const Address& account,
                                                          std::span<const Hash> keys,
                                                          uint64_t block_number,
                                                          const Hash& block_hash)
{
    std::vector<Hash> out(keys.size());
    // Indexes of keys not found yet; allocates only when something misses memory.
    std::vector<size_t> missing;
    MemKey mk{block_number, block_hash, account, {}};
    uint64_t memory_hits = 0;
    for (size_t i = 0; i < keys.size(); ++i)
    {
        mk.slot = keys[i];
        if (m_memory->get(mk, out[i]))
            ++memory_hits;
        else
            missing.push_back(i);
    }
    if (memory_hits != 0)
        m_memory_hits.fetch_add(memory_hits, std::memory_order_relaxed);
    if (missing.empty())
        return out;

    if (m_persistent != nullptr)
    {
        Bytes value;
        size_t still = 0;
        for (const size_t i : missing)
        {
            const auto key = l1sload_db_key(block_number, account, keys[i]);
            if (m_persistent->get(state::Column::kL1Sload, ByteView{key.data(), key.size()},
                                  value) &&
                value.size() == kValueSize && std::memcmp(value.data(), block_hash.data(), 32) == 0)
            {
                std::memcpy(out[i].data(), value.data() + 32, 32);
                mk.slot = keys[i];
                m_memory->put(mk, out[i]);
                m_disk_hits.fetch_add(1, std::memory_order_relaxed);
            }
            else
                missing[still++] = i;  // absent, or cached for another block hash (L1 reorg)
        }
        missing.resize(still);
        if (missing.empty())
            return out;
    }

    m_misses.fetch_add(missing.size(), std::memory_order_relaxed);

    // Single flight: a key another read is fetching right now waits for that read's answer
    // instead of asking L1 again (the sequencer, eth_call threads and derivation often miss
    // the same slots of the same L1 block at once). The rest this read fetches itself, and
    // registers first, so later reads wait for it.
    std::vector<size_t> own;
    std::vector<Wait> waits;
    std::shared_ptr<Flight> mine;
    {
        const std::lock_guard lock{m_flights->mutex};
        for (const size_t i : missing)
        {
            mk.slot = keys[i];
            if (const auto it = m_flights->pending.find(mk); it != m_flights->pending.end())
                waits.push_back({i, it->second.flight, it->second.index});
            else if (!m_memory->get(mk, out[i]))  // not landed since the miss above
                own.push_back(i);
        }
        if (!own.empty())
        {
            mine = std::make_shared<Flight>();
            for (size_t j = 0; j < own.size(); ++j)
            {
                mk.slot = keys[own[j]];
                m_flights->pending.emplace(mk, Flights::Entry{mine, j});
            }
        }
    }
    if (mine)
    {
        // Land: the values are in the memory cache (fetch put them there) before the keys
        // leave the pending set, so a read that finds neither really has to ask L1. Also on
        // an exception (a bug), so that no waiting read hangs.
        const auto land = [&](const Result<std::vector<Hash>, RpcError>& fetched) {
            {
                const std::lock_guard lock{m_flights->mutex};
                for (const size_t i : own)
                {
                    mk.slot = keys[i];
                    m_flights->pending.erase(mk);
                }
            }
            {
                const std::lock_guard lock{mine->mutex};
                mine->done = true;
                if (fetched)
                    mine->values = *fetched;
                else
                    mine->error = fetched.error();
            }
            mine->landed.notify_all();
        };
        Result<std::vector<Hash>, RpcError> fetched =
            unexpected(RpcError{.code = RpcErrc::kTransport,
                                .message = "L1SLOAD read abandoned (internal error)",
                                .method = "eth_getStorageAt"});
        try
        {
            fetched = fetch(account, keys, own, block_number, block_hash);
        }
        catch (...)
        {
            land(fetched);
            throw;
        }
        land(fetched);
        if (!fetched)
            return failure(std::move(fetched.error()));
        for (size_t j = 0; j < own.size(); ++j)
            out[own[j]] = (*fetched)[j];
    }
    for (const Wait& w : waits)
    {
        std::unique_lock lock{w.flight->mutex};
        w.flight->landed.wait(lock, [&] { return w.flight->done; });
        if (w.flight->error)
            return failure(*w.flight->error);
        out[w.key] = w.flight->values[w.index];
    }
    if (!waits.empty())
        m_coalesced.fetch_add(waits.size(), std::memory_order_relaxed);
    return out;
}

Result<std::vector<Hash>, RpcError> L1StorageReader::fetch(const Address& account,
                                                           std::span<const Hash> keys,
                                                           std::span<const size_t> which,
                                                           uint64_t block_number,
                                                           const Hash& block_hash)
{
    if (m_rpc == nullptr)  // a cache-only reader (tools, tests)
        return unexpected(RpcError{.code = RpcErrc::kTransport,
                                   .message = "no L1 RPC client: cache-only L1SLOAD reader",
                                   .method = "eth_getStorageAt"});
    if (auto admitted = admit(); !admitted)
        return unexpected(std::move(admitted.error()));

    // EIP-1898: by hash, so every node reads the same block whatever its canonical chain is.
    const json block_id = {{"blockHash", to_0x_hex(block_hash)}, {"requireCanonical", false}};
    const std::string address_hex = to_0x_hex(account);
    std::vector<RpcRequest> requests;
    requests.reserve(which.size());
    for (const size_t i : which)
        requests.emplace_back("eth_getStorageAt",
                              json::array({address_hex, to_0x_hex(keys[i]), block_id}));

    m_requests.fetch_add(1, std::memory_order_relaxed);
    auto replies = m_rpc->batch(requests);
    settle(replies ? nullptr : &replies.error());
    if (!replies)
        return unexpected(std::move(replies.error()));
    if (replies->size() != which.size())  // RpcClient answers one per request; be safe
        return unexpected(decode_failure(*m_rpc, "batch of " + std::to_string(which.size()) +
                                                     " got " + std::to_string(replies->size()) +
                                                     " replies"));
    std::vector<Hash> values(which.size());
    for (size_t j = 0; j < which.size(); ++j)
    {
        auto& reply = (*replies)[j];
        if (!reply)
            return unexpected(std::move(reply.error()));
        auto word = decode_word(*reply);
        if (!word)
            return unexpected(
                decode_failure(*m_rpc, "[" + std::to_string(j) + "]: " + word.error()));
        values[j] = *word;
    }

    // All good: cache everything (nothing is cached from a read that failed in part).
    MemKey mk{block_number, block_hash, account, {}};
    state::WriteBatch batch;
    if (m_persistent != nullptr)
        batch.reserve(which.size(), which.size() * (60 + kValueSize));
    uint8_t value[kValueSize];
    std::memcpy(value, block_hash.data(), 32);
    for (size_t j = 0; j < which.size(); ++j)
    {
        mk.slot = keys[which[j]];
        m_memory->put(mk, values[j]);
        if (m_persistent == nullptr)
            continue;
        const auto key = l1sload_db_key(block_number, account, keys[which[j]]);
        std::memcpy(value + 32, values[j].data(), 32);
        batch.put(state::Column::kL1Sload, ByteView{key.data(), key.size()},
                  ByteView{value, kValueSize});
    }
    if (m_persistent != nullptr)
    {
        // A cache that cannot be written costs a later request, not this read.
        if (auto w = m_persistent->write(batch); !w)
            spdlog::warn("L1SLOAD cache: writing {} entries failed: {}", batch.size(),
                         w.error().message);
    }
    return values;
}

Result<void, RpcError> L1StorageReader::admit()
{
    const std::lock_guard lock{m_breaker_mutex};
    if (m_backoff.count() == 0)
        return {};
    const auto now = Clock::now();
    if (now >= m_open_until && !m_probe_in_flight)
    {
        m_probe_in_flight = true;  // this request is the probe; the others keep failing fast
        return {};
    }
    RpcError e = m_last_failure;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::max(m_open_until - now, Clock::duration::zero()));
    e.message = "L1 circuit breaker open (" +
                (m_probe_in_flight ? std::string{"probe in flight"}
                                   : "next try in " + std::to_string(left.count()) + " ms") +
                "), last failure: " + m_last_failure.message;
    e.method = "eth_getStorageAt";
    return unexpected(std::move(e));
}

void L1StorageReader::settle(const RpcError* transport_failure)
{
    const std::lock_guard lock{m_breaker_mutex};
    m_probe_in_flight = false;
    if (transport_failure == nullptr)
    {
        if (m_backoff.count() != 0)
            spdlog::info("L1SLOAD reader: L1 answers again, circuit breaker closed");
        m_backoff = std::chrono::milliseconds{0};
        return;
    }
    const bool was_closed = m_backoff.count() == 0;
    m_backoff =
        was_closed ? m_options.backoff_initial : std::min(m_backoff * 2, m_options.backoff_max);
    m_backoff = std::max(m_backoff, std::chrono::milliseconds{1});
    m_open_until = Clock::now() + m_backoff;
    m_last_failure = *transport_failure;
    // Once per outage at warn; the failed probes after it at debug.
    spdlog::log(was_closed ? spdlog::level::warn : spdlog::level::debug,
                "L1SLOAD reader: L1 failed ({}); reads that miss the cache fail for {} ms",
                transport_failure->to_string(), m_backoff.count());
}

Unexpected<RpcError> L1StorageReader::failure(RpcError e)
{
    m_failures.fetch_add(1, std::memory_order_relaxed);
    return unexpected(std::move(e));
}

L1StorageStats L1StorageReader::stats() const
{
    return {.memory_hits = m_memory_hits.load(std::memory_order_relaxed),
            .disk_hits = m_disk_hits.load(std::memory_order_relaxed),
            .misses = m_misses.load(std::memory_order_relaxed),
            .requests = m_requests.load(std::memory_order_relaxed),
            .failures = m_failures.load(std::memory_order_relaxed),
            .coalesced = m_coalesced.load(std::memory_order_relaxed)};
}

void L1StorageReader::prune_below(uint64_t block_number)
{
    if (block_number == 0)
        return;
    m_memory->prune_below(block_number);
    if (m_persistent == nullptr)
        return;
    uint8_t begin[8] = {};
    uint8_t end[8];
    store_be_u64(end, block_number);
    if (auto r = m_persistent->delete_range(state::Column::kL1Sload, ByteView{begin, 8},
                                            ByteView{end, 8});
        !r)
        spdlog::warn("L1SLOAD cache: pruning below L1 block {} failed: {}", block_number,
                     r.error().message);
}

}  // namespace l2::l1client
