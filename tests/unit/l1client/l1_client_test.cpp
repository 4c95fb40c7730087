/// L1Client's typed calls against an in-process JSON-RPC server: request shapes and decoding.

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <mutex>

#include <l1client/l1_client.hpp>
#include <nlohmann/json.hpp>
#include <txtypes/hex.hpp>

#include "fake_http_server.hpp"

using namespace l2;
using namespace l2::l1client;
using json = nlohmann::json;
using Server = l2::l1client::test::FakeHttpServer;

namespace {

constexpr auto kHashA =
    hash_literal("aa00000000000000000000000000000000000000000000000000000000000001");
constexpr auto kAddr = address_literal("5fbdb2315678afecb367f032d93f642f64180aa3");

/// A JSON-RPC server answering from per-method functions of params; records the last params.
class Node
{
public:
    using Method = std::function<json(const json& params)>;  // Throws json for an error object.

    Node()
      : m_server{[this](const std::string& body) {
            const auto req = json::parse(body);
            json resp = {{"jsonrpc", "2.0"}, {"id", req["id"]}};
            std::lock_guard lock{m_mutex};
            const std::string method = req["method"];
            m_last_params[method] = req["params"];
            const auto it = m_methods.find(method);
            if (it == m_methods.end())
                resp["error"] = {{"code", -32601}, {"message", "method not found"}};
            else
            {
                try
                {
                    resp["result"] = it->second(req["params"]);
                }
                catch (const json& err)
                {
                    resp["error"] = err;
                }
            }
            return Server::Reply{.body = resp.dump()};
        }}
    {}

    void on(const std::string& method, Method fn)
    {
        std::lock_guard lock{m_mutex};
        m_methods[method] = std::move(fn);
    }
    json params(const std::string& method)
    {
        std::lock_guard lock{m_mutex};
        return m_last_params[method];
    }
    std::string url() const { return m_server.url(); }

private:
    std::mutex m_mutex;
    std::map<std::string, Method> m_methods;
    std::map<std::string, json> m_last_params;
    Server m_server;  // Last: stops before the maps go.
};

json block_json(uint64_t number)
{
    return {{"number", to_hex(U256{number})},
            {"hash", to_0x_hex(kHashA)},
            {"parentHash", to_0x_hex(Hash{})},
            {"timestamp", "0x10"},
            {"transactions", json::array()}};
}

}  // namespace

TEST(L1Client, ScalarCalls)
{
    Node node;
    node.on("eth_chainId", [](const json&) { return "0x7a69"; });
    node.on("eth_blockNumber", [](const json&) { return "0x2a"; });
    node.on("eth_getTransactionCount", [](const json&) { return "0x3"; });
    node.on("eth_getBalance", [](const json&) { return "0xde0b6b3a7640000"; });
    node.on("eth_estimateGas", [](const json&) { return "0x5208"; });
    node.on("eth_maxPriorityFeePerGas", [](const json&) { return "0x3b9aca00"; });
    RpcClient rpc{node.url()};
    L1Client l1{rpc};

    EXPECT_EQ(*l1.chain_id(), 31337u);
    EXPECT_EQ(*l1.block_number(), 42u);
    EXPECT_EQ(*l1.transaction_count(kAddr, BlockTag::pending()), 3u);
    EXPECT_EQ(node.params("eth_getTransactionCount"), json({to_0x_hex(kAddr), "pending"}));
    EXPECT_EQ(*l1.balance(kAddr, BlockTag{7}), U256{1000000000000000000});
    EXPECT_EQ(node.params("eth_getBalance")[1], "0x7");
    EXPECT_EQ(*l1.estimate_gas({.from = kAddr, .to = kAddr, .value = 1, .data = {0xab}}), 21000u);
    EXPECT_EQ(node.params("eth_estimateGas")[0],
              json({{"from", to_0x_hex(kAddr)}, {"to", to_0x_hex(kAddr)}, {"value", "0x1"},
                    {"data", "0xab"}}));
    EXPECT_EQ(*l1.max_priority_fee(), U256{1000000000});
}

TEST(L1Client, BlocksByTagAndHash)
{
    Node node;
    node.on("eth_getBlockByNumber", [](const json& p) -> json {
        if (p[0] == "0x64")
            return nullptr;  // Not yet.
        return block_json(p[0] == "finalized" ? 9 : 10);
    });
    node.on("eth_getBlockByHash", [](const json&) { return block_json(5); });
    RpcClient rpc{node.url()};
    L1Client l1{rpc};

    const auto fin = l1.block_by_number(BlockTag::finalized(), true);
    ASSERT_TRUE(fin) << fin.error().to_string();
    ASSERT_TRUE(*fin);
    EXPECT_EQ((*fin)->number, 9u);
    EXPECT_EQ(node.params("eth_getBlockByNumber"), json({"finalized", true}));

    const auto missing = l1.block_by_number(100, false);
    ASSERT_TRUE(missing);
    EXPECT_FALSE(*missing);

    const auto by_hash = l1.block_by_hash(kHashA, false);
    ASSERT_TRUE(by_hash && *by_hash);
    EXPECT_EQ((*by_hash)->number, 5u);
    EXPECT_EQ(node.params("eth_getBlockByHash"), json({to_0x_hex(kHashA), false}));
}

TEST(L1Client, StorageAtByTagOrHash)
{
    Node node;
    node.on("eth_getStorageAt", [](const json&) { return "0x" + std::string(62, '0') + "2a"; });
    RpcClient rpc{node.url()};
    L1Client l1{rpc};

    const auto v = l1.storage_at(kAddr, U256{1}, BlockTag::latest());
    ASSERT_TRUE(v);
    EXPECT_EQ((*v)[31], 0x2a);
    EXPECT_EQ(node.params("eth_getStorageAt"), json({to_0x_hex(kAddr), "0x1", "latest"}));

    ASSERT_TRUE(l1.storage_at(kAddr, U256{2}, kHashA));
    EXPECT_EQ(node.params("eth_getStorageAt")[2], json({{"blockHash", to_0x_hex(kHashA)}}));
}

TEST(L1Client, LogsAndReceipts)
{
    Node node;
    node.on("eth_getLogs", [](const json&) {
        return json::array({{{"address", to_0x_hex(kAddr)},
                             {"topics", {to_0x_hex(kHashA)}},
                             {"data", "0x"},
                             {"blockNumber", "0x1"},
                             {"blockHash", to_0x_hex(kHashA)},
                             {"transactionHash", to_0x_hex(kHashA)},
                             {"transactionIndex", "0x0"},
                             {"logIndex", "0x0"}}});
    });
    node.on("eth_getTransactionReceipt", [](const json&) { return nullptr; });
    RpcClient rpc{node.url()};
    L1Client l1{rpc};

    const auto logs = l1.logs({.from_block = 1, .to_block = 2, .addresses = {kAddr}});
    ASSERT_TRUE(logs) << logs.error().to_string();
    ASSERT_EQ(logs->size(), 1u);
    EXPECT_EQ((*logs)[0].address, kAddr);
    EXPECT_EQ(node.params("eth_getLogs")[0]["toBlock"], "0x2");

    const auto rcpt = l1.transaction_receipt(kHashA);
    ASSERT_TRUE(rcpt);
    EXPECT_FALSE(*rcpt);  // Not mined.
}

TEST(L1Client, BadResultIsADecodeErrorNamingTheMethod)
{
    Node node;
    node.on("eth_blockNumber", [](const json&) { return "0x"; });
    node.on("eth_getLogs", [](const json&) { return json::array({5}); });
    RpcClient rpc{node.url()};
    L1Client l1{rpc};

    const auto n = l1.block_number();
    ASSERT_FALSE(n);
    EXPECT_EQ(n.error().code, RpcErrc::kDecode);
    EXPECT_EQ(n.error().method, "eth_blockNumber");
    EXPECT_NE(n.error().message.find("has no digits"), std::string::npos);
    EXPECT_EQ(n.error().url, node.url().substr(0, node.url().size() - 1));  // No trailing "/".

    const auto logs = l1.logs({});
    ASSERT_FALSE(logs);
    EXPECT_EQ(logs.error().message, "bad result: [0]: expected an object, got number");
}

TEST(L1Client, BlobBaseFeeOptional)
{
    Node node;
    RpcClient rpc{node.url()};
    L1Client l1{rpc};
    const auto none = l1.blob_base_fee();  // The node has no eth_blobBaseFee.
    ASSERT_TRUE(none);
    EXPECT_FALSE(*none);

    node.on("eth_blobBaseFee", [](const json&) { return "0x1"; });
    const auto one = l1.blob_base_fee();
    ASSERT_TRUE(one && *one);
    EXPECT_EQ(**one, U256{1});
}

TEST(L1Client, SendRawAndFeeHistory)
{
    Node node;
    node.on("eth_sendRawTransaction", [](const json& p) -> json {
        if (p[0] == "0x00")
            throw json{{"code", -32000}, {"message", "insufficient funds"}};
        return to_0x_hex(kHashA);
    });
    node.on("eth_feeHistory", [](const json&) {
        return json{{"oldestBlock", "0x1"},
                    {"baseFeePerGas", {"0x1", "0x2"}},
                    {"reward", {{"0x3"}}},
                    {"gasUsedRatio", {0.5}}};
    });
    RpcClient rpc{node.url()};
    L1Client l1{rpc};

    EXPECT_EQ(*l1.send_raw_transaction(Bytes{0x02, 0x01}), kHashA);
    const auto rejected = l1.send_raw_transaction(Bytes{0x00});
    ASSERT_FALSE(rejected);
    EXPECT_EQ(rejected.error().code, RpcErrc::kRpc);
    EXPECT_EQ(rejected.error().message, "insufficient funds");

    const auto h = l1.fee_history(1, BlockTag::latest(), {50.0});
    ASSERT_TRUE(h) << h.error().to_string();
    EXPECT_EQ(h->base_fee_per_gas.back(), U256{2});
    EXPECT_EQ(node.params("eth_feeHistory"), json({"0x1", "latest", {50.0}}));
}
