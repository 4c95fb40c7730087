#pragma once
/// The base field Fp of BN254 (alt_bn128, EIP-196/197): Montgomery form on four 64-bit limbs
/// (CIOS multiplication). Everything is inline and `constexpr`, so the extension tower's
/// Frobenius constants are computed at compile time.

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <txtypes/uint256.hpp>

#include "bn254_field_asm.hpp"

namespace l2::execution::bn254 {

__extension__ typedef unsigned __int128 U128;

/// The base field modulus p = 36u^4 + 36u^3 + 24u^2 + 6u + 1 (EIP-196).
inline constexpr U256 kP{0x3c208c16d87cfd47, 0x97816a916871ca8d, 0xb85045b68181585d,
                         0x30644e72e131a029};
/// The group order r = 36u^4 + 36u^3 + 18u^2 + 6u + 1 of G1, G2 and GT.
inline constexpr U256 kR{0x43e1f593f0000001, 0x2833e84879b97091, 0xb85045b68181585d,
                         0x30644e72e131a029};
/// The BN parameter u (positive for BN254).
inline constexpr uint64_t kU = 0x44e992b44a6909f1;

static_assert(U256{kU} * kU * kU * kU * 36 + U256{kU} * kU * kU * 36 + U256{kU} * kU * 24 +
                  U256{kU} * 6 + 1 ==
              kP);
static_assert(kP - kR == U256{kU} * kU * 6);

/// -p^-1 mod 2^64 (Newton's iteration doubles the correct low bits each step).
inline constexpr uint64_t kPInv = [] {
    uint64_t x = kP.w[0];  // Correct to 3 bits: p odd, p*p = 1 mod 8.
    for (int i = 0; i < 5; ++i)
        x *= 2 - kP.w[0] * x;
    return 0 - x;
}();
static_assert(kP.w[0] * kPInv == ~uint64_t{0});

/// The kernels keep no carry word beyond four limbs: that needs p < 2^254 (so 2p < 2^255).
static_assert(kP.w[3] < (uint64_t{1} << 62));

namespace detail {

constexpr uint64_t lo(U128 x) noexcept
{
    return static_cast<uint64_t>(x);
}

constexpr uint64_t hi(U128 x) noexcept
{
    return static_cast<uint64_t>(x >> 64);
}

/// 2^512 mod p by doubling, for conversions into Montgomery form.
inline constexpr U256 kR2 = [] {
    U256 x{1};
    for (int i = 0; i < 512; ++i)
    {
        x = x + x;  // x < p < 2^254: no overflow.
        if (x >= kP)
            x = x - kP;
    }
    return x;
}();

}  // namespace detail

/// An element of Fp in Montgomery form (a * 2^256 mod p), always fully reduced (< p), so equal
/// values have equal limbs.
struct Fp
{
    uint64_t v[4]{};

    friend constexpr bool operator==(const Fp& a, const Fp& b) noexcept
    {
        return ((a.v[0] ^ b.v[0]) | (a.v[1] ^ b.v[1]) | (a.v[2] ^ b.v[2]) | (a.v[3] ^ b.v[3])) == 0;
    }
};

namespace detail {

/// t mod p for t < 2p, branch-free.
constexpr Fp reduce_once(const uint64_t t[4]) noexcept
{
    Fp s;
    uint64_t borrow = 0;
#pragma GCC unroll 4
    for (size_t i = 0; i < 4; ++i)
    {
        const U128 d = U128{t[i]} - kP.w[i] - borrow;
        s.v[i] = lo(d);
        borrow = hi(d) & 1;
    }
    const uint64_t keep_t = 0 - borrow;  // t < p: keep t.
#pragma GCC unroll 4
    for (size_t i = 0; i < 4; ++i)
        s.v[i] = (t[i] & keep_t) | (s.v[i] & ~keep_t);
    return s;
}

// The portable kernels: constant evaluation, non-x86 targets, and the reference the assembly
// is tested against.

/// a * b / 2^256 mod p for a, b < p (CIOS; no carry word is needed as p < 2^254).
constexpr Fp mont_mul_portable(const uint64_t a[4], const uint64_t b[4]) noexcept
{
    uint64_t t[4]{};
#pragma GCC unroll 4
    for (size_t i = 0; i < 4; ++i)
    {
        U128 acc = U128{a[0]} * b[i] + t[0];
        uint64_t c = hi(acc);
        const uint64_t m = lo(acc) * kPInv;
        uint64_t c2 = hi(U128{m} * kP.w[0] + lo(acc));
#pragma GCC unroll 3
        for (size_t j = 1; j < 4; ++j)
        {
            acc = U128{a[j]} * b[i] + t[j] + c;
            c = hi(acc);
            const U128 red = U128{m} * kP.w[j] + lo(acc) + c2;
            c2 = hi(red);
            t[j - 1] = lo(red);
        }
        t[3] = c + c2;
    }
    return reduce_once(t);
}

constexpr Fp add_portable(const Fp& a, const Fp& b) noexcept
{
    uint64_t t[4]{};
    uint64_t carry = 0;  // a + b < 2p < 2^255: never carries out.
#pragma GCC unroll 4
    for (size_t i = 0; i < 4; ++i)
    {
        const U128 s = U128{a.v[i]} + b.v[i] + carry;
        t[i] = lo(s);
        carry = hi(s);
    }
    return reduce_once(t);
}

constexpr Fp sub_portable(const Fp& a, const Fp& b) noexcept
{
    Fp r;
    uint64_t borrow = 0;
#pragma GCC unroll 4
    for (size_t i = 0; i < 4; ++i)
    {
        const U128 d = U128{a.v[i]} - b.v[i] - borrow;
        r.v[i] = lo(d);
        borrow = hi(d) & 1;
    }
    const uint64_t mask = 0 - borrow;  // Went negative: add p back.
    uint64_t carry = 0;
#pragma GCC unroll 4
    for (size_t i = 0; i < 4; ++i)
    {
        const U128 s = U128{r.v[i]} + (kP.w[i] & mask) + carry;
        r.v[i] = lo(s);
        carry = hi(s);
    }
    return r;
}

constexpr Fp mont_mul(const uint64_t a[4], const uint64_t b[4]) noexcept
{
#ifdef L2_BN254_ASM
    if (!std::is_constant_evaluated())
    {
        Fp r;
        if (x86::kHasAdx)
            x86::mont_mul_adx(r.v, a, b, kP.w, kPInv);
        else
            x86::mont_mul(r.v, a, b, kP.w, kPInv);
        return r;
    }
#endif
    return mont_mul_portable(a, b);
}

}  // namespace detail

constexpr Fp operator+(const Fp& a, const Fp& b) noexcept
{
#ifdef L2_BN254_ASM
    if (!std::is_constant_evaluated())
    {
        Fp r;
        detail::x86::add(r.v, a.v, b.v, kP.w);
        return r;
    }
#endif
    return detail::add_portable(a, b);
}

constexpr Fp operator-(const Fp& a, const Fp& b) noexcept
{
#ifdef L2_BN254_ASM
    if (!std::is_constant_evaluated())
    {
        Fp r;
        detail::x86::sub(r.v, a.v, b.v, kP.w);
        return r;
    }
#endif
    return detail::sub_portable(a, b);
}

constexpr Fp operator-(const Fp& a) noexcept
{
    return Fp{} - a;
}

constexpr Fp operator*(const Fp& a, const Fp& b) noexcept
{
    return detail::mont_mul(a.v, b.v);
}

constexpr Fp& operator+=(Fp& a, const Fp& b) noexcept
{
    return a = a + b;
}

constexpr Fp& operator-=(Fp& a, const Fp& b) noexcept
{
    return a = a - b;
}

constexpr Fp& operator*=(Fp& a, const Fp& b) noexcept
{
    return a = a * b;
}

constexpr Fp sqr(const Fp& a) noexcept
{
    return a * a;
}

constexpr Fp dbl(const Fp& a) noexcept
{
    return a + a;
}

constexpr bool is_zero(const Fp& a) noexcept
{
    return (a.v[0] | a.v[1] | a.v[2] | a.v[3]) == 0;
}

/// The field element x; requires x < p.
constexpr Fp to_fp(const U256& x) noexcept
{
    return detail::mont_mul(x.w, detail::kR2.w);
}

/// The canonical integer (< p) of `a`.
constexpr U256 from_fp(const Fp& a) noexcept
{
    constexpr uint64_t kOneLimbs[4]{1, 0, 0, 0};
    const Fp r = detail::mont_mul(a.v, kOneLimbs);
    return {r.v[0], r.v[1], r.v[2], r.v[3]};
}

inline constexpr Fp kFpOne = to_fp(1);

/// a^e by square-and-multiply (constants and tests; variable time).
constexpr Fp pow(const Fp& a, const U256& e) noexcept
{
    Fp r = kFpOne;
    for (unsigned i = 256; i-- > 0;)
    {
        r = sqr(r);
        if (((e.w[i / 64] >> (i % 64)) & 1) != 0)
            r *= a;
    }
    return r;
}

/// 1 / a (binary extended Euclid, variable time: inputs are public); 0 for 0.
Fp inv(const Fp& a) noexcept;

}  // namespace l2::execution::bn254
