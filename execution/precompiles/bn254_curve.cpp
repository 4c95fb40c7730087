#include "bn254_curve.hpp"

#include <array>

namespace l2::execution::bn254 {
namespace {

/// [k] p with a 4-bit fixed window: 256 doublings and at most 64 additions (G2 and tests).
template <typename F>
Jacobian<F> mul_window(const Jacobian<F>& p, const U256& k) noexcept
{
    std::array<Jacobian<F>, 16> table;
    table[0] = {kOne<F>, kOne<F>, F{}};
    table[1] = p;
    for (size_t i = 2; i < 16; i += 2)
    {
        table[i] = dbl(table[i / 2]);
        table[i + 1] = table[i] + p;
    }
    Jacobian<F> r = table[0];
    bool started = false;
    for (size_t i = 64; i-- > 0;)
    {
        if (started)
            r = dbl(dbl(dbl(dbl(r))));
        const size_t nibble = (k.w[i / 16] >> (4 * (i % 16))) & 0xf;
        if (nibble != 0)
        {
            r = started ? r + table[nibble] : table[nibble];
            started = true;
        }
    }
    return r;
}

// GLV (Gallant-Lambert-Vanstone 2001): phi(x, y) = (beta x, y), beta a cube root of unity in Fp,
// is [lambda] on G1, so [k] P = [k1] P + [k2] phi(P) with k1, k2 of about 127 bits: half the
// doublings. k = k1 + k2 lambda (mod r) comes from the short lattice basis (a1, b1) =
// (6u^2 + 2u, -(2u + 1)), (a2, b2) = (2u + 1, 6u^2 + 4u + 1) of {(a, b): a + b lambda = 0 mod r},
// with Babai rounding through g1 = round(2^256 b2 / r) and g2 = round(-2^256 b1 / r). Any c1, c2
// give a valid split; the rounding only keeps it short.

constexpr Fp kBeta =
    to_fp({0xe4bd44e5607cfd48, 0xc28f069fbb966e3d, 0x5e6dd9e7e0acccb0, 0x30644e72e131a029});
static_assert(sqr(kBeta) * kBeta == kFpOne && !(kBeta == kFpOne));

constexpr U256 kGlvA1 = U256{kU} * kU * 6 + U256{kU} * 2;
constexpr U256 kGlvA2 = U256{kU} * 2 + 1;  // = -b1
constexpr U256 kGlvB2 = U256{kU} * kU * 6 + U256{kU} * 4 + 1;
static_assert(kGlvA1 * kGlvB2 + kGlvA2 * kGlvA2 == kR);  // det = a1 b2 - a2 b1 = r
constexpr U256 kGlvG1{0x5398fd0300ff6565, 0x4ccef014a773d2d2, 2, 0};
constexpr U256 kGlvG2{0xd91d232ec7e0b3d7, 2, 0, 0};

/// The high half of the 512-bit a * b.
U256 mul_hi(const U256& a, const U256& b) noexcept
{
    uint64_t t[8]{};
    for (size_t i = 0; i < 4; ++i)
    {
        uint64_t carry = 0;
        for (size_t j = 0; j < 4; ++j)
        {
            const U128 s = U128{a.w[i]} * b.w[j] + t[i + j] + carry;
            t[i + j] = detail::lo(s);
            carry = detail::hi(s);
        }
        t[i + 4] = carry;
    }
    return {t[4], t[5], t[6], t[7]};
}

/// |x| and whether x is negative, for a two's complement x of small magnitude.
bool take_sign(U256& x) noexcept
{
    const bool negative = (x.w[3] >> 63) != 0;
    if (negative)
        x = -x;
    return negative;
}

/// Width-5 NAF of k: odd digits in [-15, 15], each followed by at least 4 zeros. Returns the
/// number of digits.
size_t wnaf5(U256 k, std::array<int8_t, 258>& digits) noexcept
{
    size_t n = 0;
    for (; k != 0; k >>= 1)
    {
        int8_t d = 0;
        if ((k.w[0] & 1) != 0)
        {
            d = static_cast<int8_t>(k.w[0] & 31);
            if (d >= 16)
            {
                d = static_cast<int8_t>(d - 32);
                k += static_cast<uint64_t>(-d);
            }
            else
            {
                k -= static_cast<uint64_t>(d);
            }
        }
        digits[n++] = d;
    }
    return n;
}

/// r + [d] T where table[i] = [2i + 1] T, for a wNAF digit d.
G1 add_digit(const G1& r, int8_t d, const std::array<G1, 8>& table) noexcept
{
    if (d > 0)
        return r + table[static_cast<size_t>(d / 2)];
    return r + -table[static_cast<size_t>(-d / 2)];
}

/// [u] q by the NAF of u: 63 doublings and 23 mixed additions.
G2 mul_by_u(const G2Affine& q) noexcept
{
    const G2Affine neg_q{q.x, -q.y};
    G2 r = to_jacobian(q);
    for (size_t i = kUNaf.size - 1; i-- > 0;)
    {
        r = dbl(r);
        if (kUNaf.digits[i] > 0)
            r = r + q;
        else if (kUNaf.digits[i] < 0)
            r = r + neg_q;
    }
    return r;
}

}  // namespace

G1 mul(const G1& p, const U256& k) noexcept
{
    const U256 k0 = k % kR;  // G1 has order r.
    const U256 c1 = mul_hi(k0, kGlvG1);
    const U256 c2 = mul_hi(k0, kGlvG2);
    U256 k1 = k0 - c1 * kGlvA1 - c2 * kGlvA2;
    U256 k2 = c1 * kGlvA2 - c2 * kGlvB2;
    const bool neg1 = take_sign(k1);
    const bool neg2 = take_sign(k2);

    // Odd multiples [1, 3, .., 15] of P1 = +-P and P2 = +-phi(P).
    std::array<G1, 8> t1;
    std::array<G1, 8> t2;
    t1[0] = neg1 ? -p : p;
    const G1 twice = dbl(t1[0]);
    for (size_t i = 1; i < 8; ++i)
        t1[i] = t1[i - 1] + twice;
    for (size_t i = 0; i < 8; ++i)
    {
        t2[i] = {t1[i].x * kBeta, t1[i].y, t1[i].z};
        if (neg1 != neg2)
            t2[i] = -t2[i];
    }

    std::array<int8_t, 258> d1{};
    std::array<int8_t, 258> d2{};
    const size_t n1 = wnaf5(k1, d1);
    const size_t n2 = wnaf5(k2, d2);
    G1 r{kFpOne, kFpOne, Fp{}};
    for (size_t i = n1 > n2 ? n1 : n2; i-- > 0;)
    {
        if (!is_infinity(r))
            r = dbl(r);
        if (d1[i] != 0)
            r = add_digit(r, d1[i], t1);
        if (d2[i] != 0)
            r = add_digit(r, d2[i], t2);
    }
    return r;
}

G2 mul(const G2& q, const U256& k) noexcept
{
    return mul_window(q, k);
}

bool to_affine(const G1& p, G1Affine& out) noexcept
{
    if (is_infinity(p))
        return false;
    const Fp zi = inv(p.z);
    const Fp zi2 = sqr(zi);
    out = {p.x * zi2, p.y * zi2 * zi};
    return true;
}

bool in_g2(const G2Affine& q) noexcept
{
    const G2 uq = mul_by_u(q);
    const G2 psi_uq = psi(uq);
    const G2 lhs = (uq + q) + psi_uq + psi(psi_uq);
    const G2 rhs = psi(psi(psi(dbl(uq))));
    return lhs == rhs;
}

}  // namespace l2::execution::bn254
