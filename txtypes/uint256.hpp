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
#include <type_traits>
#include <utility>

#include "bytes.hpp"
#include "result.hpp"

// GCC (through 13) turns the portable carry chains below into setc/or sequences, clang into
// add/adc; so only GCC on x86-64 takes the four-instruction inline-asm paths at run time.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define L2_U256_GCC_X86_ASM 1
#else
#define L2_U256_GCC_X86_ASM 0
#endif

namespace l2 {

namespace u256_detail {

__extension__ typedef unsigned __int128 U128;

/// r = a + b mod 2^256, over four limbs.
constexpr void add(uint64_t* r, const uint64_t* a, const uint64_t* b) noexcept
{
    uint64_t r0 = a[0], r1 = a[1], r2 = a[2], r3 = a[3];
#if L2_U256_GCC_X86_ASM
    if (!std::is_constant_evaluated())
    {
        asm("addq %4, %0\n\tadcq %5, %1\n\tadcq %6, %2\n\tadcq %7, %3"
            : "+&r"(r0), "+&r"(r1), "+&r"(r2), "+&r"(r3)
            : "rm"(b[0]), "rm"(b[1]), "rm"(b[2]), "rm"(b[3])
            : "cc");
        r[0] = r0, r[1] = r1, r[2] = r2, r[3] = r3;
        return;
    }
#endif
    // Carry chain; clang emits add/adc.
    bool c1 = __builtin_add_overflow(r0, b[0], &r0);
    bool c2 = __builtin_add_overflow(r1, b[1], &r1);
    c2 |= __builtin_add_overflow(r1, uint64_t{c1}, &r1);
    c1 = __builtin_add_overflow(r2, b[2], &r2);
    c1 |= __builtin_add_overflow(r2, uint64_t{c2}, &r2);
    r[0] = r0, r[1] = r1, r[2] = r2, r[3] = r3 + b[3] + c1;
}

/// r = a - b mod 2^256, over four limbs.
constexpr void sub(uint64_t* r, const uint64_t* a, const uint64_t* b) noexcept
{
    uint64_t r0 = a[0], r1 = a[1], r2 = a[2], r3 = a[3];
#if L2_U256_GCC_X86_ASM
    if (!std::is_constant_evaluated())
    {
        asm("subq %4, %0\n\tsbbq %5, %1\n\tsbbq %6, %2\n\tsbbq %7, %3"
            : "+&r"(r0), "+&r"(r1), "+&r"(r2), "+&r"(r3)
            : "rm"(b[0]), "rm"(b[1]), "rm"(b[2]), "rm"(b[3])
            : "cc");
        r[0] = r0, r[1] = r1, r[2] = r2, r[3] = r3;
        return;
    }
#endif
    // Carry chain; clang emits sub/sbb.
    bool c1 = __builtin_sub_overflow(r0, b[0], &r0);
    bool c2 = __builtin_sub_overflow(r1, b[1], &r1);
    c2 |= __builtin_sub_overflow(r1, uint64_t{c1}, &r1);
    c1 = __builtin_sub_overflow(r2, b[2], &r2);
    c1 |= __builtin_sub_overflow(r2, uint64_t{c2}, &r2);
    r[0] = r0, r[1] = r1, r[2] = r2, r[3] = r3 - b[3] - c1;
}

/// r = a * b mod 2^256: schoolbook, 6 full 64x64->128 and 4 low-half multiplies.
constexpr void mul(uint64_t* r, const uint64_t* a, const uint64_t* b) noexcept
{
    uint64_t t[4] = {};
#pragma GCC unroll 4
    for (size_t j = 0; j < 4; ++j)
    {
        uint64_t carry = 0;
#pragma GCC unroll 4
        for (size_t i = 0; i + j < 3; ++i)
        {
            const U128 p = U128{a[i]} * b[j] + t[i + j] + carry;
            t[i + j] = static_cast<uint64_t>(p);
            carry = static_cast<uint64_t>(p >> 64);
        }
        t[3] += a[3 - j] * b[j] + carry;
    }
    r[0] = t[0], r[1] = t[1], r[2] = t[2], r[3] = t[3];
}

/// r = x << s for s < 256 (r may not alias x). Every limb shifts by s % 64, then whole limbs
/// move: straight-line code, no branch on the amount.
constexpr void shl(uint64_t* r, const uint64_t* x, uint64_t s) noexcept
{
    const unsigned b = static_cast<unsigned>(s % 64);
    // `(y >> 1) >> (63 - b)` is `y >> (64 - b)` without the undefined shift by 64 at b = 0.
    const uint64_t a[4] = {x[0] << b, (x[1] << b) | ((x[0] >> 1) >> (63 - b)),
                           (x[2] << b) | ((x[1] >> 1) >> (63 - b)),
                           (x[3] << b) | ((x[2] >> 1) >> (63 - b))};
    const size_t n = static_cast<size_t>(s / 64);
#pragma GCC unroll 4
    for (size_t i = 0; i < 4; ++i)
        r[i] = i < n ? 0 : a[i - n];
}

/// r = x >> s for s < 256 (r may not alias x), as shl.
constexpr void shr(uint64_t* r, const uint64_t* x, uint64_t s) noexcept
{
    const unsigned b = static_cast<unsigned>(s % 64);
    const uint64_t a[4] = {(x[0] >> b) | ((x[1] << 1) << (63 - b)),
                           (x[1] >> b) | ((x[2] << 1) << (63 - b)),
                           (x[2] >> b) | ((x[3] << 1) << (63 - b)), x[3] >> b};
    const size_t n = static_cast<size_t>(s / 64);
#pragma GCC unroll 4
    for (size_t i = 0; i < 4; ++i)
        r[i] = i + n < 4 ? a[i + n] : 0;
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

    friend constexpr U256 operator+(const U256& a, const U256& b) noexcept
    {
        U256 r;
        u256_detail::add(r.w, a.w, b.w);
        return r;
    }
    friend constexpr U256 operator-(const U256& a, const U256& b) noexcept
    {
        U256 r;
        u256_detail::sub(r.w, a.w, b.w);
        return r;
    }
    /// Two's complement negation.
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

    /// Shifts; by 256 or more give 0. The U256 amounts serve EVM SHL/SHR directly.
    friend constexpr U256 operator<<(const U256& x, uint64_t s) noexcept
    {
        U256 r;
        if (s < 256)
            u256_detail::shl(r.w, x.w, s);
        return r;
    }
    friend constexpr U256 operator>>(const U256& x, uint64_t s) noexcept
    {
        U256 r;
        if (s < 256)
            u256_detail::shr(r.w, x.w, s);
        return r;
    }
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
    constexpr U256 operator++(int) noexcept { return std::exchange(*this, *this + 1); }
    constexpr U256 operator--(int) noexcept { return std::exchange(*this, *this - 1); }
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
            return static_cast<unsigned>(3 - i) * 64 +
                   static_cast<unsigned>(std::countl_zero(x.w[i]));
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
