#include "bn254_pairing.hpp"

#include <algorithm>
#include <array>

namespace l2::execution::bn254 {
namespace {

/// The ate loop count 6u + 2 (65 bits) in NAF.
constexpr Naf kLoopNaf = naf_of(U128{kU} * 6 + 2);
static_assert(kLoopNaf.size == 66 && kLoopNaf.digits[65] == 1);

/// 3 b' of the twist.
constexpr Fp2 kTwistB3 = kCurveB<Fp2> + kCurveB<Fp2> + kCurveB<Fp2>;

/// xi^((p^2 - 1) / 3): the x coefficient of the p^2-power Frobenius on the twist.
constexpr Fp kGamma2x = (kGamma1[2] * conj(kGamma1[2])).c0;

/// Pairs per Miller loop pass; the loop state lives on the stack.
constexpr size_t kChunk = 16;

/// A G2 point in homogeneous projective coordinates (X / Z, Y / Z), the Miller loop's T.
struct Projective
{
    Fp2 x;
    Fp2 y;
    Fp2 z;
};

/// A pair with P's coordinates prepared for the line evaluations.
struct Prepared
{
    Fp x3;     ///< 3 xP
    Fp neg_x;  ///< -xP
    Fp y;      ///< yP
    Fp neg_y;  ///< -yP
};

// With psi(x, y) = (x w^2, y w^3) mapping the twist into E(Fp12), the line through T and Q with
// twist slope s is yP - s xP w + (s xT - yT) w^3, up to an Fp2 factor that the final
// exponentiation kills: three Fp2 coefficients of 1, w and w^3 (Costello, Lange, Naehrig 2010;
// Aranha et al. 2010 for the projective formulas).

/// T = 2T; f = f * l_{T,T}(P). The doubling is Costello-Lange-Naehrig's, scaled by 4 to avoid
/// halvings: X3 = 2XY (Y^2 - 9b'Z^2), Y3 = (Y^2 + 9b'Z^2)^2 - 108 b'^2 Z^4, Z3 = 8 Y^3 Z.
void doubling_step(Projective& t, const Prepared& p, Fp12& f) noexcept
{
    const Fp2 b = sqr(t.y);
    const Fp2 c = sqr(t.z);
    const Fp2 e = kTwistB3 * c;  // 3b'Z^2
    const Fp2 e3 = dbl(e) + e;
    const Fp2 h = sqr(t.y + t.z) - (b + c);  // 2YZ
    const Fp2 j = sqr(t.x);
    const Fp2 e_sq = sqr(e);
    const Fp2 e_sq3 = dbl(e_sq) + e_sq;
    // Tangent slope 3x^2 / 2y; times -2YZ: -2YZ yP + 3X^2 xP w + (3b'Z^2 - Y^2) w^3.
    f = mul_by_line(f, h * p.neg_y, j * p.x3, e - b);
    t.x = dbl(t.x * t.y) * (b - e3);
    t.y = sqr(b + e3) - dbl(dbl(e_sq3));
    t.z = dbl(dbl(b * h));
}

/// T = T + Q; f = f * l_{T,Q}(P).
void addition_step(Projective& t, const G2Affine& q, const Prepared& p, Fp12& f) noexcept
{
    const Fp2 theta = t.y - q.y * t.z;
    const Fp2 lambda = t.x - q.x * t.z;
    const Fp2 c = sqr(theta);
    const Fp2 d = sqr(lambda);
    const Fp2 e = lambda * d;
    const Fp2 ff = t.z * c;
    const Fp2 g = t.x * d;
    const Fp2 h = e + ff - dbl(g);
    // Slope theta / lambda; scaled by lambda: lambda yP - theta xP w + (theta xQ - lambda yQ) w^3.
    f = mul_by_line(f, lambda * p.y, theta * p.neg_x, theta * q.x - lambda * q.y);
    t.x = lambda * h;
    t.y = theta * (g - h) - t.y * e;
    t.z = t.z * e;
}

Fp12 miller_chunk(std::span<const PairingInput> pairs) noexcept
{
    const size_t n = pairs.size();
    std::array<Prepared, kChunk> prep;
    std::array<Projective, kChunk> t;
    std::array<G2Affine, kChunk> neg_q;
    for (size_t k = 0; k < n; ++k)
    {
        const auto& [p, q] = pairs[k];
        prep[k] = {dbl(p.x) + p.x, -p.x, p.y, -p.y};
        t[k] = {q.x, q.y, kFp2One};
        neg_q[k] = {q.x, -q.y};
    }

    Fp12 f = kFp12One;
    for (size_t i = kLoopNaf.size - 1; i-- > 0;)
    {
        if (i != kLoopNaf.size - 2)  // f = 1 on the first step.
            f = sqr(f);
        for (size_t k = 0; k < n; ++k)
            doubling_step(t[k], prep[k], f);
        if (kLoopNaf.digits[i] > 0)
        {
            for (size_t k = 0; k < n; ++k)
                addition_step(t[k], pairs[k].q, prep[k], f);
        }
        else if (kLoopNaf.digits[i] < 0)
        {
            for (size_t k = 0; k < n; ++k)
                addition_step(t[k], neg_q[k], prep[k], f);
        }
    }

    // The optimal ate corrections: add pi(Q), then -pi^2(Q), where pi is the p-power Frobenius
    // seen on the twist: pi(Q) = psi(Q) and pi^2(Q) = (x xi^((p^2-1)/3), -y).
    for (size_t k = 0; k < n; ++k)
    {
        const G2Affine& q = pairs[k].q;
        const G2Affine q1{conj(q.x) * kGamma1[2], conj(q.y) * kGamma1[3]};
        const G2Affine neg_q2{q.x * kGamma2x, q.y};
        addition_step(t[k], q1, prep[k], f);
        addition_step(t[k], neg_q2, prep[k], f);
    }
    return f;
}

/// f^u for f in the cyclotomic subgroup, where f^-1 = conj(f).
Fp12 cyclotomic_exp_by_u(const Fp12& f) noexcept
{
    const Fp12 f_inv = conj(f);
    Fp12 r = f;
    for (size_t i = kUNaf.size - 1; i-- > 0;)
    {
        r = cyclotomic_sqr(r);
        if (kUNaf.digits[i] > 0)
            r = r * f;
        else if (kUNaf.digits[i] < 0)
            r = r * f_inv;
    }
    return r;
}

}  // namespace

Fp12 miller_loop(std::span<const PairingInput> pairs) noexcept
{
    Fp12 f = kFp12One;
    for (size_t i = 0; i < pairs.size(); i += kChunk)
    {
        const Fp12 g = miller_chunk(pairs.subspan(i, std::min(kChunk, pairs.size() - i)));
        f = i == 0 ? g : f * g;
    }
    return f;
}

Fp12 final_exponentiation(const Fp12& f) noexcept
{
    // Easy part f^((p^6 - 1)(p^2 + 1)): the result lies in the cyclotomic subgroup.
    Fp12 m = conj(f) * inv(f);
    m = frobenius2(m) * m;

    // Hard part m^((p^4 - p^2 + 1) / r) = m^(l0 + l1 p + l2 p^2 + p^3) with l0, l1, l2
    // polynomials in u (Scott, Benger, Charlemagne, Dominguez Perez, Kachisa 2009, sec. 6).
    const Fp12 mu = cyclotomic_exp_by_u(m);
    const Fp12 mu2 = cyclotomic_exp_by_u(mu);
    const Fp12 mu3 = cyclotomic_exp_by_u(mu2);
    const Fp12 y0 = frobenius(m) * frobenius2(m) * frobenius3(m);
    const Fp12 y1 = conj(m);
    const Fp12 y2 = frobenius2(mu2);
    const Fp12 y3 = conj(frobenius(mu));
    const Fp12 y4 = conj(mu * frobenius(mu2));
    const Fp12 y5 = conj(mu2);
    const Fp12 y6 = conj(mu3 * frobenius(mu3));
    Fp12 t0 = cyclotomic_sqr(y6) * y4 * y5;
    Fp12 t1 = y3 * y5 * t0;
    t0 = t0 * y2;
    t1 = cyclotomic_sqr(cyclotomic_sqr(t1) * t0);
    t0 = t1 * y1;
    t1 = t1 * y0;
    return cyclotomic_sqr(t0) * t1;
}

bool pairing_check(std::span<const PairingInput> pairs) noexcept
{
    if (pairs.empty())
        return true;
    return final_exponentiation(miller_loop(pairs)) == kFp12One;
}

}  // namespace l2::execution::bn254
