#include "bn254_tower.hpp"

namespace l2::execution::bn254 {
namespace {

/// gamma2[j] = xi^(j (p^2-1) / 6) = gamma1[j] * conj(gamma1[j]), an element of Fp.
constexpr std::array<Fp, 6> kGamma2 = [] {
    std::array<Fp, 6> g{};
    for (size_t j = 0; j < 6; ++j)
        g[j] = (kGamma1[j] * conj(kGamma1[j])).c0;
    return g;
}();

/// gamma3[j] = xi^(j (p^3-1) / 6) = gamma1[j] * gamma2[j].
constexpr std::array<Fp2, 6> kGamma3 = [] {
    std::array<Fp2, 6> g{};
    for (size_t j = 0; j < 6; ++j)
        g[j] = kGamma1[j] * kGamma2[j];
    return g;
}();

static_assert((kGamma1[1] * conj(kGamma1[1])).c1 == Fp{});
static_assert(kGamma2[3] == -kFpOne);  // xi^((p^2-1)/2) = -1: xi is not a square.

Fp6 operator+(const Fp6& a, const Fp6& b) noexcept
{
    return {a.c0 + b.c0, a.c1 + b.c1, a.c2 + b.c2};
}

Fp6 operator-(const Fp6& a, const Fp6& b) noexcept
{
    return {a.c0 - b.c0, a.c1 - b.c1, a.c2 - b.c2};
}

Fp6 operator-(const Fp6& a) noexcept
{
    return {-a.c0, -a.c1, -a.c2};
}

/// Karatsuba over the cubic extension: 6 Fp2 multiplications (Devegili et al. 2006).
Fp6 operator*(const Fp6& a, const Fp6& b) noexcept
{
    const Fp2 t0 = a.c0 * b.c0;
    const Fp2 t1 = a.c1 * b.c1;
    const Fp2 t2 = a.c2 * b.c2;
    return {
        mul_by_xi((a.c1 + a.c2) * (b.c1 + b.c2) - t1 - t2) + t0,
        (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1 + mul_by_xi(t2),
        (a.c0 + a.c2) * (b.c0 + b.c2) - t0 - t2 + t1,
    };
}

/// Chung-Hasan SQR2: 2 multiplications and 3 squarings in Fp2.
Fp6 sqr(const Fp6& a) noexcept
{
    const Fp2 s0 = sqr(a.c0);
    const Fp2 s1 = dbl(a.c0 * a.c1);
    const Fp2 s2 = sqr(a.c0 - a.c1 + a.c2);
    const Fp2 s3 = dbl(a.c1 * a.c2);
    const Fp2 s4 = sqr(a.c2);
    return {mul_by_xi(s3) + s0, mul_by_xi(s4) + s1, s1 + s2 + s3 - s0 - s4};
}

/// a * v, with v^3 = xi.
Fp6 mul_by_v(const Fp6& a) noexcept
{
    return {mul_by_xi(a.c2), a.c0, a.c1};
}

/// a * (b0 + b1 v): 5 Fp2 multiplications.
Fp6 mul_by_01(const Fp6& a, const Fp2& b0, const Fp2& b1) noexcept
{
    const Fp2 t0 = a.c0 * b0;
    const Fp2 t1 = a.c1 * b1;
    return {
        mul_by_xi(a.c2 * b1) + t0,
        (a.c0 + a.c1) * (b0 + b1) - t0 - t1,
        a.c2 * b0 + t1,
    };
}

Fp6 operator*(const Fp6& a, const Fp2& s) noexcept
{
    return {a.c0 * s, a.c1 * s, a.c2 * s};
}

/// 1 / a through the norm to Fp2.
Fp6 inv(const Fp6& a) noexcept
{
    const Fp2 c0 = sqr(a.c0) - mul_by_xi(a.c1 * a.c2);
    const Fp2 c1 = mul_by_xi(sqr(a.c2)) - a.c0 * a.c1;
    const Fp2 c2 = sqr(a.c1) - a.c0 * a.c2;
    const Fp2 norm = a.c0 * c0 + mul_by_xi(a.c2 * c1 + a.c1 * c2);
    const Fp2 t = inv(norm);
    return {c0 * t, c1 * t, c2 * t};
}

}  // namespace

Fp12 operator*(const Fp12& a, const Fp12& b) noexcept
{
    const Fp6 t0 = a.c0 * b.c0;
    const Fp6 t1 = a.c1 * b.c1;
    return {t0 + mul_by_v(t1), (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1};
}

/// Complex squaring over Fp6: 2 Fp6 multiplications.
Fp12 sqr(const Fp12& a) noexcept
{
    const Fp6 ab = a.c0 * a.c1;
    return {(a.c0 + a.c1) * (a.c0 + mul_by_v(a.c1)) - ab - mul_by_v(ab), ab + ab};
}

Fp12 inv(const Fp12& a) noexcept
{
    const Fp6 t = inv(sqr(a.c0) - mul_by_v(sqr(a.c1)));
    return {a.c0 * t, -(a.c1 * t)};
}

Fp12 conj(const Fp12& a) noexcept
{
    return {a.c0, -a.c1};
}

// The coefficient of w^j sits at c0.c(j/2) for even j and at c1.c(j/2) for odd j.

Fp12 frobenius(const Fp12& a) noexcept
{
    return {
        {conj(a.c0.c0), conj(a.c0.c1) * kGamma1[2], conj(a.c0.c2) * kGamma1[4]},
        {conj(a.c1.c0) * kGamma1[1], conj(a.c1.c1) * kGamma1[3], conj(a.c1.c2) * kGamma1[5]},
    };
}

Fp12 frobenius2(const Fp12& a) noexcept
{
    return {
        {a.c0.c0, a.c0.c1 * kGamma2[2], a.c0.c2 * kGamma2[4]},
        {a.c1.c0 * kGamma2[1], a.c1.c1 * kGamma2[3], a.c1.c2 * kGamma2[5]},
    };
}

Fp12 frobenius3(const Fp12& a) noexcept
{
    return {
        {conj(a.c0.c0), conj(a.c0.c1) * kGamma3[2], conj(a.c0.c2) * kGamma3[4]},
        {conj(a.c1.c0) * kGamma3[1], conj(a.c1.c1) * kGamma3[3], conj(a.c1.c2) * kGamma3[5]},
    };
}

// Granger-Scott (PKC 2010) views Fp12 as Fp4[t] / (t^3 - s), Fp4 = Fp2[s] / (s^2 - xi), t = w,
// s = w^3: f = A + B t + C t^2 with A = (w^0, w^3), B = (w^1, w^4), C = (w^2, w^5). On the
// cyclotomic subgroup f^2 = (3A^2 - 2 conj(A)) + (3 s C^2 + 2 conj(B)) t + (3B^2 - 2 conj(C)) t^2,
// conj being the Fp4 conjugation (x0, x1) -> (x0, -x1).
Fp12 cyclotomic_sqr(const Fp12& a) noexcept
{
    const Fp2& a0 = a.c0.c0;  // w^0
    const Fp2& a1 = a.c1.c1;  // w^3
    const Fp2& b0 = a.c1.c0;  // w^1
    const Fp2& b1 = a.c0.c2;  // w^4
    const Fp2& c0 = a.c0.c1;  // w^2
    const Fp2& c1 = a.c1.c2;  // w^5

    // (x0 + x1 s)^2 = (x0^2 + xi x1^2) + 2 x0 x1 s, with 2 x0 x1 = (x0 + x1)^2 - x0^2 - x1^2.
    const Fp2 a0s = sqr(a0), a1s = sqr(a1);
    const Fp2 b0s = sqr(b0), b1s = sqr(b1);
    const Fp2 c0s = sqr(c0), c1s = sqr(c1);
    const Fp2 aa0 = mul_by_xi(a1s) + a0s, aa1 = sqr(a0 + a1) - a0s - a1s;
    const Fp2 bb0 = mul_by_xi(b1s) + b0s, bb1 = sqr(b0 + b1) - b0s - b1s;
    const Fp2 cc0 = mul_by_xi(c1s) + c0s, cc1 = mul_by_xi(sqr(c0 + c1) - c0s - c1s);  // s C^2

    Fp12 r;
    r.c0.c0 = dbl(aa0 - a0) + aa0;  // 3 A^2 - 2 conj(A)
    r.c1.c1 = dbl(aa1 + a1) + aa1;
    r.c1.c0 = dbl(cc1 + b0) + cc1;  // 3 s C^2 + 2 conj(B)
    r.c0.c2 = dbl(cc0 - b1) + cc0;
    r.c0.c1 = dbl(bb0 - c0) + bb0;  // 3 B^2 - 2 conj(C)
    r.c1.c2 = dbl(bb1 + c1) + bb1;
    return r;
}

Fp12 mul_by_line(const Fp12& a, const Fp2& l0, const Fp2& l1, const Fp2& l3) noexcept
{
    // The line is L0 + L1 w with L0 = l0 and L1 = l1 + l3 v.
    const Fp6 t0 = a.c0 * l0;
    const Fp6 t1 = mul_by_01(a.c1, l1, l3);
    return {t0 + mul_by_v(t1), mul_by_01(a.c0 + a.c1, l0 + l1, l3) - t0 - t1};
}

}  // namespace l2::execution::bn254
