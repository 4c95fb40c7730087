#include <txtypes/uint256.hpp>

#include <array>
#include <ostream>
#include <random>

#include <gtest/gtest.h>

namespace l2 {

// gtest finds this by ADL: failures print hex instead of raw bytes.
void PrintTo(const U256& x, std::ostream* os)
{
    *os << to_hex(x);
}

}  // namespace l2

namespace {

using l2::U256;

// Constant evaluation of the inline operators.
static_assert(U256{1} + U256{2} == 3);
static_assert(l2::kU256Max + 1 == 0);
static_assert(U256{0} - 1 == l2::kU256Max);
static_assert(U256{0, 1, 0, 0} * U256{0, 1, 0, 0} == U256{0, 0, 1, 0});
static_assert(((U256{1} << 255) >> 255) == 1);
static_assert(U256{5} > 3 && 3 < U256{5} && U256{0, 0, 0, 1} > U256{~uint64_t{0}});
static_assert((U256{7} <=> U256{0, 1, 0, 0}) == std::strong_ordering::less);
static_assert(sizeof(U256) == 32 && std::is_trivially_copyable_v<U256>);

constexpr uint64_t kAll = ~uint64_t{0};
const U256 kIntMin{0, 0, 0, uint64_t{1} << 63};
const U256 kMinusOne = l2::kU256Max;

U256 parse(std::string_view s)
{
    auto r = l2::u256_from_string(s);
    EXPECT_TRUE(r.has_value()) << s;
    return r ? *r : U256{};
}

/// `prefix` then `n` copies of `c` (appending: GCC 12 -O3 misreports "x" + std::string).
std::string padded(std::string prefix, size_t n, char c)
{
    prefix.append(n, c);
    return prefix;
}

U256 pow2(unsigned n)
{
    return U256{1} << n;
}

// --- Slow references built only from shifts, compares, + and - -------------------------------

/// Bit-at-a-time long division.
l2::U256DivResult slow_divmod(const U256& a, const U256& d)
{
    U256 q;
    U256 r;
    for (unsigned i = 256; i-- > 0;)
    {
        const bool top = (r.w[3] >> 63) != 0;
        r = (r << 1) | ((a >> i) & 1);
        if (top || r >= d)
        {
            r -= d;  // Wraps correctly when the shift carried out of 2^256.
            q |= pow2(i);
        }
    }
    return {q, r};
}

/// (x + y) mod m for x, y < m.
U256 slow_addmod_reduced(const U256& x, const U256& y, const U256& m)
{
    const U256 s = x + y;
    return (s < x || s >= m) ? s - m : s;
}

/// a * b mod m by repeated doubling.
U256 slow_mulmod(const U256& a, const U256& b, const U256& m)
{
    const U256 ar = slow_divmod(a, m).rem;
    U256 r;
    for (unsigned i = 256; i-- > 0;)
    {
        r = slow_addmod_reduced(r, r, m);
        if (((b >> i) & 1) != 0)
            r = slow_addmod_reduced(r, ar, m);
    }
    return r;
}

/// The full 512-bit product, for checks that must not wrap.
std::array<uint64_t, 8> mul_full(const U256& a, const U256& b)
{
    std::array<uint64_t, 8> p{};
    for (size_t j = 0; j < 4; ++j)
    {
        uint64_t carry = 0;
        for (size_t i = 0; i < 4; ++i)
        {
            const unsigned __int128 t =
                static_cast<unsigned __int128>(a.w[i]) * b.w[j] + p[i + j] + carry;
            p[i + j] = static_cast<uint64_t>(t);
            carry = static_cast<uint64_t>(t >> 64);
        }
        p[j + 4] = carry;
    }
    return p;
}

/// Random values of every limb count and bit length, with runs of all-ones and all-zeros limbs
/// that stress the carries and the trial-digit corrections.
class Gen
{
public:
    explicit Gen(uint64_t seed) : m_rng{seed} {}

    U256 next()
    {
        U256 x;
        for (auto& limb : x.w)
        {
            switch (m_rng() % 8)
            {
                case 0:
                    limb = 0;
                    break;
                case 1:
                    limb = kAll;
                    break;
                case 2:
                    limb = uint64_t{1} << 63;
                    break;
                default:
                    limb = m_rng();
            }
        }
        return x >> (m_rng() % 256);
    }

    uint64_t raw() { return m_rng(); }

private:
    std::mt19937_64 m_rng;
};

void check_division(const U256& a, const U256& d)
{
    SCOPED_TRACE(l2::to_hex(a) + " / " + l2::to_hex(d));
    const auto [q, r] = l2::udivrem(a, d);
    ASSERT_LT(r, d);
    const auto p = mul_full(q, d);
    ASSERT_EQ(p[4] | p[5] | p[6] | p[7], 0u);
    const U256 qd{p[0], p[1], p[2], p[3]};
    ASSERT_GE(qd + r, qd);  // No wrap.
    ASSERT_EQ(qd + r, a);
    ASSERT_EQ(a / d, q);
    ASSERT_EQ(a % d, r);
}

// --- Basics -----------------------------------------------------------------------------------

TEST(U256, ConstructAndCompare)
{
    const U256 x{1, 2, 3, 4};
    EXPECT_EQ(x.w[0], 1u);
    EXPECT_EQ(x.w[3], 4u);
    EXPECT_EQ(U256{}, 0);
    EXPECT_FALSE(U256{});
    EXPECT_TRUE(U256(0, 0, 0, 1));
    EXPECT_LT(U256{kAll}, U256(0, 1, 0, 0));
    EXPECT_LT(U256(kAll, kAll, kAll, 0), U256(0, 0, 0, 1));
    EXPECT_GT(U256(0, 0, 1, 0), U256(kAll, kAll, 0, 0));
    EXPECT_LE(x, x);
    EXPECT_GE(x, x);
    EXPECT_NE(x, U256(1, 2, 3, 5));
    EXPECT_EQ(x <=> x, std::strong_ordering::equal);
    EXPECT_EQ(U256(0, 0, 0, 1) <=> U256(kAll, kAll, kAll, 0), std::strong_ordering::greater);
    EXPECT_EQ(U256(5, 0, 9, 0) <=> U256(6, 0, 9, 0), std::strong_ordering::less);
    EXPECT_TRUE(x == U256(1, 2, 3, 4) && 7 == U256{7} && U256{7} != 8);
}

TEST(U256, AddSubWrap)
{
    EXPECT_EQ(l2::kU256Max + 1, 0);
    EXPECT_EQ(U256{} - 1, l2::kU256Max);
    EXPECT_EQ(U256(kAll, kAll, kAll, 0) + 1, U256(0, 0, 0, 1));
    EXPECT_EQ(U256(0, 0, 0, 1) - 1, U256(kAll, kAll, kAll, 0));
    EXPECT_EQ(U256(kAll, 0, kAll, 0) + U256(1, 0, 1, 0), U256(0, 1, 0, 1));
    EXPECT_EQ(l2::kU256Max + l2::kU256Max, l2::kU256Max - 1);
    EXPECT_EQ(-U256{1}, l2::kU256Max);
    EXPECT_EQ(-U256{}, 0);
    EXPECT_EQ(-kIntMin, kIntMin);

    U256 x{kAll};
    EXPECT_EQ(++x, U256(0, 1, 0, 0));
    EXPECT_EQ(x++, U256(0, 1, 0, 0));
    EXPECT_EQ(x, U256(1, 1, 0, 0));
    EXPECT_EQ(--x, U256(0, 1, 0, 0));
    EXPECT_EQ(x--, U256(0, 1, 0, 0));
    EXPECT_EQ(x, U256{kAll});
    x += 1;
    x -= 2;
    EXPECT_EQ(x, U256{kAll - 1});
}

TEST(U256, Multiply)
{
    EXPECT_EQ(l2::kU256Max * l2::kU256Max, 1);  // (2^256 - 1)^2 = 1 mod 2^256.
    EXPECT_EQ(pow2(128) * pow2(128), 0);
    EXPECT_EQ(pow2(127) * pow2(128), pow2(255));
    EXPECT_EQ(U256(1, 1, 0, 0) * U256(1, 1, 0, 0), U256(1, 2, 1, 0));
    EXPECT_EQ(U256{kAll} * U256{kAll}, U256(1, kAll - 1, 0, 0));
    EXPECT_EQ(parse("340282366920938463463374607431768211457") * 3,
              parse("1020847100762815390390123822295304634371"));
    U256 x{3};
    x *= l2::kU256Max;
    EXPECT_EQ(x, -U256{3});

    // Against the low half of the full product.
    Gen gen{1};
    for (int i = 0; i < 2000; ++i)
    {
        const U256 a = gen.next();
        const U256 b = gen.next();
        const auto p = mul_full(a, b);
        ASSERT_EQ(a * b, U256(p[0], p[1], p[2], p[3]));
    }
}

TEST(U256, Bitwise)
{
    const U256 a{0xf0f0, 1, 0, kAll};
    const U256 b{0xff00, 3, kAll, 0};
    EXPECT_EQ(a & b, U256(0xf000, 1, 0, 0));
    EXPECT_EQ(a | b, U256(0xfff0, 3, kAll, kAll));
    EXPECT_EQ(a ^ b, U256(0x0ff0, 2, kAll, kAll));
    EXPECT_EQ(~U256{}, l2::kU256Max);
    U256 c = a;
    c &= b;
    c |= U256{1};
    c ^= U256{0xf000};
    EXPECT_EQ(c, U256(1, 1, 0, 0));
}

TEST(U256, Shifts)
{
    const U256 x{0x0123456789abcdef, 0xfedcba9876543210, 0x1111111111111111, 0x8000000000000001};
    EXPECT_EQ(x << 0, x);
    EXPECT_EQ(x >> 0, x);
    EXPECT_EQ(U256{1} << 255, kIntMin);
    EXPECT_EQ(U256{1} << 256, 0);
    EXPECT_EQ(x << 256, 0);
    EXPECT_EQ(x >> 256, 0);
    EXPECT_EQ(x >> 1000, 0);
    EXPECT_EQ(x >> kAll, 0);
    EXPECT_EQ(x << 64, U256(0, x.w[0], x.w[1], x.w[2]));
    EXPECT_EQ(x >> 64, U256(x.w[1], x.w[2], x.w[3], 0));
    EXPECT_EQ(x >> 192, U256{x.w[3]});
    EXPECT_EQ(x << 192, U256(0, 0, 0, x.w[0]));
    EXPECT_EQ(x >> 255, 1);
    EXPECT_EQ(x << 4,
              U256(0x123456789abcdef0, 0xedcba98765432100, 0x111111111111111f, 0x0000000000000011));
    EXPECT_EQ(x >> 4,
              U256(0x00123456789abcde, 0x1fedcba987654321, 0x1111111111111111, 0x0800000000000000));
    EXPECT_EQ(x << 68, U256(0, 0x123456789abcdef0, 0xedcba98765432100, 0x111111111111111f));
    EXPECT_EQ(x >> 132,
              U256(0x1111111111111111 >> 4 | 0x1000000000000000, 0x0800000000000000, 0, 0));
    // Shifting one bit at a time agrees with shifting at once.
    U256 l = x;
    U256 r = x;
    for (unsigned s = 1; s < 260; ++s)
    {
        l = l + l;
        r = (r >> 1);
        ASSERT_EQ(x << s, l) << s;
        ASSERT_EQ(x >> s, r) << s;
    }
    U256 y = x;
    y <<= 8;
    y >>= 8;
    EXPECT_EQ(y, x & (l2::kU256Max >> 8));
}

TEST(U256, CountBits)
{
    EXPECT_EQ(l2::clz(U256{}), 256u);
    EXPECT_EQ(l2::clz(l2::kU256Max), 0u);
    EXPECT_EQ(l2::clz(pow2(64)), 191u);
    EXPECT_EQ(l2::bit_width(pow2(200)), 201u);
    EXPECT_EQ(l2::bit_width(U256{}), 0u);
    EXPECT_EQ(l2::count_significant_bytes(U256{}), 0u);
    EXPECT_EQ(l2::count_significant_bytes(U256{0xff}), 1u);
    EXPECT_EQ(l2::count_significant_bytes(U256{0x100}), 2u);
    EXPECT_EQ(l2::count_significant_bytes(l2::kU256Max), 32u);
    EXPECT_TRUE(l2::fits_u64(U256{kAll}));
    EXPECT_FALSE(l2::fits_u64(pow2(64)));
    EXPECT_FALSE(l2::fits_u64(pow2(255)));
    EXPECT_EQ(l2::low_u64(U256(7, 8, 9, 10)), 7u);
}

// --- Division ---------------------------------------------------------------------------------

TEST(U256, DivisionKnownValues)
{
    const U256 max = l2::kU256Max;
    EXPECT_EQ(max / 1, max);
    EXPECT_EQ(max % 1, 0);
    EXPECT_EQ(max / max, 1);
    EXPECT_EQ(max % max, 0);
    EXPECT_EQ(max % 2, 1);
    EXPECT_EQ(max / 2, max >> 1);
    EXPECT_EQ(max / 3, parse("0x5555555555555555555555555555555555555555555555555555555555555555"));
    EXPECT_EQ(max / 10, parse("11579208923731619542357098500868790785326998466564056403945758400"
                              "791312963993"));
    EXPECT_EQ(max % 10, 5);
    EXPECT_EQ(max / pow2(128), (pow2(128) - 1));
    EXPECT_EQ(max % pow2(128), (pow2(128) - 1));
    EXPECT_EQ(max / (max - 1), 1);
    EXPECT_EQ(max % (max - 1), 1);
    EXPECT_EQ(U256{100} / 7, 14);
    EXPECT_EQ(U256{100} % 7, 2);
    EXPECT_EQ(U256{5} / U256(0, 1, 0, 0), 0);  // Dividend below divisor.
    EXPECT_EQ(U256{5} % U256(0, 1, 0, 0), 5);
    EXPECT_EQ(U256(1, 2, 3, 4) / U256(1, 2, 3, 5), 0);
    EXPECT_EQ(U256(1, 2, 3, 4) % U256(1, 2, 3, 5), U256(1, 2, 3, 4));
    const U256 e77 = parse(padded("1", 77, '0'));
    EXPECT_EQ(e77 / parse(padded("1", 38, '0')), parse(padded("1", 39, '0')));
    EXPECT_EQ(e77 % parse(padded("1", 38, '0')), 0);
    // Divisors with high limbs set.
    EXPECT_EQ(max / U256(0, 0, 0, 1), U256{kAll});
    EXPECT_EQ(max % U256(0, 0, 0, 1), pow2(192) - 1);
    EXPECT_EQ(max / (pow2(192) + 1), U256{kAll});
    EXPECT_EQ(max % (pow2(192) + 1), pow2(192) - pow2(64));
    EXPECT_EQ(pow2(255) / (pow2(128) + 3), parse("0x7ffffffffffffffffffffffffffffffe"));
}

TEST(U256, DivisionByZeroIsZero)
{
    EXPECT_EQ(U256{} / 0, 0);
    EXPECT_EQ(U256{} % 0, 0);
    EXPECT_EQ(l2::kU256Max / 0, 0);
    EXPECT_EQ(l2::kU256Max % 0, 0);
    const auto qr = l2::udivrem(U256{42}, U256{});
    EXPECT_EQ(qr.quot, 0);
    EXPECT_EQ(qr.rem, 0);
    U256 x{9};
    x /= 0;
    EXPECT_EQ(x, 0);
    x = 9;
    x %= 0;
    EXPECT_EQ(x, 0);
}

TEST(U256, DivisionKnuthCorrections)
{
    // Trial digit 2 from the top limbs, true digit 1: the add-back step (shift 0 and 1).
    check_division(pow2(192), pow2(191) + 1);
    EXPECT_EQ(pow2(192) / (pow2(191) + 1), 1);
    EXPECT_EQ(pow2(192) % (pow2(191) + 1), pow2(191) - 1);
    EXPECT_EQ(pow2(191) / (pow2(190) + 1), 1);
    EXPECT_EQ(pow2(191) % (pow2(190) + 1), pow2(190) - 1);
    // Four-limb divisor, normalized by one bit.
    EXPECT_EQ(pow2(255) / (pow2(254) + 1), 1);
    EXPECT_EQ(pow2(255) % (pow2(254) + 1), pow2(254) - 1);
    // Top two limbs of the window equal the divisor's: the digit is 2^64 - 1 without a 3-by-2
    // division, after an add-back on the previous digit.
    const U256 d{7, 5, uint64_t{1} << 63, 0};
    const U256 a = d * pow2(64) - 1;
    EXPECT_EQ(a / d, U256{kAll});
    EXPECT_EQ(a % d, d - 1);
    check_division(a, d);
    // Two-limb divisor equal to the numerator's top.
    EXPECT_EQ(U256(0, 0, 7, 1) / U256(7, 1, 0, 0), pow2(128));
    EXPECT_EQ(U256(kAll, kAll, 6, 1) % U256(7, 1, 0, 0), U256(6, 1, 0, 0));
}

TEST(U256, DivisionRandomized)
{
    Gen gen{0x5eed};
    for (int i = 0; i < 20000; ++i)
    {
        const U256 a = gen.next();
        U256 d = gen.next();
        if (!d)
            d = 1;
        check_division(a, d);
        if (HasFatalFailure())
            return;
    }
    // A slice against bit-at-a-time long division.
    for (int i = 0; i < 500; ++i)
    {
        const U256 a = gen.next();
        const U256 d = gen.next() | 1;
        const auto fast = l2::udivrem(a, d);
        const auto slow = slow_divmod(a, d);
        ASSERT_EQ(fast.quot, slow.quot);
        ASSERT_EQ(fast.rem, slow.rem);
    }
}

TEST(U256, DivisionSmallDivisors)
{
    Gen gen{42};
    for (int i = 0; i < 5000; ++i)
    {
        const U256 a = gen.next() | pow2(255);  // Full-width dividends.
        check_division(a, U256{gen.raw() | 1});
        check_division(a, U256{gen.raw() >> (gen.raw() % 64) | 1});
        check_division(a, U256{gen.raw(), gen.raw() >> (gen.raw() % 64), 0, 0});
        if (HasFatalFailure())
            return;
    }
}

// --- EVM helpers ------------------------------------------------------------------------------

TEST(U256, Addmod)
{
    const U256 max = l2::kU256Max;
    EXPECT_EQ(l2::addmod(max, 1, max), 1);  // 2^256 mod (2^256 - 1).
    EXPECT_EQ(l2::addmod(max, max, max), 0);
    EXPECT_EQ(l2::addmod(max, max, 2), 0);
    EXPECT_EQ(l2::addmod(max, 2, 10), 7);  // 2^256 + 1, and 2^256 ends in 6.
    EXPECT_EQ(l2::addmod(max - 1, max - 1, max), max - 2);
    EXPECT_EQ(l2::addmod(5, 7, 0), 0);
    EXPECT_EQ(l2::addmod(5, 7, 5), 2);
    EXPECT_EQ(l2::addmod(3, 4, 8), 7);
    Gen gen{7};
    for (int i = 0; i < 1000; ++i)
    {
        const U256 a = gen.next();
        const U256 b = gen.next();
        const U256 m = gen.next() | 1;
        const U256 ar = slow_divmod(a, m).rem;
        const U256 br = slow_divmod(b, m).rem;
        ASSERT_EQ(l2::addmod(a, b, m), slow_addmod_reduced(ar, br, m));
        ASSERT_EQ(l2::addmod(ar, br, m), slow_addmod_reduced(ar, br, m));
    }
}

TEST(U256, Mulmod)
{
    const U256 max = l2::kU256Max;
    EXPECT_EQ(l2::mulmod(max, max, 12), 9);
    EXPECT_EQ(l2::mulmod(max, max, max), 0);
    EXPECT_EQ(l2::mulmod(max, max, max - 1), 1);  // (m + 1)^2 = 1 mod m.
    EXPECT_EQ(l2::mulmod(pow2(255), 2, max), 1);
    EXPECT_EQ(l2::mulmod(pow2(255), pow2(255), max), pow2(254));  // 2^510 = 2^(510 - 256).
    EXPECT_EQ(l2::mulmod(7, 9, 0), 0);
    EXPECT_EQ(l2::mulmod(7, 9, 1), 0);
    EXPECT_EQ(l2::mulmod(7, 9, 10), 3);
    EXPECT_EQ(l2::mulmod(0, max, 3), 0);
    // secp256k1's field prime: (p - 1)^2 = 1 mod p.
    const U256 p = parse("0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f");
    EXPECT_EQ(l2::mulmod(p - 1, p - 1, p), 1);
    Gen gen{9};
    for (int i = 0; i < 1000; ++i)
    {
        const U256 a = gen.next();
        const U256 b = gen.next();
        U256 m = gen.next();
        if (!m)
            m = 3;
        ASSERT_EQ(l2::mulmod(a, b, m), slow_mulmod(a, b, m))
            << l2::to_hex(a) << " " << l2::to_hex(b) << " " << l2::to_hex(m);
    }
}

TEST(U256, Exp)
{
    EXPECT_EQ(l2::exp(0, 0), 1);
    EXPECT_EQ(l2::exp(0, 5), 0);
    EXPECT_EQ(l2::exp(5, 0), 1);
    EXPECT_EQ(l2::exp(3, 5), 243);
    EXPECT_EQ(l2::exp(2, 255), pow2(255));
    EXPECT_EQ(l2::exp(2, 256), 0);
    EXPECT_EQ(l2::exp(2, U256(0, 1, 0, 0)), 0);
    EXPECT_EQ(l2::exp(4, 127), pow2(254));
    EXPECT_EQ(l2::exp(4, 128), 0);
    EXPECT_EQ(l2::exp(3, 100), parse("515377520732011331036461129765621272702107522001"));
    EXPECT_EQ(l2::exp(10, 77), parse(padded("1", 77, '0')));
    EXPECT_EQ(l2::exp(l2::kU256Max, 2), 1);
    EXPECT_EQ(l2::exp(l2::kU256Max, 3), l2::kU256Max);
    EXPECT_EQ(l2::exp(l2::kU256Max, l2::kU256Max), l2::kU256Max);  // (-1)^odd.
    EXPECT_EQ(l2::exp(3, l2::kU256Max) * 3, l2::exp(3, 0));        // 3^(2^256) = 1 mod 2^256.
    Gen gen{11};
    for (int i = 0; i < 200; ++i)
    {
        const U256 b = gen.next();
        const uint64_t e = gen.raw() % 300;
        U256 slow{1};
        for (uint64_t k = 0; k < e; ++k)
            slow *= b;
        ASSERT_EQ(l2::exp(b, e), slow);
        ASSERT_EQ(l2::exp(b, 2), b * b);  // The squaring path against the general multiply.
        ASSERT_EQ(l2::exp(b, 3), b * b * b);
    }
    // b^(e1 + e2) = b^e1 * b^e2 for full-width exponents (kept below 2^255 so e1 + e2 cannot wrap).
    for (int i = 0; i < 200; ++i)
    {
        const U256 b = gen.next();
        const U256 e1 = gen.next() >> 1;
        const U256 e2 = gen.next() >> 1;
        ASSERT_EQ(l2::exp(b, e1 + e2), l2::exp(b, e1) * l2::exp(b, e2));
    }
}

TEST(U256, SignedDivision)
{
    const U256 m8 = -U256{8};
    EXPECT_EQ(l2::sdiv(m8, 3), -U256{2});
    EXPECT_EQ(l2::sdiv(8, -U256{3}), -U256{2});
    EXPECT_EQ(l2::sdiv(m8, -U256{3}), 2);
    EXPECT_EQ(l2::sdiv(8, 3), 2);
    EXPECT_EQ(l2::sdiv(kIntMin, kMinusOne), kIntMin);  // Overflow wraps (EVM SDIV).
    EXPECT_EQ(l2::sdiv(kIntMin, 1), kIntMin);
    EXPECT_EQ(l2::sdiv(kIntMin, kIntMin), 1);
    EXPECT_EQ(l2::sdiv(kIntMin, 2), -pow2(254));
    EXPECT_EQ(l2::sdiv(m8, 0), 0);
    EXPECT_EQ(l2::sdiv(0, m8), 0);
    EXPECT_EQ(l2::sdiv(kMinusOne, 2), 0);  // Rounds toward zero.

    EXPECT_EQ(l2::smod(m8, 3), -U256{2});  // Sign of the dividend.
    EXPECT_EQ(l2::smod(8, -U256{3}), 2);
    EXPECT_EQ(l2::smod(m8, -U256{3}), -U256{2});
    EXPECT_EQ(l2::smod(8, 3), 2);
    EXPECT_EQ(l2::smod(kIntMin, kMinusOne), 0);
    EXPECT_EQ(l2::smod(kIntMin, 3), -U256{2});  // -(2^255 mod 3) = -2.
    EXPECT_EQ(l2::smod(m8, 0), 0);
    EXPECT_EQ(l2::smod(kMinusOne, 2), kMinusOne);
}

TEST(U256, Signextend)
{
    const U256 max = l2::kU256Max;
    EXPECT_EQ(l2::signextend(0, 0xff), max);
    EXPECT_EQ(l2::signextend(0, 0x7f), 0x7f);
    EXPECT_EQ(l2::signextend(0, 0xff7f), 0x7f);  // Positive: clears the bits above.
    EXPECT_EQ(l2::signextend(0, 0x80), max - 0x7f);
    EXPECT_EQ(l2::signextend(1, 0x8000), max - 0x7fff);
    EXPECT_EQ(l2::signextend(1, 0x12345678), 0x5678);
    EXPECT_EQ(l2::signextend(7, U256{uint64_t{1} << 63}), max << 63);
    EXPECT_EQ(l2::signextend(8, U256(0, 0x80, 0, 0)), U256(0, max.w[0] - 0x7f, kAll, kAll));
    EXPECT_EQ(l2::signextend(30, pow2(247)), max << 247);
    EXPECT_EQ(l2::signextend(30, pow2(247) - 1), pow2(247) - 1);
    EXPECT_EQ(l2::signextend(31, 0xff), 0xff);
    EXPECT_EQ(l2::signextend(31, kIntMin), kIntMin);
    EXPECT_EQ(l2::signextend(1000, 0x80), 0x80);
    EXPECT_EQ(l2::signextend(U256(0, 1, 0, 0), 0x80), 0x80);  // Huge index: unchanged.
}

TEST(U256, Byte)
{
    const U256 x = parse("0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20");
    for (uint64_t i = 0; i < 32; ++i)
        EXPECT_EQ(l2::byte(i, x), i + 1) << i;
    EXPECT_EQ(l2::byte(0, kIntMin), 0x80);
    EXPECT_EQ(l2::byte(31, 0xff), 0xff);
    EXPECT_EQ(l2::byte(32, x), 0);
    EXPECT_EQ(l2::byte(l2::kU256Max, x), 0);
    EXPECT_EQ(l2::byte(U256(0, 1, 0, 0), x), 0);
}

TEST(U256, Sar)
{
    const U256 max = l2::kU256Max;
    EXPECT_EQ(l2::sar(1, -U256{2}), max);
    EXPECT_EQ(l2::sar(1, -U256{3}), -U256{2});  // Rounds toward minus infinity.
    EXPECT_EQ(l2::sar(4, -U256{16}), max);
    EXPECT_EQ(l2::sar(4, -U256{32}), -U256{2});
    EXPECT_EQ(l2::sar(255, kIntMin), max);
    EXPECT_EQ(l2::sar(254, kIntMin), -U256{2});
    EXPECT_EQ(l2::sar(256, max), max);
    EXPECT_EQ(l2::sar(256, kIntMin), max);
    EXPECT_EQ(l2::sar(max, kIntMin), max);
    EXPECT_EQ(l2::sar(U256(0, 1, 0, 0), U256{1}), 0);
    EXPECT_EQ(l2::sar(0, kIntMin), kIntMin);
    EXPECT_EQ(l2::sar(1, kIntMin), kIntMin | pow2(254));
    EXPECT_EQ(l2::sar(65, kIntMin), ~(max >> 66));
    EXPECT_EQ(l2::sar(4, 0x100), 0x10);
    EXPECT_EQ(l2::sar(300, max >> 1), 0);
}

TEST(U256, SignedCompare)
{
    EXPECT_TRUE(l2::slt(kMinusOne, 0));
    EXPECT_FALSE(l2::slt(0, kMinusOne));
    EXPECT_TRUE(l2::slt(kIntMin, kMinusOne));
    EXPECT_TRUE(l2::slt(kIntMin, kIntMin - 1));  // INT_MIN < INT_MAX.
    EXPECT_FALSE(l2::slt(5, 5));
    EXPECT_TRUE(l2::slt(4, 5));
    EXPECT_TRUE(l2::sgt(0, kMinusOne));
    EXPECT_TRUE(l2::sgt(kIntMin - 1, 0));
    EXPECT_FALSE(l2::sgt(kIntMin, 0));
    EXPECT_FALSE(l2::sgt(5, 5));
}

// --- Conversions ------------------------------------------------------------------------------

TEST(U256, BigEndianBytes)
{
    EXPECT_EQ(l2::from_be_bytes({}), 0);
    const uint8_t one[] = {0x01};
    EXPECT_EQ(l2::from_be_bytes({one, 1}), 1);
    const uint8_t two[] = {0x01, 0x02};
    EXPECT_EQ(l2::from_be_bytes({two, 2}), 0x0102);
    uint8_t full[32];
    for (uint8_t i = 0; i < 32; ++i)
        full[i] = static_cast<uint8_t>(i + 1);
    const U256 x = l2::from_be_bytes({full, 32});
    EXPECT_EQ(x, parse("0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20"));
    uint8_t out[32];
    l2::to_be_bytes(x, out);
    EXPECT_EQ(l2::ByteView(out, 32), l2::ByteView(full, 32));
    const uint8_t nine[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    EXPECT_EQ(l2::from_be_bytes({nine, 9}), U256(0x0203040506070809, 1, 0, 0));

    EXPECT_EQ(l2::to_be_bytes_trimmed(0), l2::Bytes{});
    EXPECT_EQ(l2::to_be_bytes_trimmed(1), l2::Bytes(1, 1));
    EXPECT_EQ(l2::to_be_bytes_trimmed(0x100), (l2::Bytes{1, 0}));
    EXPECT_EQ(l2::to_be_bytes_trimmed(x), l2::Bytes(full, 32));
    EXPECT_EQ(l2::to_be_bytes_trimmed(l2::kU256Max), l2::Bytes(32, 0xff));
    EXPECT_EQ(l2::to_be_bytes_trimmed(pow2(64)), (l2::Bytes{1, 0, 0, 0, 0, 0, 0, 0, 0}));

    Gen gen{3};
    for (int i = 0; i < 1000; ++i)
    {
        const U256 v = gen.next();
        const l2::Bytes t = l2::to_be_bytes_trimmed(v);
        ASSERT_EQ(t.size(), l2::count_significant_bytes(v));
        ASSERT_TRUE(t.empty() || t[0] != 0);
        ASSERT_EQ(l2::from_be_bytes(t), v);
    }
}

TEST(U256, ParseHex)
{
    EXPECT_EQ(parse("0x0"), 0);
    EXPECT_EQ(parse("0x00"), 0);
    EXPECT_EQ(parse("0x1"), 1);
    EXPECT_EQ(parse("0XaBcD"), 0xabcd);
    EXPECT_EQ(parse("0x10000000000000000"), pow2(64));
    EXPECT_EQ(parse(padded("0x", 64, 'f')), l2::kU256Max);
    EXPECT_EQ(parse(padded("0x", 64, '0')), 0);
    EXPECT_EQ(parse(padded("0x8", 63, '0')), kIntMin);
}

TEST(U256, ParseDecimal)
{
    EXPECT_EQ(parse("0"), 0);
    EXPECT_EQ(parse("000123"), 123);
    EXPECT_EQ(parse("18446744073709551615"), U256{kAll});
    EXPECT_EQ(parse("18446744073709551616"), pow2(64));
    EXPECT_EQ(parse("1234567890123456789012345678901234567890"),
              parse("0x3a0c92075c0dbf3b8acbc5f96ce3f0ad2"));
    EXPECT_EQ(parse("11579208923731619542357098500868790785326998466564056403945758400791312963993"
                    "5"),
              l2::kU256Max);
    EXPECT_EQ(
        parse("57896044618658097711785492504343953926634992332820282019728792003956564819968"),
        kIntMin);
}

TEST(U256, ParseErrors)
{
    const char* bad[] = {
        "",
        "0x",
        "0X",
        "x1",
        "0xg",
        "0x1g",
        "12a",
        "+1",
        "-1",
        " 1",
        "1 ",
        "0x 1",
        "1e3",
        "1.0",
        // 2^256 and beyond.
        "115792089237316195423570985008687907853269984665640564039457584007913129639936",
        "115792089237316195423570985008687907853269984665640564039457584007913129639945",
        "999999999999999999999999999999999999999999999999999999999999999999999999999999",
        "1000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    };
    for (const char* s : bad)
        EXPECT_FALSE(l2::u256_from_string(s).has_value()) << '"' << s << '"';
    EXPECT_FALSE(l2::u256_from_string(padded("0x1", 64, '0')).has_value());
    EXPECT_FALSE(l2::u256_from_string(padded("0x0", 64, 'f')).has_value());  // 65 digits.
    EXPECT_FALSE(l2::u256_from_string(std::string_view("1\0", 2)).has_value());
    EXPECT_EQ(l2::u256_from_string("").error(), "u256: empty string");
}

TEST(U256, Format)
{
    EXPECT_EQ(l2::to_hex(0), "0x0");
    EXPECT_EQ(l2::to_hex(1), "0x1");
    EXPECT_EQ(l2::to_hex(0xabc), "0xabc");
    EXPECT_EQ(l2::to_hex(pow2(64)), "0x10000000000000000");
    EXPECT_EQ(l2::to_hex(l2::kU256Max), padded("0x", 64, 'f'));
    EXPECT_EQ(l2::to_string(0), "0");
    EXPECT_EQ(l2::to_string(7), "7");
    EXPECT_EQ(l2::to_string(U256{kAll}), "18446744073709551615");
    EXPECT_EQ(l2::to_string(U256{10'000'000'000'000'000'000u}), "10000000000000000000");
    EXPECT_EQ(l2::to_string(pow2(64)), "18446744073709551616");
    EXPECT_EQ(l2::to_string(l2::exp(10, 38)), padded("1", 38, '0'));
    EXPECT_EQ(l2::to_string(l2::exp(10, 19) * 3 + 7), "30000000000000000007");
    EXPECT_EQ(l2::to_string(l2::kU256Max),
              "115792089237316195423570985008687907853269984665640564039457584007913129639935");
}

TEST(U256, StringRoundTrips)
{
    Gen gen{5};
    for (int i = 0; i < 2000; ++i)
    {
        const U256 v = gen.next();
        ASSERT_EQ(parse(l2::to_string(v)), v);
        ASSERT_EQ(parse(l2::to_hex(v)), v);
    }
    for (unsigned i = 0; i < 78; ++i)
    {
        const U256 p = l2::exp(10, i);
        ASSERT_EQ(l2::to_string(p), padded("1", i, '0'));
        ASSERT_EQ(l2::to_string(p - 1), std::string(i, '9').empty() ? "0" : std::string(i, '9'));
    }
}

}  // namespace
