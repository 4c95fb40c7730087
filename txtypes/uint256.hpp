#pragma once
/// U256: the EVM's 256-bit word (YP §9.1) in intx's shape: four little-endian limbs, wrapping
/// arithmetic, hot operations inline and `constexpr`; division and the rest in uint256.cpp.

#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "bytes.hpp"
#include "result.hpp"

namespace l2 {

namespace u256_detail {

__extension__ typedef unsigned __int128 U128;

/// r += b, or r -= b for kSub, mod 2^256 over four limbs.
template <bool kSub>
constexpr void add_sub(uint64_t* r, const uint64_t* b) noexcept
{
    // GCC (through 13) makes setc/or chains of the portable loop, clang adc/sbb: GCC gets asm.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
    if (!std::is_constant_evaluated())
    {
        // Early-clobber outputs: an input may not share a register with a limb being summed.
        if constexpr (kSub)
            asm("subq %4, %0\n\tsbbq %5, %1\n\tsbbq %6, %2\n\tsbbq %7, %3"
                : "+&r"(r[0]), "+&r"(r[1]), "+&r"(r[2]), "+&r"(r[3])
                : "rm"(b[0]), "rm"(b[1]), "rm"(b[2]), "rm"(b[3])
                : "cc");
        else
            asm("addq %4, %0\n\tadcq %5, %1\n\tadcq %6, %2\n\tadcq %7, %3"
                : "+&r"(r[0]), "+&r"(r[1]), "+&r"(r[2]), "+&r"(r[3])
                : "rm"(b[0]), "rm"(b[1]), "rm"(b[2]), "rm"(b[3])
                : "cc");
        return;
    }
#endif
    bool c = false;  // Carry or borrow.
#pragma GCC unroll 4
    for (size_t i = 0; i < 4; ++i)
    {
        uint64_t t = 0;
        const bool c1 =
            kSub ? __builtin_sub_overflow(r[i], b[i], &t) : __builtin_add_overflow(r[i], b[i], &t);
        c = (kSub ? __builtin_sub_overflow(t, uint64_t{c}, &r[i])
                  : __builtin_add_overflow(t, uint64_t{c}, &r[i])) ||
            c1;
    }
}

/// r = a * b mod 2^256 for a zero r: schoolbook, 6 full 64x64->128 and 4 low-half multiplies.
[[gnu::always_inline]] constexpr void mul(uint64_t* r,
                                          const uint64_t* a,
                                          const uint64_t* b) noexcept
{
#pragma GCC unroll 4
    for (size_t j = 0; j < 4; ++j)
    {
        uint64_t carry = 0;
#pragma GCC unroll 4
        for (size_t i = 0; i + j < 3; ++i)
        {
            const U128 p = U128{a[i]} * b[j] + r[i + j] + carry;
            r[i + j] = static_cast<uint64_t>(p);
            carry = static_cast<uint64_t>(p >> 64);
        }
        r[3] += a[3 - j] * b[j] + carry;
    }
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
        using u256_detail::U128;
        const U128 ah = (U128{a.w[3]} << 64) | a.w[2], bh = (U128{b.w[3]} << 64) | b.w[2];
        const U128 al = (U128{a.w[1]} << 64) | a.w[0], bl = (U128{b.w[1]} << 64) | b.w[0];
        return (ah < bh) | ((ah == bh) & (al < bl));
    }
    friend constexpr bool operator>(const U256& a, const U256& b) noexcept { return b < a; }
    friend constexpr bool operator<=(const U256& a, const U256& b) noexcept { return !(b < a); }
    friend constexpr bool operator>=(const U256& a, const U256& b) noexcept { return !(a < b); }
    friend constexpr std::strong_ordering operator<=>(const U256& a, const U256& b) noexcept
    {
        return a < b ? std::strong_ordering::less
                     : (a == b ? std::strong_ordering::equal : std::strong_ordering::greater);
    }

    friend constexpr U256 operator+(U256 a, const U256& b) noexcept
    {
        u256_detail::add_sub<false>(a.w, b.w);
        return a;
    }
    friend constexpr U256 operator-(U256 a, const U256& b) noexcept
    {
        u256_detail::add_sub<true>(a.w, b.w);
        return a;
    }
    friend constexpr U256 operator-(const U256& a) noexcept { return U256{} - a; }
    friend constexpr U256 operator*(const U256& a, const U256& b) noexcept
    {
        U256 r;
        u256_detail::mul(r.w, a.w, b.w);
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

    /// Shifts; by 256 or more give 0 (EVM amounts: `fits_u64(s) ? low_u64(s) : 256`). Every limb
    /// shifts by s % 64, then a select moves whole limbs (faster than indexing, loops, masks).
    friend constexpr U256 operator<<(const U256& x, uint64_t s) noexcept
    {
        if (s >= 256)
            return {};
        const uint64_t b = s % 64, n = s / 64;
        // `(y >> 1) >> (63 - b)` is `y >> (64 - b)` without the undefined shift by 64 at b = 0.
        const uint64_t a0 = x.w[0] << b;
        const uint64_t a1 = (x.w[1] << b) | ((x.w[0] >> 1) >> (63 - b));
        const uint64_t a2 = (x.w[2] << b) | ((x.w[1] >> 1) >> (63 - b));
        const uint64_t a3 = (x.w[3] << b) | ((x.w[2] >> 1) >> (63 - b));
        return n == 0   ? U256{a0, a1, a2, a3}
               : n == 1 ? U256{0, a0, a1, a2}
               : n == 2 ? U256{0, 0, a0, a1}
                        : U256{0, 0, 0, a0};
    }
    friend constexpr U256 operator>>(const U256& x, uint64_t s) noexcept
    {
        if (s >= 256)
            return {};
        const uint64_t b = s % 64, n = s / 64;
        const uint64_t a0 = (x.w[0] >> b) | ((x.w[1] << 1) << (63 - b));
        const uint64_t a1 = (x.w[1] >> b) | ((x.w[2] << 1) << (63 - b));
        const uint64_t a2 = (x.w[2] >> b) | ((x.w[3] << 1) << (63 - b));
        const uint64_t a3 = x.w[3] >> b;
        return n == 0   ? U256{a0, a1, a2, a3}
               : n == 1 ? U256{a1, a2, a3, 0}
               : n == 2 ? U256{a2, a3, 0, 0}
                        : U256{a3, 0, 0, 0};
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
    constexpr U256 operator++(int) noexcept { return std::exchange(*this, *this + 1); }
    constexpr U256 operator--(int) noexcept { return std::exchange(*this, *this - 1); }
};

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

/// True when `x` < 2^64.
constexpr bool fits_u64(const U256& x) noexcept
{
    return (x.w[1] | x.w[2] | x.w[3]) == 0;
}

/// `x` mod 2^64.
constexpr uint64_t low_u64(const U256& x) noexcept
{
    return x.w[0];
}

/// Count of leading zero bits; 256 for 0.
unsigned clz(const U256& x) noexcept;

/// Bits needed to represent `x`; 0 for 0.
unsigned bit_width(const U256& x) noexcept;

/// Bytes needed to represent `x` (EVM EXP gas, YP Appendix G); 0 for 0.
unsigned count_significant_bytes(const U256& x) noexcept;

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
U256 signextend(const U256& byte_index, const U256& x) noexcept;

/// Byte `index` of `x` counting from the most significant (0); 0 when index >= 32 (EVM BYTE).
U256 byte(const U256& index, const U256& x) noexcept;

/// Arithmetic right shift of `x` by `shift` bits (EVM SAR, EIP-145): negative values fill with
/// ones, so shifts of 256 or more give 0 or -1.
U256 sar(const U256& shift, const U256& x) noexcept;

/// Signed (two's complement) a < b (EVM SLT).
constexpr bool slt(const U256& a, const U256& b) noexcept
{
    return ((a.w[3] ^ b.w[3]) >> 63) != 0 ? (a.w[3] >> 63) != 0 : a < b;  // Signs differ: a < 0.
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

/// The 32-byte big-endian word (an ABI uint256, an EVM stack or storage word).
Bytes to_be_word(const U256& x);

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
