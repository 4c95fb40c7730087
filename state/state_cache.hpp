#pragma once
/// The in-memory cache in front of the flat state: the "cached state_get" path (DESIGN target
/// <= 120 ns, prefix overhead < 3-5%). Keys are the flat-KV keys themselves (engine || identity
/// [|| slot]), held inline; values are decoded (U256 slots, Account records), so a hit costs one
/// hash of the key and one probe. Bounded: when an entry count passes its limit the cache is
/// dropped whole (cheap, and a block's working set refills it). Single-threaded: StateDb's owner
/// serialises access.

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
/// touches one cache line, no node allocation, no pointer chasing. Deletion uses tombstones;
/// the table is dropped whole when it fills up (see above).
template <size_t N, typename V>
class FlatCache
{
public:
    /// Starts small and doubles up to room for `max_entries` at half load: the table stays
    /// the size of the working set (fewer cache and TLB misses), never more than that bound.
    explicit FlatCache(size_t max_entries) : m_limit{max_entries} { reset(1024); }

    const V* find(ByteView key) const noexcept
    {
        const InlineKey<N> k = InlineKey<N>::of(key);
        const uint64_t h = hash_of(k);
        for (size_t i = h & m_mask;; i = (i + 1) & m_mask)
        {
            const Slot& s = m_slots[i];
            if (s.state == kEmpty)
                return nullptr;
            if (s.state == kFull && s.hash == h && s.key == k)
                return &s.value;
        }
    }
    /// Starts loading the cache line `key` hashes to: a caller storing many keys prefetches a
    /// few ahead, so the table's DRAM misses overlap instead of queueing one after another.
    void prefetch(ByteView key) const noexcept
    {
        __builtin_prefetch(&m_slots[hash_of(InlineKey<N>::of(key)) & m_mask], 1);
    }
    void put(ByteView key, V value)
    {
        if (m_used >= m_max)
        {
            if (m_slots.size() / 2 < m_limit)
                grow();
            else
                clear();
        }
        const InlineKey<N> k = InlineKey<N>::of(key);
        const uint64_t h = hash_of(k);
        Slot* tomb = nullptr;
        for (size_t i = h & m_mask;; i = (i + 1) & m_mask)
        {
            Slot& s = m_slots[i];
            if (s.state == kFull && s.hash == h && s.key == k)
            {
                s.value = std::move(value);
                return;
            }
            if (s.state == kTomb && !tomb)
                tomb = &s;
            if (s.state == kEmpty)
            {
                Slot& dst = tomb ? *tomb : s;
                if (!tomb)
                    ++m_used;
                dst = Slot{h, k, std::move(value), kFull};
                ++m_size;
                return;
            }
        }
    }
    void erase(ByteView key)
    {
        const InlineKey<N> k = InlineKey<N>::of(key);
        const uint64_t h = hash_of(k);
        for (size_t i = h & m_mask;; i = (i + 1) & m_mask)
        {
            Slot& s = m_slots[i];
            if (s.state == kEmpty)
                return;
            if (s.state == kFull && s.hash == h && s.key == k)
            {
                s.state = kTomb;
                --m_size;
                return;
            }
        }
    }
    void clear() noexcept
    {
        for (auto& s : m_slots)
            s.state = kEmpty;
        m_size = m_used = 0;
    }
    size_t size() const noexcept { return m_size; }

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

    void reset(size_t cap)
    {
        m_slots.assign(cap, Slot{});
        m_mask = cap - 1;
        m_max = cap / 2;
        m_used = m_size = 0;
    }
    void grow()
    {
        std::vector<Slot> old = std::move(m_slots);
        reset(old.size() * 2);
        for (auto& s : old)
        {
            if (s.state != kFull)
                continue;
            size_t i = s.hash & m_mask;
            while (m_slots[i].state != kEmpty)
                i = (i + 1) & m_mask;
            m_slots[i] = std::move(s);
            ++m_used;
            ++m_size;
        }
    }

    size_t m_limit;
    std::vector<Slot> m_slots;
    size_t m_mask = 0;
    size_t m_max = 0;
    size_t m_used = 0;  ///< full + tombstones (probe-chain length bound)
    size_t m_size = 0;
};

/// Slot values by flat slot key; accounts (or their absence) by flat account key. Each grows
/// with its working set up to 1M entries (about 100-160 MB when full).
struct StateCache
{
    FlatCache<kEvmSlotKeySize, U256> slots{1u << 20};
    FlatCache<kAccountKeySize, std::optional<Account>> accounts{1u << 20};
};

}  // namespace l2::state
