#pragma once
/// The in-memory cache in front of the flat state: the "cached state_get" path (DESIGN target
/// <= 120 ns, prefix overhead < 3-5%). Keys are the flat-KV keys themselves (engine || identity
/// [|| slot]), held inline; values are decoded (U256 slots, Account records), so a hit costs one
/// hash of the key and one probe. Bounded by two generations: when the young one fills, the
/// old one is dropped (what was read since survives). Single-threaded: StateDb's owner
/// serialises access.

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <vector>

#include <txtypes/uint256.hpp>

#include "account.hpp"
#include "keys.hpp"

namespace l2::state {

/// A flat key of at most N bytes, inline.
template <size_t N>
struct InlineKey
{
    std::array<uint8_t, N> bytes{};
    uint8_t size = 0;

    static InlineKey of(ByteView k) noexcept
    {
        InlineKey out;
        out.size = static_cast<uint8_t>(k.size() < N ? k.size() : N);
        std::memcpy(out.bytes.data(), k.data(), out.size);
        return out;
    }
    friend bool operator==(const InlineKey& a, const InlineKey& b) noexcept
    {
        return a.size == b.size && std::memcmp(a.bytes.data(), b.bytes.data(), a.size) == 0;
    }
};

/// Hashes the identity and the tail of the key (the slot's low bytes). Both matter: many
/// contracts use the same small slots (0, 1, 2, ...), and many slots share an identity.
struct InlineKeyHasher
{
    static uint64_t load(const uint8_t* p) noexcept
    {
        uint64_t v;
        std::memcpy(&v, p, 8);
        return v;
    }
    template <size_t N>
    size_t operator()(const InlineKey<N>& k) const noexcept
    {
        static_assert(N >= 21, "keys hold an engine byte and a 20-byte identity");
        // Identity bytes 1..8 and 13..20 (the engine byte is constant), and the last 8 bytes.
        const uint64_t id = load(k.bytes.data() + 1) ^ (load(k.bytes.data() + 13) << 1);
        const uint64_t tail = k.size > 21 ? load(k.bytes.data() + k.size - 8) : 0;
        uint64_t h = (id ^ (tail * 0x9e3779b97f4a7c15ULL)) + k.size;
        h ^= h >> 29;
        h *= 0xbf58476d1ce4e5b9ULL;
        h ^= h >> 32;
        return static_cast<size_t>(h);
    }
};

/// An open-addressing (linear probing) map from inline keys to values: one probe usually
/// touches one cache line, no node allocation, no pointer chasing. Deletion uses tombstones.
///
/// Bounded by two generations: new entries go to the young table, which grows up to half the
/// bound; when it is full the old table is dropped and the young one becomes the old one. A
/// hit in the old table moves the entry back to the young one. So what was read since the last
/// turn survives the next (a node's hot accounts and slots stay through a stream of keys read
/// once), where dropping the whole cache would lose it; a turn costs one pass over the old
/// table, as the drop did.
template <size_t N, typename V>
class FlatCache
{
public:
    /// Each table starts small and doubles up to room for `max_entries` / 2 at half load: the
    /// tables stay the size of the working set, never more than the bound together.
    explicit FlatCache(size_t max_entries) : m_limit{std::max<size_t>(max_entries / 2, 512)}
    {
        m_young.reset(1024);
        m_old.reset(1024);
    }

    /// The value of `key`, or null. A hit in the old table moves the entry to the young one;
    /// the pointer is valid until the next put, erase or clear.
    const V* find(ByteView key)
    {
        const InlineKey<N> k = InlineKey<N>::of(key);
        const uint64_t h = hash_of(k);
        if (const Slot* s = m_young.find(k, h))
            return &s->value;
        const Slot* s = m_old.find(k, h);
        if (s == nullptr)
            return nullptr;
        V value = s->value;
        return &insert(k, h, std::move(value));
    }
    /// Starts loading the cache line `key` hashes to in the young table (where hits of keys
    /// read since the last turn are): a caller storing or reading many keys prefetches a few
    /// ahead, so the table's DRAM misses overlap instead of queueing one after another.
    void prefetch(ByteView key) const noexcept { m_young.prefetch(hash_of(InlineKey<N>::of(key))); }
    void put(ByteView key, V value)
    {
        const InlineKey<N> k = InlineKey<N>::of(key);
        insert(k, hash_of(k), std::move(value));
    }
    void erase(ByteView key)
    {
        const InlineKey<N> k = InlineKey<N>::of(key);
        const uint64_t h = hash_of(k);
        m_young.erase(k, h);
        m_old.erase(k, h);
    }
    void clear() noexcept
    {
        m_young.clear();
        m_old.clear();
    }
    /// Entries held (a key in both tables counts twice until the next turn).
    size_t size() const noexcept { return m_young.size + m_old.size; }

private:
    static constexpr uint8_t kEmpty = 0, kFull = 1, kTomb = 2;
    struct Slot
    {
        uint64_t hash = 0;
        InlineKey<N> key;
        V value{};
        uint8_t state = kEmpty;
    };
    static uint64_t hash_of(const InlineKey<N>& k) noexcept { return InlineKeyHasher{}(k); }

    struct Table
    {
        std::vector<Slot> slots;
        size_t mask = 0;
        size_t max = 0;
        size_t used = 0;  ///< full + tombstones (probe-chain length bound)
        size_t size = 0;

        const Slot* find(const InlineKey<N>& k, uint64_t h) const noexcept
        {
            for (size_t i = h & mask;; i = (i + 1) & mask)
            {
                const Slot& s = slots[i];
                if (s.state == kEmpty)
                    return nullptr;
                if (s.state == kFull && s.hash == h && s.key == k)
                    return &s;
            }
        }
        void prefetch(uint64_t h) const noexcept { __builtin_prefetch(&slots[h & mask], 1); }
        /// Sets `k` (room checked by the caller).
        Slot& put(const InlineKey<N>& k, uint64_t h, V&& value)
        {
            Slot* tomb = nullptr;
            for (size_t i = h & mask;; i = (i + 1) & mask)
            {
                Slot& s = slots[i];
                if (s.state == kFull && s.hash == h && s.key == k)
                {
                    s.value = std::move(value);
                    return s;
                }
                if (s.state == kTomb && !tomb)
                    tomb = &s;
                if (s.state == kEmpty)
                {
                    Slot& dst = tomb ? *tomb : s;
                    if (!tomb)
                        ++used;
                    dst = Slot{h, k, std::move(value), kFull};
                    ++size;
                    return dst;
                }
            }
        }
        void erase(const InlineKey<N>& k, uint64_t h) noexcept
        {
            for (size_t i = h & mask;; i = (i + 1) & mask)
            {
                Slot& s = slots[i];
                if (s.state == kEmpty)
                    return;
                if (s.state == kFull && s.hash == h && s.key == k)
                {
                    s.state = kTomb;
                    --size;
                    return;
                }
            }
        }
        void clear() noexcept
        {
            for (auto& s : slots)
                s.state = kEmpty;
            size = used = 0;
        }
        void reset(size_t cap)
        {
            slots.assign(cap, Slot{});
            mask = cap - 1;
            max = cap / 2;
            used = size = 0;
        }
        void grow()
        {
            std::vector<Slot> old = std::move(slots);
            reset(old.size() * 2);
            for (auto& s : old)
            {
                if (s.state != kFull)
                    continue;
                size_t i = s.hash & mask;
                while (slots[i].state != kEmpty)
                    i = (i + 1) & mask;
                slots[i] = std::move(s);
                ++used;
                ++size;
            }
        }
    };

    /// Puts `k` in the young table, growing it or turning the generations first when full.
    V& insert(const InlineKey<N>& k, uint64_t h, V&& value)
    {
        if (m_young.used >= m_young.max)
        {
            if (m_young.slots.size() / 2 < m_limit)
                m_young.grow();
            else
            {
                // The turn: the old generation goes, the young one becomes it. The young
                // table takes the old one's memory (no fresh pages to fault in).
                std::swap(m_young, m_old);
                m_young.clear();
            }
        }
        return m_young.put(k, h, std::move(value)).value;
    }

    size_t m_limit;  ///< entries per table
    Table m_young;
    Table m_old;
};

/// Slot values by flat slot key; accounts (or their absence) by flat account key. Each grows
/// with its working set up to 1M entries in its two generations (about 100-200 MB when full).
struct StateCache
{
    FlatCache<kEvmSlotKeySize, U256> slots{1u << 20};
    FlatCache<kAccountKeySize, std::optional<Account>> accounts{1u << 20};
};

}  // namespace l2::state
