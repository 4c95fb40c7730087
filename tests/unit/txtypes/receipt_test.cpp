#include <gtest/gtest.h>

#include <txtypes/hex.hpp>
#include <txtypes/keccak.hpp>
#include <txtypes/receipt.hpp>

using namespace l2;
using namespace l2::txtypes;

namespace {

Log transfer_log()
{
    Log log;
    log.address = address_literal("a0b86991c6218b36c1d19d4a2e9eb0ce3606eb48");
    log.topics = {keccak256(as_view("Transfer(address,address,uint256)")), Hash{}, Hash{}};
    log.data = Bytes(32, 0x01);
    return log;
}

TEST(Bloom, ContainsWhatWasAdded)
{
    const Log log = transfer_log();
    const Bloom bloom = logs_bloom({log});
    EXPECT_TRUE(bloom_may_contain(bloom, log.address));
    EXPECT_TRUE(bloom_may_contain(bloom, log.topics[0]));
    EXPECT_FALSE(bloom_may_contain(bloom, address_literal("0000000000000000000000000000000000000001")));
    int bits = 0;
    for (uint8_t b : bloom)
        bits += __builtin_popcount(b);
    EXPECT_LE(bits, 3 * 3);  // address, the event topic, the zero topic (twice, same bits)
    EXPECT_GE(bits, 3);
}

TEST(Bloom, KnownBitPositions)
{
    // keccak256(0x00..00 [20]) = 5380c7b7...: bits (0x5380 & 2047), (0xc7b7 & 2047), ...
    Bloom bloom{};
    const Address zero{};
    bloom_add(bloom, zero);
    const Hash h = keccak256(zero);
    for (size_t i = 0; i < 3; ++i)
    {
        const unsigned bit = ((unsigned{h[2 * i]} << 8) | h[2 * i + 1]) & 2047u;
        EXPECT_TRUE(bloom[255 - bit / 8] & (1u << (bit % 8))) << i;
    }
}

TEST(Receipt, TypedRoundTrips)
{
    for (TxType type : {TxType::kLegacy, TxType::kAccessList, TxType::kDynamicFee,
                        TxType::kFeeSplit, TxType::kDeposit})
    {
        Receipt r;
        r.type = type;
        r.success = type != TxType::kAccessList;
        r.cumulative_gas_used = 123456;
        r.logs = {transfer_log()};
        r.bloom = logs_bloom(r.logs);
        if (type == TxType::kDeposit)
        {
            r.deposit_nonce = 9;
            r.deposit_receipt_version = 1;
        }
        const Bytes enc = encode_receipt(r);
        if (type == TxType::kLegacy)
            EXPECT_GE(enc[0], 0xc0);
        else
            EXPECT_EQ(enc[0], static_cast<uint8_t>(type));
        const auto back = decode_receipt(enc);
        ASSERT_TRUE(back) << static_cast<int>(type);
        EXPECT_EQ(*back, r);
    }
}

TEST(Receipt, RejectsMalformed)
{
    Receipt r;
    const Bytes enc = encode_receipt(r);
    Bytes trailing = enc;
    trailing.push_back(0x01);
    EXPECT_FALSE(decode_receipt(trailing));
    EXPECT_FALSE(decode_receipt(Bytes{0x05, 0xc0}));
    EXPECT_FALSE(decode_receipt(Bytes{}));
}

}  // namespace
