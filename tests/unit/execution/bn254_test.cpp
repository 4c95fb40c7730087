#include <execution/precompiles/bn254.hpp>
#include <execution/precompiles/bn254_pairing.hpp>

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <txtypes/hex.hpp>

namespace {

using namespace l2;
namespace bn254 = l2::execution::bn254;
using namespace l2::execution::bn254;
using l2::execution::PrecompileResult;

// Vectors: the generators of EIP-196/197 and multiples derived from them with a plain affine
// reference (Python); the non-G2 twist point is x = 1 with a square root of 1 + b'.
constexpr std::string_view kZero =
    "0000000000000000000000000000000000000000000000000000000000000000";
constexpr std::string_view kOne =
    "0000000000000000000000000000000000000000000000000000000000000001";
constexpr std::string_view kTwo =
    "0000000000000000000000000000000000000000000000000000000000000002";
constexpr std::string_view kThree =
    "0000000000000000000000000000000000000000000000000000000000000003";
constexpr std::string_view kPHex =
    "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47";
constexpr std::string_view kRHex =
    "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001";
constexpr std::string_view kMinusTwo =  // p - 2: the y of -G1
    "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd45";
const std::string kG1 = std::string{kOne} + std::string{kTwo};
const std::string kG1Neg = std::string{kOne} + std::string{kMinusTwo};
const std::string kG1Inf = std::string{kZero} + std::string{kZero};
const std::string k2G1 =
    "030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3"
    "15ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4";
const std::string k3G1 =
    "0769bf9ac56bea3ff40232bcb1b6bd159315d84715b8e679f2d355961915abf0"
    "2ab799bee0489429554fdb7c8d086475319e63b40b9c5b57cdf1ff3dd9fe2261";
// (x_im, x_re, y_im, y_re), EIP-197's encoding.
const std::string kG2 =
    "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"
    "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed"
    "090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b"
    "12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa";
const std::string k2G2 =
    "203e205db4f19b37b60121b83a7333706db86431c6d835849957ed8c3928ad79"
    "27dc7234fd11d3e8c36c59277c3e6f149d5cd3cfa9a62aee49f8130962b4b3b9"
    "195e8aa5b7827463722b8c153931579d3505566b4edf48d498e185f0509de152"
    "04bb53b8977e5f92a0bc372742c4830944a59b4fe6b1c0466e2a6dad122b5d2e";
const std::string kG2Inf = kG1Inf + kG1Inf;
const std::string kTwistNotG2 = std::string{kZero} + std::string{kOne} +
                                "0d1271953ed9ea0836846e70a1934187998c7f790cb4d7511b7f8da82de048a4"
                                "2869111d5381f072f8e2728fdb825a51aadd70e52c9830e9ab4b871c0531f1bb";

Bytes bytes(std::string_view hex)
{
    auto b = from_hex(hex);
    EXPECT_TRUE(b.has_value()) << hex;
    return b ? *b : Bytes{};
}

std::string output(const PrecompileResult& r)
{
    return r.success ? to_hex(r.output) : "failure";
}

std::string add(const std::string& a, const std::string& b)
{
    return output(ecadd(bytes(a + b)));
}

std::string mul(const std::string& p, std::string_view k)
{
    return output(ecmul(bytes(p + std::string{k})));
}

std::string pairing(const std::vector<std::string>& pairs)
{
    std::string in;
    for (const auto& p : pairs)
        in += p;
    return output(ecpairing(bytes(in)));
}

const std::string kTrue = std::string{kOne};
const std::string kFalse = std::string{kZero};

Fp random_fp(std::mt19937_64& rng)
{
    return to_fp(U256{rng(), rng(), rng(), rng() >> 3} % kP);
}

Fp12 random_fp12(std::mt19937_64& rng)
{
    Fp12 f;
    for (Fp6* c : {&f.c0, &f.c1})
        for (Fp2* e : {&c->c0, &c->c1, &c->c2})
            *e = {random_fp(rng), random_fp(rng)};
    return f;
}

G1Affine affine(const G1& p)
{
    G1Affine a;
    EXPECT_TRUE(to_affine(p, a));
    return a;
}

G2Affine affine(const G2& q)
{
    const Fp2 zi = inv(q.z);
    return {q.x * sqr(zi), q.y * sqr(zi) * zi};
}

const G1Affine kG1Point{to_fp(1), to_fp(2)};

G2Affine g2_point(const std::string& hex)
{
    const Bytes b = bytes(hex);
    auto word = [&](size_t i) { return to_fp(from_be_bytes(ByteView{b}.substr(32 * i, 32))); };
    return {{word(1), word(0)}, {word(3), word(2)}};
}

// ---- the field and the tower ----

TEST(Bn254Field, AssemblyKernelsMatchPortableCode)
{
    std::mt19937_64 rng{1};
    std::vector<Fp> values{Fp{}, kFpOne, -kFpOne, to_fp(2), -to_fp(2)};
    for (int i = 0; i < 200; ++i)
        values.push_back(random_fp(rng));
    for (const Fp& a : values)
    {
        for (const Fp& b : values)
        {
            const Fp product = bn254::detail::mont_mul_portable(a.v, b.v);
            EXPECT_EQ(a * b, product);
            EXPECT_EQ(a + b, bn254::detail::add_portable(a, b));
            EXPECT_EQ(a - b, bn254::detail::sub_portable(a, b));
#ifdef L2_BN254_ASM
            Fp r;
            bn254::detail::x86::mont_mul(r.v, a.v, b.v, kP.w, kPInv);
            EXPECT_EQ(r, product);
            if (bn254::detail::x86::kHasAdx)
            {
                bn254::detail::x86::mont_mul_adx(r.v, a.v, b.v, kP.w, kPInv);
                EXPECT_EQ(r, product);
            }
#endif
        }
    }
}

TEST(Bn254Field, ConversionsAndInverse)
{
    EXPECT_EQ(from_fp(to_fp(12345)), 12345);
    EXPECT_EQ(from_fp(-kFpOne), kP - 1);
    EXPECT_EQ(inv(Fp{}), Fp{});
    EXPECT_EQ(inv(kFpOne), kFpOne);
    EXPECT_EQ(inv(-kFpOne), -kFpOne);
    EXPECT_EQ(inv(to_fp(2)) * to_fp(2), kFpOne);
    EXPECT_EQ(inv(to_fp(U256{1} << 253)) * to_fp(U256{1} << 253), kFpOne);  // long 2-power runs
    std::mt19937_64 rng{2};
    for (int i = 0; i < 100; ++i)
    {
        const Fp a = random_fp(rng);
        EXPECT_EQ(inv(a) * a, kFpOne);
        EXPECT_EQ(inv(a), pow(a, kP - 2));
        const Fp2 b{a, random_fp(rng)};
        EXPECT_EQ(inv(b) * b, kFp2One);
    }
}

TEST(Bn254Tower, InverseFrobeniusAndCyclotomicSquare)
{
    std::mt19937_64 rng{3};
    for (int i = 0; i < 3; ++i)
    {
        const Fp12 f = random_fp12(rng);
        EXPECT_EQ(inv(f) * f, kFp12One);
        Fp12 f_p = kFp12One;  // f^p by square-and-multiply
        for (unsigned bit = 256; bit-- > 0;)
        {
            f_p = sqr(f_p);
            if (((kP >> bit) & 1) != 0)
                f_p = f_p * f;
        }
        EXPECT_EQ(frobenius(f), f_p);
        EXPECT_EQ(frobenius2(f), frobenius(frobenius(f)));
        EXPECT_EQ(frobenius3(f), frobenius(frobenius2(f)));
        EXPECT_EQ(frobenius2(frobenius2(frobenius2(f))), conj(f));  // f^(p^6)

        // f^((p^6 - 1)(p^2 + 1)) lies in the cyclotomic subgroup.
        Fp12 g = conj(f) * inv(f);
        g = frobenius2(g) * g;
        EXPECT_EQ(cyclotomic_sqr(g), sqr(g));
        EXPECT_EQ(conj(g) * g, kFp12One);
    }
}

// ---- the groups ----

TEST(Bn254Groups, G2GeneratorAndSubgroupCheck)
{
    const G2Affine g2 = g2_point(kG2);
    EXPECT_TRUE(is_on_curve(g2));
    EXPECT_TRUE(in_g2(g2));
    EXPECT_TRUE(is_infinity(mul(to_jacobian(g2), kR)));
    EXPECT_TRUE(in_g2(g2_point(k2G2)));
    EXPECT_TRUE(dbl(to_jacobian(g2)) == to_jacobian(g2_point(k2G2)));

    // psi acts on G2 as multiplication by p = 6u^2 (mod r).
    EXPECT_TRUE(psi(to_jacobian(g2)) == mul(to_jacobian(g2), U256{kU} * kU * 6));

    const G2Affine q = g2_point(kTwistNotG2);
    EXPECT_TRUE(is_on_curve(q));
    EXPECT_FALSE(in_g2(q));
    EXPECT_FALSE(is_infinity(mul(to_jacobian(q), kR)));
}

TEST(Bn254Groups, ScalarMultiplicationAgreesWithAddition)
{
    std::mt19937_64 rng{4};
    const G1 g = to_jacobian(kG1Point);
    for (int i = 0; i < 5; ++i)
    {
        const U256 a{rng(), rng(), rng(), rng()};
        const U256 b{rng(), rng(), rng(), rng() >> 8};
        EXPECT_TRUE(mul(g, a) + mul(g, b) == mul(g, addmod(a % kR, b, kR)));
        EXPECT_TRUE(mul(mul(g, a), b) == mul(g, mulmod(a, b, kR)));
    }
}

TEST(Bn254Pairing, Bilinear)
{
    std::mt19937_64 rng{5};
    const G2Affine g2 = g2_point(kG2);
    for (int i = 0; i < 2; ++i)
    {
        const U256 a{rng(), rng(), rng(), rng() >> 8};
        const U256 b{rng(), rng(), rng(), rng() >> 8};
        const U256 ab = mulmod(a, b, kR);
        const G1Affine ap = affine(mul(to_jacobian(kG1Point), a));
        const G2Affine bq = affine(mul(to_jacobian(g2), b));
        EXPECT_TRUE(in_g2(bq));
        // e(aP, bQ) e(-abP, Q) = 1, and e(aP, bQ) = e(abP, Q) in GT.
        const PairingInput balanced[] = {{ap, bq}, {affine(-mul(to_jacobian(kG1Point), ab)), g2}};
        EXPECT_TRUE(pairing_check(balanced));
        const PairingInput off[] = {{ap, bq}, {affine(-mul(to_jacobian(kG1Point), ab + 1)), g2}};
        EXPECT_FALSE(pairing_check(off));
        const PairingInput lhs[] = {{ap, bq}};
        const PairingInput rhs[] = {{affine(mul(to_jacobian(kG1Point), ab)), g2}};
        EXPECT_EQ(final_exponentiation(miller_loop(lhs)), final_exponentiation(miller_loop(rhs)));
        EXPECT_NE(final_exponentiation(miller_loop(lhs)), kFp12One);
    }
}

// ---- ECADD (0x06) ----

TEST(Bn254Add, AddsPoints)
{
    EXPECT_EQ(add(kG1, kG1), k2G1);
    EXPECT_EQ(add(kG1, k2G1), k3G1);
    EXPECT_EQ(add(k2G1, kG1), k3G1);
    EXPECT_EQ(add(kG1, kG1Neg), kG1Inf);
    EXPECT_EQ(add(kG1, kG1Inf), kG1);
    EXPECT_EQ(add(kG1Inf, k2G1), k2G1);
    EXPECT_EQ(add(kG1Inf, kG1Inf), kG1Inf);
}

TEST(Bn254Add, PadsAndTruncatesInput)
{
    EXPECT_EQ(output(ecadd({})), kG1Inf);
    EXPECT_EQ(output(ecadd(bytes(kG1))), kG1);                            // second point (0, 0)
    EXPECT_EQ(output(ecadd(bytes(kG1 + std::string{kOne}))), "failure");  // (1, 0) is off E
    EXPECT_EQ(output(ecadd(bytes(kG1 + kG1 + kG1))), k2G1);               // bytes past 128
}

TEST(Bn254Add, RejectsInvalidPoints)
{
    const std::string off_curve = std::string{kOne} + std::string{kOne};
    EXPECT_EQ(add(off_curve, kG1), "failure");
    EXPECT_EQ(add(kG1, off_curve), "failure");
    // Coordinates must be below p, even where the residue would be valid: (1, 2 + p).
    const std::string y_plus_p = std::string{kOne} + std::string{kPHex.substr(0, 63)} + "9";
    EXPECT_EQ(add(y_plus_p, kG1), "failure");
    EXPECT_EQ(add(std::string{kPHex} + std::string{kZero}, kG1Inf), "failure");  // (p, 0) ~ (0, 0)
    EXPECT_EQ(add(std::string{kZero} + std::string{kPHex}, kG1Inf), "failure");
    EXPECT_EQ(add(std::string(128, 'f'), kG1), "failure");
}

// ---- ECMUL (0x07) ----

TEST(Bn254Mul, MultipliesPoints)
{
    EXPECT_EQ(mul(kG1, kTwo), k2G1);
    EXPECT_EQ(mul(kG1, kThree), k3G1);
    EXPECT_EQ(mul(k2G1, kOne), k2G1);
    EXPECT_EQ(mul(kG1, kZero), kG1Inf);
    EXPECT_EQ(mul(kG1Inf, kTwo), kG1Inf);
    EXPECT_EQ(mul(kG1, kRHex), kG1Inf);  // r G = O
    EXPECT_EQ(mul(kG1, "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000002"), kG1);
    EXPECT_EQ(mul(kG1, "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000000"), kG1Neg);
    // Scalars are not reduced first: 2^256 - 1 = (2^256 - 1) mod r.
    const U256 reduced = kU256Max % kR;
    uint8_t reduced_be[32];
    to_be_bytes(reduced, reduced_be);
    EXPECT_EQ(mul(k3G1, std::string(64, 'f')), mul(k3G1, to_hex(ByteView{reduced_be, 32})));
}

TEST(Bn254Mul, MatchesReferenceMultiples)
{
    // (P, k, [k] P) from a plain double-and-add reference: full-width, short and 2^256 - 1.
    struct Case
    {
        const char* p;
        const char* k;
        const char* kp;
    };
    const Case cases[] = {
        {"2b710dbc3fc413fc7b36a2f3ed570f6747e256238fdc8bfd9dc8c5d532175ad9"
         "0f1ce2f1e23637eee964ed5c81ac1f3a72263006eb18cfab4f937fa7578b1b4c",
         "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
         "2da6bee782713d13b8c59d914c58861b6b0032e34d2021a81e92617672e56e44"
         "2cbe4cfcb81da549efd93f4ec7aa18b1b8b076fbf17c3e8bc88846ebfcf45b57"},
        {"09501dd0438880637afae18f8f2016b6bdaef6800f39782937f116b94c956b51"
         "21e449844c666898e296b74c0d3c33671b98f8430a7f2691ddb5afdb8bc39030",
         "00000000000000000000000000000000000000000000000075f5c1a051cdf2f9",
         "03f1b535316e6b84ab79e0b614574af3b9cd566ebf9fb19d33ad7e047af9edbb"
         "06901dd01aaec280673ac35660c4da1e462335f442774f1bc3c8bd205030fdfa"},
        {"2acb76e2c1f0e1d28929be09a7dfb6f81d73683927b27a54b5558a47b30db635"
         "22ca1c36de29586944571386d12f9c871c1c27d226263301a227d69ca30c6164",
         "2d6ce408fd09e37c7f9c13216bca9b3f18af266c3555d6ae15866ffb9fe5e399",
         "291574b9047f0197ca65f3538a9765187672c4c06ab426d1c39620a9efaadcfd"
         "135010e17bee0e948f1d5d535a8ef6c794afdc21b8e9bc31dbb269b4745e6544"},
        {"116d3c7b2288d9216b4e9c4ca13fd77ece6afa136745c7a94d70e7a79b3df4c5"
         "2a9b19ae5d3be247fe22652bf34abab1aa2c7501a8d917aa0fad01274847a826",
         "27401fa03c49fdbd3ece9f2c2f8c6c083f5783ea707c5f3d32fe1f3642a55162",
         "0bba354451fb05ed27b5f0b3431b6aafea2c5a9709514bfa9dd35bfb32fa7ab9"
         "2db0817cf8d9ac90ef82be9438052b8ac22da719e28872cee790ac0368d4c565"},
    };
    for (const auto& c : cases)
        EXPECT_EQ(mul(c.p, c.k), c.kp) << c.k;

    // The GLV endomorphism: [lambda] G = (beta, 2), with lambda^2 + lambda + 1 = 0 mod r.
    const std::string lambda = "30644e72e131a029048b6e193fd84104cc37a73fec2bc5e9b8ca0b2d36636f23";
    const U256 l = from_be_bytes(bytes(lambda));
    EXPECT_EQ(addmod(mulmod(l, l, kR), l + 1, kR), 0);
    EXPECT_EQ(mul(kG1, lambda), "30644e72e131a0295e6dd9e7e0acccb0c28f069fbb966e3de4bd44e5607cfd48" +
                                    std::string{kTwo});
    // Powers of two against repeated doubling.
    G1 g = to_jacobian(kG1Point);
    for (unsigned i = 0; i < 256; ++i, g = dbl(g))
        EXPECT_TRUE(mul(to_jacobian(kG1Point), U256{1} << i) == g) << i;
}

TEST(Bn254Mul, PadsAndTruncatesInput)
{
    EXPECT_EQ(output(ecmul({})), kG1Inf);
    EXPECT_EQ(output(ecmul(bytes(kG1))), kG1Inf);  // scalar 0
    EXPECT_EQ(output(ecmul(bytes(kG1 + "02"))), mul(kG1, "02" + std::string(62, '0')));
    EXPECT_EQ(output(ecmul(bytes(kG1 + std::string{kTwo} + "ffff"))), k2G1);
}

TEST(Bn254Mul, RejectsInvalidPoints)
{
    EXPECT_EQ(mul(std::string{kOne} + std::string{kOne}, kTwo), "failure");
    EXPECT_EQ(mul(std::string{kOne} + std::string{kOne}, kZero), "failure");
    EXPECT_EQ(mul(std::string{kPHex} + std::string{kTwo}, kTwo), "failure");
}

// ---- ECPAIRING (0x08) ----

TEST(Bn254Pairing, Eip197Checks)
{
    EXPECT_EQ(output(ecpairing({})), kTrue);  // the empty product
    EXPECT_EQ(pairing({kG1 + kG2, kG1Neg + kG2}), kTrue);
    EXPECT_EQ(pairing({kG1 + kG2}), kFalse);
    EXPECT_EQ(pairing({kG1 + kG2, kG1 + kG2}), kFalse);
    // Exponents of e(G1, G2): 2 - 2, 2 + 2, 2 - 1 - 1, 2 - 1 - 1 with the 2 on G2.
    EXPECT_EQ(pairing({k2G1 + kG2, kG1Neg + k2G2}), kTrue);
    EXPECT_EQ(pairing({k2G1 + kG2, kG1 + k2G2}), kFalse);
    EXPECT_EQ(pairing({k2G1 + kG2, kG1Neg + kG2, kG1Neg + kG2}), kTrue);
    EXPECT_EQ(pairing({kG1 + k2G2, kG1Neg + kG2, kG1Neg + kG2}), kTrue);
    // 2 + 2 + 3 - 2 - 2 - 3, and without the last pair.
    std::vector<std::string> six{k2G1 + kG2,    add(k2G1, kG1Neg) + k2G2, k3G1 + kG2, kG1Neg + k2G2,
                                 kG1Neg + k2G2, mul(kG1Neg, kThree) + kG2};
    EXPECT_EQ(pairing(six), kTrue);
    six.pop_back();
    EXPECT_EQ(pairing(six), kFalse);
}

TEST(Bn254Pairing, PointsAtInfinityContributeOne)
{
    EXPECT_EQ(pairing({kG1Inf + kG2}), kTrue);
    EXPECT_EQ(pairing({kG1 + kG2Inf}), kTrue);
    EXPECT_EQ(pairing({kG1Inf + kG2Inf, kG1 + kG2, kG1Neg + kG2}), kTrue);
    EXPECT_EQ(pairing({kG1Inf + kG2, kG1 + kG2}), kFalse);
}

TEST(Bn254Pairing, ManyPairs)
{
    // More pairs than one Miller-loop pass takes.
    std::vector<std::string> balanced;
    for (int i = 0; i < 20; ++i)
    {
        const bool even = i % 2 == 0;
        balanced.push_back((even ? k2G1 : k3G1) + kG2);
        balanced.push_back(mul(kG1Neg, even ? kTwo : kThree) + kG2);
    }
    EXPECT_EQ(pairing(balanced), kTrue);
    balanced.pop_back();
    EXPECT_EQ(pairing(balanced), kFalse);
}

TEST(Bn254Pairing, RejectsBadLengths)
{
    const Bytes two_pairs = bytes(kG1 + kG2 + kG1Neg + kG2);
    EXPECT_EQ(output(ecpairing(ByteView{two_pairs}.substr(0, 191))), "failure");
    EXPECT_EQ(output(ecpairing(ByteView{two_pairs}.substr(0, 193))), "failure");
    EXPECT_EQ(output(ecpairing(ByteView{two_pairs}.substr(0, 1))), "failure");
    EXPECT_EQ(output(ecpairing(ByteView{two_pairs}.substr(0, 383))), "failure");
}

TEST(Bn254Pairing, RejectsInvalidPoints)
{
    // G2 on the twist but outside the order-r subgroup, even when paired with G1's infinity.
    EXPECT_EQ(pairing({kG1 + kTwistNotG2}), "failure");
    EXPECT_EQ(pairing({kG1Inf + kTwistNotG2}), "failure");
    EXPECT_EQ(pairing({kG1 + kG2, kG1Neg + kG2, kG1 + kTwistNotG2}), "failure");
    // G2 off the twist: a changed coordinate, or the Fp2 halves in (re, im) order.
    std::string bad_g2 = kG2;
    bad_g2[255] = bad_g2[255] == '0' ? '1' : '0';
    EXPECT_EQ(pairing({kG1 + bad_g2}), "failure");
    EXPECT_EQ(pairing({kG1 + kG2.substr(64, 64) + kG2.substr(0, 64) + kG2.substr(192, 64) +
                       kG2.substr(128, 64)}),
              "failure");
    // A G2 coordinate of p, in each of the four positions.
    for (size_t i = 0; i < 4; ++i)
    {
        std::string g2 = kG2Inf;
        g2.replace(64 * i, 64, kPHex);
        EXPECT_EQ(pairing({kG1 + g2}), "failure") << i;
    }
    // G1 off the curve or out of range, with a valid or infinite G2.
    EXPECT_EQ(pairing({std::string{kOne} + std::string{kOne} + kG2}), "failure");
    EXPECT_EQ(pairing({std::string{kOne} + std::string{kOne} + kG2Inf}), "failure");
    EXPECT_EQ(pairing({std::string{kPHex} + std::string{kZero} + kG2}), "failure");
}

}  // namespace
