// libFuzzer target: JSON-RPC request bodies through handle_rpc_body (node/rpc_types.hpp), the
// whole socket-free path of the RPC server. Whatever the body, the reply is "" or valid JSON-RPC:
// one response object, or an array of them no longer than the batch.
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include <spdlog/spdlog.h>
#include <node/rpc_types.hpp>

namespace {

using namespace l2::node;
using nlohmann::json;

constexpr size_t kMaxBatch = 8;

/// A property violation: report it and abort, so that libFuzzer saves the input as a crash.
void require(bool ok, const char* what)
{
    if (ok)
        return;
    std::fprintf(stderr, "rpc_request_fuzz: property violated: %s\n", what);
    std::abort();
}

const RpcMethods& methods()
{
    static const RpcMethods m = [] {
        spdlog::set_level(spdlog::level::off);  // "throw" warns on every call otherwise.
        RpcMethods t;
        t.add("echo", [](const json& p) -> RpcResult { return p; });
        t.add("throw", [](const json&) -> RpcResult { throw std::runtime_error("boom"); });
        t.add("fail", [](const json& p) -> RpcResult {
            return rpc_error(kInvalidParams, "bad params", p);
        });
        t.add("first", [](const json& p) -> RpcResult {
            if (p.empty())
                return rpc_error(kInvalidParams, "no params");
            return p.is_array() ? p.at(0) : p.begin().value();
        });
        return t;
    }();
    return m;
}

void check_response(const json& r)
{
    require(r.is_object(), "a response is an object");
    require(r.value("jsonrpc", "") == "2.0", "jsonrpc is 2.0");
    require(r.contains("id"), "a response has an id");
    const auto& id = r.at("id");
    require(id.is_null() || id.is_number() || id.is_string(), "id is null, number or string");
    require(r.contains("result") != r.contains("error"), "result xor error");
    if (r.contains("error"))
    {
        const auto& e = r.at("error");
        require(e.contains("code") && e.at("code").is_number_integer(), "error code");
        require(e.contains("message") && e.at("message").is_string(), "error message");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string_view body{reinterpret_cast<const char*>(data), size};
    const auto out = handle_rpc_body(methods(), body, kMaxBatch);
    if (out.empty())
        return 0;
    const auto reply = json::parse(out, nullptr, false);
    require(!reply.is_discarded(), "the reply is valid JSON");
    if (!reply.is_array())
    {
        check_response(reply);
        return 0;
    }
    require(!reply.empty(), "no empty batch reply");
    require(reply.size() <= kMaxBatch, "no more replies than the batch limit");
    const auto req = json::parse(body, nullptr, false);
    require(req.is_array() && reply.size() <= req.size(), "at most one reply per request");
    for (const auto& r : reply)
        check_response(r);
    return 0;
}
