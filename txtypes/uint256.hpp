#pragma once
/// U256: the 256-bit unsigned word of the EVM (YP §9.1), in intx's shape: four little-endian
/// 64-bit limbs, wrapping arithmetic mod 2^256, hot operations inline and `constexpr`.
/// Division, the EVM's modular helpers and string conversions live in uint256.cpp.

#include <bit>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "bytes.hpp"
#include "result.hpp"

namespace l2 {

namespace u256_detail {

__extension__ typedef unsigned __int128 U128;

/// a + b + carry; `carry` becomes the carry out. Compiles to an add/adc chain.
constexpr uint64_t addc(uint64_t a, uint64_t b, bool& carry) noexcept
{
    uint64_t s = 0;
    const bool c1 = __builtin_add_overflow(a, b, &s);
    const bool c2 = __builtin_add_overflow(s, uint64_t{carry}, &s);
    carry = c1 || c2;
    return s;
}

/// a - b - borrow; `borrow` becomes the borrow out. Compiles to a sub/sbb chain.
constexpr uint64_t subb(uint64_t a, uint64_t b, bool& borrow) noexcept
{
    uint64_t d = 0;
    const bool b1 = __builtin_sub_overflow(a, b, &d);
    const bool b2 = __builtin_sub_overflow(d, uint64_t{borrow}, &d);
    borrow = b1 || b2;
    return d;
}

constexpr U128 hi128(const uint64_t* w) noexcept
{
    return (U128{w[3]} << 64) | w[2];
}

constexpr U128 lo128(const uint64_t* w) noexcept
{
    return (U128{w[1]} << 64) | w[0];
}

}  // namespace u256_detail

/// An unsigned 256-bit integer. `w[0]` is the least significant limb. Trivially copyable; the
/// default value is zero. Operators wrap mod 2^256; `/` and `%` by zero give 0 (EVM DIV/MOD).
struct U256
{
    uint64_t w[4]{};

    constexpr U256() noexcept = default;
    constexpr U256(uint64_t v) noexcept : w{v, 0, 0, 0} {}  // Implicit, as intx: `x + 1`.
    /// From limbs, least significant first.
    constexpr U256(uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3) noexcept : w{w0, w1, w2, w3}
    {}

    constexpr explicit operator bool() const noexcept { return (w[0] | w[1] | w[2] | w[3]) != 0; }

    friend constexpr bool operator==(const U256& a, const U256& b) noexcept
    {
        return ((a.w[0] ^ b.w[0]) | (a.w[1] ^ b.w[1]) | (a.w[2] ^ b.w[2]) | (a.w[3] ^ b.w[3])) == 0;
    }

    /// Branch-free: compares the high halves, then the low halves, as 128-bit numbers.
    friend constexpr bool operator<(const U256& a, const U256& b) noexcept
    {
        using namespace u256_detail;
        const U128 ah = hi128(a.w), bh = hi128(b.w);
        return (ah < bh) | ((ah == bh) & (lo128(a.w) < lo128(b.w)));
    }
    friend constexpr bool operator>(const U256& a, const U256& b) noexcept { return b < a; }
    friend constexpr bool operator<=(const U256& a, const U256& b) noexcept { return !(b < a); }
    friend constexpr bool operator>=(const U256& a, const U256& b) noexcept { return !(a < b); }
    friend constexpr std::strong_ordering operator<=>(const U256& a, const U256& b) noexcept
    {
        for (size_t i = 4; i-- > 0;)
        {
            if (a.w[i] != b.w[i])
                return a.w[i] <=> b.w[i];
        }
        return std::strong_ordering::equal;
    }

    friend constexpr U256 operator+(const U256& a, const U256& b) noexcept
    {
        bool c = false;
        U256 r;
        for (size_t i = 0; i < 4; ++i)
            r.w[i] = u256_detail::addc(a.w[i], b.w[i], c);
        return r;
    }

    friend constexpr U256 operator-(const U256& a, const U256& b) noexcept
    {
        bool c = false;
        U256 r;
        for (size_t i = 0; i < 4; ++i)
            r.w[i] = u256_detail::subb(a.w[i], b.w[i], c);
        return r;
    }

    /// Two's complement negation.
    friend constexpr U256 operator-(const U256& a) noexcept { return U256{} - a; }

    /// Schoolbook product truncated to 256 bits: 6 full 64x64->128 and 4 low-half multiplies.
    friend constexpr U256 operator*(const U256& a, const U256& b) noexcept
    {
        using u256_detail::U128;
        U256 r;
        for (size_t j = 0; j < 4; ++j)
        {
            uint64_t carry = 0;
            for (size_t i = 0; i + j < 3; ++i)
            {
                const U128 p = U128{a.w[i]} * b.w[j] + r.w[i + j] + carry;
                r.w[i + j] = static_cast<uint64_t>(p);
                carry = static_cast<uint64_t>(p >> 64);
            }
            r.w[3] += a.w[3 - j] * b.w[j] + carry;
        }
        return r;
    }

    /// Quotient; 0 when `b` is zero (EVM DIV, YP Appendix H).
    friend U256 operator/(const U256& a, const U256& b) noexcept;
    /// Remainder; 0 when `b` is zero (EVM MOD).
    friend U256 operator%(const U256& a, const U256& b) noexcept;

    friend constexpr U256 operator&(const U256& a, const U256& b) noexcept
    {
        return {a.w[0] & b.w[0], a.w[1] & b.w[1], a.w[2] & b.w[2], a.w[3] & b.w[3]};
    }
    friend constexpr U256 operator|(const U256& a, const U256& b) noexcept
    {
        return {a.w[0] | b.w[0], a.w[1] | b.w[1], a.w[2] | b.w[2], a.w[3] | b.w[3]};
    }
    friend constexpr U256 operator^(const U256& a, const U256& b) noexcept
    {
        return {a.w[0] ^ b.w[0], a.w[1] ^ b.w[1], a.w[2] ^ b.w[2], a.w[3] ^ b.w[3]};
    }
    friend constexpr U256 operator~(const U256& a) noexcept
    {
        return {~a.w[0], ~a.w[1], ~a.w[2], ~a.w[3]};
    }

    /// Left shift; shifts of 256 or more give 0.
    friend constexpr U256 operator<<(const U256& x, uint64_t s) noexcept
    {
        U256 r;
        if (s >= 256)
            return r;
        const size_t ws = static_cast<size_t>(s / 64);
        const unsigned bs = static_cast<unsigned>(s % 64);
        // `(lo >> 1) >> (63 - bs)` is `lo >> (64 - bs)` without the undefined shift by 64.
        r.w[ws] = x.w[0] << bs;
        for (size_t i = ws + 1; i < 4; ++i)
            r.w[i] = (x.w[i - ws] << bs) | ((x.w[i - ws - 1] >> 1) >> (63 - bs));
        return r;
    }

    /// Logical right shift; shifts of 256 or more give 0.
    friend constexpr U256 operator>>(const U256& x, uint64_t s) noexcept
    {
        U256 r;
        if (s >= 256)
            return r;
        const size_t ws = static_cast<size_t>(s / 64);
        const unsigned bs = static_cast<unsigned>(s % 64);
        for (size_t i = 0; i + ws < 3; ++i)
            r.w[i] = (x.w[i + ws] >> bs) | ((x.w[i + ws + 1] << 1) << (63 - bs));
        r.w[3 - ws] = x.w[3] >> bs;
        return r;
    }

    /// Shifts by a 256-bit amount (EVM SHL/SHR operand order aside).
    friend constexpr U256 operator<<(const U256& x, const U256& s) noexcept
    {
        return (s.w[1] | s.w[2] | s.w[3]) != 0 ? U256{} : x << s.w[0];
    }
    friend constexpr U256 operator>>(const U256& x, const U256& s) noexcept
    {
        return (s.w[1] | s.w[2] | s.w[3]) != 0 ? U256{} : x >> s.w[0];
    }

    constexpr U256& operator+=(const U256& b) noexcept { return *this = *this + b; }
    constexpr U256& operator-=(const U256& b) noexcept { return *this = *this - b; }
    constexpr U256& operator*=(const U256& b) noexcept { return *this = *this * b; }
    U256& operator/=(const U256& b) noexcept { return *this = *this / b; }
    U256& operator%=(const U256& b) noexcept { return *this = *this % b; }
    constexpr U256& operator&=(const U256& b) noexcept { return *this = *this & b; }
    constexpr U256& operator|=(const U256& b) noexcept { return *this = *this | b; }
    constexpr U256& operator^=(const U256& b) noexcept { return *this = *this ^ b; }
    constexpr U256& operator<<=(uint64_t s) noexcept { return *this = *this << s; }
    constexpr U256& operator>>=(uint64_t s) noexcept { return *this = *this >> s; }

    constexpr U256& operator++() noexcept { return *this = *this + 1; }
    constexpr U256& operator--() noexcept { return *this = *this - 1; }
    constexpr U256 operator++(int) noexcept
    {
        const U256 old = *this;
        ++*this;
        return old;
    }
    constexpr U256 operator--(int) noexcept
    {
        const U256 old = *this;
        --*this;
        return old;
    }
};

static_assert(sizeof(U256) == 32 && std::is_trivially_copyable_v<U256>);

/// 2^256 - 1.
inline constexpr U256 kU256Max{~uint64_t{0}, ~uint64_t{0}, ~uint64_t{0}, ~uint64_t{0}};

/// Quotient and remainder of one division.
struct U256DivResult
{
    U256 quot;
    U256 rem;
};

/// Quotient and remainder together (Knuth algorithm D with Möller-Granlund reciprocals);
/// both are 0 when `d` is zero.
U256DivResult udivrem(const U256& a, const U256& d) noexcept;

constexpr bool fits_u64(const U256& x) noexcept
{
    return (x.w[1] | x.w[2] | x.w[3]) == 0;
}

constexpr uint64_t low_u64(const U256& x) noexcept
{
    return x.w[0];
}

/// Count of leading zero bits; 256 for 0.
constexpr unsigned clz(const U256& x) noexcept
{
    for (size_t i = 4; i-- > 0;)
    {
        if (x.w[i] != 0)
            return static_cast<unsigned>((3 - i) * 64) + static_cast<unsigned>(std::countl_zero(x.w[i]));
    }
    return 256;
}

/// Bits needed to represent `x`; 0 for 0.
constexpr unsigned bit_width(const U256& x) noexcept
{
    return 256 - clz(x);
}

/// Bytes needed to represent `x` (EVM EXP gas, YP Appendix G); 0 for 0.
constexpr unsigned count_significant_bytes(const U256& x) noexcept
{
    return (bit_width(x) + 7) / 8;
}

/// (a + b) mod m over the full 257-bit sum; 0 when m is zero (EVM ADDMOD).
U256 addmod(const U256& a, const U256& b, const U256& m) noexcept;

/// (a * b) mod m over the full 512-bit product; 0 when m is zero (EVM MULMOD).
U256 mulmod(const U256& a, const U256& b, const U256& m) noexcept;

/// base^exponent mod 2^256, with 0^0 = 1 (EVM EXP).
U256 exp(U256 base, const U256& exponent) noexcept;

/// Signed (two's complement) division rounding toward zero; 0 when b is zero, and
/// INT_MIN / -1 = INT_MIN (EVM SDIV).
U256 sdiv(const U256& a, const U256& b) noexcept;

/// Signed remainder with the sign of `a`; 0 when b is zero (EVM SMOD).
U256 smod(const U256& a, const U256& b) noexcept;

/// Sign-extends `x` from byte `byte_index` (0 = least significant); `x` itself when
/// byte_index >= 31 (EVM SIGNEXTEND).
constexpr U256 signextend(const U256& byte_index, const U256& x) noexcept
{
    if (!fits_u64(byte_index) || byte_index.w[0] >= 31)
        return x;
    const uint64_t bit = byte_index.w[0] * 8 + 7;  // The sign bit, at most 247.
    const U256 mask = (U256{1} << (bit + 1)) - 1;
    const bool negative = ((x.w[bit / 64] >> (bit % 64)) & 1) != 0;
    return negative ? (x | ~mask) : (x & mask);
}

/// Byte `index` of `x` counting from the most significant (0); 0 when index >= 32 (EVM BYTE).
constexpr U256 byte(const U256& index, const U256& x) noexcept
{
    if (!fits_u64(index) || index.w[0] >= 32)
        return {};
    const uint64_t from_low = 31 - index.w[0];
    return (x.w[from_low / 8] >> (from_low % 8 * 8)) & 0xff;
}

/// Arithmetic right shift of `x` by `shift` bits (EVM SAR, EIP-145): negative values fill with
/// ones, so shifts of 256 or more give 0 or -1.
constexpr U256 sar(const U256& shift, const U256& x) noexcept
{
    const bool negative = (x.w[3] >> 63) != 0;
    return negative ? ~(~x >> shift) : x >> shift;
}

/// Signed (two's complement) a < b (EVM SLT).
constexpr bool slt(const U256& a, const U256& b) noexcept
{
    const U256 flip{0, 0, 0, uint64_t{1} << 63};
    return (a ^ flip) < (b ^ flip);
}

/// Signed (two's complement) a > b (EVM SGT).
constexpr bool sgt(const U256& a, const U256& b) noexcept
{
    return slt(b, a);
}

/// Right-aligned big-endian load of at most 32 bytes (PUSH, CALLDATALOAD, RLP scalars); callers
/// check the size, and only the last 32 bytes of a longer view are read.
U256 from_be_bytes(ByteView b) noexcept;

/// 32-byte big-endian store (MSTORE, storage keys).
void to_be_bytes(const U256& x, uint8_t out[32]) noexcept;

/// Minimal big-endian bytes, empty for zero (RLP scalar encoding, YP Appendix B).
Bytes to_be_bytes_trimmed(const U256& x);

/// Parses "0x"/"0X"-prefixed hex (1 to 64 digits, either case) or plain decimal. Empty input,
/// other characters, signs, whitespace and values of 2^256 or more are errors.
Result<U256, std::string> u256_from_string(std::string_view s);

/// "0x" + minimal lowercase hex ("0x0" for zero), the JSON-RPC QUANTITY form.
std::string to_hex(const U256& x);

/// Decimal digits.
std::string to_string(const U256& x);

}  // namespace l2
