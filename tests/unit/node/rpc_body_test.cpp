// JSON-RPC request processing without sockets: handle_rpc_body on every JSON-RPC 2.0 edge case,
// and the method table.
#include <gtest/gtest.h>

#include <spdlog/spdlog.h>

#include <node/rpc_types.hpp>

#include <vector>

#include "rpc_test_methods.hpp"

using namespace l2::node;
using namespace rpc_test;
using nlohmann::json;


// ---------------------------------------------------------------- handle_rpc_body (no sockets)

TEST(RpcBody, SingleCall)
{
    const auto m = test_methods();
    const auto r = call(m, R"({"jsonrpc":"2.0","id":1,"method":"add","params":[2,3]})");
    EXPECT_EQ(r, json::parse(R"({"jsonrpc":"2.0","id":1,"result":5})"));
    EXPECT_EQ(handle_rpc_body(m, R"({"jsonrpc":"2.0","id":1,"method":"add","params":[2,3]})", 10),
              R"({"jsonrpc":"2.0","id":1,"result":5})");
}

TEST(RpcBody, IdEchoedExactly)
{
    const auto m = test_methods();
    for (const char* id : {"0", "-7", "18446744073709551615", "\"abc\"", "\"\"", "null", "1.5"})
    {
        const auto r = call(m, std::string{R"({"jsonrpc":"2.0","method":"echo","id":)"} + id + "}");
        EXPECT_EQ(r.at("id"), json::parse(id)) << id;
        EXPECT_EQ(r.at("result"), json::array());
    }
    EXPECT_EQ(handle_rpc_body(m, R"({"id":"x\u00e9","method":"echo"})", 10),
              "{\"jsonrpc\":\"2.0\",\"id\":\"x\xc3\xa9\",\"result\":[]}");
}

TEST(RpcBody, InvalidIds)
{
    const auto m = test_methods();
    for (const char* id : {"{}", "[1]", "true"})
    {
        const auto r = call(m, std::string{R"({"jsonrpc":"2.0","method":"echo","id":)"} + id + "}");
        EXPECT_EQ(error_code(r), kInvalidRequest) << id;
        EXPECT_TRUE(r.at("id").is_null());
    }
}

TEST(RpcBody, Params)
{
    const auto m = test_methods();
    EXPECT_EQ(call(m, R"({"id":1,"method":"echo"})").at("result"), json::array());
    EXPECT_EQ(call(m, R"({"id":1,"method":"echo","params":null})").at("result"), json::array());
    EXPECT_EQ(call(m, R"({"id":1,"method":"echo","params":{"a":[1]}})").at("result"),
              json::parse(R"({"a":[1]})"));
    EXPECT_EQ(error_code(call(m, R"({"id":1,"method":"echo","params":"x"})")), kInvalidRequest);
    EXPECT_EQ(error_code(call(m, R"({"id":1,"method":"echo","params":3})")), kInvalidRequest);
    const auto r = call(m, R"({"id":1,"method":"add","params":["a"]})");
    EXPECT_EQ(error_code(r), kInvalidParams);
    EXPECT_EQ(r.at("error").at("message"), "add takes two integers");
    EXPECT_FALSE(r.at("error").contains("data"));
}

TEST(RpcBody, Notifications)
{
    const auto m = test_methods();
    EXPECT_EQ(handle_rpc_body(m, R"({"jsonrpc":"2.0","method":"add","params":[1,2]})", 10), "");
    EXPECT_EQ(handle_rpc_body(m, R"({"jsonrpc":"2.0","method":"nope"})", 10), "");
    EXPECT_EQ(handle_rpc_body(m, R"({"method":"throw"})", 10), "");
    EXPECT_EQ(handle_rpc_body(m, R"([{"method":"echo"},{"method":"nope"}])", 10), "");
    // "id": null is a request, not a notification.
    EXPECT_TRUE(call(m, R"({"method":"echo","id":null})").at("id").is_null());
    // An invalid request without id is still answered (spec §6 examples).
    EXPECT_EQ(error_code(call(m, R"({"jsonrpc":"2.0","method":1,"params":"bar"})")),
              kInvalidRequest);
}

TEST(RpcBody, Errors)
{
    const auto m = test_methods();
    auto r = call(m, R"({"jsonrpc":"2.0","id":"a","method":"nope"})");
    EXPECT_EQ(error_code(r), kMethodNotFound);
    EXPECT_EQ(r.at("id"), "a");
    EXPECT_EQ(r.at("error").at("message"), "the method nope does not exist/is not available");

    r = call(m, R"({"id":2,"method":"fail"})");
    EXPECT_EQ(r, json::parse(R"({"jsonrpc":"2.0","id":2,"error":{"code":3,
        "message":"execution reverted","data":"0x08c379a0"}})"));

    r = call(m, R"({"id":3,"method":"throw"})");
    EXPECT_EQ(error_code(r), kInternalError);
    EXPECT_EQ(r.at("error").at("message"), "boom");
    EXPECT_EQ(r.at("id"), 3);
    EXPECT_EQ(error_code(call(m, R"({"id":3,"method":"throw_int"})")), kInternalError);

    EXPECT_EQ(error_code(call(m, R"({"id":4})")), kInvalidRequest);
    EXPECT_EQ(error_code(call(m, R"({"id":4,"method":["echo"]})")), kInvalidRequest);
    EXPECT_EQ(error_code(call(m, R"({"id":4,"jsonrpc":"1.0","method":"echo"})")), kInvalidRequest);
    EXPECT_EQ(error_code(call(m, R"({"id":4,"jsonrpc":2,"method":"echo"})")), kInvalidRequest);
    EXPECT_EQ(call(m, R"({"id":4,"jsonrpc":"1.0","method":"echo"})").at("id"), 4);
}

TEST(RpcBody, ParseAndShapeErrors)
{
    const auto m = test_methods();
    for (const char* body : {"", "{", "{\"id\":1,", "[1,]", "nul", "{} {}", "\xff", "\"\xc3\"",
                             "{\"id\":1,\"method\":\"echo\"", "{'id':1}"})
    {
        const auto r = call(m, body);
        EXPECT_EQ(error_code(r), kParseError) << body;
        EXPECT_TRUE(r.at("id").is_null());
    }
    for (const char* body : {"1", "\"echo\"", "null", "true"})
    {
        const auto r = call(m, body);
        EXPECT_EQ(error_code(r), kInvalidRequest) << body;
        EXPECT_TRUE(r.at("id").is_null());
    }
}

TEST(RpcBody, DeepNesting)
{
    const auto m = test_methods();
    const auto nested = [](size_t depth) {
        return R"({"id":1,"method":"echo","params":)" + std::string(depth, '[') +
               std::string(depth, ']') + "}";
    };
    EXPECT_EQ(call(m, nested(kMaxJsonDepth - 1)).at("result").size(), 1u);
    EXPECT_EQ(error_code(call(m, nested(kMaxJsonDepth))), kParseError);
    EXPECT_EQ(error_code(call(m, std::string(1'000'000, '['))), kParseError);
    // Brackets inside strings do not count.
    EXPECT_EQ(
        call(m, R"({"id":1,"method":"echo","params":[")" + std::string(1000, '[') + R"(\"["]})")
            .at("result")
            .at(0)
            .get<std::string>()
            .size(),
        1002u);
}

TEST(RpcBody, Batches)
{
    std::vector<int> order;
    const auto m = test_methods(&order);
    const auto r = call(m, R"([
        {"jsonrpc":"2.0","id":1,"method":"add","params":[1,2]},
        {"jsonrpc":"2.0","method":"record","params":[1]},
        {"jsonrpc":"2.0","id":"b","method":"nope"},
        5,
        {"jsonrpc":"2.0","id":3,"method":"record","params":[2]},
        {"jsonrpc":"2.0","id":4,"method":"throw"}
    ])");
    ASSERT_TRUE(r.is_array());
    ASSERT_EQ(r.size(), 5u);
    EXPECT_EQ(r[0].at("result"), 3);
    EXPECT_EQ(r[1].at("id"), "b");
    EXPECT_EQ(error_code(r[1]), kMethodNotFound);
    EXPECT_EQ(error_code(r[2]), kInvalidRequest);
    EXPECT_TRUE(r[2].at("id").is_null());
    EXPECT_EQ(r[3].at("id"), 3);
    EXPECT_EQ(error_code(r[4]), kInternalError);
    EXPECT_EQ(order, (std::vector<int>{1, 2}));

    auto e = call(m, "[]");
    ASSERT_TRUE(e.is_object());
    EXPECT_EQ(error_code(e), kInvalidRequest);

    e = call(m, "[1,2]");
    ASSERT_EQ(e.size(), 2u);
    EXPECT_EQ(error_code(e[1]), kInvalidRequest);

    // Nested batches are not requests.
    e = call(m, R"([[{"id":1,"method":"echo"}]])");
    ASSERT_EQ(e.size(), 1u);
    EXPECT_EQ(error_code(e[0]), kInvalidRequest);
}

TEST(RpcBody, BatchLimit)
{
    const auto m = test_methods();
    std::string batch = "[";
    for (int i = 0; i < 11; ++i)
        batch +=
            std::string{i ? "," : ""} + R"({"id":)" + std::to_string(i) + R"(,"method":"echo"})";
    batch += "]";
    const auto r = call(m, batch, 10);
    ASSERT_TRUE(r.is_object());
    EXPECT_EQ(error_code(r), kInvalidRequest);
    EXPECT_NE(r.at("error").at("message").get<std::string>().find("10"), std::string::npos);
    EXPECT_EQ(call(m, batch, 11).size(), 11u);
}

TEST(RpcBody, InvalidUtf8FromHandlerIsReplaced)
{
    const auto m = test_methods();
    const auto r = call(m, R"({"id":1,"method":"bad_utf8"})");
    EXPECT_EQ(r.at("result"), "a\xef\xbf\xbd\xef\xbf\xbd");
}

TEST(RpcBody, DebugLoggingPath)
{
    const auto m = test_methods();
    // With debug enabled (into a logger without sinks) the timing path runs; same output.
    const auto saved = spdlog::default_logger();
    auto quiet = std::make_shared<spdlog::logger>("quiet");
    quiet->set_level(spdlog::level::debug);
    spdlog::set_default_logger(quiet);
    const auto r = call(m, R"([{"id":1,"method":"add","params":[1,1]},{"id":2,"method":"nope"},
                             {"id":3,"method":"fail"},{"id":4,"method":"throw"}])");
    spdlog::set_default_logger(saved);
    EXPECT_EQ(r.at(0).at("result"), 2);
    EXPECT_EQ(error_code(r.at(2)), 3);
}

TEST(RpcMethodsTable, AddFindNames)
{
    RpcMethods m;
    m.add("b", [](const json&) -> RpcResult { return 1; });
    m.add("a", [](const json&) -> RpcResult { return 2; });
    EXPECT_EQ(m.size(), 2u);
    EXPECT_EQ(m.names(), (std::vector<std::string>{"a", "b"}));
    ASSERT_NE(m.find("a"), nullptr);
    EXPECT_EQ(*(*m.find("a"))(json::array()), 2);
    EXPECT_EQ(m.find("c"), nullptr);
    EXPECT_THROW(m.add("a", [](const json&) -> RpcResult { return 3; }), std::logic_error);
    EXPECT_THROW(m.add("z", RpcHandler{}), std::logic_error);
}

// ---------------------------------------------------------------- a real server over sockets


// ---------------------------------------------------------------- request gas budget

TEST(RequestGas, TakeGiveBackChargeWithinOneRequest)
{
    // Outside a request nothing is limited.
    EXPECT_TRUE(request_gas::take(UINT64_MAX - 1));
    // Inside one (a method run by handle_rpc_body), the budget is the request's.
    RpcMethods m;
    std::vector<bool> taken;
    m.add("burn", [&](const json& params) -> RpcResult {
        const uint64_t gas = params.at(0).get<uint64_t>();
        taken.push_back(request_gas::take(gas));
        if (taken.back())
        {
            request_gas::give_back(params.at(1).get<uint64_t>());
            request_gas::charge(params.at(2).get<uint64_t>());
        }
        return json(taken.back());
    });
    // Budget 100: take 60 give back 20 (60 left); take 60 (0 left); take 1 fails.
    (void)handle_rpc_body(m,
                          R"([{"id":1,"method":"burn","params":[60,20,0]},
                              {"id":2,"method":"burn","params":[60,0,0]},
                              {"id":3,"method":"burn","params":[1,0,0]}])",
                          10, 100);
    EXPECT_EQ(taken, (std::vector<bool>{true, true, false}));
    // Charging past the budget empties it, never below.
    taken.clear();
    (void)handle_rpc_body(m,
                          R"([{"id":1,"method":"burn","params":[10,0,500]},
                              {"id":2,"method":"burn","params":[0,0,0]},
                              {"id":3,"method":"burn","params":[1,0,0]}])",
                          10, 100);
    EXPECT_EQ(taken, (std::vector<bool>{true, true, false}));
    // The next request starts full.
    taken.clear();
    (void)handle_rpc_body(m, R"({"id":1,"method":"burn","params":[100,0,0]})", 10, 100);
    EXPECT_EQ(taken, (std::vector<bool>{true}));
}
