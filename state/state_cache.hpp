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
#include <unordered_map>

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

/// Mixes the identity and the tail of the key: slots and addresses are near-random already.
struct InlineKeyHasher
{
    template <size_t N>
    size_t operator()(const InlineKey<N>& k) const noexcept
    {
        uint64_t a = 0;
        uint64_t b = 0;
        std::memcpy(&a, k.bytes.data() + (k.size > 16 ? k.size - 16 : 0), 8);
        std::memcpy(&b, k.bytes.data() + (k.size > 8 ? k.size - 8 : 0), 8);
        return static_cast<size_t>((a * 0x9e3779b97f4a7c15ULL) ^ b ^ k.size);
    }
};

template <size_t N, typename V>
class FlatCache
{
public:
    explicit FlatCache(size_t max_entries) : m_max{max_entries} { m_map.reserve(1024); }

    const V* find(ByteView key) const noexcept
    {
        const auto it = m_map.find(InlineKey<N>::of(key));
        return it == m_map.end() ? nullptr : &it->second;
    }
    void put(ByteView key, V value)
    {
        if (m_map.size() >= m_max)
            m_map.clear();
        m_map.insert_or_assign(InlineKey<N>::of(key), std::move(value));
    }
    void erase(ByteView key) { m_map.erase(InlineKey<N>::of(key)); }
    void clear() noexcept { m_map.clear(); }
    size_t size() const noexcept { return m_map.size(); }

private:
    size_t m_max;
    std::unordered_map<InlineKey<N>, V, InlineKeyHasher> m_map;
};

/// Slot values by flat slot key; accounts (or their absence) by flat account key.
struct StateCache
{
    FlatCache<kEvmSlotKeySize, U256> slots{1u << 20};
    FlatCache<kAccountKeySize, std::optional<Account>> accounts{1u << 18};
};

}  // namespace l2::state
