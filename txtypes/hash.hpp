#pragma once
/// Fixed-size byte values: Hash (32 bytes) and Address (20 bytes), in `l2` as vocabulary types.

#include <array>
#include <compare>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "bytes.hpp"
#include "result.hpp"

namespace l2 {

template <size_t N>
struct FixedBytes
{
    std::array<uint8_t, N> bytes{};

    static constexpr size_t size() noexcept { return N; }
    uint8_t* data() noexcept { return bytes.data(); }
    const uint8_t* data() const noexcept { return bytes.data(); }
    uint8_t& operator[](size_t i) noexcept { return bytes[i]; }
    const uint8_t& operator[](size_t i) const noexcept { return bytes[i]; }
    ByteView view() const noexcept { return {bytes.data(), N}; }
    operator ByteView() const noexcept { return view(); }

    bool is_zero() const noexcept
    {
        for (auto b : bytes)
            if (b != 0)
                return false;
        return true;
    }

    /// Copies exactly N bytes; returns false (and leaves *this zero) when `b` has another size.
    static bool from_view(ByteView b, FixedBytes& out) noexcept
    {
        out = {};
        if (b.size() != N)
            return false;
        std::memcpy(out.bytes.data(), b.data(), N);
        return true;
    }

    /// Right-aligned copy of at most N bytes (big-endian numbers, left-padded with zeros).
    static FixedBytes left_padded(ByteView b) noexcept
    {
        FixedBytes out;
        const size_t n = b.size() < N ? b.size() : N;
        if (n != 0)
            std::memcpy(out.bytes.data() + (N - n), b.data() + (b.size() - n), n);
        return out;
    }

    friend constexpr auto operator<=>(const FixedBytes&, const FixedBytes&) = default;
    friend constexpr bool operator==(const FixedBytes&, const FixedBytes&) = default;
};

struct Hash : FixedBytes<32>
{};
struct Address : FixedBytes<20>
{};

namespace detail {
consteval uint8_t hex_nibble(char c)
{
    return static_cast<uint8_t>(c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0');
}
template <typename T, size_t L>
consteval T fixed_from_literal(const char (&hex)[L])
{
    static_assert(L == 2 * T::size() + 1, "literal must be exactly the value's hex digits");
    T out{};
    for (size_t i = 0; i < T::size(); ++i)
        out.bytes[i] = static_cast<uint8_t>(hex_nibble(hex[2 * i]) << 4 | hex_nibble(hex[2 * i + 1]));
    return out;
}
}  // namespace detail

/// Compile-time constants: `constexpr Hash h = hash_literal("56e8...")` (no 0x prefix).
template <size_t L>
consteval Hash hash_literal(const char (&hex)[L])
{
    return detail::fixed_from_literal<Hash>(hex);
}
template <size_t L>
consteval Address address_literal(const char (&hex)[L])
{
    return detail::fixed_from_literal<Address>(hex);
}

/// Parses "0x"-prefixed or bare hex of exactly the type's size.
Result<Hash, std::string> hash_from_hex(std::string_view hex);
Result<Address, std::string> address_from_hex(std::string_view hex);

/// "0x" + lowercase hex.
std::string to_0x_hex(const Hash& h);
std::string to_0x_hex(const Address& a);

/// Hasher for unordered containers keyed by hashes or addresses (lookups only: never iterate
/// such a container into anything consensus-critical, STYLE.md §2.9).
struct FixedBytesHasher
{
    template <size_t N>
    size_t operator()(const FixedBytes<N>& v) const noexcept
    {
        size_t h;
        static_assert(N >= sizeof(h));
        std::memcpy(&h, v.data() + N - sizeof(h), sizeof(h));
        return h;
    }
};

}  // namespace l2
