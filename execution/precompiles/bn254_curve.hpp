#pragma once
/// The groups of the alt_bn128 precompiles (EIP-196/197): G1 = E(Fp) with E: y^2 = x^3 + 3, and
/// G2, the order-r subgroup of the D-type sextic twist E'(Fp2): y^2 = x^3 + 3 / (9 + i). One set
/// of Jacobian formulas (a = 0 curves, EFD) serves both coordinate fields.

#include <array>
#include <cstdint>

#include "bn254_tower.hpp"

namespace l2::execution::bn254 {

/// An affine point; the point at infinity is kept apart by callers.
template <typename F>
struct Affine
{
    F x;
    F y;
};

/// Jacobian coordinates (X / Z^2, Y / Z^3); Z = 0 is the point at infinity.
template <typename F>
struct Jacobian
{
    F x;
    F y;
    F z;
};

using G1Affine = Affine<Fp>;
using G2Affine = Affine<Fp2>;
using G1 = Jacobian<Fp>;
using G2 = Jacobian<Fp2>;

/// A non-adjacent form (digits -1, 0, 1), least significant digit first.
struct Naf
{
    std::array<int8_t, 72> digits{};
    size_t size = 0;
};

constexpr Naf naf_of(U128 n) noexcept
{
    Naf naf;
    for (; n != 0; n >>= 1)
    {
        int8_t d = 0;
        if ((n & 1) != 0)
        {
            d = (n & 3) == 1 ? int8_t{1} : int8_t{-1};
            n = d == 1 ? n - 1 : n + 1;
        }
        naf.digits[naf.size++] = d;
    }
    return naf;
}

/// NAF of u: 24 non-zero digits instead of u's 28 ones.
inline constexpr Naf kUNaf = naf_of(kU);
static_assert(kUNaf.size == 63 && kUNaf.digits[62] == 1);

template <typename F>
inline constexpr F kOne{};
template <>
inline constexpr Fp kOne<Fp> = kFpOne;
template <>
inline constexpr Fp2 kOne<Fp2> = kFp2One;

/// The curve constant b: 3 for G1, b' = 3 / xi = (27 - 3i) / 82 for the twist.
template <typename F>
inline constexpr F kCurveB{};
template <>
inline constexpr Fp kCurveB<Fp> = to_fp(3);
template <>
inline constexpr Fp2 kCurveB<Fp2> = {
    to_fp({0x3267e6dc24a138e5, 0xb5b4c5e559dbefa3, 0x81be18991be06ac3, 0x2b149d40ceb8aaae}),
    to_fp({0xe4a2bd0685c315d2, 0xa74fa084e52d1852, 0xcd2cafadeed8fdf4, 0x009713b03af0fed4}),
};
static_assert(kCurveB<Fp2> * kXi == Fp2{to_fp(3), {}});

template <typename F>
constexpr bool is_on_curve(const Affine<F>& p) noexcept
{
    return sqr(p.y) == sqr(p.x) * p.x + kCurveB<F>;
}

template <typename F>
constexpr Jacobian<F> to_jacobian(const Affine<F>& p) noexcept
{
    return {p.x, p.y, kOne<F>};
}

template <typename F>
constexpr bool is_infinity(const Jacobian<F>& p) noexcept
{
    return is_zero(p.z);
}

template <typename F>
constexpr Jacobian<F> operator-(const Jacobian<F>& p) noexcept
{
    return {p.x, -p.y, p.z};
}

/// 2p (dbl-2009-l: 2M + 5S); infinity stays infinity (Z3 = 2 Y Z).
template <typename F>
constexpr Jacobian<F> dbl(const Jacobian<F>& p) noexcept
{
    const F a = sqr(p.x);
    const F b = sqr(p.y);
    const F c = sqr(b);
    const F d = dbl(sqr(p.x + b) - a - c);
    const F e = dbl(a) + a;
    const F x3 = sqr(e) - dbl(d);
    return {x3, e * (d - x3) - dbl(dbl(dbl(c))), dbl(p.y * p.z)};
}

/// p + q for any p, q (add-2007-bl: 11M + 5S), doubling and infinities included.
template <typename F>
constexpr Jacobian<F> operator+(const Jacobian<F>& p, const Jacobian<F>& q) noexcept
{
    if (is_infinity(p))
        return q;
    if (is_infinity(q))
        return p;
    const F z1z1 = sqr(p.z);
    const F z2z2 = sqr(q.z);
    const F u1 = p.x * z2z2;
    const F s1 = p.y * q.z * z2z2;
    const F h = q.x * z1z1 - u1;
    const F r = dbl(q.y * p.z * z1z1 - s1);
    if (is_zero(h))
        return is_zero(r) ? dbl(p) : Jacobian<F>{kOne<F>, kOne<F>, F{}};
    const F i = sqr(dbl(h));
    const F j = h * i;
    const F v = u1 * i;
    const F x3 = sqr(r) - j - dbl(v);
    return {x3, r * (v - x3) - dbl(s1 * j), (sqr(p.z + q.z) - z1z1 - z2z2) * h};
}

/// p + q for an affine q (madd-2007-bl: 7M + 4S).
template <typename F>
constexpr Jacobian<F> operator+(const Jacobian<F>& p, const Affine<F>& q) noexcept
{
    if (is_infinity(p))
        return to_jacobian(q);
    const F z1z1 = sqr(p.z);
    const F h = q.x * z1z1 - p.x;
    const F r = dbl(q.y * p.z * z1z1 - p.y);
    if (is_zero(h))
        return is_zero(r) ? dbl(p) : Jacobian<F>{kOne<F>, kOne<F>, F{}};
    const F hh = sqr(h);
    const F i = dbl(dbl(hh));
    const F j = h * i;
    const F v = p.x * i;
    const F x3 = sqr(r) - j - dbl(v);
    return {x3, r * (v - x3) - dbl(p.y * j), sqr(p.z + h) - z1z1 - hh};
}

/// Equality of the points (not of the representations).
template <typename F>
constexpr bool operator==(const Jacobian<F>& p, const Jacobian<F>& q) noexcept
{
    if (is_infinity(p) || is_infinity(q))
        return is_infinity(p) && is_infinity(q);
    const F z1z1 = sqr(p.z);
    const F z2z2 = sqr(q.z);
    return p.x * z2z2 == q.x * z1z1 && p.y * q.z * z2z2 == q.y * p.z * z1z1;
}

/// [k] p for p in G1 (GLV with width-5 NAFs; variable time: scalars are public).
G1 mul(const G1& p, const U256& k) noexcept;

/// Writes the affine form of `p` to `out`; false (and nothing written) for the point at infinity.
bool to_affine(const G1& p, G1Affine& out) noexcept;

/// psi, the untwist-Frobenius-twist endomorphism of E'(Fp2) (Galbraith-Scott):
/// (x, y) -> (conj(x) gamma1[2], conj(y) gamma1[3]); it acts on G2 as multiplication by p.
constexpr G2 psi(const G2& q) noexcept
{
    return {conj(q.x) * kGamma1[2], conj(q.y) * kGamma1[3], conj(q.z)};
}

/// [k] q for a G2 point and any k (used by the subgroup check and tests).
G2 mul(const G2& q, const U256& k) noexcept;

/// Whether the twist point q (on E') lies in G2, the order-r subgroup: for BN254 that holds iff
/// [u+1] q + psi([u] q) + psi^2([u] q) = psi^3([2u] q) (Dai, Lin, Zhao, Zhou, eprint 2022/348).
bool in_g2(const G2Affine& q) noexcept;

}  // namespace l2::execution::bn254
