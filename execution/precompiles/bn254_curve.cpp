#include "bn254_curve.hpp"

#include <array>

namespace l2::execution::bn254 {
namespace {

/// [k] p with a 4-bit fixed window: 256 doublings and at most 64 additions.
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
    return mul_window(p, k);
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
