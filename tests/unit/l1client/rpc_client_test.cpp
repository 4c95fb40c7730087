/// RpcClient against an in-process HTTP server: results, batches matched by id, retries with
/// backoff, no retry on JSON-RPC errors, timeouts, malformed replies, redaction, threads.

#include <gtest/gtest.h>

#include <atomic>
#include <optional>

#include <l1client/rpc_client.hpp>
#include <nlohmann/json.hpp>

#include "fake_http_server.hpp"

using namespace l2::l1client;
using namespace std::chrono_literals;
using json = nlohmann::json;
using Server = l2::l1client::test::FakeHttpServer;
using Clock = std::chrono::steady_clock;

namespace {

/// A reply with `result` for the request in `body`.
Server::Reply result_for(const std::string& body, const json& result)
{
    const auto req = json::parse(body);
    return {.body = json{{"jsonrpc", "2.0"}, {"id", req["id"]}, {"result", result}}.dump()};
}

Server::Reply error_for(const std::string& body, int code, const std::string& message)
{
    const auto req = json::parse(body);
    return {.body = json{{"jsonrpc", "2.0"},
                         {"id", req["id"]},
                         {"error", {{"code", code}, {"message", message}}}}
                        .dump()};
}

RpcClientOptions fast_options()
{
    RpcClientOptions o;
    o.connect_timeout = 500ms;
    o.request_timeout = 2000ms;
    o.backoff_initial = 20ms;
    o.backoff_max = 100ms;
    return o;
}

}  // namespace

TEST(RpcClient, CallSendsJsonRpcAndReturnsResult)
{
    json seen;
    Server server{[&](const std::string& body) {
        seen = json::parse(body);
        return result_for(body, "0x7a69");
    }};
    RpcClient client{server.url()};
    const auto r = client.call("eth_chainId", nullptr);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(*r, "0x7a69");
    EXPECT_EQ(seen["jsonrpc"], "2.0");
    EXPECT_EQ(seen["method"], "eth_chainId");
    EXPECT_EQ(seen["params"], json::array());
    EXPECT_TRUE(seen["id"].is_number_unsigned());
}

TEST(RpcClient, NullResultIsAValue)
{
    Server server{[](const std::string& body) { return result_for(body, nullptr); }};
    RpcClient client{server.url()};
    const auto r = client.call("eth_getTransactionReceipt", json::array({"0x00"}));
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->is_null());
}

TEST(RpcClient, KeepsOneConnectionAlive)
{
    Server server{[](const std::string& body) { return result_for(body, "0x1"); }};
    RpcClient client{server.url()};
    for (int i = 0; i < 10; ++i)
        ASSERT_TRUE(client.call("eth_blockNumber", nullptr));
    EXPECT_EQ(server.requests(), 10);
    EXPECT_EQ(server.connections(), 1);
}

TEST(RpcClient, BatchRepliesMatchedById)
{
    // Replies in reverse order, one of them an error: results come back in request order.
    Server server{[](const std::string& body) {
        const auto reqs = json::parse(body);
        json out = json::array();
        for (auto it = reqs.rbegin(); it != reqs.rend(); ++it)
        {
            const auto& req = *it;
            if (req["method"] == "eth_fails")
                out.push_back({{"jsonrpc", "2.0"},
                               {"id", req["id"]},
                               {"error", {{"code", -32000}, {"message", "boom"}}}});
            else
                out.push_back(
                    {{"jsonrpc", "2.0"}, {"id", req["id"]}, {"result", req["params"][0]}});
        }
        return Server::Reply{.body = out.dump()};
    }};
    RpcClient client{server.url()};
    const auto r = client.batch({{"eth_echo", json::array({"a"})},
                                 {"eth_fails", json::array({"b"})},
                                 {"eth_echo", json::array({"c"})}});
    ASSERT_TRUE(r) << r.error().to_string();
    ASSERT_EQ(r->size(), 3u);
    EXPECT_EQ(*(*r)[0], "a");
    ASSERT_FALSE((*r)[1]);
    EXPECT_EQ((*r)[1].error().code, RpcErrc::kRpc);
    EXPECT_EQ((*r)[1].error().rpc_code, -32000);
    EXPECT_EQ((*r)[1].error().method, "eth_fails");
    EXPECT_EQ(*(*r)[2], "c");
    EXPECT_EQ(server.requests(), 1);
}

TEST(RpcClient, BatchItemWithoutReplyIsADecodeError)
{
    Server server{[](const std::string& body) {
        const auto reqs = json::parse(body);
        json out = json::array();
        out.push_back({{"jsonrpc", "2.0"}, {"id", reqs[0]["id"]}, {"result", "0x1"}});
        out.push_back({{"jsonrpc", "2.0"}, {"id", 999999}, {"result", "0x2"}});  // Unknown id.
        return Server::Reply{.body = out.dump()};
    }};
    RpcClient client{server.url()};
    const auto r = client.batch({{"eth_a", nullptr}, {"eth_b", nullptr}});
    ASSERT_TRUE(r);
    EXPECT_TRUE((*r)[0]);
    ASSERT_FALSE((*r)[1]);
    EXPECT_EQ((*r)[1].error().code, RpcErrc::kDecode);
}

TEST(RpcClient, BatchRejectedAsAWhole)
{
    Server server{[](const std::string&) {
        return Server::Reply{.body = R"({"jsonrpc":"2.0","id":null,)"
                                     R"("error":{"code":-32600,"message":"no batches"}})"};
    }};
    RpcClient client{server.url()};
    const auto r = client.batch({{"eth_a", nullptr}});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, RpcErrc::kRpc);
    EXPECT_EQ(r.error().rpc_code, -32600);
    EXPECT_EQ(r.error().method, "batch(1)");
}

TEST(RpcClient, EmptyBatchSendsNothing)
{
    Server server{[](const std::string& body) { return result_for(body, "0x1"); }};
    RpcClient client{server.url()};
    const auto r = client.batch({});
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->empty());
    EXPECT_EQ(server.requests(), 0);
}

TEST(RpcClient, RetriesOn503WithBackoffThenSucceeds)
{
    std::atomic<int> n{0};
    Server server{[&](const std::string& body) {
        if (n++ < 2)
            return Server::Reply{.status = 503, .body = "overloaded"};
        return result_for(body, "0x5");
    }};
    RpcClient client{server.url(), fast_options()};
    const auto t0 = Clock::now();
    const auto r = client.call("eth_blockNumber", nullptr);
    const auto elapsed = Clock::now() - t0;
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(*r, "0x5");
    EXPECT_EQ(server.requests(), 3);
    EXPECT_GE(elapsed, 10ms + 20ms);  // Waits of at least half of 20 ms and of 40 ms.
}

TEST(RpcClient, GivesUpAfterMaxRetries)
{
    Server server{[](const std::string&) { return Server::Reply{.status = 502, .body = "bad"}; }};
    auto o = fast_options();
    o.max_retries = 2;
    RpcClient client{server.url("/v3/SECRETKEY"), o};
    const auto r = client.call("eth_blockNumber", nullptr);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, RpcErrc::kHttpStatus);
    EXPECT_EQ(r.error().http_status, 502);
    EXPECT_EQ(r.error().method, "eth_blockNumber");
    EXPECT_EQ(r.error().url, "http://127.0.0.1:" + std::to_string(server.port()));
    EXPECT_EQ(r.error().to_string().find("SECRETKEY"), std::string::npos);
    EXPECT_EQ(server.requests(), 3);
}

TEST(RpcClient, NoRetryOnClientHttpError)
{
    Server server{[](const std::string&) { return Server::Reply{.status = 400, .body = "no"}; }};
    RpcClient client{server.url(), fast_options()};
    const auto r = client.call("eth_blockNumber", nullptr);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, RpcErrc::kHttpStatus);
    EXPECT_FALSE(r.error().is_transient());
    EXPECT_EQ(server.requests(), 1);
}

TEST(RpcClient, NoRetryOnJsonRpcError)
{
    Server server{[](const std::string& body) { return error_for(body, -32000, "nonce too low"); }};
    RpcClient client{server.url(), fast_options()};
    const auto r = client.call("eth_sendRawTransaction", json::array({"0x02"}));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, RpcErrc::kRpc);
    EXPECT_EQ(r.error().rpc_code, -32000);
    EXPECT_EQ(r.error().message, "nonce too low");
    EXPECT_EQ(r.error().method, "eth_sendRawTransaction");
    EXPECT_EQ(server.requests(), 1);
}

TEST(RpcClient, JsonRpcErrorDataIsKept)
{
    Server server{[](const std::string& body) {
        const auto req = json::parse(body);
        return Server::Reply{.body = json{{"jsonrpc", "2.0"},
                                          {"id", req["id"]},
                                          {"error",
                                           {{"code", 3},
                                            {"message", "execution reverted"},
                                            {"data", "0x08c379a0"}}}}
                                         .dump()};
    }};
    RpcClient client{server.url()};
    const auto r = client.call("eth_call", nullptr);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().rpc_code, 3);
    EXPECT_EQ(r.error().data, "0x08c379a0");
}

TEST(RpcClient, RetriesWhenTheServerClosesWithoutReply)
{
    std::atomic<int> n{0};
    Server server{[&](const std::string& body) {
        if (n++ == 0)
            return Server::Reply{.close_without_reply = true};
        return result_for(body, "0x9");
    }};
    RpcClient client{server.url(), fast_options()};
    const auto r = client.call("eth_blockNumber", nullptr);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(*r, "0x9");
}

TEST(RpcClient, ConnectionRefusedIsATransportError)
{
    auto o = fast_options();
    o.max_retries = 2;
    RpcClient client{"http://127.0.0.1:" + std::to_string(Server::free_port()), o};
    const auto t0 = Clock::now();
    const auto r = client.call("eth_chainId", nullptr);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, RpcErrc::kTransport);
    EXPECT_TRUE(r.error().is_transient());
    EXPECT_EQ(r.error().method, "eth_chainId");
    EXPECT_GE(Clock::now() - t0, 10ms + 20ms);  // Two backoff waits.
}

TEST(RpcClient, RetriesUntilTheServerComesUp)
{
    const auto port = Server::free_port();
    std::optional<Server> server;
    std::thread starter{[&] {
        std::this_thread::sleep_for(150ms);
        server.emplace([](const std::string& body) { return result_for(body, "0x1"); }, port);
    }};
    auto o = fast_options();
    o.max_retries = 20;
    o.backoff_max = 50ms;
    RpcClient client{"http://127.0.0.1:" + std::to_string(port), o};
    const auto r = client.call("eth_chainId", nullptr);
    starter.join();
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(*r, "0x1");
}

TEST(RpcClient, TimesOut)
{
    Server server{[](const std::string& body) {
        auto reply = result_for(body, "0x1");
        reply.delay = 1000ms;
        return reply;
    }};
    auto o = fast_options();
    o.request_timeout = 100ms;
    o.max_retries = 0;
    RpcClient client{server.url(), o};
    const auto t0 = Clock::now();
    const auto r = client.call("eth_getLogs", nullptr);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, RpcErrc::kTimeout);
    EXPECT_LT(Clock::now() - t0, 800ms);
}

TEST(RpcClient, MalformedRepliesAreDecodeErrors)
{
    const std::vector<std::string> bodies = {
        "not json",
        "[1, 2",
        "42",
        R"({"jsonrpc":"2.0","id":1})",                    // neither result nor error
        R"({"jsonrpc":"2.0","id":123456789,"result":1})",  // another request's id
    };
    for (const auto& b : bodies)
    {
        SCOPED_TRACE(b);
        Server server{[&](const std::string&) { return Server::Reply{.body = b}; }};
        RpcClient client{server.url(), fast_options()};
        const auto r = client.call("eth_chainId", nullptr);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, RpcErrc::kDecode);
        EXPECT_EQ(r.error().method, "eth_chainId");
        EXPECT_EQ(server.requests(), 1);  // Not retried.
    }
}

TEST(RpcClient, OversizedReplyIsRefused)
{
    Server server{[](const std::string& body) { return result_for(body, std::string(5000, 'a')); }};
    auto o = fast_options();
    o.max_response_bytes = 1000;
    RpcClient client{server.url(), o};
    const auto r = client.call("eth_getLogs", nullptr);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, RpcErrc::kDecode);
}

TEST(RpcClient, ThreadsShareOneClient)
{
    Server server{[](const std::string& body) {
        const auto req = json::parse(body);
        return result_for(body, req["params"][0]);
    }};
    RpcClient client{server.url()};
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 25; ++i)
            {
                const auto tag = std::to_string(t) + ":" + std::to_string(i);
                const auto r = client.call("eth_echo", json::array({tag}));
                ok += r && *r == tag;
            }
        });
    for (auto& th : threads)
        th.join();
    EXPECT_EQ(ok, 100);
}

TEST(RpcClient, RedactsUrls)
{
    EXPECT_EQ(redact_url("https://mainnet.infura.io/v3/abcdef"), "https://mainnet.infura.io");
    EXPECT_EQ(redact_url("http://user:pw@10.0.0.1:8545/?key=1"), "http://10.0.0.1:8545");
    EXPECT_EQ(redact_url("http://127.0.0.1:8545"), "http://127.0.0.1:8545");
    EXPECT_EQ(redact_url("localhost:8545/x"), "localhost:8545");
}
