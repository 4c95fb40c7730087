// JSON-RPC value codecs: the strict decoders (error tables), block tags, call objects, log
// filters and matching, and the encoders' shapes for each transaction type.
#include <gtest/gtest.h>

#include <node/rpc_json.hpp>
#include <txtypes/hex.hpp>
#include <txtypes/keccak.hpp>

using namespace l2;
using namespace l2::node;
using nlohmann::json;

TEST(RpcJson, Quantities)
{
    const std::pair<json, std::optional<uint64_t>> cases[] = {
        {"0x0", 0},
        {"0x1f", 31},
        {"0X1F", 31},
        {"0x00ff", 255},  // leading zeros tolerated
        {"0xffffffffffffffff", UINT64_MAX},
        {"0x10000000000000000", std::nullopt},  // 65 bits
        {"0x", std::nullopt},
        {"1f", std::nullopt},
        {"0xg", std::nullopt},
        {"0x 1", std::nullopt},
        {"", std::nullopt},
        {31, std::nullopt},  // numbers are not QUANTITY
        {nullptr, std::nullopt},
        {json::array(), std::nullopt},
    };
    for (const auto& [in, want] : cases)
    {
        auto r = parse_u64(in, "n");
        EXPECT_EQ(r.has_value(), want.has_value()) << in.dump();
        if (r && want)
        {
            EXPECT_EQ(*r, *want) << in.dump();
        }
        if (!r)
        {
            EXPECT_EQ(r.error().code, kInvalidParams);
            EXPECT_EQ(r.error().message.rfind("invalid n: ", 0), 0u) << r.error().message;
        }
    }
    EXPECT_EQ(*parse_u256("0x" + std::string(64, 'f'), "v"), kU256Max);
    EXPECT_FALSE(parse_u256("0x1" + std::string(64, '0'), "v"));
    EXPECT_EQ(*parse_u64_or_int(json(5), "c"), 5u);
    EXPECT_EQ(*parse_u64_or_int(json("0x5"), "c"), 5u);
    EXPECT_FALSE(parse_u64_or_int(json(-5), "c"));
    EXPECT_FALSE(parse_u64_or_int(json(2.5), "c"));
    EXPECT_EQ(quantity(uint64_t{0}), "0x0");
    EXPECT_EQ(quantity(U256{0x1234}), "0x1234");
}

TEST(RpcJson, DataAddressesHashesSlots)
{
    EXPECT_EQ(*parse_data("0x", "d"), Bytes{});
    EXPECT_EQ(*parse_data("0xABcd", "d"), (Bytes{0xab, 0xcd}));
    EXPECT_FALSE(parse_data("0xabc", "d"));
    EXPECT_FALSE(parse_data("abcd", "d"));
    EXPECT_FALSE(parse_data(12, "d"));
    EXPECT_TRUE(parse_address("0x" + std::string(40, 'a'), "a"));
    EXPECT_FALSE(parse_address("0x" + std::string(38, 'a'), "a"));
    EXPECT_FALSE(parse_address("0x" + std::string(42, 'a'), "a"));
    EXPECT_TRUE(parse_hash("0x" + std::string(64, '0'), "h"));
    EXPECT_FALSE(parse_hash("0x" + std::string(40, '0'), "h"));
    EXPECT_EQ(*parse_slot("0x0", "s"), U256{0});
    EXPECT_EQ(*parse_slot("0x10", "s"), U256{16});
    EXPECT_EQ(*parse_slot("0x" + std::string(63, '0') + "7", "s"), U256{7});
    EXPECT_FALSE(parse_slot("0x" + std::string(66, '0'), "s"));
    EXPECT_FALSE(parse_slot(7, "s"));
    EXPECT_TRUE(*parse_bool(true, "b"));
    EXPECT_FALSE(parse_bool("true", "b"));
}

TEST(RpcJson, BlockTags)
{
    using K = BlockTag::Kind;
    EXPECT_EQ(parse_block_tag(nullptr, "b", false)->kind, K::kLatest);
    const std::pair<const char*, K> named[] = {{"latest", K::kLatest},
                                               {"pending", K::kPending},
                                               {"safe", K::kSafe},
                                               {"finalized", K::kFinalized},
                                               {"earliest", K::kEarliest}};
    for (const auto& [s, k] : named)
    {
        const json v = s;
        EXPECT_EQ(parse_block_tag(&v, "b", false)->kind, k) << s;
    }
    const json num = "0x2a";
    auto t = parse_block_tag(&num, "b", false);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->kind, K::kNumber);
    EXPECT_EQ(t->number, 42u);

    const std::string h = "0x" + std::string(64, 'a');
    const json hash = h;
    EXPECT_EQ(parse_block_tag(&hash, "b", true)->kind, K::kHash);
    EXPECT_FALSE(parse_block_tag(&hash, "b", false));  // a hash where only numbers go
    const json by_hash = {{"blockHash", h}, {"requireCanonical", true}};
    t = parse_block_tag(&by_hash, "b", true);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->kind, K::kHash);
    EXPECT_TRUE(t->require_canonical);
    const json by_num = {{"blockNumber", "0x5"}};
    EXPECT_EQ(parse_block_tag(&by_num, "b", true)->number, 5u);
    const json both = {{"blockNumber", "0x5"}, {"blockHash", h}};
    EXPECT_FALSE(parse_block_tag(&both, "b", true));
    const json neither = json::object();
    EXPECT_FALSE(parse_block_tag(&neither, "b", true));
    EXPECT_FALSE(parse_block_tag(&by_num, "b", false));
    for (const json& bad : {json("latest "), json("0x"), json(5), json(true)})
        EXPECT_FALSE(parse_block_tag(&bad, "b", true)) << bad.dump();
}

TEST(RpcJson, CallRequest)
{
    const std::string a = "0x" + std::string(40, '1');
    auto r = parse_call_request(
        {{"from", a},
         {"to", a},
         {"gas", "0x5208"},
         {"maxFeePerGas", "0x10"},
         {"maxPriorityFeePerGas", "0x1"},
         {"value", "0x7"},
         {"input", "0x01"},
         {"data", "0x01"},
         {"nonce", "0x3"},
         {"accessList", {{{"address", a}, {"storageKeys", {"0x" + std::string(64, '0')}}}}},
         {"unknownMember", 1}},
        "tx");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->gas, 0x5208u);
    EXPECT_EQ(r->max_fee_per_gas, U256{16});
    EXPECT_EQ(r->value, U256{7});
    EXPECT_EQ(r->data, Bytes{1});
    EXPECT_EQ(r->nonce, 3u);
    ASSERT_EQ(r->access_list.size(), 1u);
    EXPECT_EQ(r->access_list[0].storage_keys.size(), 1u);

    auto empty = parse_call_request(json::object(), "tx");
    ASSERT_TRUE(empty);
    EXPECT_FALSE(empty->to);
    EXPECT_FALSE(empty->gas);
    EXPECT_TRUE(parse_call_request({{"to", nullptr}}, "tx"));  // null = absent

    const std::pair<json, const char*> bad[] = {
        {{{"data", "0x01"}, {"input", "0x02"}}, "not equal"},
        {{{"to", "0x12"}}, "tx.to"},
        {{{"value", "7"}}, "tx.value"},
        {{{"accessList", {{{"storageKeys", json::array()}}}}}, "tx.accessList"},
        {json::array(), "tx"},
    };
    for (const auto& [in, mention] : bad)
    {
        auto e = parse_call_request(in, "tx");
        ASSERT_FALSE(e) << in.dump();
        EXPECT_NE(e.error().message.find(mention), std::string::npos) << e.error().message;
    }
}

TEST(RpcJson, LogFiltersAndMatching)
{
    const Address a1 = address_literal("00000000000000000000000000000000000000a1");
    const Address a2 = address_literal("00000000000000000000000000000000000000a2");
    const Hash t1 = keccak256(Bytes{1});
    const Hash t2 = keccak256(Bytes{2});
    const Hash t3 = keccak256(Bytes{3});
    auto f = parse_log_filter({{"address", {to_0x_hex(a1), to_0x_hex(a2)}},
                               {"topics", {nullptr, {to_0x_hex(t2), to_0x_hex(t3)}}},
                               {"fromBlock", "earliest"}},
                              "filter");
    ASSERT_TRUE(f) << f.error().message;
    EXPECT_EQ(f->addresses.size(), 2u);
    ASSERT_EQ(f->topics.size(), 2u);
    EXPECT_TRUE(f->topics[0].empty());
    EXPECT_EQ(f->topics[1].size(), 2u);
    EXPECT_EQ(f->from_block->kind, BlockTag::Kind::kEarliest);

    const txtypes::Log hit{a2, {t1, t3}, {}};
    const txtypes::Log wrong_address{
        address_literal("00000000000000000000000000000000000000a3"), {t1, t3}, {}};
    const txtypes::Log wrong_topic{a1, {t1, t1}, {}};
    const txtypes::Log too_few{a1, {t2}, {}};
    EXPECT_TRUE(log_matches(*f, hit));
    EXPECT_FALSE(log_matches(*f, wrong_address));
    EXPECT_FALSE(log_matches(*f, wrong_topic));
    EXPECT_FALSE(log_matches(*f, too_few));
    EXPECT_TRUE(bloom_may_match(*f, txtypes::logs_bloom({hit})));
    EXPECT_FALSE(bloom_may_match(*f, txtypes::logs_bloom({wrong_address})));
    EXPECT_FALSE(bloom_may_match(*f, txtypes::Bloom{}));

    // A null inside an OR position is a wildcard (geth); a single address may be a string.
    auto g = parse_log_filter({{"address", to_0x_hex(a1)},
                               {"topics", json::array({json::array({to_0x_hex(t2), nullptr})})}},
                              "filter");
    ASSERT_TRUE(g);
    EXPECT_TRUE(g->topics[0].empty());
    EXPECT_TRUE(log_matches(*g, wrong_topic));
    EXPECT_TRUE(parse_log_filter(json::object(), "filter"));

    const json bad[] = {
        {{"topics", {nullptr, nullptr, nullptr, nullptr, nullptr}}},
        {{"topics", "0x00"}},
        {{"topics", {5}}},
        {{"address", {5}}},
        {{"blockHash", to_0x_hex(t1)}, {"toBlock", "latest"}},
        {{"fromBlock", to_0x_hex(t1)}},
        json::array(),
    };
    for (const auto& in : bad)
        EXPECT_FALSE(parse_log_filter(in, "filter")) << in.dump();
}

TEST(RpcJson, TransactionShapes)
{
    txtypes::Transaction t;
    t.type = txtypes::TxType::kFeeSplit;
    t.chain_id = 901;
    t.nonce = 3;
    t.max_fee_per_gas = U256{100};
    t.max_priority_fee_per_gas = U256{10};
    t.gas_limit = 21000;
    t.max_data_fee = U256{5};
    t.max_proof_fee = U256{6};
    t.signature = {U256{1}, U256{2}, 1};
    const Hash h = keccak256(Bytes{7});
    const Address from = address_literal("00000000000000000000000000000000000000f1");

    // Mined: gasPrice is the effective price; pending: the cap.
    const json mined = transaction_json(t, h, from, TxPosition{h, 9, 2, U256{50}});
    EXPECT_EQ(mined["type"], "0x7d");
    EXPECT_EQ(mined["gasPrice"], "0x3c");  // 50 + 10
    EXPECT_EQ(mined["maxDataFee"], "0x5");
    EXPECT_EQ(mined["maxProofFee"], "0x6");
    EXPECT_EQ(mined["misc"], json::array());
    EXPECT_EQ(mined["to"], nullptr);
    EXPECT_EQ(mined["v"], "0x1");
    EXPECT_EQ(mined["yParity"], "0x1");
    EXPECT_EQ(mined["blockNumber"], "0x9");
    EXPECT_EQ(mined["transactionIndex"], "0x2");
    const json pending = transaction_json(t, h, from, std::nullopt);
    EXPECT_EQ(pending["gasPrice"], "0x64");
    EXPECT_EQ(pending["blockHash"], nullptr);

    // Pre-EIP-155 legacy: no chainId, v 27/28.
    txtypes::Transaction legacy;
    legacy.max_fee_per_gas = legacy.max_priority_fee_per_gas = U256{7};
    legacy.signature = {U256{1}, U256{2}, 0};
    const json l = transaction_json(legacy, h, from, std::nullopt);
    EXPECT_FALSE(l.contains("chainId"));
    EXPECT_EQ(l["v"], "0x1b");
    EXPECT_EQ(l["gasPrice"], "0x7");
    EXPECT_FALSE(l.contains("accessList"));

    txtypes::Transaction dep;
    dep.type = txtypes::TxType::kDeposit;
    dep.from = from;
    dep.mint = U256{9};
    dep.is_system_tx = true;
    const json d = transaction_json(dep, h, from, std::nullopt, 4, 1);
    EXPECT_EQ(d["nonce"], "0x4");
    EXPECT_EQ(d["mint"], "0x9");
    EXPECT_EQ(d["isSystemTx"], true);
    EXPECT_EQ(d["depositReceiptVersion"], "0x1");
    EXPECT_EQ(d["s"], "0x0");
    EXPECT_FALSE(d.contains("chainId"));
    EXPECT_FALSE(d.contains("yParity"));
}
