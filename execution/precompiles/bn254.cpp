#include "bn254.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "bn254_pairing.hpp"

namespace l2::execution::bn254 {
namespace {

constexpr size_t kWord = 32;
constexpr size_t kG1Size = 2 * kWord;
constexpr size_t kG2Size = 4 * kWord;
constexpr size_t kPairSize = kG1Size + kG2Size;

enum class PointStatus
{
    kOk,
    kInfinity,
    kInvalid,
};

/// A 32-byte big-endian field element; false when it is not below p.
bool read_fp(const uint8_t* in, Fp& out) noexcept
{
    const U256 x = from_be_bytes(ByteView{in, kWord});
    if (x >= kP)
        return false;
    out = to_fp(x);
    return true;
}

void write_fp(const Fp& a, uint8_t* out) noexcept
{
    to_be_bytes(from_fp(a), out);
}

/// A G1 point (x, y): (0, 0) is infinity, anything else must be on the curve.
PointStatus read_g1(const uint8_t* in, G1Affine& out) noexcept
{
    if (!read_fp(in, out.x) || !read_fp(in + kWord, out.y))
        return PointStatus::kInvalid;
    if (is_zero(out.x) && is_zero(out.y))
        return PointStatus::kInfinity;
    return is_on_curve(out) ? PointStatus::kOk : PointStatus::kInvalid;
}

/// A G2 point (x_im, x_re, y_im, y_re): all zero is infinity, anything else must be on the
/// twist and in the order-r subgroup.
PointStatus read_g2(const uint8_t* in, G2Affine& out) noexcept
{
    if (!read_fp(in, out.x.c1) || !read_fp(in + kWord, out.x.c0) ||
        !read_fp(in + 2 * kWord, out.y.c1) || !read_fp(in + 3 * kWord, out.y.c0))
        return PointStatus::kInvalid;
    if (is_zero(out.x) && is_zero(out.y))
        return PointStatus::kInfinity;
    return is_on_curve(out) && in_g2(out) ? PointStatus::kOk : PointStatus::kInvalid;
}

/// The 64-byte encoding of `p`, zeros for infinity.
PrecompileResult g1_output(const G1& p)
{
    PrecompileResult r{true, Bytes(kG1Size, 0)};
    if (G1Affine a; to_affine(p, a))
    {
        write_fp(a.x, r.output.data());
        write_fp(a.y, r.output.data() + kWord);
    }
    return r;
}

/// `input` right-padded with zeros (or truncated) to N bytes, as geth's getData.
template <size_t N>
std::array<uint8_t, N> padded(ByteView input) noexcept
{
    std::array<uint8_t, N> buf{};
    if (!input.empty())
        std::memcpy(buf.data(), input.data(), std::min(N, input.size()));
    return buf;
}

}  // namespace

PrecompileResult ecadd(ByteView input)
{
    const auto buf = padded<2 * kG1Size>(input);
    G1Affine a;
    G1Affine b;
    const PointStatus sa = read_g1(buf.data(), a);
    const PointStatus sb = read_g1(buf.data() + kG1Size, b);
    if (sa == PointStatus::kInvalid || sb == PointStatus::kInvalid)
        return {};
    if (sa == PointStatus::kInfinity)
        return sb == PointStatus::kInfinity ? g1_output(G1{}) : g1_output(to_jacobian(b));
    if (sb == PointStatus::kInfinity)
        return g1_output(to_jacobian(a));
    return g1_output(to_jacobian(a) + b);
}

PrecompileResult ecmul(ByteView input)
{
    const auto buf = padded<kG1Size + kWord>(input);
    G1Affine a;
    const PointStatus s = read_g1(buf.data(), a);
    if (s == PointStatus::kInvalid)
        return {};
    if (s == PointStatus::kInfinity)
        return g1_output(G1{});
    return g1_output(mul(to_jacobian(a), from_be_bytes(ByteView{buf.data() + kG1Size, kWord})));
}

PrecompileResult ecpairing(ByteView input)
{
    if (input.size() % kPairSize != 0)
        return {};
    std::vector<PairingInput> pairs;
    pairs.reserve(input.size() / kPairSize);
    for (size_t i = 0; i < input.size(); i += kPairSize)
    {
        PairingInput pair;
        const PointStatus sp = read_g1(input.data() + i, pair.p);
        if (sp == PointStatus::kInvalid)
            return {};
        const PointStatus sq = read_g2(input.data() + i + kG1Size, pair.q);
        if (sq == PointStatus::kInvalid)
            return {};
        // e(O, Q) = e(P, O) = 1: such pairs drop out of the product.
        if (sp == PointStatus::kOk && sq == PointStatus::kOk)
            pairs.push_back(pair);
    }
    PrecompileResult r{true, Bytes(kWord, 0)};
    r.output[kWord - 1] = pairing_check(pairs) ? 1 : 0;
    return r;
}

}  // namespace l2::execution::bn254
