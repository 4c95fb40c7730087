#pragma once
/// The extension tower of the pairing (EIP-197): Fp2 = Fp[i] / (i^2 + 1), Fp6 = Fp2[v] / (v^3 - xi)
/// with xi = 9 + i, and Fp12 = Fp6[w] / (w^2 - v). So w^6 = xi, and an Fp12 element is
/// (a0 + a1 v + a2 v^2) + (b0 + b1 v + b2 v^2) w, i.e. coefficients of w^0, w^2, w^4 | w, w^3, w^5.

#include <array>

#include "bn254_field.hpp"

namespace l2::execution::bn254 {

/// An element c0 + c1 * i of Fp2 = Fp[i] / (i^2 + 1) (EIP-197 encodes it as (c1, c0)).
struct Fp2
{
    Fp c0;
    Fp c1;

    friend constexpr bool operator==(const Fp2& a, const Fp2& b) noexcept = default;
};

constexpr Fp2 operator+(const Fp2& a, const Fp2& b) noexcept
{
    return {a.c0 + b.c0, a.c1 + b.c1};
}

constexpr Fp2 operator-(const Fp2& a, const Fp2& b) noexcept
{
    return {a.c0 - b.c0, a.c1 - b.c1};
}

constexpr Fp2 operator-(const Fp2& a) noexcept
{
    return {-a.c0, -a.c1};
}

/// Karatsuba: 3 Fp multiplications.
constexpr Fp2 operator*(const Fp2& a, const Fp2& b) noexcept
{
    const Fp v0 = a.c0 * b.c0;
    const Fp v1 = a.c1 * b.c1;
    return {v0 - v1, (a.c0 + a.c1) * (b.c0 + b.c1) - v0 - v1};
}

/// Scaling by a base field element.
constexpr Fp2 operator*(const Fp2& a, const Fp& b) noexcept
{
    return {a.c0 * b, a.c1 * b};
}

constexpr Fp2& operator+=(Fp2& a, const Fp2& b) noexcept
{
    return a = a + b;
}

constexpr Fp2& operator-=(Fp2& a, const Fp2& b) noexcept
{
    return a = a - b;
}

constexpr Fp2& operator*=(Fp2& a, const Fp2& b) noexcept
{
    return a = a * b;
}

/// Complex squaring: 2 Fp multiplications.
constexpr Fp2 sqr(const Fp2& a) noexcept
{
    return {(a.c0 + a.c1) * (a.c0 - a.c1), dbl(a.c0 * a.c1)};
}

constexpr Fp2 dbl(const Fp2& a) noexcept
{
    return {dbl(a.c0), dbl(a.c1)};
}

/// The conjugate a^p.
constexpr Fp2 conj(const Fp2& a) noexcept
{
    return {a.c0, -a.c1};
}

/// a * xi for the tower's non-residue xi = 9 + i: (9 c0 - c1) + (c0 + 9 c1) i.
constexpr Fp2 mul_by_xi(const Fp2& a) noexcept
{
    const Fp t0 = dbl(dbl(dbl(a.c0))) + a.c0;
    const Fp t1 = dbl(dbl(dbl(a.c1))) + a.c1;
    return {t0 - a.c1, a.c0 + t1};
}

constexpr bool is_zero(const Fp2& a) noexcept
{
    return is_zero(a.c0) && is_zero(a.c1);
}

inline constexpr Fp2 kFp2One{kFpOne, {}};
inline constexpr Fp2 kXi{to_fp(9), kFpOne};

constexpr Fp2 pow(const Fp2& a, const U256& e) noexcept
{
    Fp2 r = kFp2One;
    for (unsigned i = 256; i-- > 0;)
    {
        r = sqr(r);
        if (((e.w[i / 64] >> (i % 64)) & 1) != 0)
            r *= a;
    }
    return r;
}

/// 1 / a; 0 for 0.
Fp2 inv(const Fp2& a) noexcept;

struct Fp6
{
    Fp2 c0;
    Fp2 c1;
    Fp2 c2;

    friend constexpr bool operator==(const Fp6& a, const Fp6& b) noexcept = default;
};

struct Fp12
{
    Fp6 c0;
    Fp6 c1;

    friend constexpr bool operator==(const Fp12& a, const Fp12& b) noexcept = default;
};

inline constexpr Fp12 kFp12One{{kFp2One, {}, {}}, {}};

Fp12 operator*(const Fp12& a, const Fp12& b) noexcept;
Fp12 sqr(const Fp12& a) noexcept;
Fp12 inv(const Fp12& a) noexcept;

/// a^(p^6): the inverse for elements of the cyclotomic subgroup (norm 1 over Fp6).
Fp12 conj(const Fp12& a) noexcept;

/// a^p, a^(p^2), a^(p^3).
Fp12 frobenius(const Fp12& a) noexcept;
Fp12 frobenius2(const Fp12& a) noexcept;
Fp12 frobenius3(const Fp12& a) noexcept;

/// Squaring in the cyclotomic subgroup (after the easy part of the final exponentiation),
/// Granger-Scott: 6 Fp2 squarings instead of a full Fp12 squaring.
Fp12 cyclotomic_sqr(const Fp12& a) noexcept;

/// a * (l0 + l1 w + l3 w^3): multiplication by a sparse line value of the Miller loop.
Fp12 mul_by_line(const Fp12& a, const Fp2& l0, const Fp2& l1, const Fp2& l3) noexcept;

/// (p - 1) / 6 (p = 1 mod 6).
inline constexpr U256 kPMinus1Over6{0x34b017592414d4e1, 0xee9591c2e6bda1c2, 0xf40d60f3c0403964,
                                    0x0810b7bdd032f006};
static_assert(kPMinus1Over6 * 6 + 1 == kP);

/// Frobenius coefficients gamma1[j] = xi^(j (p-1) / 6), j = 0..5, computed at compile time:
/// (g w^j)^p = conj(g) gamma1[j] w^j. psi, the untwist-Frobenius-twist endomorphism of G2,
/// uses gamma1[2] and gamma1[3].
inline constexpr std::array<Fp2, 6> kGamma1 = [] {
    std::array<Fp2, 6> g{kFp2One, pow(kXi, kPMinus1Over6)};
    for (size_t j = 2; j < 6; ++j)
        g[j] = g[j - 1] * g[1];
    return g;
}();

}  // namespace l2::execution::bn254
