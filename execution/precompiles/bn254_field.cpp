#include "bn254_tower.hpp"

namespace l2::execution::bn254 {
namespace {

/// 2^768 mod p: Montgomery-multiplying a plain inverse (a R)^-1 by it gives a^-1 R.
constexpr U256 kR3 = [] {
    U256 x{1};
    for (int i = 0; i < 768; ++i)
    {
        x = x + x;
        if (x >= kP)
            x = x - kP;
    }
    return x;
}();

/// x / 2^n mod p for a residue x < p and 0 < n < 64: (x + k p) / 2^n with k = -x / p mod 2^n,
/// which is below p (the Montgomery reduction step for 2^n; true in and out of Montgomery form).
Fp div_pow2(const Fp& x, unsigned n) noexcept
{
    const uint64_t k = (x.v[0] * kPInv) & ((uint64_t{1} << n) - 1);
    uint64_t t[5]{};
    uint64_t carry = 0;
    for (size_t i = 0; i < 4; ++i)
    {
        const U128 s = U128{k} * kP.w[i] + x.v[i] + carry;
        t[i] = detail::lo(s);
        carry = detail::hi(s);
    }
    t[4] = carry;
    Fp r;
    for (size_t i = 0; i < 4; ++i)
        r.v[i] = (t[i] >> n) | (t[i + 1] << (64 - n));
    return r;
}

unsigned trailing_zeros(const U256& x) noexcept
{
    for (size_t i = 0; i < 4; ++i)
    {
        if (x.w[i] != 0)
            return static_cast<unsigned>(i * 64) + static_cast<unsigned>(__builtin_ctzll(x.w[i]));
    }
    return 256;
}

}  // namespace

Fp inv(const Fp& a) noexcept
{
    if (is_zero(a))
        return {};
    // Binary extended Euclid on the plain residue a (which is x R for the value x), keeping
    // x1 * a = u and x2 * a = v (mod p); u and v stay coprime, so neither reaches 0 first.
    U256 u{a.v[0], a.v[1], a.v[2], a.v[3]};
    U256 v = kP;
    Fp x1{{1, 0, 0, 0}};
    Fp x2{};
    while (u != 1 && v != 1)
    {
        // Strip the factors of 2, at most 63 at a time (div_pow2's range).
        for (unsigned n = trailing_zeros(u); n != 0; n = trailing_zeros(u))
        {
            n = n < 63 ? n : 63;
            u >>= n;
            x1 = div_pow2(x1, n);
        }
        for (unsigned n = trailing_zeros(v); n != 0; n = trailing_zeros(v))
        {
            n = n < 63 ? n : 63;
            v >>= n;
            x2 = div_pow2(x2, n);
        }
        if (u >= v)
        {
            u -= v;
            x1 -= x2;
        }
        else
        {
            v -= u;
            x2 -= x1;
        }
    }
    const Fp& plain_inverse = u == 1 ? x1 : x2;  // (x R)^-1
    return detail::mont_mul(plain_inverse.v, kR3.w);
}

Fp2 inv(const Fp2& a) noexcept
{
    const Fp t = inv(sqr(a.c0) + sqr(a.c1));
    return {a.c0 * t, -(a.c1 * t)};
}

}  // namespace l2::execution::bn254
