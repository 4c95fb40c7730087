#include <gtest/gtest.h>

#include <txtypes/hex.hpp>
#include <txtypes/rlp.hpp>

using namespace l2;
using rlp::RlpError;

namespace {

Bytes hex(std::string_view h)
{
    return from_hex(h).value();
}

TEST(Rlp, EncodesScalarsAndStrings)
{
    auto enc = [](auto v) {
        Bytes out;
        rlp::encode(out, v);
        return to_hex(out);
    };
    EXPECT_EQ(enc(uint64_t{0}), "80");
    EXPECT_EQ(enc(uint64_t{0x7f}), "7f");
    EXPECT_EQ(enc(uint64_t{0x80}), "8180");
    EXPECT_EQ(enc(uint64_t{0x0400}), "820400");
    EXPECT_EQ(enc(U256{0}), "80");
    EXPECT_EQ(enc(~U256{0}), "a0" + std::string(64, 'f'));
    EXPECT_EQ(enc(ByteView{}), "80");
    EXPECT_EQ(enc(as_view("dog")), "83646f67");
    const Bytes long_str(56, 'a');
    EXPECT_EQ(enc(ByteView{long_str}).substr(0, 4), "b838");
}

TEST(Rlp, ListRoundTrip)
{
    Bytes payload;
    rlp::encode(payload, as_view("cat"));
    rlp::encode(payload, as_view("dog"));
    const Bytes list = rlp::wrap_list(payload);
    EXPECT_EQ(to_hex(list), "c88363617483646f67");
    ByteView in = list;
    auto items = rlp::decode_list(in);
    ASSERT_TRUE(items);
    EXPECT_TRUE(in.empty());
    ByteView p = *items;
    EXPECT_EQ(as_chars(*rlp::decode_string(p)), "cat");
    EXPECT_EQ(as_chars(*rlp::decode_string(p)), "dog");
    EXPECT_TRUE(p.empty());
}

TEST(Rlp, DecodesIntegers)
{
    ByteView in;
    const Bytes a = hex("820400");
    in = a;
    EXPECT_EQ(*rlp::decode_u64(in), 0x400u);
    const Bytes b = hex("a0" + std::string(64, 'f'));
    in = b;
    EXPECT_EQ(*rlp::decode_u256(in), ~U256{0});
}

struct ErrorCase
{
    const char* hex;
    RlpError error;
    const char* why;
};

// The error table (silkworm's shape): each malformed input and the error it must produce.
class RlpErrors : public testing::TestWithParam<ErrorCase>
{};

TEST_P(RlpErrors, Item)
{
    const auto& c = GetParam();
    const Bytes in = hex(c.hex);
    const auto r = rlp::decode_item(in);
    ASSERT_FALSE(r.has_value()) << c.why;
    EXPECT_EQ(r.error(), c.error) << c.why << ": " << rlp::to_string(r.error());
}

INSTANTIATE_TEST_SUITE_P(
    Table, RlpErrors,
    testing::Values(ErrorCase{"", RlpError::kInputTooShort, "empty input"},
                    ErrorCase{"83646f", RlpError::kInputTooShort, "string shorter than header"},
                    ErrorCase{"c883636174", RlpError::kInputTooShort, "list shorter"},
                    ErrorCase{"8105", RlpError::kNonCanonicalSize, "single byte < 0x80 wrapped"},
                    ErrorCase{"b80161", RlpError::kNonCanonicalSize, "long form for 1 byte"},
                    ErrorCase{"f80100", RlpError::kNonCanonicalSize, "long list form for 1"},
                    ErrorCase{"b9003861", RlpError::kLeadingZero, "length with leading zero"},
                    ErrorCase{"bf0100000000000000", RlpError::kInputTooShort, "2^56-byte claim"},
                    ErrorCase{"8080", RlpError::kTrailingBytes, "two items at top level"},
                    ErrorCase{"c2820000", RlpError::kInputTooShort, "child longer than list"}));

TEST(Rlp, TypedDecoderErrors)
{
    auto u64 = [](std::string_view h) {
        const Bytes b = hex(h);
        ByteView in = b;
        return rlp::decode_u64(in);
    };
    EXPECT_EQ(u64("820001").error(), RlpError::kLeadingZero);
    EXPECT_EQ(u64("89010000000000000000").error(), RlpError::kOverflow);
    EXPECT_EQ(u64("c0").error(), RlpError::kUnexpectedList);
    EXPECT_EQ(u64("00").error(), RlpError::kLeadingZero);  // zero is 0x80, not 0x00

    const Bytes short_addr = hex("93" + std::string(38, '1'));
    ByteView in = short_addr;
    EXPECT_EQ(rlp::decode_address(in).error(), RlpError::kUnexpectedLength);
    const Bytes str = hex("83646f67");
    in = str;
    EXPECT_EQ(rlp::decode_list(in).error(), RlpError::kUnexpectedString);
    const Bytes too_big = hex("a1" + std::string(66, '1'));
    in = too_big;
    EXPECT_EQ(rlp::decode_u256(in).error(), RlpError::kOverflow);
}

TEST(Rlp, DepthIsBounded)
{
    // 2000 nested lists: a decoder without a depth limit would recurse 2000 frames deep.
    Bytes item{0xc0};
    for (int i = 0; i < 2000; ++i)
        item = rlp::wrap_list(item);
    EXPECT_EQ(rlp::decode_item(item).error(), RlpError::kTooDeep);
}

TEST(Rlp, ErrorsHaveMessages)
{
    for (int e = 0; e <= static_cast<int>(RlpError::kTooDeep); ++e)
        EXPECT_NE(std::string{rlp::to_string(static_cast<RlpError>(e))}, "rlp: unknown error");
}

}  // namespace
