#include <gtest/gtest.h>

#include <txtypes/hex.hpp>
#include <txtypes/keccak.hpp>
#include <txtypes/secp256k1.hpp>

using namespace l2;

namespace {

// The EIP-155 example key.
constexpr Hash kKey =
    hash_literal("4646464646464646464646464646464646464646464646464646464646464646");

TEST(Secp256k1, AddressOfKnownKey)
{
    EXPECT_EQ(to_0x_hex(*address_from_private_key(kKey)),
              "0x9d8a62f656a8d1615c1294fd71e9cfb3e4855a4f");
}

TEST(Secp256k1, SignIsDeterministicAndRecovers)
{
    const Hash msg = keccak256(as_view("l2node"));
    const auto a = sign(msg, kKey);
    const auto b = sign(msg, kKey);
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->r, b->r);  // RFC 6979
    EXPECT_EQ(a->s, b->s);
    EXPECT_LE(a->s, kSecp256k1HalfN);  // low-s
    EXPECT_EQ(*recover_address(msg, *a), *address_from_private_key(kKey));
}

TEST(Secp256k1, EIP155Example)
{
    // EIP-155's example: signing hash and signature of the nonce-9 transfer.
    const Hash h =
        hash_literal("daf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53");
    const auto sig = sign(h, kKey);
    ASSERT_TRUE(sig);
    EXPECT_EQ(to_string(sig->r),
              "18515461264373351373200002665853028612451056578545711640558177340181847433846");
    EXPECT_EQ(to_string(sig->s),
              "46948507304638947509940763649030358759909902576025900602547168820602576006531");
    EXPECT_EQ(sig->y_parity, 0);
}

TEST(Secp256k1, RejectsOutOfRangeValues)
{
    const Hash msg = keccak256(as_view("x"));
    Signature sig = *sign(msg, kKey);
    Signature zero_r = sig;
    zero_r.r = 0;
    EXPECT_EQ(recover_address(msg, zero_r).error(), SigError::kInvalidValues);
    Signature big_s = sig;
    big_s.s = kSecp256k1N;
    EXPECT_EQ(recover_address(msg, big_s).error(), SigError::kInvalidValues);
    Signature bad_parity = sig;
    bad_parity.y_parity = 2;
    EXPECT_EQ(recover_address(msg, bad_parity).error(), SigError::kInvalidValues);

    // High s (n - s) recovers the same key with the other parity, but fails EIP-2's rule.
    Signature high = sig;
    high.s = kSecp256k1N - sig.s;
    high.y_parity = static_cast<uint8_t>(sig.y_parity ^ 1);
    EXPECT_EQ(*recover_address(msg, high), *address_from_private_key(kKey));
    EXPECT_FALSE(is_valid_signature(high.r, high.s, high.y_parity, true));
    EXPECT_TRUE(is_valid_signature(high.r, high.s, high.y_parity, false));
}

TEST(Secp256k1, InvalidKey)
{
    EXPECT_FALSE(address_from_private_key(Hash{}).has_value());
    EXPECT_FALSE(sign(keccak256(as_view("x")), Hash{}).has_value());
}

}  // namespace
