#pragma once
/// Shared by the RPC unit tests: a method table exercising every handler outcome and a
/// direct caller of handle_rpc_body.

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <node/rpc_types.hpp>

namespace rpc_test {

using namespace l2::node;
using nlohmann::json;
using namespace std::chrono_literals;


/// Blocks until `n` callers are inside at once (true), or gives up after 5 s (false).
class Rendezvous
{
public:
    explicit Rendezvous(int n) : m_n{n} {}
    bool arrive()
    {
        std::unique_lock lock{m_mutex};
        ++m_inside;
        m_cv.notify_all();
        return m_cv.wait_for(lock, 5s, [&] { return m_inside >= m_n; });
    }

private:
    int m_n;
    int m_inside = 0;
    std::mutex m_mutex;
    std::condition_variable m_cv;
};

inline RpcMethods test_methods(std::vector<int>* order = nullptr, Rendezvous* rendezvous = nullptr)
{
    RpcMethods m;
    m.add("echo", [](const json& params) -> RpcResult { return params; });
    m.add("add", [](const json& p) -> RpcResult {
        if (!p.is_array() || p.size() != 2 || !p[0].is_number_integer() ||
            !p[1].is_number_integer())
            return rpc_error(kInvalidParams, "add takes two integers");
        return p[0].get<int64_t>() + p[1].get<int64_t>();
    });
    m.add("fail", [](const json&) -> RpcResult {
        return rpc_error(3, "execution reverted", json("0x08c379a0"));
    });
    m.add("throw", [](const json&) -> RpcResult { throw std::runtime_error("boom"); });
    m.add("throw_int", [](const json&) -> RpcResult { throw 7; });
    m.add("bad_utf8", [](const json&) -> RpcResult { return std::string{"a\xff\xfe"}; });
    m.add("record", [order](const json& p) -> RpcResult {
        if (order != nullptr)
            order->push_back(p.at(0).get<int>());
        return nullptr;
    });
    m.add("rendezvous", [rendezvous](const json&) -> RpcResult {
        return rendezvous != nullptr && rendezvous->arrive();
    });
    return m;
}

inline json call(const RpcMethods& m, std::string_view body, size_t max_batch = 1000)
{
    const auto out = handle_rpc_body(m, body, max_batch);
    if (out.empty())
        return json{"<empty>"};
    auto j = json::parse(out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << out;
    return j;
}

inline int error_code(const json& r)
{
    return r.at("error").at("code").get<int>();
}

/// Calls a registered handler directly (no HTTP); a missing method fails the test.
inline RpcResult call_handler(const RpcMethods& m, const std::string& method, const json& params)
{
    const RpcHandler* h = m.find(method);
    EXPECT_NE(h, nullptr) << method;
    if (h == nullptr)
        return rpc_error(kMethodNotFound, method);
    return (*h)(params);
}

/// The result of a call that must succeed (null after a reported failure).
inline json call_ok(const RpcMethods& m, const std::string& method, const json& params)
{
    auto r = call_handler(m, method, params);
    EXPECT_TRUE(r) << method << ": " << r.error().message;
    return r ? *r : json();
}

/// The error of a call that must fail (a default error after a reported success).
inline RpcError call_err(const RpcMethods& m, const std::string& method, const json& params)
{
    auto r = call_handler(m, method, params);
    EXPECT_FALSE(r) << method << " succeeded: " << (r ? r->dump() : "");
    return r ? RpcError{} : r.error();
}


}  // namespace rpc_test
