#include <gtest/gtest.h>

#include <txtypes/hash.hpp>
#include <txtypes/hex.hpp>

using namespace l2;

TEST(Hex, RoundTrip)
{
    EXPECT_EQ(to_hex(*from_hex("0x00ff10")), "00ff10");
    EXPECT_EQ(to_hex(*from_hex("ABcd")), "abcd");
    EXPECT_EQ(to_0x_hex(ByteView{}), "0x");
    EXPECT_EQ(from_hex("0x").value(), Bytes{});
}

TEST(Hex, Errors)
{
    EXPECT_EQ(from_hex("0x123").error(), HexError::kOddLength);
    EXPECT_EQ(from_hex("zz").error(), HexError::kInvalidDigit);
    EXPECT_FALSE(address_from_hex("0x1234"));
    EXPECT_NE(address_from_hex("0x1234").error().find("20 bytes"), std::string::npos);
    EXPECT_TRUE(hash_from_hex("0x" + std::string(64, 'a')));
}

TEST(Hex, Literals)
{
    constexpr Address a = address_literal("00000000000000000000000000000000000000ff");
    static_assert(a.bytes[19] == 0xff);
    EXPECT_EQ(to_0x_hex(a), "0x00000000000000000000000000000000000000ff");
}
