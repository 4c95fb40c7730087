/// Decoders of JSON-RPC results: QUANTITY/DATA error tables and typed objects.

#include <gtest/gtest.h>

#include <l1client/l1_decode.hpp>
#include <nlohmann/json.hpp>
#include <txtypes/hex.hpp>

using namespace l2;
using namespace l2::l1client;
using json = nlohmann::json;

namespace {

constexpr auto kHashA =
    hash_literal("aa00000000000000000000000000000000000000000000000000000000000001");
constexpr auto kHashB =
    hash_literal("bb00000000000000000000000000000000000000000000000000000000000002");
constexpr auto kAddr = address_literal("5fbdb2315678afecb367f032d93f642f64180aa3");

struct BadCase
{
    const char* input;
    const char* message_part;
};

}  // namespace

TEST(L1Decode, QuantityU64)
{
    EXPECT_EQ(*parse_quantity_u64("0x0"), 0u);
    EXPECT_EQ(*parse_quantity_u64("0x1a"), 26u);
    EXPECT_EQ(*parse_quantity_u64("0xFF"), 255u);
    EXPECT_EQ(*parse_quantity_u64("0xffffffffffffffff"), UINT64_MAX);
    EXPECT_EQ(*parse_quantity_u64("0x00000000000000000001"), 1u);  // Padded: accepted.
}

TEST(L1Decode, QuantityU64Errors)
{
    const BadCase cases[] = {
        {"", "lacks the 0x prefix"},
        {"0", "lacks the 0x prefix"},
        {"12", "lacks the 0x prefix"},
        {"0X12", "lacks the 0x prefix"},
        {"0x", "has no digits"},
        {"0xg1", "is not hex"},
        {"0x 1", "is not hex"},
        {"0x-1", "is not hex"},
        {"0x1_0", "is not hex"},
        {"0x10000000000000000", "overflows 64 bits"},
        {"0xffffffffffffffffff", "overflows 64 bits"},
    };
    for (const auto& c : cases)
    {
        SCOPED_TRACE(c.input);
        const auto r = parse_quantity_u64(c.input);
        ASSERT_FALSE(r);
        EXPECT_NE(r.error().find(c.message_part), std::string::npos) << r.error();
    }
}

TEST(L1Decode, QuantityU256)
{
    EXPECT_EQ(*parse_quantity_u256("0x0"), U256{0});
    EXPECT_EQ(*parse_quantity_u256("0x3b9aca00"), U256{1000000000});
    EXPECT_EQ(*parse_quantity_u256("0x" + std::string(64, 'f')), kU256Max);
    EXPECT_EQ(*parse_quantity_u256("0x10000000000000000"), (U256{0, 1, 0, 0}));

    const BadCase cases[] = {
        {"1", "lacks the 0x prefix"},
        {"0x", "has no digits"},
        {"0xz", "is not hex"},
        {"0x1" "0000000000000000000000000000000000000000000000000000000000000000",
         "overflows 256 bits"},
    };
    for (const auto& c : cases)
    {
        SCOPED_TRACE(c.input);
        const auto r = parse_quantity_u256(c.input);
        ASSERT_FALSE(r);
        EXPECT_NE(r.error().find(c.message_part), std::string::npos) << r.error();
    }
}

TEST(L1Decode, DataHashAddress)
{
    EXPECT_EQ(*parse_data("0x"), Bytes{});
    EXPECT_EQ(*parse_data("0x00ff"), (Bytes{0x00, 0xff}));
    EXPECT_EQ(*parse_hash("0xaa00000000000000000000000000000000000000000000000000000000000001"),
              kHashA);
    EXPECT_EQ(*parse_address("0x5FbDB2315678afecb367f032d93F642f64180aa3"), kAddr);

    const BadCase data_cases[] = {
        {"", "lacks the 0x prefix"},
        {"00ff", "lacks the 0x prefix"},
        {"0x0", "odd number of digits"},
        {"0x0g", "not a hex digit"},
    };
    for (const auto& c : data_cases)
    {
        SCOPED_TRACE(c.input);
        const auto r = parse_data(c.input);
        ASSERT_FALSE(r);
        EXPECT_NE(r.error().find(c.message_part), std::string::npos) << r.error();
    }
    EXPECT_NE(parse_hash("0x00").error().find("1 bytes, not 32"), std::string::npos);
    EXPECT_NE(parse_address("0x" + std::string(42, '0')).error().find("21 bytes, not 20"),
              std::string::npos);
}

TEST(L1Decode, JsonTypesAreChecked)
{
    EXPECT_NE(decode_u64(json(5)).error().find("expected a hex string, got number"),
              std::string::npos);
    EXPECT_NE(decode_u256(json(nullptr)).error().find("got null"), std::string::npos);
    EXPECT_NE(decode_hash(json::array()).error().find("got array"), std::string::npos);
}

TEST(L1Decode, StorageWordIsLeftPadded)
{
    EXPECT_EQ(*decode_word("0x01"), Hash{Hash::left_padded(Bytes{0x01})});
    EXPECT_EQ(*decode_word("0x"), Hash{});
    EXPECT_FALSE(decode_word("0x" + std::string(66, '1')));
}

namespace {

json sample_log()
{
    return {{"address", to_0x_hex(kAddr)},
            {"topics", {to_0x_hex(kHashA)}},
            {"data", "0x1234"},
            {"blockNumber", "0x10"},
            {"blockHash", to_0x_hex(kHashB)},
            {"transactionHash", to_0x_hex(kHashA)},
            {"transactionIndex", "0x0"},
            {"logIndex", "0x3"},
            {"removed", false}};
}

json sample_block()
{
    return {{"number", "0x10"},
            {"hash", to_0x_hex(kHashA)},
            {"parentHash", to_0x_hex(kHashB)},
            {"mixHash", to_0x_hex(kHashB)},
            {"timestamp", "0x6500"},
            {"baseFeePerGas", "0x3b9aca00"},
            {"excessBlobGas", "0x0"},
            {"blobGasUsed", "0x20000"},
            {"transactions",
             {{{"hash", to_0x_hex(kHashA)},
               {"type", "0x2"},
               {"from", to_0x_hex(kAddr)},
               {"to", nullptr},
               {"input", "0x6000"},
               {"value", "0x1"},
               {"nonce", "0x7"}}}}};
}

}  // namespace

TEST(L1Decode, Block)
{
    const auto b = decode_block(sample_block());
    ASSERT_TRUE(b) << b.error();
    EXPECT_EQ(b->number, 16u);
    EXPECT_EQ(b->hash, kHashA);
    EXPECT_EQ(b->parent_hash, kHashB);
    EXPECT_EQ(b->timestamp, 0x6500u);
    EXPECT_EQ(b->base_fee, U256{1000000000});
    EXPECT_EQ(b->excess_blob_gas, 0u);
    EXPECT_EQ(b->blob_gas_used, 0x20000u);
    ASSERT_EQ(b->transactions.size(), 1u);
    const auto& tx = b->transactions[0];
    EXPECT_EQ(tx.type, 2);
    EXPECT_EQ(tx.from, kAddr);
    EXPECT_FALSE(tx.to);
    EXPECT_EQ(tx.input, (Bytes{0x60, 0x00}));
    EXPECT_EQ(tx.nonce, 7u);

    // Pre-London, pre-Cancun, hashes only.
    auto old = sample_block();
    old.erase("baseFeePerGas");
    old.erase("excessBlobGas");
    old.erase("blobGasUsed");
    old["transactions"] = {to_0x_hex(kHashB)};
    const auto o = decode_block(old);
    ASSERT_TRUE(o) << o.error();
    EXPECT_FALSE(o->base_fee);
    EXPECT_FALSE(o->excess_blob_gas);
    ASSERT_EQ(o->transactions.size(), 1u);
    EXPECT_EQ(o->transactions[0].hash, kHashB);
}

TEST(L1Decode, BlockErrorsNameTheField)
{
    struct Case
    {
        const char* field;
        json value;
        const char* message;
    };
    const Case cases[] = {
        {"number", "0x", "number: \"0x\" has no digits"},
        {"number", nullptr, "number: missing"},
        {"hash", "0x1234", "hash: \"0x1234\" is 2 bytes, not 32"},
        {"timestamp", 5, "timestamp: expected a hex string, got number"},
        {"baseFeePerGas", "0xzz", "baseFeePerGas: \"0xzz\" is not hex"},
        {"transactions", "0x", "transactions: expected an array, got string"},
        {"transactions", json::array({5}), "transactions[0]: expected an object, got number"},
    };
    for (const auto& c : cases)
    {
        SCOPED_TRACE(c.field);
        auto j = sample_block();
        j[c.field] = c.value;
        const auto b = decode_block(j);
        ASSERT_FALSE(b);
        EXPECT_EQ(b.error(), c.message);
    }
    auto j = sample_block();
    j["transactions"][0]["from"] = "0x12";
    EXPECT_EQ(decode_block(j).error(), "transactions[0]: from: \"0x12\" is 1 bytes, not 20");
    EXPECT_EQ(decode_block(json::array()).error(), "expected an object, got array");
}

TEST(L1Decode, LogAndReceipt)
{
    const auto log = decode_log(sample_log());
    ASSERT_TRUE(log) << log.error();
    EXPECT_EQ(log->address, kAddr);
    EXPECT_EQ(log->topics, std::vector<Hash>{kHashA});
    EXPECT_EQ(log->data, (Bytes{0x12, 0x34}));
    EXPECT_EQ(log->block_number, 16u);
    EXPECT_EQ(log->log_index, 3u);

    json receipt = {{"transactionHash", to_0x_hex(kHashA)},
                    {"blockNumber", "0x10"},
                    {"blockHash", to_0x_hex(kHashB)},
                    {"status", "0x1"},
                    {"gasUsed", "0x5208"},
                    {"effectiveGasPrice", "0x3b9aca00"},
                    {"contractAddress", nullptr},
                    {"logs", {sample_log()}}};
    const auto r = decode_receipt(receipt);
    ASSERT_TRUE(r) << r.error();
    EXPECT_TRUE(r->status);
    EXPECT_EQ(r->gas_used, 21000u);
    EXPECT_FALSE(r->contract_address);
    ASSERT_EQ(r->logs.size(), 1u);
    EXPECT_EQ(r->logs[0], *log);

    receipt["status"] = "0x2";
    EXPECT_EQ(decode_receipt(receipt).error(), "status: expected 0x0 or 0x1");
    receipt["status"] = "0x0";
    receipt["logs"][0]["topics"] = {"0x01"};
    EXPECT_EQ(decode_receipt(receipt).error(),
              "logs[0]: topics[0]: \"0x01\" is 1 bytes, not 32");
}

TEST(L1Decode, FeeHistory)
{
    const json j = {{"oldestBlock", "0x5"},
                    {"baseFeePerGas", {"0x1", "0x2", "0x3"}},
                    {"gasUsedRatio", {0.5, 0.1}},
                    {"reward", {{"0xa"}, {"0xb"}}}};
    const auto h = decode_fee_history(j);
    ASSERT_TRUE(h) << h.error();
    EXPECT_EQ(h->oldest_block, 5u);
    EXPECT_EQ(h->base_fee_per_gas.size(), 3u);
    ASSERT_EQ(h->reward.size(), 2u);
    EXPECT_EQ(h->reward[1][0], U256{0xb});
    EXPECT_TRUE(h->base_fee_per_blob_gas.empty());

    auto bad = j;
    bad["reward"][1] = "0xb";
    EXPECT_EQ(decode_fee_history(bad).error(), "reward[1]: expected an array, got string");
}

TEST(L1Decode, LogFilterEncoding)
{
    LogFilter f{
        .from_block = 1, .to_block = 0x20, .addresses = {kAddr}, .topics = {{}, {kHashA, kHashB}}};
    const auto j = encode_log_filter(f);
    EXPECT_EQ(j["fromBlock"], "0x1");
    EXPECT_EQ(j["toBlock"], "0x20");
    EXPECT_EQ(j["address"], json::array({to_0x_hex(kAddr)}));
    EXPECT_TRUE(j["topics"][0].is_null());
    EXPECT_EQ(j["topics"][1].size(), 2u);

    f.block_hash = kHashA;
    const auto h = encode_log_filter(f);
    EXPECT_EQ(h["blockHash"], to_0x_hex(kHashA));
    EXPECT_FALSE(h.contains("fromBlock"));
}

TEST(L1Decode, BlockTagToRpc)
{
    EXPECT_EQ(BlockTag{26}.to_rpc(), "0x1a");
    EXPECT_EQ(BlockTag{0}.to_rpc(), "0x0");
    EXPECT_EQ(BlockTag::latest().to_rpc(), "latest");
    EXPECT_EQ(BlockTag::safe().to_rpc(), "safe");
    EXPECT_EQ(BlockTag::finalized().to_rpc(), "finalized");
    EXPECT_EQ(BlockTag::pending().to_rpc(), "pending");
    EXPECT_EQ(BlockTag::earliest().to_rpc(), "earliest");
}
