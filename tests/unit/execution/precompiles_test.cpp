#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <execution/precompiles.hpp>
#include <txtypes/hex.hpp>
#include <txtypes/keccak.hpp>
#include <txtypes/secp256k1.hpp>

using namespace l2;
using namespace l2::execution;

namespace {

Address precompile_address(uint32_t a)
{
    Address out;
    for (size_t i = 0; i < 4; ++i)
        out[19 - i] = static_cast<uint8_t>(a >> (8 * i));
    return out;
}

const Precompile& get(uint32_t a, Revision rev = Revision::kCancun)
{
    const Precompile* p = find_precompile(precompile_address(a), rev, true);
    if (p == nullptr)
        throw std::runtime_error("no precompile at " + std::to_string(a));
    return *p;
}

PrecompileResult run(uint32_t a, ByteView input, Revision rev = Revision::kCancun)
{
    return get(a, rev).run(input, rev);
}

uint64_t gas(uint32_t a, ByteView input, Revision rev = Revision::kCancun)
{
    return get(a, rev).gas(input, schedule_for(rev), rev);
}

Bytes hex(std::string_view h)
{
    auto b = from_hex(h);
    if (!b)
        throw std::runtime_error("bad hex in test");
    return *b;
}

Bytes word(const U256& x)
{
    Bytes out(32, 0);
    to_be_bytes(x, out.data());
    return out;
}

Bytes word(uint64_t x)
{
    return word(U256{x});
}

// ---- the registry ----

TEST(Precompiles, ActivationByRevision)
{
    struct Case
    {
        uint32_t address;
        Revision since;
        const char* name;
    };
    const Case cases[] = {
        {0x01, Revision::kFrontier, "ecrecover"}, {0x02, Revision::kFrontier, "sha256"},
        {0x03, Revision::kFrontier, "ripemd160"}, {0x04, Revision::kFrontier, "identity"},
        {0x05, Revision::kByzantium, "modexp"},   {0x06, Revision::kByzantium, "ecadd"},
        {0x07, Revision::kByzantium, "ecmul"},    {0x08, Revision::kByzantium, "ecpairing"},
        {0x09, Revision::kIstanbul, "blake2f"},   {0x0a, Revision::kCancun, "point_evaluation"},
    };
    for (const auto& c : cases)
    {
        SCOPED_TRACE(c.name);
        for (auto r = Revision::kFrontier; r <= kLatestRevision;
             r = static_cast<Revision>(static_cast<int>(r) + 1))
        {
            const Address a = precompile_address(c.address);
            const bool active = r >= c.since;
            // Ethereum's precompiles do not depend on the chain being an l2node chain.
            for (const bool l2 : {false, true})
            {
                EXPECT_EQ(is_precompile(a, r, l2), active) << to_string(r);
                const Precompile* p = find_precompile(a, r, l2);
                ASSERT_EQ(p != nullptr, active) << to_string(r);
                if (p)
                {
                    EXPECT_STREQ(p->name, c.name);
                }
            }
        }
    }
}

TEST(Precompiles, P256VerifyOnlyOnL2Chains)
{
    const Address a = precompile_address(0x100);
    EXPECT_FALSE(is_precompile(a, Revision::kCancun, false));
    EXPECT_FALSE(is_precompile(a, Revision::kPrague, false));
    EXPECT_TRUE(is_precompile(a, Revision::kLondon, true));
    EXPECT_TRUE(is_precompile(a, Revision::kCancun, true));
    EXPECT_FALSE(is_precompile(a, Revision::kBerlin, true));
    EXPECT_STREQ(find_precompile(a, Revision::kCancun, true)->name, "p256verify");
}

TEST(Precompiles, OtherAddressesAreNotPrecompiles)
{
    for (const uint32_t a : {0x00u, 0x0bu, 0x0cu, 0x11u, 0xffu, 0x101u, 0x10100u})
        EXPECT_FALSE(is_precompile(precompile_address(a), kLatestRevision, true)) << a;
    // The low bytes of a precompile under a non-zero high byte.
    Address a = precompile_address(0x01);
    a[0] = 0x01;
    EXPECT_FALSE(is_precompile(a, kLatestRevision, true));
    a = precompile_address(0x01);
    a[15] = 0x01;
    EXPECT_FALSE(is_precompile(a, kLatestRevision, true));
}

// ---- 0x02 SHA256, 0x03 RIPEMD160, 0x04 IDENTITY ----

TEST(Precompiles, Sha256KnownAnswers)
{
    EXPECT_EQ(to_hex(run(0x02, {}).output),
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const auto r = run(0x02, as_view("abc"));
    EXPECT_TRUE(r.success);
    EXPECT_EQ(to_hex(r.output), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Precompiles, Ripemd160KnownAnswersLeftPadded)
{
    EXPECT_EQ(to_hex(run(0x03, {}).output),
              "0000000000000000000000009c1185a5c5e9fc54612808977ee8f548b2258d31");
    const auto r = run(0x03, as_view("abc"));
    EXPECT_TRUE(r.success);
    EXPECT_EQ(to_hex(r.output), "0000000000000000000000008eb208f7e05d987a9b044a8e98c6b087f15a0bfc");
}

TEST(Precompiles, IdentityCopies)
{
    const Bytes in = hex("00ff0102030405060708090a0b0c0d0e0f10111213141516171819");
    const auto r = run(0x04, in);
    EXPECT_TRUE(r.success);
    EXPECT_EQ(r.output, in);
    EXPECT_TRUE(run(0x04, {}).success);
    EXPECT_TRUE(run(0x04, {}).output.empty());
}

TEST(Precompiles, HashingGasIsBasePlusWords)
{
    const Bytes b33(33, 0xab);
    EXPECT_EQ(gas(0x02, {}), 60u);
    EXPECT_EQ(gas(0x02, ByteView{b33.data(), 32}), 72u);
    EXPECT_EQ(gas(0x02, b33), 84u);
    EXPECT_EQ(gas(0x03, {}), 600u);
    EXPECT_EQ(gas(0x03, b33), 840u);
    EXPECT_EQ(gas(0x04, ByteView{b33.data(), 1}), 18u);
    EXPECT_EQ(gas(0x04, b33), 21u);
    // From the schedule, not constants.
    GasSchedule s = schedule_for(Revision::kCancun);
    s.identity_base = 1;
    s.identity_word = 100;
    EXPECT_EQ(get(0x04).gas(b33, s, Revision::kCancun), 201u);
}

// ---- 0x01 ECRECOVER ----

constexpr Hash kKey =
    hash_literal("4646464646464646464646464646464646464646464646464646464646464646");

Bytes ecrecover_input(const Hash& h, uint64_t v, const U256& r, const U256& s)
{
    Bytes in{h.view()};
    in += word(v);
    in += word(r);
    in += word(s);
    return in;
}

TEST(Precompiles, EcrecoverRecoversSigner)
{
    const Hash h = keccak256(as_view("l2node ecrecover"));
    const auto sig = sign(h, kKey);
    ASSERT_TRUE(sig);
    const Address signer = *address_from_private_key(kKey);
    Bytes expected(12, 0);
    expected += signer.view();

    const auto r = run(0x01, ecrecover_input(h, 27u + sig->y_parity, sig->r, sig->s));
    EXPECT_TRUE(r.success);
    EXPECT_EQ(r.output, expected);
    EXPECT_EQ(gas(0x01, {}), 3000u);

    // Extra bytes are ignored.
    Bytes longer = ecrecover_input(h, 27u + sig->y_parity, sig->r, sig->s);
    longer += hex("ffffffff");
    EXPECT_EQ(run(0x01, longer).output, expected);

    // High s (n - s, with the other parity) is the same signature to ecrecover: EIP-2 restricts
    // transactions only.
    const auto high =
        run(0x01, ecrecover_input(h, 28u - sig->y_parity, sig->r, kSecp256k1N - sig->s));
    EXPECT_TRUE(high.success);
    EXPECT_EQ(high.output, expected);
}

TEST(Precompiles, EcrecoverRejectsBadSignaturesWithEmptyOutput)
{
    const Hash h = keccak256(as_view("l2node ecrecover"));
    const auto sig = sign(h, kKey);
    ASSERT_TRUE(sig);
    const uint64_t v = 27u + sig->y_parity;
    struct Case
    {
        const char* name;
        Bytes input;
    };
    Bytes v_high_byte = ecrecover_input(h, v, sig->r, sig->s);
    v_high_byte[32] = 1;  // v = 27 + 2^248
    Bytes v_mid_byte = ecrecover_input(h, v, sig->r, sig->s);
    v_mid_byte[62] = 1;  // v = 27 + 256
    const Case cases[] = {
        {"v = 0", ecrecover_input(h, 0, sig->r, sig->s)},
        {"v = 1", ecrecover_input(h, 1, sig->r, sig->s)},
        {"v = 26", ecrecover_input(h, 26, sig->r, sig->s)},
        {"v = 29", ecrecover_input(h, 29, sig->r, sig->s)},
        {"v with a high byte", v_high_byte},
        {"v with byte 30 set", v_mid_byte},
        {"r = 0", ecrecover_input(h, v, U256{}, sig->s)},
        {"s = 0", ecrecover_input(h, v, sig->r, U256{})},
        {"r = n", ecrecover_input(h, v, kSecp256k1N, sig->s)},
        {"s = n", ecrecover_input(h, v, sig->r, kSecp256k1N)},
        {"s = 2^256 - 1", ecrecover_input(h, v, sig->r, ~U256{})},
        {"truncated: s missing", Bytes{ecrecover_input(h, v, sig->r, sig->s).substr(0, 96)}},
        {"empty", Bytes{}},
    };
    for (const auto& c : cases)
    {
        const auto r = run(0x01, c.input);
        EXPECT_TRUE(r.success) << c.name;
        EXPECT_TRUE(r.output.empty()) << c.name;
    }
}

TEST(Precompiles, EcrecoverTruncatedInputIsZeroPadded)
{
    // A signature whose s ends in a zero byte still recovers when that byte is cut off
    // (RFC 6979 signing is deterministic: the search finds the same signature every run).
    for (int i = 0; i < 4096; ++i)
    {
        const Hash h = keccak256(as_view("pad " + std::to_string(i)));
        const auto sig = sign(h, kKey);
        ASSERT_TRUE(sig);
        if ((sig->s.w[0] & 0xff) != 0)
            continue;
        const Bytes full = ecrecover_input(h, 27u + sig->y_parity, sig->r, sig->s);
        EXPECT_EQ(run(0x01, ByteView{full.data(), 127}).output, run(0x01, full).output);
        EXPECT_FALSE(run(0x01, full).output.empty());
        return;
    }
    FAIL() << "no signature with a zero last byte among 4096";
}

// ---- 0x05 MODEXP ----

Bytes modexp_input(uint64_t base_len, uint64_t exp_len, uint64_t mod_len, std::string_view tail)
{
    Bytes in = word(base_len);
    in += word(exp_len);
    in += word(mod_len);
    in += hex(tail);
    return in;
}

constexpr std::string_view kSecp256k1P =
    "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f";
constexpr std::string_view kSecp256k1PMinus1 =
    "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e";

TEST(Precompiles, ModexpEip198Examples)
{
    // 3^(p-1) mod p = 1 (Fermat) for p = 2^256 - 2^32 - 977.
    const Bytes fermat =
        modexp_input(1, 32, 32, "03" + std::string{kSecp256k1PMinus1} + std::string{kSecp256k1P});
    auto r = run(0x05, fermat);
    EXPECT_TRUE(r.success);
    EXPECT_EQ(to_hex(r.output), "0000000000000000000000000000000000000000000000000000000000000001");
    EXPECT_EQ(gas(0x05, fermat, Revision::kByzantium), 13056u);  // the EIP's figure
    EXPECT_EQ(gas(0x05, fermat, Revision::kBerlin), 1360u);      // 4^2 * 255 / 3

    // Base length 0: the exponent starts right after the lengths; 0^e = 0.
    r = run(0x05,
            modexp_input(0, 32, 32, std::string{kSecp256k1PMinus1} + std::string{kSecp256k1P}));
    EXPECT_TRUE(r.success);
    EXPECT_EQ(r.output, Bytes(32, 0));

    // Modulus length 2^256 - 1: no gas can pay for it.
    Bytes huge = word(0);
    huge += word(32);
    huge +=
        hex("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
            "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe"
            "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffd");
    EXPECT_EQ(gas(0x05, huge, Revision::kByzantium), UINT64_MAX);
    EXPECT_EQ(gas(0x05, huge, Revision::kBerlin), UINT64_MAX);

    // 3^65535 mod 2^255, the trailing 0x07 ignored; then the modulus right-padded.
    const std::string expected = "3b01b01ac41f2d6e917c6d6a221ce793802469026d9ab7578fa2e79e4da6aaab";
    r = run(0x05, modexp_input(1, 2, 32, "03ffff80" + std::string(62, '0') + "07"));
    EXPECT_TRUE(r.success);
    EXPECT_EQ(to_hex(r.output), expected);
    r = run(0x05, modexp_input(1, 2, 32, "03ffff80"));
    EXPECT_TRUE(r.success);
    EXPECT_EQ(to_hex(r.output), expected);
}

TEST(Precompiles, ModexpEdgeCases)
{
    // Modulus 0: mod_len zero bytes.
    auto r = run(0x05, modexp_input(1, 1, 4,
                                    "0203"
                                    "00000000"));
    EXPECT_TRUE(r.success);
    EXPECT_EQ(r.output, Bytes(4, 0));
    // Modulus entirely in the zero padding.
    r = run(0x05, modexp_input(1, 1, 3, "0203"));
    EXPECT_EQ(r.output, Bytes(3, 0));
    // Modulus length 0: empty output.
    r = run(0x05, modexp_input(1, 1, 0, "0203"));
    EXPECT_TRUE(r.success);
    EXPECT_TRUE(r.output.empty());
    // Everything empty.
    r = run(0x05, {});
    EXPECT_TRUE(r.success);
    EXPECT_TRUE(r.output.empty());
    // 0^0 mod 5 = 1; x mod 1 = 0; output keeps the modulus' leading zero bytes.
    EXPECT_EQ(to_hex(run(0x05, modexp_input(0, 0, 2, "0005")).output), "0001");
    EXPECT_EQ(to_hex(run(0x05, modexp_input(1, 1, 1, "070301")).output), "00");
    // Even modulus: 7^3 mod 100 = 43.
    EXPECT_EQ(to_hex(run(0x05, modexp_input(1, 1, 1, "070364")).output), "2b");
}

TEST(Precompiles, ModexpGasSaturatesWithoutHugeWork)
{
    // A huge exponent length with a zero modulus length is cheap (EIP-2565: the minimum) and
    // returns nothing.
    Bytes in = word(0);
    in += hex("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
    in += word(0);
    EXPECT_EQ(gas(0x05, in, Revision::kBerlin), 200u);
    EXPECT_EQ(gas(0x05, in, Revision::kByzantium), 0u);
    EXPECT_TRUE(run(0x05, in).success);
    EXPECT_TRUE(run(0x05, in).output.empty());

    // The same exponent with a 1-byte modulus: unaffordable.
    in = word(0);
    in += hex("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
    in += word(1);
    EXPECT_EQ(gas(0x05, in, Revision::kBerlin), UINT64_MAX);
    EXPECT_EQ(gas(0x05, in, Revision::kByzantium), UINT64_MAX);

    // Exponent length 2^64 - 1 is exact under EIP-198 (8 * (2^64 - 33) / 20 fits in 64 bits).
    in = word(0);
    in += word(UINT64_MAX);
    in += word(1);
    // 8 * (2^64 - 33) / 20 = (2^64 - 33) * 2 / 5, computed without overflowing 64 bits.
    const uint64_t len = UINT64_MAX - 32;
    EXPECT_EQ(gas(0x05, in, Revision::kByzantium), len / 5 * 2 + (len % 5) * 2 / 5);
    EXPECT_EQ(gas(0x05, in, Revision::kBerlin), UINT64_MAX);

    // Lengths at 2^64 saturate.
    in = hex("0000000000000000000000000000000000000000000000010000000000000000");
    in += word(1);
    in += word(1);
    EXPECT_EQ(gas(0x05, in, Revision::kBerlin), UINT64_MAX);
    EXPECT_EQ(gas(0x05, in, Revision::kByzantium), UINT64_MAX);

    // A 33-byte exponent 00..01 whose first 32 bytes are zero: adjusted length exactly
    // 8 * (33 - 32) = 8. Berlin: max(200, 1 * 8 / 3); EIP-198: 1 * 8 / 20.
    in = modexp_input(1, 33, 1, "02" + std::string(64, '0') + "01" + "05");
    EXPECT_EQ(gas(0x05, in, Revision::kBerlin), 200u);
    EXPECT_EQ(gas(0x05, in, Revision::kByzantium), 0u);
    EXPECT_EQ(to_hex(run(0x05, in).output), "02");  // 2^1 mod 5
    // EIP-198's 100-byte exponent 00 00 01 00..: 8 * (100 - 32) + 232 = 776. (The EIP's text
    // says "+ 253 = 797", but bit 0 of byte 2 is bit 232; geth and evmone compute 776.)
    in = modexp_input(1, 100, 1, "02" + std::string("000001") + std::string(194, '0') + "05");
    EXPECT_EQ(gas(0x05, in, Revision::kByzantium), 776u / 20);
    EXPECT_EQ(gas(0x05, in, Revision::kBerlin), 258u);  // max(200, 776 / 3)
}

TEST(Precompiles, ModexpLargeModulus)
{
    // Fermat for the Mersenne prime 2^4423 - 1 (553 bytes): 3^(M - 1) mod M = 1.
    const size_t n = 553;
    Bytes mod(n, 0xff);
    mod[0] = 0x7f;  // 2^4423 - 1: 4423 = 552 * 8 + 7 bits
    Bytes exp = mod;
    exp[n - 1] = 0xfe;
    Bytes in = word(1);
    in += word(n);
    in += word(n);
    in += Bytes{3};
    in += exp;
    in += mod;
    const auto r = run(0x05, in);
    ASSERT_TRUE(r.success);
    Bytes one(n, 0);
    one[n - 1] = 1;
    EXPECT_EQ(r.output, one);
    // EIP-2565: ceil(553 / 8)^2 * (8 * (553 - 32) + 254) / 3.
    EXPECT_EQ(gas(0x05, in, Revision::kBerlin), 70u * 70u * (8u * 521u + 254u) / 3u);

    // A 1 KiB modulus and base: the output is exactly mod_len bytes.
    Bytes big_mod(1024, 0x5a);
    Bytes big_in = word(1024);
    big_in += word(1);
    big_in += word(1024);
    big_in += Bytes(1024, 0x33);
    big_in += Bytes{1};
    big_in += big_mod;
    const auto big = run(0x05, big_in);
    ASSERT_TRUE(big.success);
    EXPECT_EQ(big.output.size(), 1024u);
    EXPECT_EQ(big.output, Bytes(1024, 0x33));  // b^1 mod m = b for b < m
}

// ---- 0x09 BLAKE2F: EIP-152's test vectors 4-7 ----

Bytes blake2f_input(std::string_view rounds, std::string_view flag)
{
    // h: BLAKE2b-512's IV with the parameter block mixed in; m: "abc"; t: 3.
    return hex(std::string{rounds} +
               "48c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5d182e6ad7f520e511f"
               "6c3e2b8c68059b6bbd41fbabd9831f79217e1319cde05b" +
               "616263" + std::string(250, '0') + "0300000000000000" + "0000000000000000" +
               std::string{flag});
}

TEST(Precompiles, Blake2fEip152Vectors)
{
    struct Case
    {
        const char* name;
        Bytes input;
        const char* expected;
        uint64_t gas;
    };
    const Case cases[] = {
        {"vector 4", blake2f_input("00000000", "01"),
         "08c9bcf367e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5d282e6ad7f520e511f6c3e2b8"
         "c68"
         "059b9442be0454267ce079217e1319cde05b",
         0},
        {"vector 5", blake2f_input("0000000c", "01"),
         "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4"
         "5"
         "33cc9518d38aa8dbf1925ab92386edd4009923",
         12},
        {"vector 6", blake2f_input("0000000c", "00"),
         "75ab69d3190a562c51aef8d88f1c2775876944407270c42c9844252c26d2875298743e7f6d5ea2f2d3e8d2260"
         "3"
         "9cd31b4e426ac4f2d3d666a610c2116fde4735",
         12},
        {"vector 7", blake2f_input("00000001", "01"),
         "b63a380cb2897d521994a85234ee2c181b5f844d2c624c002677e9703449d2fba551b3a8333bcdf5f2f7e0899"
         "3"
         "d53923de3d64fcc68c034e717b9293fed7a421",
         1},
    };
    for (const auto& c : cases)
    {
        ASSERT_EQ(c.input.size(), 213u) << c.name;
        const auto r = run(0x09, c.input);
        EXPECT_TRUE(r.success) << c.name;
        EXPECT_EQ(to_hex(r.output), c.expected) << c.name;
        EXPECT_EQ(gas(0x09, c.input), c.gas) << c.name;
    }
    // A large round count: rounds * blake2f_round.
    EXPECT_EQ(gas(0x09, blake2f_input("ffffffff", "01")), 0xffffffffu);
}

TEST(Precompiles, Blake2fRejectsMalformedInput)
{
    const Bytes good = blake2f_input("0000000c", "01");
    EXPECT_FALSE(run(0x09, {}).success);
    EXPECT_FALSE(run(0x09, ByteView{good.data(), 212}).success);
    Bytes longer = good;
    longer.push_back(0);
    EXPECT_FALSE(run(0x09, longer).success);
    Bytes bad_flag = good;
    bad_flag[212] = 2;
    EXPECT_FALSE(run(0x09, bad_flag).success);
    bad_flag[212] = 0xff;
    EXPECT_FALSE(run(0x09, bad_flag).success);
    EXPECT_EQ(gas(0x09, longer), 0u);  // as geth: nothing to charge for a malformed call
}

// ---- 0x0a point evaluation: registered, always failing (no KZG library) ----

TEST(Precompiles, PointEvaluationExistsButFails)
{
    EXPECT_EQ(gas(0x0a, Bytes(192, 0)), 50000u);
    const auto r = run(0x0a, Bytes(192, 0));
    EXPECT_FALSE(r.success);
    EXPECT_TRUE(r.output.empty());
}

// ---- 0x06-0x08 BN254 gas (the curve arithmetic is tested in bn254_test.cpp) ----

TEST(Precompiles, Bn254GasByRevision)
{
    const Bytes two_pairs(2 * 192 + 191, 0);  // k rounds down
    EXPECT_EQ(gas(0x06, {}, Revision::kByzantium), 500u);
    EXPECT_EQ(gas(0x07, {}, Revision::kByzantium), 40000u);
    EXPECT_EQ(gas(0x08, {}, Revision::kByzantium), 100000u);
    EXPECT_EQ(gas(0x08, two_pairs, Revision::kPetersburg), 100000u + 2 * 80000u);
    EXPECT_EQ(gas(0x06, {}, Revision::kIstanbul), 150u);
    EXPECT_EQ(gas(0x07, {}, Revision::kIstanbul), 6000u);
    EXPECT_EQ(gas(0x08, {}, Revision::kCancun), 45000u);
    EXPECT_EQ(gas(0x08, two_pairs, Revision::kCancun), 45000u + 2 * 34000u);
    GasSchedule s = schedule_for(Revision::kCancun);
    s.bn254_pairing_base = 1;
    s.bn254_pairing_pair = 10;
    EXPECT_EQ(get(0x08).gas(two_pairs, s, Revision::kCancun), 21u);
}

// ---- 0x100 P256VERIFY (RIP-7212) ----

struct OsslDeleter
{
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
    void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
    void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); }
    void operator()(BIGNUM* p) const { BN_free(p); }
};

Bytes bn_word(const BIGNUM* bn)
{
    Bytes out(32, 0);
    if (BN_bn2binpad(bn, out.data(), 32) != 32)
        throw std::runtime_error("BN_bn2binpad");
    return out;
}

/// hash || r || s || x || y for a fresh P-256 key signing `hash` with OpenSSL.
Bytes p256_signed_input(const Bytes& hash)
{
    std::unique_ptr<EVP_PKEY, OsslDeleter> key{EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")};
    if (!key)
        throw std::runtime_error("keygen");
    std::unique_ptr<EVP_PKEY_CTX, OsslDeleter> ctx{
        EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr)};
    size_t der_len = 0;
    if (EVP_PKEY_sign_init(ctx.get()) != 1 ||
        EVP_PKEY_sign(ctx.get(), nullptr, &der_len, hash.data(), hash.size()) != 1)
        throw std::runtime_error("sign");
    Bytes der(der_len, 0);
    if (EVP_PKEY_sign(ctx.get(), der.data(), &der_len, hash.data(), hash.size()) != 1)
        throw std::runtime_error("sign");
    const uint8_t* p = der.data();
    std::unique_ptr<ECDSA_SIG, OsslDeleter> sig{
        d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len))};
    BIGNUM* x = nullptr;
    BIGNUM* y = nullptr;
    if (!sig || EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_EC_PUB_X, &x) != 1 ||
        EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_EC_PUB_Y, &y) != 1)
        throw std::runtime_error("key params");
    std::unique_ptr<BIGNUM, OsslDeleter> bx{x};
    std::unique_ptr<BIGNUM, OsslDeleter> by{y};
    Bytes in = hash;
    in += bn_word(ECDSA_SIG_get0_r(sig.get()));
    in += bn_word(ECDSA_SIG_get0_s(sig.get()));
    in += bn_word(x);
    in += bn_word(y);
    return in;
}

const std::string kP256N = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
const std::string kP256P = "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";

TEST(Precompiles, P256VerifyAcceptsOpenSslSignature)
{
    const Bytes hash{keccak256(as_view("l2node p256")).view()};
    const Bytes in = p256_signed_input(hash);
    ASSERT_EQ(in.size(), 160u);
    const auto r = run(0x100, in);
    EXPECT_TRUE(r.success);
    EXPECT_EQ(to_hex(r.output), "0000000000000000000000000000000000000000000000000000000000000001");
    EXPECT_EQ(gas(0x100, in), 3450u);

    // RIP-7212 has no low-s rule: (r, n - s) verifies too.
    const U256 n = from_be_bytes(hex(kP256N));
    const U256 s = from_be_bytes(ByteView{in.data() + 64, 32});
    Bytes high = in;
    to_be_bytes(n - s, high.data() + 64);
    EXPECT_EQ(run(0x100, high).output, r.output);
}

TEST(Precompiles, P256VerifyRejectsWithEmptyOutput)
{
    const Bytes hash{keccak256(as_view("l2node p256")).view()};
    const Bytes good = p256_signed_input(hash);
    const auto with = [&good](size_t offset, const Bytes& w) {
        Bytes b = good;
        std::copy(w.begin(), w.end(), b.begin() + static_cast<std::ptrdiff_t>(offset));
        return b;
    };
    Bytes other_hash = good;
    other_hash[0] ^= 1;
    Bytes off_curve = good;
    off_curve[159] ^= 1;  // y + 1 (or - 1): not on the curve
    const Bytes p_word = hex(kP256P);
    const Bytes n_word = hex(kP256N);
    const Bytes zero(32, 0);
    struct Case
    {
        const char* name;
        Bytes input;
    };
    const Case cases[] = {
        {"other hash", other_hash},
        {"r = 0", with(32, zero)},
        {"s = 0", with(64, zero)},
        {"r = n", with(32, n_word)},
        {"s = n", with(64, n_word)},
        {"x = p", with(96, p_word)},
        {"y = p", with(128, p_word)},
        {"point at infinity", with(128, zero).substr(0, 96) + zero + zero},
        {"off the curve", off_curve},
        {"159 bytes", good.substr(0, 159)},
        {"161 bytes", good + Bytes{0}},
        {"empty", Bytes{}},
    };
    for (const auto& c : cases)
    {
        const auto r = run(0x100, c.input);
        EXPECT_TRUE(r.success) << c.name;
        EXPECT_TRUE(r.output.empty()) << c.name;
    }
    // A valid call after the failures (OpenSSL's error queue does not leak into it).
    EXPECT_EQ(run(0x100, good).output.size(), 32u);
}

}  // namespace
